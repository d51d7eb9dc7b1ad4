"""The shipment use cases called directly: hand over with a lead's PIN, show, number ranges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jpgb_terminal.services.csv_files import ImportRejected
from jpgb_terminal.services.errors import AuthError, NotAllowed, NotFound
from jpgb_terminal.services.packing import pack_box
from jpgb_terminal.store import Store
from jpgb_terminal.tracking import make_s10
from jpgb_terminal.workflow.auth import Credentials
from jpgb_terminal.workflow.shipments import (
    give_numbers,
    hand_over_day,
    import_requests,
    number_ranges,
    register_range,
    shipment_detail,
)
from tests.factories import STAFF, event_count, jp12
from tests.services.test_packing import requested, weighed
from tests.services.test_shipments import AT, csv_bytes, row, stock

DAY = date(2026, 11, 26)


def packed(store: Store) -> str:
    """One request packed on DAY in a box numbered from an EMS range; its outbound number."""
    requested(store, row(parcels=f"{jp12(1)};{jp12(4)}"))
    register_range(store, "ST01", "ems", "EE", 500, 599)
    weighed(store)
    with store.transaction() as s:
        box = pack_box(s, STAFF, "SR-000001", (40, 30, 20), at=AT + timedelta(minutes=5))
    assert box.view.box is not None
    return box.view.box.outbound_tracking_no


def test_a_lead_hands_the_day_over_and_a_second_time_finds_nothing(store: Store) -> None:
    number = packed(store)
    done = hand_over_day(store, Credentials("ST01", "yui", "3333"), DAY)
    assert done.operator == "yui"
    assert done.handover.shipments == ("SR-000001",)
    assert done.handover.outbound_tracking_nos == (number,)
    assert shipment_detail(store, "SR-000001").state == "shipped"
    again = hand_over_day(store, Credentials("ST01", "yui", "3333"), DAY)
    assert again.handover.shipments == ()


@pytest.mark.parametrize(
    ("name", "pin", "error"),
    [("yui", "0000", AuthError), ("aiko", "1111", NotAllowed)],
)
def test_a_wrong_pin_or_a_staff_member_hands_nothing_over(
    sqlite_store: Store, name: str, pin: str, error: type[Exception]
) -> None:
    packed(sqlite_store)
    with sqlite_store.transaction() as s:
        before = event_count(s)
    with pytest.raises(error):
        hand_over_day(sqlite_store, Credentials("ST01", name, pin), DAY)
    with sqlite_store.transaction() as s:
        # A wrong PIN is counted (its own event at most); no box changes state.
        assert event_count(s) - before <= 1
    assert shipment_detail(sqlite_store, "SR-000001").state == "packed"


def test_ranges_are_split_given_and_listed(sqlite_store: Store) -> None:
    added = register_range(sqlite_store, "ST01", "ems", "EE", 100, 109, stations=["ST01", "B2"])
    assert added.range.left == 10
    assert [(b.station_id, b.left) for b in added.blocks] == [("ST01", 5), ("B2", 5)]
    given = give_numbers(sqlite_store, "ST01", "ems", "B3", 2)
    assert given.station_id == "B3"
    assert (given.first_number, given.last_number) == (
        make_s10("EE", 103, "JP"),
        make_s10("EE", 104, "JP"),
    )
    listing = number_ranges(sqlite_store, "ems")
    [only] = listing.ranges
    assert [(b.station_id, b.left) for b in listing.blocks_of(only.id)] == [
        ("ST01", 3),
        ("B3", 2),
        ("B2", 5),
    ]
    assert number_ranges(sqlite_store, "dhl").ranges == ()


def test_an_unknown_request_is_not_found(sqlite_store: Store) -> None:
    with pytest.raises(NotFound):
        shipment_detail(sqlite_store, "SR-999999")


def test_an_import_is_all_or_nothing(sqlite_store: Store) -> None:
    stock(sqlite_store)
    bad = csv_bytes(row(parcels=jp12(1)), row(rid="SR-000002", parcels=jp12(4), service="zzz"))
    with pytest.raises(ImportRejected):
        import_requests(sqlite_store, "ST01", bad, source="bad.csv")
    with pytest.raises(NotFound):
        shipment_detail(sqlite_store, "SR-000001")
    good = csv_bytes(row(parcels=jp12(1)), row(rid="SR-000002", parcels=jp12(4)))
    done = import_requests(sqlite_store, "ST01", good, source="good.csv")
    assert len(done.added) == 2
    assert shipment_detail(sqlite_store, "SR-000002").customer_id == "C1"
