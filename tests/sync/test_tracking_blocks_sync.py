"""Two benches packing offline from one range never share a number, and central agrees."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.packing import confirm_parcel, pack_box, record_box_weight
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.shipments import add_range, import_shipments
from jpgb_terminal.services.tracking_blocks import hand_over_block, list_blocks
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.handles import BOX, QUARANTINE
from jpgb_terminal.sync import sync_once
from jpgb_terminal.tracking import make_s10
from tests.factories import add_prealert, jp12
from tests.services.test_shipments import csv_bytes, row
from tests.sync.helpers import FRAME, assert_central_is_union, seed_people, station

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def pack_offline(store: Store, station_id: str, parcels: range, first_request: int) -> list[str]:
    """Receive, clear, request, weigh and pack one box per parcel; the boxes' numbers."""
    staff = Actor(station_id, "aiko", "staff")
    with store.transaction() as s:
        for n in parcels:
            add_prealert(s, jp12(n), "C1")
    with store.transaction() as s:
        for n in parcels:
            receive(s, staff, jp12(n), at=AT)
            record_weight(s, staff, jp12(n), 800, raw_frame=FRAME, at=AT)
            inspect(s, staff, jp12(n), opened=False, findings=[], at=AT)
    requests = [f"SR-{first_request + i:06d}" for i in range(len(parcels))]
    rows = [row(rid=rid, parcels=jp12(n)) for rid, n in zip(requests, parcels, strict=True)]
    with store.transaction() as s:
        import_shipments(s, staff, csv_bytes(*rows), at=AT)
    numbers = []
    for rid, n in zip(requests, parcels, strict=True):
        with store.transaction() as s:
            confirm_parcel(s, staff, rid, jp12(n), at=AT)
            record_box_weight(
                s, staff, rid, 1200, raw_frame=FRAME, scale_id="sim-1", protocol="mt-sics", at=AT
            )
        with store.transaction() as s:
            packed = pack_box(s, staff, rid, (30, 20, 10), at=AT)
        assert packed.view.box is not None
        numbers.append(packed.view.box.outbound_tracking_no)
    return numbers


def central_boxes(url: str) -> dict[str, str]:
    central = open_store(url, ensure=False)
    try:
        with central.engine.connect() as conn:
            return dict(conn.execute(select(BOX.c.outbound_tracking_no, BOX.c.station_id)).all())
    finally:
        central.dispose()


def open_quarantine(url: str) -> list[str]:
    central = open_store(url, ensure=False)
    try:
        with central.engine.connect() as conn:
            return list(conn.execute(select(QUARANTINE.c.reason)).scalars())
    finally:
        central.dispose()


def two_benches(tmp_path: Path, central: str, stations: list[str]) -> tuple[Store, Store]:
    """Bench A with the people and a 10-number EMS range split between `stations`; B pulled it."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    with a.transaction() as s:
        add_range(s, Actor("A"), "ems", "EE", 60_000_001, 60_000_010, stations=stations)
    assert sync_once(a, central, "A").ok
    assert sync_once(b, central, "B").ok
    return a, b


def test_offline_benches_never_share_a_number_and_central_takes_both(
    tmp_path: Path, pg_central: str
) -> None:
    a, b = two_benches(tmp_path, pg_central, ["A", "B"])
    with b.transaction() as s:
        assert [(x.station_id, x.left) for x in list_blocks(s.connection())] == [
            ("A", 5),
            ("B", 5),
        ]
    # Both offline: each numbers from its own copy of the range.
    from_a = pack_offline(a, "A", range(1, 4), 1)
    from_b = pack_offline(b, "B", range(11, 14), 101)
    assert from_a == [make_s10("EE", 60_000_001 + i, "JP") for i in range(3)]
    assert from_b == [make_s10("EE", 60_000_006 + i, "JP") for i in range(3)]
    assert not set(from_a) & set(from_b)

    for store, sid in ((a, "A"), (b, "B"), (a, "A")):
        report = sync_once(store, pg_central, sid)
        assert report.ok, report.error
        assert report.quarantined == [] and report.open_quarantine == []
    assert open_quarantine(pg_central) == []
    assert central_boxes(pg_central) == {**dict.fromkeys(from_a, "A"), **dict.fromkeys(from_b, "B")}
    assert_central_is_union(pg_central, {"A": a, "B": b})
    # A now knows how far B has got in B's block, and B's boxes.
    with a.transaction() as s:
        assert [(x.station_id, x.left) for x in list_blocks(s.connection())] == [
            ("A", 2),
            ("B", 2),
        ]


def test_a_bench_with_no_block_is_told_and_can_be_handed_numbers(
    tmp_path: Path, pg_central: str
) -> None:
    a, b = two_benches(tmp_path, pg_central, ["A"])
    staff_b = Actor("B", "aiko", "staff")
    with pytest.raises(ServiceError, match="no block of the ems ranges belongs to station B"):
        pack_offline(b, "B", range(21, 22), 201)
    with a.transaction() as s:
        given = hand_over_block(s, Actor("A"), "ems", "B", 4)
    assert (given.first_serial, given.last_serial) == (60_000_007, 60_000_010)
    assert sync_once(a, pg_central, "A").ok
    assert sync_once(b, pg_central, "B").ok
    with b.transaction() as s:
        packed = pack_box(s, staff_b, "SR-000201", (30, 20, 10), at=AT)
    assert packed.view.box is not None
    assert packed.view.box.outbound_tracking_no == make_s10("EE", 60_000_007, "JP")
    from_a = pack_offline(a, "A", range(31, 37), 301)  # A keeps 1..6 and uses all of it
    assert from_a[-1] == make_s10("EE", 60_000_006, "JP")
    for store, sid in ((b, "B"), (a, "A")):
        report = sync_once(store, pg_central, sid)
        assert report.ok and report.quarantined == [], report.error
    assert len(central_boxes(pg_central)) == 7


def test_central_refuses_a_block_over_another_stations_and_goes_on(
    tmp_path: Path, pg_central: str
) -> None:
    """The one thing a partition cannot stop: one carrier range typed in at two benches offline."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    assert sync_once(a, pg_central, "A").ok
    assert sync_once(b, pg_central, "B").ok
    with a.transaction() as s:
        add_range(s, Actor("A"), "ems", "EE", 60_000_001, 60_000_010)
    with b.transaction() as s:
        add_range(s, Actor("B"), "ems", "EE", 60_000_005, 60_000_020)
    from_a = pack_offline(a, "A", range(41, 42), 401)
    from_b = pack_offline(b, "B", range(51, 52), 501)
    assert from_b == [make_s10("EE", 60_000_005, "JP")]
    assert sync_once(a, pg_central, "A").ok
    report = sync_once(b, pg_central, "B")
    # Refused and kept aside, named; the rest of B's events went in.
    assert report.ok, report.error
    assert len(report.quarantined) == 2
    reasons = open_quarantine(pg_central)
    assert any("overlaps the block EE60000001..60000010 of A" in r for r in reasons), reasons
    assert any(from_b[0] in r and "not one of its station's" in r for r in reasons), reasons
    assert central_boxes(pg_central) == {from_a[0]: "A"}
    assert sync_once(b, pg_central, "B").ok  # the next round is not jammed either
