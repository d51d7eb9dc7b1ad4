"""Billing weight and quotes: table-driven from the bracket data; which weights may be billed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from jpgb_terminal import refdata as refs
from jpgb_terminal.ids import new_id
from jpgb_terminal.rules.pricing import special_expense
from jpgb_terminal.services.billing import (
    NotBillable,
    billable_weight,
    parcel_charge,
    quote_all,
    quote_parcel,
    quote_service,
    service_needs_country,
)
from jpgb_terminal.services.errors import NotFound, ServiceError
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import PARCEL
from jpgb_terminal.store.tables import WeightRecord
from tests.factories import STAFF, STATION, jp12, populate

JST = timezone(timedelta(hours=9))
AT = datetime(2026, 11, 26, 10, 0, tzinfo=JST)
PRICES = refs.price_list_in_force(AT)


def bracket_cases() -> list[tuple[str, int, int]]:
    """(service, actual grams, expected chargeable) on both sides of every bracket bound."""
    rows: list[tuple[str, int, int]] = []
    for code, svc in refs.services().items():
        if svc.kind != "postal":
            continue
        rows.append((code, 1, svc.brackets[0]))
        for bound, following in pairwise(svc.brackets):
            rows += [(code, bound, bound), (code, bound + 1, following)]
        rows.append((code, svc.brackets[-1], svc.brackets[-1]))
    return rows


@pytest.mark.parametrize(("service", "grams", "expected"), bracket_cases())
def test_postal_chargeable_weight_is_the_bracket_of_the_actual_weight(
    service: str, grams: int, expected: int
) -> None:
    q = quote_service(service, grams, country="US", at=AT)
    assert q.refused is None, q.refused
    assert q.chargeable_g == expected
    zone = refs.service(service).zone_for("US")
    assert zone is not None
    assert q.fee == PRICES.fee(service, zone, expected)
    assert q.price_list_version == PRICES.version and q.currency == "JPY"
    # Dimensions never change a postal charge.
    boxed = quote_service(service, grams, dims_cm=(100, 50, 50), country="US", at=AT)
    assert boxed.chargeable_g == expected


COURIER_CASES = [
    # actual g, dims, expected chargeable: max(actual, L*W*H/5000 kg) rounded up to 0.5 kg
    (1, (10, 10, 10), 500),
    (500, (10, 10, 10), 500),
    (501, (10, 10, 10), 1000),
    (1200, (40, 30, 20), 5000),  # 24000 cm3 / 5000 = 4.8 kg -> 5 kg
    (5200, (40, 30, 20), 5500),
    (1000, (50, 40, 25), 10000),  # exactly 10 kg volumetric
    (1000, (50, 40, 26), 10500),
    (69_999, (10, 10, 10), 70_000),
]


@pytest.mark.parametrize(("grams", "dims", "expected"), COURIER_CASES)
def test_courier_chargeable_weight(grams: int, dims: tuple[int, int, int], expected: int) -> None:
    svc = refs.service("dhl")
    assert svc.volumetric_divisor == 5000 and svc.rounding_g == 500
    q = quote_service("dhl", grams, dims_cm=dims, country="US", at=AT)
    assert q.refused is None, q.refused
    assert q.chargeable_g == expected
    zone = svc.zone_for("US")
    assert zone is not None and q.fee == PRICES.fee("dhl", zone, expected)


@pytest.mark.parametrize(
    ("service", "grams", "dims", "country", "rule"),
    [
        ("ems", 30_001, None, "US", "max_weight"),
        ("dhl", 1000, None, "US", "no_dims"),
        ("dhl", 1000, (130, 10, 10), "US", "longest_side"),
        ("ems", 1000, None, None, "no_country"),
        ("ems", 1000, None, "ZZ", "country_not_served"),
    ],
)
def test_refusals_come_back_with_their_rule(
    service: str, grams: int, dims: tuple[int, int, int] | None, country: str | None, rule: str
) -> None:
    q = quote_service(service, grams, dims_cm=dims, country=country, at=AT)
    assert q.fee is None and q.rule == rule and q.refused


def test_chargeable_weight_is_shown_even_without_a_country() -> None:
    q = quote_service("ems", 1234, at=AT)
    assert q.rule == "no_country" and q.chargeable_g == 1250


def test_unknown_service() -> None:
    with pytest.raises(ServiceError, match="unknown service 'pigeon'"):
        quote_service("pigeon", 100)


def test_quote_all_covers_every_service_in_the_data() -> None:
    quotes = quote_all(2100, dims_cm=(30, 20, 10), country="GB", at=AT)
    assert [q.service for q in quotes] == list(refs.services())
    assert all(q.price_list_version == PRICES.version for q in quotes)
    assert all(service_needs_country(q.service) for q in quotes)


def test_price_list_before_any_in_force() -> None:
    q = quote_service("ems", 500, country="US", at=datetime(2000, 1, 1, tzinfo=UTC))
    assert q.rule == "no_price_list"


@pytest.fixture
def weighed(store: Store) -> Store:
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(1))
        record_weight(s, STAFF, jp12(1), 1234, raw_frame=b"S S 1234 g\r\n", scale_id="sc1")
        receive(s, STAFF, jp12(2))
        record_weight(
            s, STAFF, jp12(2), 2100, source="manual", reason="scale down", approved_by="kenji"
        )
        receive(s, STAFF, jp12(3))
    return store


def test_scale_weight_is_billable(weighed: Store) -> None:
    with weighed.transaction() as s:
        weight, quotes = quote_parcel(s, jp12(1), country="US", at=AT)
    assert (weight.grams, weight.source, weight.scale_id) == (1234, "scale", "sc1")
    ems = next(q for q in quotes if q.service == "ems")
    assert ems.chargeable_g == 1250 and ems.fee == PRICES.fee("ems", "3", 1250)


def test_approved_manual_weight_is_billable(weighed: Store) -> None:
    with weighed.transaction() as s:
        weight = billable_weight(s, jp12(2))
    assert (weight.grams, weight.source, weight.approved_by) == (2100, "manual", "kenji")


def test_parcel_without_weight_is_not_billable(weighed: Store) -> None:
    with pytest.raises(NotBillable, match="no weight yet"), weighed.transaction() as s:
        billable_weight(s, jp12(3))
    with pytest.raises(NotFound), weighed.transaction() as s:
        billable_weight(s, jp12(4))


@pytest.mark.parametrize("approved_by", [None, "aiko", "ghost"])
def test_unapproved_manual_weight_is_not_billable(weighed: Store, approved_by: str | None) -> None:
    # A manual weight that reached the store without a supervisor's approval (an older
    # program, or a sync) must still never be billed.
    weight_id = new_id()
    with weighed.transaction() as s:
        s.add(
            WeightRecord(
                id=weight_id,
                tracking_no=jp12(3),
                grams=800,
                source="manual",
                station_id=STATION,
                operator="aiko",
                measured_at=datetime.now(UTC),
                reason="typed",
                approved_by=approved_by,
                event_id=new_id(),
            )
        )
        s.flush()
        s.connection().execute(
            PARCEL.update()
            .where(PARCEL.c.tracking_no == jp12(3))
            .values(weight_g=800, weight_source="manual", weight_id=weight_id)
        )
    with pytest.raises(NotBillable, match="no supervisor approved it"), weighed.transaction() as s:
        quote_parcel(s, jp12(3), country="US")


def test_charge_keeps_special_expenses_as_separate_lines(weighed: Store) -> None:
    duty = special_expense("customs duty (US)", 3_400)
    with weighed.transaction() as s:
        bill = parcel_charge(s, jp12(1), "ems", country="US", special_expenses=[duty], at=AT)
    assert bill.price_list_version == PRICES.version
    assert [line.kind for line in bill.lines] == ["fee", "special_expense"]
    assert bill.fee.amount == PRICES.fee("ems", "3", 1250)
    assert bill.special_expenses == (duty,)
    assert bill.totals() == {"JPY": bill.fee.amount + 3_400}


def test_charge_refusal_is_a_service_error(weighed: Store) -> None:
    with pytest.raises(ServiceError, match="measure the box"), weighed.transaction() as s:
        parcel_charge(s, jp12(1), "dhl", country="US", at=AT)
