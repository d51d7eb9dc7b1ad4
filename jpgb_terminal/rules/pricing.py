"""Chargeable weight, fee quotes and charge lines (Art. 11): integer grams and yen only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from jpgb_terminal.refdata import (
    NoPriceListInForce,
    PriceList,
    Service,
    price_list_in_force,
    services,
)
from jpgb_terminal.tracking import ISO_COUNTRY_CODES

Dims = tuple[int, int, int]
ChargeKind = Literal["fee", "special_expense"]


class PricingRefused(ValueError):
    """A parcel the service will not take, or that cannot be priced; `rule` names why."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class Quote:
    """The fee for one parcel by one service, and the data it was worked out from."""

    service: str
    chargeable_g: int
    fee: int
    currency: str
    price_list_version: str
    zone: str
    country: str
    actual_g: int
    volumetric_g: int | None = None


@dataclass(frozen=True)
class ChargeLine:
    """One line of a bill: the service fee, or a special expense passed on at cost."""

    kind: ChargeKind
    amount: int
    currency: str
    description: str

    def __post_init__(self) -> None:
        if self.kind not in ("fee", "special_expense"):
            raise ValueError(f"charge kind must be 'fee' or 'special_expense', got {self.kind!r}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise ValueError(f"charge amount must be a non-negative integer, got {self.amount!r}")
        if not self.description.strip():
            raise ValueError("charge line needs a description")


@dataclass(frozen=True)
class Charge:
    """What a shipment is billed: one fee line plus special expenses, kept apart (Art. 11.2)."""

    fee: ChargeLine
    special_expenses: tuple[ChargeLine, ...]
    price_list_version: str

    @property
    def lines(self) -> tuple[ChargeLine, ...]:
        """All lines, the fee first."""
        return (self.fee, *self.special_expenses)

    def totals(self) -> dict[str, int]:
        """Total per currency over all lines (expenses may be billed in another currency)."""
        out: dict[str, int] = {}
        for line in self.lines:
            out[line.currency] = out.get(line.currency, 0) + line.amount
        return out


def special_expense(description: str, amount: int, currency: str = "JPY") -> ChargeLine:
    """A special expense (customs duty, storage, ...) billed at actual cost (Art. 11.2)."""
    return ChargeLine(
        kind="special_expense", amount=amount, currency=currency, description=description
    )


def fee_line(quote: Quote) -> ChargeLine:
    """The service-fee line of a quote, naming the price list it used (Art. 11.1)."""
    name = services()[quote.service].name if quote.service in services() else quote.service
    return ChargeLine(
        kind="fee",
        amount=quote.fee,
        currency=quote.currency,
        description=(
            f"{name} to {quote.country} (zone {quote.zone}), {quote.chargeable_g} g, "
            f"price list {quote.price_list_version}"
        ),
    )


def charge_lines(
    quote: Quote, special_expenses: Iterable[ChargeLine] = ()
) -> tuple[ChargeLine, ...]:
    """The fee line followed by each special expense as its own line, never merged."""
    expenses = tuple(special_expenses)
    for line in expenses:
        if line.kind != "special_expense":
            raise ValueError(
                f"only special expenses may be added to a quote's fee, got a {line.kind!r} line"
            )
    return (fee_line(quote), *expenses)


def charge(quote: Quote, special_expenses: Iterable[ChargeLine] = ()) -> Charge:
    """A Charge built from a quote and its special expenses."""
    fee, *expenses = charge_lines(quote, special_expenses)
    return Charge(
        fee=fee, special_expenses=tuple(expenses), price_list_version=quote.price_list_version
    )


def volumetric_weight_g(dims_cm: Dims, divisor: int) -> int:
    """L x W x H cm / divisor kg, in grams rounded up (integer arithmetic only)."""
    length, width, height = dims_cm
    return -(-(length * width * height * 1000) // divisor)


def round_up(value: int, step: int) -> int:
    """`value` rounded up to a whole multiple of `step`."""
    return -(-value // step) * step


def length_plus_girth_cm(dims_cm: Dims) -> int:
    """Longest side plus twice the sum of the other two."""
    longest, middle, shortest = sorted(dims_cm, reverse=True)
    return longest + 2 * (middle + shortest)


def chargeable_weight_g(service: Service | str, actual_g: int, dims_cm: Dims | None = None) -> int:
    """Billed grams: postal, the actual weight's bracket; courier, max(actual, volumetric)."""
    svc = _service(service)
    _check_weight(actual_g)
    dims = _check_dims(dims_cm)
    _check_max_weight(svc, actual_g)
    return _chargeable(svc, actual_g, dims)[0]


def check_limits(service: Service | str, actual_g: int, dims_cm: Dims | None = None) -> None:
    """Raise PricingRefused if the parcel breaks the service's weight or size limits."""
    svc = _service(service)
    _check_weight(actual_g)
    dims = _check_dims(dims_cm)
    _check_max_weight(svc, actual_g)
    if dims is not None:
        _check_size(svc, dims)


def quote(
    service_code: str,
    weight_g: int,
    dims_cm: Dims | None = None,
    country: str | None = None,
    at: datetime | None = None,
    lists: tuple[PriceList, ...] | None = None,
) -> Quote:
    """Price one parcel with the list in force at `at` (now) among `lists` (the packaged ones)."""
    svc = _service(service_code)
    _check_weight(weight_g)
    dims = _check_dims(dims_cm)
    _check_max_weight(svc, weight_g)
    if dims is not None:
        _check_size(svc, dims)
    chargeable, volumetric = _chargeable(svc, weight_g, dims)

    if country is None or not country.strip():
        raise PricingRefused("no_country", "no destination country: the fee depends on the zone")
    code = country.strip().upper()
    if code not in ISO_COUNTRY_CODES:
        raise PricingRefused("country_not_served", f"unknown country code {code!r}")
    zone = svc.zone_for(code)
    if zone is None:
        raise PricingRefused("country_not_served", f"{svc.name} does not go to {code}")

    when = datetime.now(UTC) if at is None else at
    if when.utcoffset() is None:
        raise ValueError("quote needs a timezone-aware `at`")
    try:
        prices: PriceList = price_list_in_force(when, lists)
    except NoPriceListInForce as exc:
        raise PricingRefused("no_price_list", str(exc)) from None
    bracket = svc.bracket_for(chargeable)
    fee = None if bracket is None else prices.fee(svc.code, zone, bracket)
    if fee is None:
        raise PricingRefused(
            "no_price",
            f"price list {prices.version} has no {svc.name} fee for zone {zone} at {chargeable} g",
        )
    return Quote(
        service=svc.code,
        chargeable_g=chargeable,
        fee=fee,
        currency=prices.currency,
        price_list_version=prices.version,
        zone=zone,
        country=code,
        actual_g=weight_g,
        volumetric_g=volumetric,
    )


def _service(service: Service | str) -> Service:
    if isinstance(service, Service):
        return service
    found = services().get(service)
    if found is None:
        known = ", ".join(services())
        raise PricingRefused("unknown_service", f"unknown service {service!r} (known: {known})")
    return found


def _check_weight(weight_g: int | None) -> None:
    if weight_g is None:
        raise PricingRefused("no_weight", "no weight: weigh the parcel first")
    # A float or bool here is a bug upstream: weights are integer grams everywhere.
    if isinstance(weight_g, bool) or not isinstance(weight_g, int):
        raise TypeError(f"weight must be integer grams, got {weight_g!r}")
    if weight_g <= 0:
        raise PricingRefused("no_weight", f"no weight: {weight_g} g is not a parcel weight")


def _check_dims(dims_cm: Dims | None) -> Dims | None:
    if dims_cm is None:
        return None
    if len(dims_cm) != 3 or any(isinstance(d, bool) or not isinstance(d, int) for d in dims_cm):
        raise TypeError(f"dimensions must be three integer centimetres, got {dims_cm!r}")
    if any(d <= 0 for d in dims_cm):
        raise PricingRefused(
            "bad_dims",
            f"dimensions must be positive centimetres, got {' x '.join(map(str, dims_cm))}",
        )
    return (dims_cm[0], dims_cm[1], dims_cm[2])


def _kg(grams: int) -> str:
    whole, rest = divmod(grams, 1000)
    return str(whole) if rest == 0 else f"{whole}.{rest:03d}".rstrip("0")


def _check_max_weight(svc: Service, actual_g: int) -> None:
    if actual_g > svc.max_weight_g:
        limit = svc.max_weight_g
        raise PricingRefused(
            "max_weight", f"over {limit} g: {svc.name} refuses parcels over {_kg(limit)} kg"
        )


def _check_size(svc: Service, dims: Dims) -> None:
    longest = max(dims)
    if svc.max_longest_side_cm is not None and longest > svc.max_longest_side_cm:
        raise PricingRefused(
            "longest_side",
            f"longest side {longest} cm is over {svc.max_longest_side_cm} cm: "
            f"{svc.name} refuses parcels longer than {svc.max_longest_side_cm} cm",
        )
    girth = length_plus_girth_cm(dims)
    if svc.max_length_girth_cm is not None and girth > svc.max_length_girth_cm:
        raise PricingRefused(
            "length_girth",
            f"length + girth {girth} cm is over {svc.max_length_girth_cm} cm: "
            f"{svc.name} refuses parcels over {svc.max_length_girth_cm} cm length + girth",
        )


def _chargeable(svc: Service, actual_g: int, dims: Dims | None) -> tuple[int, int | None]:
    """Chargeable grams and, for couriers, the volumetric grams it was compared with."""
    if svc.kind == "postal":
        bracket = svc.bracket_for(actual_g)
        if bracket is None:  # pragma: no cover - the max-weight check runs first
            raise PricingRefused("max_weight", f"over {svc.max_weight_g} g")
        return bracket, None
    if dims is None:
        raise PricingRefused(
            "no_dims", f"{svc.name} bills volumetric weight: measure the box (L x W x H cm)"
        )
    assert svc.volumetric_divisor is not None and svc.rounding_g is not None
    volumetric = volumetric_weight_g(dims, svc.volumetric_divisor)
    chargeable = round_up(max(actual_g, volumetric), svc.rounding_g)
    if chargeable > svc.max_weight_g:
        raise PricingRefused(
            "max_weight",
            f"over {svc.max_weight_g} g: volumetric weight {volumetric} g of a "
            f"{' x '.join(map(str, dims))} cm box; {svc.name} refuses parcels over "
            f"{_kg(svc.max_weight_g)} kg",
        )
    return chargeable, volumetric
