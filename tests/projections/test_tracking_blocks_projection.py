"""Central checks the blocks it is told of; a bench notes the same misfits and goes on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from jpgb_terminal.ids import new_id
from jpgb_terminal.projections.events import ApplyError, SyncEvent
from jpgb_terminal.projections.registry import apply_events
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import TRACKING_BLOCK
from jpgb_terminal.store.role import mark_central

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def event(station: str, kind: str, payload: dict[str, Any]) -> SyncEvent:
    return SyncEvent(new_id(), station, 1, kind, None, None, AT, payload)


def range_added(station: str, range_id: str, blocks: list[tuple[str, str, int, int]]) -> SyncEvent:
    first, last = min(b[2] for b in blocks), max(b[3] for b in blocks)
    return event(
        station,
        "tracking_range.added",
        {
            "id": range_id,
            "service": "ems",
            "prefix": "EE",
            "country": "JP",
            "first_serial": first,
            "next_serial": first,
            "last_serial": last,
            "created_at": AT.isoformat(),
            "created_by": None,
            "blocks": [
                {"id": i, "station_id": s, "first_serial": f, "last_serial": t}
                for i, s, f, t in blocks
            ],
        },
    )


def handed(station: str, block_id: str, to: str, first: int, last: int) -> SyncEvent:
    payload = {
        "block_id": block_id,
        "new_block_id": f"{block_id}-{to}-{first}",
        "range_id": "r1",
        "to_station": to,
        "first_serial": first,
        "last_serial": last,
    }
    return event(station, "tracking.block_handed", payload)


def blocks(store: Store) -> list[tuple[str, int, int]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(TRACKING_BLOCK).order_by(TRACKING_BLOCK.c.first_serial))
        return [(r.station_id, r.first_serial, r.last_serial) for r in rows]


FIRST = range_added("A", "r1", [("bA", "A", 1, 5), ("bB", "B", 6, 10)])

MISFITS = [
    (range_added("C", "r2", [("bC", "C", 4, 8)]), "overlaps the block EE00000001..00000005 of A"),
    (handed("B", "bA", "C", 4, 5), "block bA belongs to A, not B"),
    (handed("A", "bA", "C", 2, 4), "are not the unused tail of block bA"),
    (handed("A", "bA", "C", 6, 5), "are not the unused tail of block bA"),
    (handed("A", "nope", "C", 4, 5), "block nope is not known here"),
]


@pytest.mark.parametrize(("misfit", "reason"), MISFITS)
def test_central_refuses(store: Store, misfit: SyncEvent, reason: str) -> None:
    with store.transaction() as s:
        mark_central(s.connection())
        apply_events(s.connection(), [FIRST])
    before = blocks(store)
    with store.transaction() as s, pytest.raises(ApplyError, match=reason):
        apply_events(s.connection(), [misfit])
    assert blocks(store) == before


@pytest.mark.parametrize(("misfit", "reason"), MISFITS)
def test_a_bench_notes_and_goes_on(store: Store, misfit: SyncEvent, reason: str) -> None:
    with store.transaction() as s:
        apply_events(s.connection(), [FIRST])
        outcome = apply_events(s.connection(), [misfit])
    assert any(reason in issue for issue in outcome.issues), outcome.issues


def test_a_hand_over_by_the_owner_moves_the_tail_once(store: Store) -> None:
    handover = handed("A", "bA", "C", 4, 5)
    with store.transaction() as s:
        mark_central(s.connection())
        apply_events(s.connection(), [FIRST, handover])
        apply_events(s.connection(), [FIRST, handover])  # replayed: nothing changes
    assert blocks(store) == [("A", 1, 3), ("C", 4, 5), ("B", 6, 10)]


def test_an_old_range_event_is_its_stations_block(store: Store) -> None:
    old = range_added("A", "r0", [("x", "A", 1, 1)])
    payload = {k: v for k, v in old.payload.items() if k != "blocks"} | {"last_serial": 9}
    with store.transaction() as s:
        mark_central(s.connection())
        apply_events(s.connection(), [event("A", "tracking_range.added", payload)])
    assert blocks(store) == [("A", 1, 9)]
