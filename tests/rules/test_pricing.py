"""Pricing: bracket edges, courier volumetric weight, refusals and charge lines."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jpgb_terminal import refdata as refs
from jpgb_terminal.refdata import load_toml
from jpgb_terminal.refdata import tables as refdata_tables
from jpgb_terminal.rules.pricing import (
    Charge,
    ChargeLine,
    PricingRefused,
    Quote,
    charge,
    charge_lines,
    chargeable_weight_g,
    check_limits,
    length_plus_girth_cm,
    quote,
    special_expense,
    volumetric_weight_g,
)

JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=JST)
POSTAL = [code for code, s in refs.services().items() if s.kind == "postal"]


def edge_rows(code: str) -> list[tuple[int, int | None]]:
    """(weight, expected chargeable or None for refused) at both sides of every bracket bound."""
    brackets = refs.service(code).brackets
    rows: list[tuple[int, int | None]] = [(1, brackets[0])]
    for bound, following in pairwise(brackets):
        rows += [(bound, bound), (bound + 1, following)]
    rows += [(brackets[-1], brackets[-1]), (brackets[-1] + 1, None)]
    return rows


EMS_EDGES = edge_rows("ems")


def test_ems_edges_cover_every_bracket() -> None:
    # 42 bounds: each gives "at the bound" and "one gram over" rows, plus 1 g.
    assert len(EMS_EDGES) == 1 + 2 * 42
    assert (30001, None) in EMS_EDGES


@pytest.mark.parametrize(("weight", "expected"), EMS_EDGES)
def test_ems_every_bracket_edge(weight: int, expected: int | None) -> None:
    if expected is None:
        with pytest.raises(PricingRefused) as info:
            chargeable_weight_g("ems", weight)
        assert info.value.rule == "max_weight"
        return
    assert chargeable_weight_g("ems", weight) == expected
    q = quote("ems", weight, country="CN", at=NOW)
    prices = refs.price_list_in_force(NOW)
    assert q.chargeable_g == expected
    assert q.fee == prices.fee("ems", "1", expected)


@pytest.mark.parametrize(
    ("code", "weight", "expected"),
    [(code, w, e) for code in POSTAL if code != "ems" for w, e in edge_rows(code)],
)
def test_other_postal_bracket_edges(code: str, weight: int, expected: int | None) -> None:
    if expected is None:
        with pytest.raises(PricingRefused, match="over 30000 g"):
            chargeable_weight_g(code, weight)
    else:
        assert chargeable_weight_g(code, weight) == expected


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (1, 500),
        (499, 500),
        (500, 500),
        (501, 600),
        (999, 1000),
        (1000, 1000),
        (1001, 1250),
        (1999, 2000),
        (2001, 2500),
        (5999, 6000),
        (6000, 6000),
        (6001, 7000),
        (15500, 16000),
        (29999, 30000),
        (30000, 30000),
    ],
)
def test_ems_hand_written_rows(weight: int, expected: int) -> None:
    assert chargeable_weight_g("ems", weight) == expected
    # Postal services ignore the box size for weight: only the scale counts.
    assert chargeable_weight_g("ems", weight, (100, 40, 40)) == expected


@pytest.mark.parametrize(
    ("service", "weight", "country", "fee", "zone"),
    [
        ("ems", 1, "CN", 1450, "1"),
        ("ems", 500, "kr", 1450, "1"),
        ("ems", 501, "TW", 1600, "1"),
        ("ems", 1001, "GB", 5750, "2"),
        ("ems", 2001, "US", 10500, "3"),
        ("ems", 30000, "BR", 86350, "4"),
        ("air", 100, "CN", 300, "1"),
        ("air", 2001, "US", 5770, "3"),
        ("sal", 1000, "AU", 2400, "2"),
        ("surface", 30000, "ZA", 19700, "4"),
    ],
)
def test_quote_fees(service: str, weight: int, country: str, fee: int, zone: str) -> None:
    q = quote(service, weight, country=country, at=NOW)
    assert (q.fee, q.zone, q.currency, q.price_list_version) == (fee, zone, "JPY", "2026-11-01")
    assert q.country == country.upper()
    assert q.actual_g == weight


# --- couriers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "dims", "volumetric", "expected"),
    [
        (1, (50, 40, 30), 12000, 12000),
        (1000, (30, 40, 50), 12000, 12000),
        (12000, (50, 40, 30), 12000, 12000),
        (12001, (50, 40, 30), 12000, 12500),
        (1, (1, 1, 1), 1, 500),
        (1, (10, 10, 10), 200, 500),
        (500, (10, 10, 10), 200, 500),
        (501, (10, 10, 10), 200, 1000),
        (1, (33, 33, 33), 7188, 7500),  # 35937 cm3 / 5000 = 7.1874 kg, rounded up
        (12001, (5, 5, 5), 25, 12500),
        (69999, (60, 40, 40), 19200, 70000),
        (3000, (119, 50, 50), 59500, 59500),
    ],
)
def test_courier_volumetric(
    weight: int, dims: tuple[int, int, int], volumetric: int, expected: int
) -> None:
    assert volumetric_weight_g(dims, 5000) == volumetric
    assert chargeable_weight_g("dhl", weight, dims) == expected
    q = quote("dhl", weight, dims, "US", at=NOW)
    assert (q.chargeable_g, q.volumetric_g, q.zone) == (expected, volumetric, "C")
    assert q.fee == refs.price_list_in_force(NOW).fee("dhl", "C", expected)


def test_courier_divisor_comes_from_data() -> None:
    six = refs.Service(**{**refs.service("dhl").__dict__, "volumetric_divisor": 6000})
    assert chargeable_weight_g(six, 1, (50, 40, 30)) == 10000


def test_length_plus_girth_uses_the_longest_side() -> None:
    assert length_plus_girth_cm((30, 150, 50)) == 150 + 2 * (30 + 50)


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "rule", "message"),
    [
        (
            {"service_code": "ems", "weight_g": 30001},
            "max_weight",
            "over 30000 g: EMS refuses parcels over 30 kg",
        ),
        (
            {"service_code": "dhl", "weight_g": 70001, "dims_cm": (10, 10, 10)},
            "max_weight",
            "over 70000 g: DHL Express refuses parcels over 70 kg",
        ),
        (
            {"service_code": "dhl", "weight_g": 1000, "dims_cm": (119, 119, 119)},
            "max_weight",
            "volumetric weight 337032 g",
        ),
        (
            {"service_code": "ems", "weight_g": 1000, "dims_cm": (151, 10, 10)},
            "longest_side",
            "longest side 151 cm is over 150 cm",
        ),
        (
            {"service_code": "dhl", "weight_g": 1000, "dims_cm": (20, 121, 20)},
            "longest_side",
            "longest side 121 cm is over 120 cm",
        ),
        (
            {"service_code": "ems", "weight_g": 1000, "dims_cm": (150, 50, 26)},
            "length_girth",
            "length + girth 302 cm is over 300 cm",
        ),
        ({"service_code": "ems", "weight_g": 0}, "no_weight", "no weight"),
        ({"service_code": "ems", "weight_g": -5}, "no_weight", "no weight"),
        ({"service_code": "ems", "weight_g": None}, "no_weight", "weigh the parcel first"),
        (
            {"service_code": "ems", "weight_g": 10, "dims_cm": (10, 0, 10)},
            "bad_dims",
            "positive centimetres, got 10 x 0 x 10",
        ),
        ({"service_code": "dhl", "weight_g": 1000}, "no_dims", "measure the box"),
        ({"service_code": "fedex", "weight_g": 1000}, "unknown_service", "unknown service"),
        ({"service_code": "ems", "weight_g": 1000, "country": None}, "no_country", "country"),
        ({"service_code": "ems", "weight_g": 1000, "country": " "}, "no_country", "country"),
        (
            {"service_code": "ems", "weight_g": 1000, "country": "RU"},
            "country_not_served",
            "EMS does not go to RU",
        ),
        (
            {"service_code": "ems", "weight_g": 1000, "country": "XX"},
            "country_not_served",
            "unknown country code 'XX'",
        ),
        (
            {
                "service_code": "ems",
                "weight_g": 1000,
                "at": datetime(2026, 10, 31, 23, 59, tzinfo=JST),
            },
            "no_price_list",
            "no price list in force",
        ),
    ],
)
def test_refusals(kwargs: dict[str, Any], rule: str, message: str) -> None:
    kwargs = {"country": "US", "at": NOW, **kwargs}
    with pytest.raises(PricingRefused) as info:
        quote(**kwargs)
    assert info.value.rule == rule
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_size_at_the_limit_is_accepted() -> None:
    assert quote("ems", 1000, (150, 50, 25), "US", at=NOW).fee > 0  # 150 + 150 = 300 cm
    check_limits("ems", 30000, (150, 1, 1))


def test_size_refusals_come_from_check_limits_too() -> None:
    with pytest.raises(PricingRefused) as info:
        check_limits("ems", 1000, (150, 50, 26))
    assert info.value.rule == "length_girth"


@pytest.mark.parametrize("weight", [1.5, 1000.0, "1000", True])
def test_non_integer_weight_is_a_type_error(weight: Any) -> None:
    with pytest.raises(TypeError, match="integer grams"):
        quote("ems", weight, country="US", at=NOW)


@pytest.mark.parametrize("dims", [(10, 10), (10.0, 10, 10), (10, 10, 10, 10), (True, 1, 1)])
def test_bad_dimension_types(dims: Any) -> None:
    with pytest.raises(TypeError, match="three integer centimetres"):
        quote("ems", 1000, dims, "US", at=NOW)


def test_quote_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        quote("ems", 1000, country="US", at=datetime(2026, 11, 26))


def test_quote_defaults_to_now() -> None:
    in_force = refs.price_list_in_force(datetime.now(UTC)).version
    assert quote("ems", 1000, country="US").price_list_version == in_force


def _price_list(version: str, start: datetime, drop: str | None = None) -> refs.PriceList:
    data = copy.deepcopy(load_toml("price_lists/2026-11.toml"))
    data["version"] = version
    data["effective_from"] = start
    for table in data["services"].values():
        for row in table["rows"]:
            row[1:] = [fee * 2 for fee in row[1:]] if version != "2026-11-01" else row[1:]
    if drop:
        del data["services"][drop]
    return refs.parse_price_list(data, refs.services(), f"{version}.toml")


def test_quote_uses_the_list_in_force_at_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    nov = _price_list("2026-11-01", datetime(2026, 11, 1, tzinfo=JST))
    apr = _price_list("2027-04-01", datetime(2027, 4, 1, tzinfo=JST), drop="dhl")
    monkeypatch.setattr(refdata_tables, "price_lists", lambda: (nov, apr))

    before = quote("ems", 500, country="CN", at=datetime(2027, 3, 31, 23, 59, tzinfo=JST))
    after = quote("ems", 500, country="CN", at=datetime(2027, 4, 1, tzinfo=JST))
    assert (before.price_list_version, before.fee) == ("2026-11-01", 1450)
    assert (after.price_list_version, after.fee) == ("2027-04-01", 2900)

    with pytest.raises(PricingRefused) as info:
        quote("dhl", 500, (10, 10, 10), "US", at=datetime(2027, 5, 1, tzinfo=UTC))
    assert info.value.rule == "no_price"
    assert "price list 2027-04-01 has no DHL Express fee" in str(info.value)


# --- properties --------------------------------------------------------------------------------


@given(st.sampled_from(POSTAL), st.integers(min_value=1, max_value=30000))
def test_postal_chargeable_is_the_smallest_bracket_holding_the_weight(
    code: str, weight: int
) -> None:
    brackets = refs.service(code).brackets
    chargeable = chargeable_weight_g(code, weight)
    assert chargeable in brackets
    assert chargeable >= weight
    assert all(b < weight for b in brackets if b < chargeable)


@given(
    st.integers(min_value=1, max_value=70000),
    st.tuples(*(st.integers(min_value=1, max_value=120) for _ in range(3))),
)
def test_courier_chargeable_is_max_rounded_up(weight: int, dims: tuple[int, int, int]) -> None:
    length, width, height = dims
    volumetric = -(-length * width * height * 1000 // 5000)
    try:
        chargeable = chargeable_weight_g("dhl", weight, dims)
    except PricingRefused as exc:
        assert exc.rule == "max_weight"
        assert max(weight, volumetric) > 70000
        return
    assert chargeable % 500 == 0
    assert max(weight, volumetric) <= chargeable < max(weight, volumetric) + 500


@given(st.sampled_from(POSTAL), st.integers(min_value=1, max_value=29999))
def test_fees_never_fall_as_weight_rises(code: str, weight: int) -> None:
    lighter = quote(code, weight, country="GB", at=NOW)
    heavier = quote(code, weight + 1, country="GB", at=NOW)
    assert heavier.fee >= lighter.fee


# --- charges -----------------------------------------------------------------------------------


def test_special_expenses_stay_separate_lines() -> None:
    q = quote("ems", 2001, country="GB", at=NOW)
    duty = special_expense("Import duty and VAT (HMRC)", 1830)
    storage = special_expense("Customs storage fee", 400)
    lines = charge_lines(q, [duty, storage])
    assert [line.kind for line in lines] == ["fee", "special_expense", "special_expense"]
    assert lines[0].amount == q.fee == 8650
    assert "price list 2026-11-01" in lines[0].description
    assert lines[1:] == (duty, storage)

    bill = charge(q, [duty, storage])
    assert isinstance(bill, Charge)
    assert bill.fee.amount == q.fee  # never folded in
    assert bill.lines == lines
    assert bill.totals() == {"JPY": 8650 + 1830 + 400}
    assert bill.price_list_version == "2026-11-01"


def test_charge_without_expenses() -> None:
    q = quote("sal", 1000, country="AU", at=NOW)
    assert charge_lines(q) == (charge(q).fee,)


def test_foreign_currency_expense_is_totalled_apart() -> None:
    q = quote("ems", 500, country="US", at=NOW)
    bill = charge(q, [special_expense("Import duty (CBP)", 12, "USD")])
    assert bill.totals() == {"JPY": 3900, "USD": 12}


def test_a_second_fee_cannot_be_slipped_in() -> None:
    q = quote("ems", 500, country="US", at=NOW)
    extra = ChargeLine(kind="fee", amount=100, currency="JPY", description="handling")
    with pytest.raises(ValueError, match="only special expenses"):
        charge_lines(q, [extra])


@pytest.mark.parametrize(
    ("kind", "amount", "description", "message"),
    [
        ("discount", 100, "x", "charge kind"),
        ("fee", -1, "x", "non-negative integer"),
        ("fee", 1.5, "x", "non-negative integer"),
        ("fee", 100, " ", "needs a description"),
    ],
)
def test_charge_line_validation(kind: Any, amount: Any, description: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ChargeLine(kind=kind, amount=amount, currency="JPY", description=description)


def test_quote_is_frozen() -> None:
    q = quote("ems", 500, country="US", at=NOW)
    assert isinstance(q, Quote)
    with pytest.raises(AttributeError):
        q.fee = 1  # type: ignore[misc]
