"""What a scale said: the parsed reading, the parse error, and exact unit conversion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

Status = Literal["ok", "motion", "overload", "underload", "negative", "error", "no_weight"]

STATUSES: tuple[Status, ...] = (
    "ok",
    "motion",
    "overload",
    "underload",
    "negative",
    "error",
    "no_weight",
)

# Exact legal definitions (international yard and pound agreement, 1959).
GRAMS_PER_UNIT: dict[str, Decimal] = {
    "mg": Decimal("0.001"),
    "g": Decimal(1),
    "kg": Decimal(1000),
    "t": Decimal(1000000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}


class FrameError(ValueError):
    """A frame that cannot be read as a weight: reported, never guessed."""


@dataclass(frozen=True)
class ScaleReading:
    """One parsed scale frame; `grams` is None when the frame carries no usable weight."""

    grams: int | None
    stable: bool
    net: bool
    status: Status
    raw: bytes
    unit: str | None = None
    protocol: str | None = None
    at: datetime | None = None
    """When the frame's last byte arrived (UTC), set by the driver; None for a bare parse."""

    @property
    def billable(self) -> bool:
        """Billable as a gross weight: ok, stable, gross and more than 0 g."""
        return self.billable_as(net=False)

    def billable_as(self, *, net: bool) -> bool:
        """Billable when ok, stable, gross or net as the station weighs, and more than 0 g."""
        return (
            self.status == "ok"
            and self.stable
            and self.net == net
            and self.grams is not None
            and self.grams > 0
        )


def to_grams(value: Decimal | str, unit: str) -> int:
    """Convert `value` in `unit` to integer grams with Decimal arithmetic.

    lb and oz use their exact gram definitions; every unit is rounded to the
    nearest gram, halves away from zero (ROUND_HALF_UP), so 0.5 g -> 1 g and
    1 lb (453.59237 g) -> 454 g. An unknown unit raises FrameError.
    """
    factor = GRAMS_PER_UNIT.get(unit)
    if factor is None:
        raise FrameError(f"unit {unit!r} is not a weight unit")
    try:
        amount = Decimal(value) if isinstance(value, str) else value
        grams = (amount * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise FrameError(f"not a number: {value!r}") from exc
    if not grams.is_finite():
        raise FrameError(f"not a finite number: {value!r}")
    return int(grams)


def parse_number(text: str) -> Decimal:
    """A signed decimal number as scales print it (`+0012.34`, `- 1.5`, `12`)."""
    cleaned = text.replace(" ", "")
    if not cleaned or len(cleaned) > 20:
        raise FrameError(f"not a weight value: {text!r}")
    body = cleaned[1:] if cleaned[0] in "+-" else cleaned
    if not body or body.count(".") > 1 or not body.replace(".", "").isdigit():
        raise FrameError(f"not a weight value: {text!r}")
    if not body.replace(".", "").isascii():
        raise FrameError(f"not a weight value: {text!r}")
    return Decimal(cleaned)


def weight_reading(
    value: Decimal,
    unit: str,
    *,
    stable: bool,
    net: bool,
    raw: bytes,
    protocol: str,
) -> ScaleReading:
    """A reading for a numeric weight: negative values get status `negative`, motion `motion`."""
    grams = to_grams(value, unit)
    status: Status
    if grams < 0:
        status = "negative"
    elif not stable:
        status = "motion"
    else:
        status = "ok"
    return ScaleReading(
        grams=grams, stable=stable, net=net, status=status, raw=raw, unit=unit, protocol=protocol
    )


def status_reading(status: Status, raw: bytes, protocol: str, *, net: bool = False) -> ScaleReading:
    """A reading that carries no weight (overload, busy, error...)."""
    return ScaleReading(
        grams=None, stable=False, net=net, status=status, raw=raw, unit=None, protocol=protocol
    )
