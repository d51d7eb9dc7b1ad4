"""The hold queue: reasons, deadlines, days left, overdue first, filters; both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import decide
from jpgb_terminal.services.holds import hold_parcel
from jpgb_terminal.services.holds_queue import HOLDS_COLUMNS, held_parcels
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import get_parcel, record_weight
from jpgb_terminal.store import Store
from tests.factories import STAFF, STATION, jp12, populate

ADMIN = Actor(STATION)

TODAY = date(2027, 1, 10)


@pytest.fixture
def queue(store: Store) -> Store:
    """Holds received on different Japan days, one of them overdue, one decided."""
    populate(store)
    other = Actor("ST02", "aiko")
    with store.transaction() as s:
        # 23:30 UTC on 9 Nov is 08:30 JST on 10 Nov: deadline 9 Jan 2027, overdue on 10 Jan.
        receive(s, STAFF, jp12(100), at=datetime(2026, 11, 9, 23, 30, tzinfo=UTC))
        # 14:59 UTC on 10 Nov is 23:59 JST the same day: deadline 9 Jan as well.
        receive(s, other, jp12(101), at=datetime(2026, 11, 10, 14, 59, tzinfo=UTC))
        # One minute later is 11 Nov in Tokyo: deadline 10 Jan, the last day, 0 days left.
        receive(s, STAFF, jp12(102), at=datetime(2026, 11, 10, 15, 0, tzinfo=UTC))
        # Received on the last day of November (JST): deadline 29 Jan.
        receive(s, STAFF, jp12(103), at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC))
        # A pre-alerted parcel of C1 with a prohibited item, and later an unpaid hold too.
        at = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 1 Jan 2027 JST
        receive(s, STAFF, jp12(1), at=at)
        record_weight(s, STAFF, jp12(1), 1500, raw_frame=b"S S 1500 g\r\n", at=at)
        inspect(s, STAFF, jp12(1), opened=True, findings=["cards"], at=at)
        hold_parcel(s, STAFF, get_parcel(s, jp12(1)), "unpaid", at=at)
        # Decided already: not in the queue.
        receive(s, STAFF, jp12(104), at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    with store.transaction() as s:
        decide(s, Actor(STATION, "kenji"), jp12(104), "return", "sender asked")
    return store


def test_queue_lists_every_held_parcel_overdue_first(queue: Store) -> None:
    with queue.transaction() as s:
        held = held_parcels(s, ADMIN, today=TODAY)
    assert [h.tracking_no for h in held] == [jp12(100), jp12(101), jp12(102), jp12(103), jp12(1)]
    by_no = {h.tracking_no: h for h in held}
    assert by_no[jp12(100)].deadline == date(2027, 1, 9)
    assert by_no[jp12(100)].overdue and by_no[jp12(100)].days_left == -1
    assert by_no[jp12(101)].deadline == date(2027, 1, 9) and by_no[jp12(101)].station_id == "ST02"
    assert by_no[jp12(102)].deadline == date(2027, 1, 10)
    assert not by_no[jp12(102)].overdue and by_no[jp12(102)].days_left == 0
    assert by_no[jp12(103)].deadline == date(2027, 1, 29) and by_no[jp12(103)].days_left == 19
    prohibited = by_no[jp12(1)]
    assert prohibited.reasons == ("prohibited_item", "unpaid")
    assert prohibited.disposable_now and prohibited.customer_id == "C1"
    assert prohibited.weight_g == 1500 and prohibited.weight_source == "scale"
    assert by_no[jp12(100)].reasons == ("no_prealert",) and by_no[jp12(100)].customer_id is None


def test_overdue_only(queue: Store) -> None:
    with queue.transaction() as s:
        assert [h.tracking_no for h in held_parcels(s, ADMIN, today=TODAY, overdue_only=True)] == [
            jp12(100),
            jp12(101),
        ]
        assert held_parcels(s, ADMIN, today=date(2027, 1, 9), overdue_only=True) == []
        later = held_parcels(s, ADMIN, today=date(2027, 3, 5), overdue_only=True)
    assert [h.tracking_no for h in later] == [jp12(100), jp12(101), jp12(102), jp12(103), jp12(1)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"reason": "unpaid"}, [1]),
        ({"reason": "prohibited_item"}, [1]),
        ({"reason": "no_prealert"}, [100, 101, 102, 103]),
        ({"customer_id": "C1"}, [1]),
        ({"station_id": "ST02"}, [101]),
        ({"station_id": "ST01", "overdue_only": True}, [100]),
        ({"limit": 2}, [100, 101]),
        ({"customer_id": "nobody"}, []),
    ],
)
def test_filters(queue: Store, filters: dict[str, object], expected: list[int]) -> None:
    with queue.transaction() as s:
        held = held_parcels(s, ADMIN, today=TODAY, **filters)  # type: ignore[arg-type]
    assert [h.tracking_no for h in held] == [jp12(n) for n in expected]


def test_rows_have_the_manifest_keys_and_no_personal_data(queue: Store) -> None:
    with queue.transaction() as s:
        rows = [h.as_row() for h in held_parcels(s, ADMIN, today=TODAY)]
    assert all(tuple(r) == HOLDS_COLUMNS for r in rows)
    first = rows[0]
    assert first["received_at"] == "2026-11-10T08:30:00+09:00"
    assert first["deadline"] == "2027-01-09" and first["overdue"] is True
    text = repr(rows)
    assert "Customer" not in text and "090-" not in text
