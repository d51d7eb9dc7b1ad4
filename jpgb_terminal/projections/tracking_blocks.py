"""Projection of tracking-number blocks: who may give out which serials of a range.

Central checks what it is told: a block overlapping another station's block, a hand-over
by a station that does not own the block or of numbers it already used, and a box numbered
outside its station's blocks or with a number another box carries are refused there (the
event is quarantined, sync goes on).  A bench only notes such a misfit in `sync_issue`:
what it pulls central has already accepted, and refusing it would stop every later pull.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from jpgb_terminal.events import BoxPacked, RangeBlock, TrackingBlockHanded, TrackingRangeAdded
from jpgb_terminal.projections.events import ApplyError, SyncEvent
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork
from jpgb_terminal.rules.tracking_blocks import Block, first_overlap
from jpgb_terminal.store.handles import BOX, TRACKING_BLOCK
from jpgb_terminal.store.role import is_central
from jpgb_terminal.tracking import InvalidTrackingNumber, parse_tracking


def _misfit(p: UnitOfWork, e: SyncEvent, problem: str) -> None:
    """Refuse the event at central; at a bench note it, and the caller decides what to keep."""
    if is_central(p.conn):
        raise ApplyError(e, problem)
    p.note(e, problem)


def _blocks_of(p: UnitOfWork, prefix: str, country: str) -> list[tuple[str, Block]]:
    rows = p.conn.execute(
        select(TRACKING_BLOCK).where(
            TRACKING_BLOCK.c.prefix == prefix, TRACKING_BLOCK.c.country == country
        )
    )
    return [(r.id, Block(r.station_id, r.first_serial, r.last_serial)) for r in rows]


def _insert_block(p: UnitOfWork, e: SyncEvent, row: dict[str, Any], block: Block) -> None:
    p.conn.execute(
        TRACKING_BLOCK.insert(),
        {
            **row,
            "station_id": block.station_id,
            "first_serial": block.first,
            "next_serial": block.first,
            "last_serial": block.last,
            "created_at": e.occurred_at,
        },
    )


def project_range_blocks(p: UnitOfWork, e: SyncEvent, ev: TrackingRangeAdded) -> None:
    """The blocks a `tracking_range.added` names; a range from before blocks is its station's."""
    prefix, country = ev.prefix, ev.country
    listed = ev.blocks or (
        RangeBlock(
            id=ev.id,
            station_id=e.station_id,
            first_serial=ev.first_serial,
            last_serial=ev.last_serial,
        ),
    )
    known = _blocks_of(p, prefix, country)
    known_ids = {block_id for block_id, _ in known}
    for item in listed:
        if item.id in known_ids:
            continue  # replayed
        block = Block(item.station_id, item.first_serial, item.last_serial)
        clash = first_overlap(block, [b for _, b in known])
        if clash is not None:
            # Kept at a bench all the same: it numbers around every block it knows of.
            _misfit(
                p,
                e,
                f"block {prefix}{block.first:08d}..{block.last:08d} of {block.station_id} "
                f"overlaps the block {prefix}{clash.first:08d}..{clash.last:08d} of "
                f"{clash.station_id}",
            )
        row = {
            "id": item.id,
            "range_id": ev.id,
            "service": ev.service,
            "prefix": prefix,
            "country": country,
        }
        _insert_block(p, e, row, block)
        known.append((item.id, block))


def _block_handed(p: UnitOfWork, e: SyncEvent, ev: TrackingBlockHanded) -> None:
    if p.conn.execute(
        select(TRACKING_BLOCK.c.id).where(TRACKING_BLOCK.c.id == ev.new_block_id)
    ).first():
        return  # replayed
    source = p.conn.execute(
        select(TRACKING_BLOCK).where(TRACKING_BLOCK.c.id == ev.block_id)
    ).first()
    first, last = ev.first_serial, ev.last_serial
    if source is None:
        _misfit(p, e, f"block {ev.block_id} is not known here")
        return
    if source.station_id != e.station_id:
        _misfit(p, e, f"block {source.id} belongs to {source.station_id}, not {e.station_id}")
        return
    if last != source.last_serial or first < source.next_serial or first > last:
        _misfit(
            p,
            e,
            f"serials {first}..{last} are not the unused tail of block {source.id} "
            f"({source.next_serial}..{source.last_serial} unused as far as known here)",
        )
        return
    p.conn.execute(
        TRACKING_BLOCK.update()
        .where(TRACKING_BLOCK.c.id == source.id)
        .values(last_serial=first - 1)
    )
    row = {
        "id": ev.new_block_id,
        "range_id": source.range_id,
        "service": source.service,
        "prefix": source.prefix,
        "country": source.country,
    }
    _insert_block(p, e, row, Block(ev.to_station, first, last))


def check_box_number(p: UnitOfWork, e: SyncEvent, ev: BoxPacked) -> bool:
    """Before a `box.packed` is projected: False when it must not be; central raises instead.

    The number must be on no other box; one a block gave must lie in a block of the
    packing station (events from before blocks name none and are not held to it).
    """
    number = ev.outbound_tracking_no
    other = p.conn.execute(
        select(BOX.c.shipment_id, BOX.c.station_id).where(
            BOX.c.outbound_tracking_no == number, BOX.c.id != ev.box_id
        )
    ).first()
    if other is not None:
        # Two boxes cannot carry one number anywhere: a bench keeps the box it has.
        _misfit(
            p,
            e,
            f"{number} is already on the box of {other.shipment_id} (station {other.station_id})",
        )
        return False
    block_id = ev.block_id
    if not block_id:
        return True
    block = p.conn.execute(select(TRACKING_BLOCK).where(TRACKING_BLOCK.c.id == block_id)).first()
    serial = _serial(number)
    if block is None or block.station_id != e.station_id or serial is None:
        owner = "unknown here" if block is None else f"owned by {block.station_id}"
        _misfit(p, e, f"{number} names block {block_id} ({owner}), not one of its station's")
        return True
    if not block.first_serial <= serial <= block.last_serial:
        _misfit(p, e, f"{number} lies outside its block {block_id}")
        return True
    # How far the owner has got, so every store's list shows the numbers left.
    if serial >= block.next_serial:
        p.conn.execute(
            TRACKING_BLOCK.update()
            .where(TRACKING_BLOCK.c.id == block_id)
            .values(next_serial=serial + 1)
        )
    return True


def _serial(number: str) -> int | None:
    try:
        parsed = parse_tracking(number)
    except InvalidTrackingNumber:
        return None
    return int(parsed.normalized[2:10]) if parsed.scheme == "s10" else None


APPLIERS: dict[str, Applier] = {
    "tracking.block_handed": _block_handed,
}
