"""Receiving, weighing, inspecting and holding through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import set_customer_status
from jpgb_terminal.services.errors import DuplicateScan, NotAllowed, NotFound, ServiceError
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.parcels import parcel_view
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Event, Hold, Parcel, WeightRecord
from jpgb_terminal.tracking import InvalidTrackingNumber
from tests.factories import STAFF, event_count, jp12, populate, s10

FRAME = b"S S      1234 g\r\n"


def test_clean_parcel_received_weighed_cleared(store: Store) -> None:
    numbers = populate(store)
    at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    with store.transaction() as s:
        receipt = receive(s, STAFF, numbers[0], at=at)
        assert not receipt.held and receipt.prealert is not None
        assert receipt.prealert.customer_status == "active"
    with store.transaction() as s:
        record_weight(
            s, STAFF, numbers[0], 1234, raw_frame=FRAME, scale_id="usb-1", protocol="mt-sics"
        )
    with store.transaction() as s:
        result = inspect(s, STAFF, numbers[0], opened=False, findings=[])
        assert result.state == "cleared"
    with store.transaction() as s:
        view = parcel_view(s, numbers[0], today=date(2026, 11, 20))
        weights = list(s.exec(select(WeightRecord)))
    assert view["state"] == "cleared"
    assert view["weight_g"] == 1234 and view["weight_source"] == "scale"
    assert view["customer_id"] == "C1" and view["prealert_matched"] is True
    assert view["received_at"] == "2026-11-20T10:00:00+09:00"
    assert view["hold"] is None
    assert [e["kind"] for e in view["events"]] == [
        "parcel.received",
        "parcel.weighed",
        "parcel.inspected",
        "parcel.cleared",
    ]
    assert weights[0].raw_frame == FRAME and weights[0].scale_id == "usb-1"


def test_unknown_parcel_is_received_and_held_no_prealert(store: Store) -> None:
    populate(store)
    at = datetime(2026, 1, 31, 15, 0, tzinfo=UTC)  # already Feb 1 in Japan
    with store.transaction() as s:
        receipt = receive(s, STAFF, s10(42), at=at)
    assert receipt.hold_reasons == ["no_prealert"]
    with store.transaction() as s:
        view = parcel_view(s, s10(42), today=date(2026, 2, 1))
    assert view["state"] == "held"
    assert view["customer_id"] is None and view["prealert_matched"] is False
    assert view["hold"]["reason"] == "no_prealert"
    assert view["hold"]["deadline"] == "2026-04-02"
    assert view["hold"]["days_left"] == 60


@pytest.mark.parametrize(
    ("status", "reason"), [("suspended", "unpaid"), ("frozen", "terms_violation")]
)
def test_suspended_or_frozen_customer_holds_new_scans(
    store: Store, status: str, reason: str
) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        set_customer_status(s, Actor("ST01"), "C1", status)
    with store.transaction() as s:
        receipt = receive(s, STAFF, numbers[0])  # numbers[0] belongs to C1
    assert receipt.hold_reasons == [reason]


def test_status_change_holds_parcels_in_storage_once(store: Store) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0])
        receive(s, STAFF, numbers[3])  # both C1
    with store.transaction() as s:
        held = set_customer_status(s, Actor("ST01"), "C1", "frozen")
    assert sorted(held) == sorted([numbers[0], numbers[3]])
    with store.transaction() as s:
        again = set_customer_status(s, Actor("ST01"), "C1", "frozen")
        holds = list(s.exec(select(Hold).where(Hold.reason == "terms_violation")))
    assert again == [] and len(holds) == 2


def test_duplicate_scan_records_nothing(store: Store) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[1])
    with store.transaction() as s:
        before = event_count(s)
    # The same parcel scanned again, typed with hyphens and in full-width digits.
    variants = [numbers[1], f"{numbers[1][:4]}-{numbers[1][4:8]}-{numbers[1][8:]}"]
    variants.append(numbers[1].translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    for text in variants:
        with pytest.raises(DuplicateScan, match="already received"), store.transaction() as s:
            receive(s, Actor("ST02", "bob", "staff"), text)
    with store.transaction() as s:
        assert event_count(s) == before
        assert len(list(s.exec(select(Parcel)))) == 1


@pytest.mark.parametrize("garbled", ["", "hello", "123456789012", "EE123456784JP", "EE123456785XX"])
def test_garbled_scan_records_nothing(store: Store, garbled: str) -> None:
    populate(store)
    with store.transaction() as s:
        before = event_count(s)
    with pytest.raises(InvalidTrackingNumber), store.transaction() as s:
        receive(s, STAFF, garbled)
    with store.transaction() as s:
        assert event_count(s) == before
        assert list(s.exec(select(Parcel))) == []


def test_prohibited_item_holds_with_category(store: Store) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0])
        record_weight(s, STAFF, numbers[0], 800, raw_frame=FRAME)
        result = inspect(
            s, STAFF, numbers[0], opened=True, findings=["weapons_hazmat"], note="knife"
        )
    assert result.state == "held"
    with store.transaction() as s:
        hold = s.exec(select(Hold)).one()
        event = s.exec(select(Event).where(Event.kind == "parcel.held")).one()
    assert hold.reason == "prohibited_item"
    assert event.payload["categories"] == ["weapons_hazmat"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"grams": 0, "raw_frame": FRAME}, ServiceError, "out of range"),
        ({"grams": -5, "raw_frame": FRAME}, ServiceError, "out of range"),
        ({"grams": 12.5, "raw_frame": FRAME}, ServiceError, "whole grams"),
        ({"grams": 500}, ServiceError, "raw scale frame"),
        ({"grams": 500, "source": "manual", "reason": "scale broken"}, NotAllowed, "supervisor"),
        (
            {"grams": 500, "source": "manual", "reason": "x", "approved_by": "aiko"},
            NotAllowed,
            "supervisor",
        ),
        ({"grams": 500, "source": "manual", "approved_by": "kenji"}, ServiceError, "reason"),
        ({"grams": 500, "source": "guess"}, ServiceError, "unknown weight source"),
    ],
)
def test_bad_weights_write_nothing(store: Store, kwargs: dict, error: type, message: str) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0])
        before = event_count(s)
    with pytest.raises(error, match=message), store.transaction() as s:
        record_weight(s, STAFF, numbers[0], **kwargs)
    with store.transaction() as s:
        assert event_count(s) == before
        assert s.get(Parcel, numbers[0]).state == "received"  # type: ignore[union-attr]


def test_manual_weight_with_supervisor(store: Store) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0])
        record_weight(
            s, STAFF, numbers[0], 640, source="manual", reason="scale down", approved_by="kenji"
        )
    with store.transaction() as s:
        record = s.exec(select(WeightRecord)).one()
        parcel = s.get(Parcel, numbers[0])
    assert record.source == "manual" and record.approved_by == "kenji" and record.raw_frame is None
    assert parcel is not None and parcel.weight_source == "manual" and parcel.state == "weighed"


def test_inspection_before_weight_refused(store: Store) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0])
    with pytest.raises(NotAllowed, match="waiting for its weight"), store.transaction() as s:
        inspect(s, STAFF, numbers[0], opened=False, findings=[])


def test_unknown_category_and_parcel_refused(store: Store) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0])
        record_weight(s, STAFF, numbers[0], 100, raw_frame=FRAME)
    with pytest.raises(ServiceError, match="unknown prohibited"), store.transaction() as s:
        inspect(s, STAFF, numbers[0], opened=True, findings=["unicorns"])
    with pytest.raises(NotFound), store.transaction() as s:
        record_weight(s, STAFF, jp12(999), 100, raw_frame=FRAME)


def test_event_sequences_are_per_station_and_contiguous(store: Store) -> None:
    numbers = populate(store, prealerts=6)
    for i, number in enumerate(numbers):
        actor = Actor("ST01" if i % 2 else "ST02", "aiko")
        with store.transaction() as s:
            receive(s, actor, number)
            record_weight(s, actor, number, 100 + i, raw_frame=FRAME)
    with store.transaction() as s:
        events = list(s.exec(select(Event)))
    for station in ("ST01", "ST02"):
        seqs = sorted(e.seq for e in events if e.station_id == station)
        assert seqs == list(range(1, len(seqs) + 1))
    ids = [e.event_id for e in events]
    assert len(set(ids)) == len(ids)
    # UUIDv7 ids sort in the order they were made within a station.
    for station in ("ST01", "ST02"):
        mine = sorted((e for e in events if e.station_id == station), key=lambda e: e.seq)
        assert [e.event_id for e in mine] == sorted(e.event_id for e in mine)
