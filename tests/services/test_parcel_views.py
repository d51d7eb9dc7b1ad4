"""The typed parcel view: what the review screen reads, and the CLI's JSON taken from it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.parcel_views import HoldLine, ParcelView, read_parcel
from jpgb_terminal.services.parcels import parcel_view
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import Store
from tests.factories import STAFF, populate

JSON_KEYS = [
    "tracking_no",
    "scheme",
    "state",
    "customer_id",
    "prealert_matched",
    "weight_g",
    "weight_source",
    "received_at",
    "received_by",
    "station_id",
    "hold",
    "holds",
    "events",
    "receipts",
]


def test_a_held_parcel_reads_back_typed_and_as_the_json_of_parcel_show(store: Store) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0], at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
        hold_by_operator(s, STAFF, numbers[0], "prohibited_item", note="smells of petrol")
    with store.transaction() as s:
        view = read_parcel(s, numbers[0], today=date(2026, 11, 21))
        data = parcel_view(s, numbers[0], today=date(2026, 11, 21))

    assert isinstance(view, ParcelView) and view.state == "held"
    assert isinstance(view.hold, HoldLine) and view.hold.reason == "prohibited_item"
    assert view.hold.note == "smells of petrol" and not view.hold.overdue
    assert view.events[0].kind == "parcel.received"
    assert len(view.receipts) == 1 and not view.receipts[0].duplicate

    assert list(data) == JSON_KEYS
    assert data["hold"] == data["holds"][0] and data["hold"]["reason"] == "prohibited_item"
    assert data["events"][0]["kind"] == "parcel.received"
    json.dumps(data)  # plain data all the way down


def test_a_parcel_with_no_hold_has_none(store: Store) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0], at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    with store.transaction() as s:
        view = read_parcel(s, numbers[0])
        data = parcel_view(s, numbers[0])
    assert view.hold is None and data["hold"] is None and data["holds"] == []
