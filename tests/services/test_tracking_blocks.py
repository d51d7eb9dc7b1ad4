"""Blocks at one bench: a range split between stations, numbers only from one's own block,
a number any known box carries refused before the label prints, a block's tail handed on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select

from jpgb_terminal.ids import new_id
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.packing import PackingRefused, pack_box
from jpgb_terminal.services.shipments import add_range, load_shipment
from jpgb_terminal.services.tracking_blocks import (
    hand_over_block,
    list_blocks,
    take_block_number,
)
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.engine import alembic_config
from jpgb_terminal.store.handles import BOX, EVENT, TRACKING_BLOCK, TRACKING_RANGE
from jpgb_terminal.sync.apply import apply_events
from jpgb_terminal.sync.wire import read_station_events
from jpgb_terminal.tracking import make_s10
from tests.factories import STAFF, RawEvent, jp12
from tests.services.test_packing import requested, weighed
from tests.services.test_shipments import AT, row

DIMS = (30, 20, 10)


def counts(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (BOX, EVENT, TRACKING_BLOCK)
        )


def test_a_range_is_split_between_the_named_stations(store: Store) -> None:
    requested(store, row(parcels=jp12(1)))
    with store.transaction() as s:
        added = add_range(s, STAFF, "ems", "EE", 500, 509, stations=["ST02", "ST01", "ST03"])
        event = s.connection().execute(
            select(EVENT.c.payload).where(EVENT.c.kind == "tracking_range.added")
        )
        [payload] = event.scalars()
    assert [(b["station_id"], b["first_serial"], b["last_serial"]) for b in payload["blocks"]] == [
        ("ST02", 500, 503),
        ("ST01", 504, 506),
        ("ST03", 507, 509),
    ]
    weighed(store)
    with store.transaction() as s:
        packed = pack_box(s, STAFF, "SR-000001", DIMS, at=AT)
        blocks = list_blocks(s.connection(), "ems")
    assert packed.view.box is not None
    assert packed.view.box.outbound_tracking_no == make_s10("EE", 504, "JP")
    assert [(b.station_id, b.left) for b in blocks] == [("ST02", 4), ("ST01", 2), ("ST03", 3)]
    assert {b.range_id for b in blocks} == {added.id}


@pytest.mark.parametrize(
    ("stations", "message"),
    [
        (["bench 1"], "bad range: station id 'bench 1' is not allowed"),
        ([f"S{i}" for i in range(11)], "bad range: 10 numbers cannot be split between 11"),
    ],
)
def test_a_bad_split_changes_nothing(store: Store, stations: list[str], message: str) -> None:
    before = counts(store)
    with store.transaction() as s, pytest.raises(ServiceError, match=message):
        add_range(s, STAFF, "ems", "EE", 500, 509, stations=stations)
    assert counts(store) == before


def test_a_used_number_is_refused_before_the_label_prints(store: Store) -> None:
    requested(store, row(parcels=jp12(1)), row(rid="SR-000002", parcels=jp12(4)))
    with store.transaction() as s:
        add_range(s, STAFF, "ems", "EE", 500, 599)
    weighed(store)
    weighed(store, "SR-000002")
    label = make_s10("EJ", 12345678, "JP")
    with store.transaction() as s:
        pack_box(s, STAFF, "SR-000001", DIMS, scanned_label=label, at=AT)
    before = counts(store)
    for scanned, message in [
        (label, f"{label} is already on the box of SR-000001"),
        (make_s10("EE", 550, "JP"), "is in the ems block of station ST01"),
    ]:
        with store.transaction() as s, pytest.raises(PackingRefused, match=message) as refused:
            pack_box(s, STAFF, "SR-000002", DIMS, scanned_label=scanned, at=AT)
        assert refused.value.rule == "outbound_number_used"
    # Refused inside pack_box, so nothing is packed and nothing reaches the printer step.
    assert counts(store) == before
    with store.transaction() as s:
        assert load_shipment(s.connection(), "SR-000002").state == "waiting"


def test_a_number_another_stations_box_carries_is_skipped(store: Store, tmp_path: Path) -> None:
    """A box numbered elsewhere (before blocks existed) inside this bench's block."""
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        requested(other, row(rid="SR-000009", parcels=jp12(1)))
        weighed(other, "SR-000009")
        with other.transaction() as s:
            pack_box(s, STAFF, "SR-000009", DIMS, scanned_label=make_s10("EE", 500, "JP"), at=AT)
            events = read_station_events(s.connection(), "ST01", 1, 10_000)
    finally:
        other.dispose()
    outbound = ("shipment.imported", "box.weighed", "box.packed")
    elsewhere = [
        replace(e, station_id="ST09", event_id=new_id()) for e in events if e.kind in outbound
    ]
    requested(store, row(parcels=jp12(1)))
    with store.transaction() as s:
        add_range(s, STAFF, "ems", "EE", 500, 502)
        outcome = apply_events(s.connection(), elsewhere)
    assert not outcome.issues
    weighed(store)
    with store.transaction() as s:
        packed = pack_box(s, STAFF, "SR-000001", DIMS, at=AT)
    assert packed.view.box is not None
    assert packed.view.box.outbound_tracking_no == make_s10("EE", 501, "JP")


def test_a_pulled_box_with_a_number_already_here_is_noted_not_stored(store: Store) -> None:
    requested(store, row(parcels=jp12(1)))
    weighed(store)
    with store.transaction() as s:
        pack_box(s, STAFF, "SR-000001", DIMS, scanned_label=make_s10("EE", 7, "JP"), at=AT)
        mine = read_station_events(s.connection(), "ST01", 1, 10_000)
    twin = [
        replace(
            e,
            station_id="ST09",
            event_id=new_id(),
            payload={**e.payload, "shipment_id": "SR-000077", "box_id": new_id()},
        )
        for e in mine
        if e.kind in ("shipment.imported", "box.weighed", "box.packed")
    ]
    with store.transaction() as s:
        outcome = apply_events(s.connection(), twin)
    used = f"{make_s10('EE', 7, 'JP')} is already on the box of SR-000001 (station ST01)"
    assert any(used in issue for issue in outcome.issues), outcome.issues
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(BOX)).scalar_one() == 1


def test_the_owner_hands_its_unused_tail_on(store: Store) -> None:
    requested(store, row(parcels=jp12(1)))
    with store.transaction() as s:
        add_range(s, STAFF, "ems", "EE", 1, 3)
    with store.transaction() as s, pytest.raises(ServiceError, match="3 numbers left, fewer"):
        hand_over_block(s, Actor("ST01"), "ems", "ST02", 4)
    with store.transaction() as s:
        given = hand_over_block(s, Actor("ST01"), "ems", "ST02", 2)
        kinds = s.connection().execute(select(EVENT.c.kind).order_by(EVENT.c.seq.desc()))
        assert kinds.scalars().first() == "tracking.block_handed"
    assert (given.station_id, given.first_number, given.left) == (
        "ST02",
        make_s10("EE", 2, "JP"),
        2,
    )
    with store.transaction() as s:
        assert take_block_number(s, STAFF, "ems")[0] == make_s10("EE", 1, "JP")
    with store.transaction() as s, pytest.raises(ServiceError, match="ST01 are used up"):
        take_block_number(s, STAFF, "ems")
    with store.transaction() as s, pytest.raises(ServiceError, match="no ems numbers left"):
        hand_over_block(s, Actor("ST01"), "ems", "ST02", 1)


def test_an_old_range_becomes_its_stations_block_on_upgrade(tmp_path: Path) -> None:
    """A range added before blocks existed goes on from where its station had got."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Store(url)
    command.upgrade(alembic_config(old.engine), "0014d")
    payload = {
        "id": "r-1",
        "service": "ems",
        "prefix": "EE",
        "country": "JP",
        "first_serial": 100,
        "next_serial": 100,
        "last_serial": 199,
        "created_by": None,
    }
    with old.transaction() as s:
        s.connection().execute(
            TRACKING_RANGE.insert(), {**payload, "next_serial": 105, "created_at": AT}
        )
        append_event(s, Actor("A"), RawEvent("tracking_range.added", payload), at=AT)
    old.upgrade()
    old.dispose()
    store = open_store(url)
    try:
        with store.transaction() as s:
            [block] = list_blocks(s.connection())
            number = take_block_number(s, Actor("A", "aiko", "staff"), "ems")[0]
        assert (block.station_id, block.first_serial, block.next_serial) == ("A", 100, 105)
        assert number == make_s10("EE", 105, "JP")
    finally:
        store.dispose()
