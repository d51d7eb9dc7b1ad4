"""Tracking-number blocks at a bench: split a new range, number a box, hand numbers on.

A range is split between the stations named when it is added (README, "Tracking-number
ranges"); the split travels in `tracking_range.added`, so every store knows every block.
A bench gives out numbers only from its own blocks, skipping any number a box known here
carries or another station's block holds; only a block's owner hands its unused tail on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import TrackingBlockHanded
from jpgb_terminal.ids import new_id
from jpgb_terminal.rules.tracking_blocks import (
    Block,
    BlockRefused,
    first_overlap,
    hand_over_tail,
    partition,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store.handles import BOX, TRACKING_BLOCK
from jpgb_terminal.tracking import make_s10


class SerialSpan:
    """What a range and a block share: a span of S10 serials and how far it is given out."""

    prefix: str
    country: str
    first_serial: int
    next_serial: int
    last_serial: int

    @property
    def left(self) -> int:
        """Serials from the next one to give out to the last."""
        return self.last_serial - self.next_serial + 1

    @property
    def first_number(self) -> str:
        """The span's first S10 number."""
        return make_s10(self.prefix, self.first_serial, self.country)

    @property
    def last_number(self) -> str:
        """The span's last S10 number."""
        return make_s10(self.prefix, self.last_serial, self.country)


@dataclass(frozen=True)
class BlockView(SerialSpan):
    """A block of a range, its owner and how far it is used as far as this store knows."""

    id: str
    range_id: str
    station_id: str
    service: str
    prefix: str
    country: str
    first_serial: int
    next_serial: int
    last_serial: int


_FIELDS = tuple(BlockView.__dataclass_fields__)


def _view(r: Any) -> BlockView:
    values = r if isinstance(r, dict) else r._mapping
    return BlockView(**{k: values[k] for k in _FIELDS})


def plan_blocks(range_row: dict[str, Any], stations: Sequence[str]) -> list[dict[str, Any]]:
    """The block rows of a new range split between `stations` (ServiceError when it cannot be)."""
    try:
        blocks = partition(range_row["first_serial"], range_row["last_serial"], stations)
    except BlockRefused as exc:
        raise ServiceError(f"bad range: {exc}") from None
    keys = ("service", "prefix", "country", "created_at")
    return [
        {
            "id": new_id(),
            "range_id": range_row["id"],
            "station_id": b.station_id,
            **{k: range_row[k] for k in keys},
            "first_serial": b.first,
            "next_serial": b.first,
            "last_serial": b.last,
        }
        for b in blocks
    ]


def record_blocks(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store planned block rows; returns what `tracking_range.added` says of them."""
    if rows:
        conn.execute(TRACKING_BLOCK.insert(), rows)
    return [{k: r[k] for k in ("id", "station_id", "first_serial", "last_serial")} for r in rows]


def list_blocks(conn: Connection, service: str | None = None) -> list[BlockView]:
    """Every block (of one service), by range and first serial."""
    stmt = select(TRACKING_BLOCK).order_by(
        TRACKING_BLOCK.c.created_at, TRACKING_BLOCK.c.range_id, TRACKING_BLOCK.c.first_serial
    )
    if service:
        stmt = stmt.where(TRACKING_BLOCK.c.service == service.lower())
    return [_view(r) for r in conn.execute(stmt)]


def _foreign_blocks(conn: Connection, station_id: str, prefix: str, country: str) -> list[Block]:
    rows = conn.execute(
        select(TRACKING_BLOCK).where(
            TRACKING_BLOCK.c.prefix == prefix,
            TRACKING_BLOCK.c.country == country,
            TRACKING_BLOCK.c.station_id != station_id,
        )
    )
    return [Block(r.station_id, r.first_serial, r.last_serial) for r in rows]


def _on_a_box(conn: Connection, number: str) -> str | None:
    row = conn.execute(
        select(BOX.c.shipment_id, BOX.c.station_id).where(BOX.c.outbound_tracking_no == number)
    ).first()
    return None if row is None else f"{number} is already on the box of {row.shipment_id}"


def _free_serial(conn: Connection, block: BlockView, foreign: list[Block]) -> int | None:
    """The first serial from the block's next that no box here carries and no other owns."""
    serial = block.next_serial
    while serial <= block.last_serial:
        clash = first_overlap(Block(block.station_id, serial, serial), foreign)
        if clash is not None:
            serial = clash.last + 1
            continue
        if _on_a_box(conn, make_s10(block.prefix, serial, block.country)) is None:
            return serial
        serial += 1
    return None


def take_block_number(session: Session, actor: Actor, service: str) -> tuple[str, str, str]:
    """The next free number of this station's blocks: (number, range id, block id).

    Taken in the caller's transaction: a box that fails to pack gives the number back.
    """
    conn = session.connection()
    stmt = (
        select(TRACKING_BLOCK)
        .where(
            TRACKING_BLOCK.c.service == service,
            TRACKING_BLOCK.c.station_id == actor.station_id,
            TRACKING_BLOCK.c.next_serial <= TRACKING_BLOCK.c.last_serial,
        )
        .order_by(TRACKING_BLOCK.c.created_at, TRACKING_BLOCK.c.first_serial)
    )
    if conn.dialect.name == "postgresql":
        # Two sessions packing at one station must not take the same serial.
        stmt = stmt.with_for_update()
    for row in conn.execute(stmt).all():
        block = _view(row)
        serial = _free_serial(
            conn, block, _foreign_blocks(conn, actor.station_id, row.prefix, row.country)
        )
        upto = block.last_serial + 1 if serial is None else serial + 1
        conn.execute(
            TRACKING_BLOCK.update().where(TRACKING_BLOCK.c.id == block.id).values(next_serial=upto)
        )
        if serial is not None:
            return make_s10(block.prefix, serial, block.country), block.range_id, block.id
    raise ServiceError(_no_number(conn, actor.station_id, service))


def _no_number(conn: Connection, station_id: str, service: str) -> str:
    blocks = list_blocks(conn, service)
    ask = (
        "scan the carrier's pre-printed label, or have a bench with numbers left hand some over "
        f"(`jpgb shipment range give --service {service} --to {station_id} --count N`)"
    )
    if not blocks:
        return (
            f"no tracking-number range for {service}: scan the carrier's pre-printed label, "
            f"or add one with `jpgb shipment range add --service {service} ...`"
        )
    own = [b for b in blocks if b.station_id == station_id]
    if not own:
        return f"no block of the {service} ranges belongs to station {station_id}: {ask}"
    last = own[-1].last_number
    return f"the {service} numbers of station {station_id} are used up (last {last}): {ask}"


def number_refusal(conn: Connection, number: str, *, scanned: bool) -> str | None:
    """Why `number` may not go on a box here (one line), or None when it may.

    A number on any box this store knows is refused; so is a scanned label inside a
    registered range, whose numbers only their block's owner gives out.
    """
    used = _on_a_box(conn, number)
    if used is not None or not scanned:
        return used
    serial = int(number[2:10])
    for r in conn.execute(
        select(TRACKING_BLOCK).where(
            TRACKING_BLOCK.c.prefix == number[:2],
            TRACKING_BLOCK.c.country == number[11:],
            TRACKING_BLOCK.c.first_serial <= serial,
            TRACKING_BLOCK.c.last_serial >= serial,
        )
    ):
        return (
            f"{number} is in the {r.service} block of station {r.station_id}: a number of a "
            "registered range is given by its block, not scanned"
        )
    return None


def hand_over_block(
    session: Session,
    actor: Actor,
    service: str,
    to_station: str,
    count: int,
    *,
    at: datetime | None = None,
) -> BlockView:
    """Give the last `count` unused numbers of this station's fullest block to `to_station`."""
    conn = session.connection()
    service = service.lower()
    own = [b for b in list_blocks(conn, service) if b.station_id == actor.station_id and b.left > 0]
    if not own:
        raise ServiceError(f"station {actor.station_id} has no {service} numbers left to hand over")
    source = max(own, key=lambda b: (b.left, b.first_serial))
    try:
        given = hand_over_tail(
            Block(source.station_id, source.first_serial, source.last_serial),
            source.next_serial,
            count,
            to_station,
        )
    except BlockRefused as exc:
        raise ServiceError(f"cannot hand over: {exc}") from None
    at = at or now()
    new_block_id = new_id()
    conn.execute(
        TRACKING_BLOCK.update()
        .where(TRACKING_BLOCK.c.id == source.id)
        .values(last_serial=given.first - 1)
    )
    row = {
        "id": new_block_id,
        "range_id": source.range_id,
        "station_id": given.station_id,
        "service": source.service,
        "prefix": source.prefix,
        "country": source.country,
        "first_serial": given.first,
        "next_serial": given.first,
        "last_serial": given.last,
        "created_at": at,
    }
    conn.execute(TRACKING_BLOCK.insert(), row)
    handed = TrackingBlockHanded(
        block_id=source.id,
        new_block_id=new_block_id,
        range_id=source.range_id,
        to_station=given.station_id,
        first_serial=given.first,
        last_serial=given.last,
    )
    append_event(session, actor, handed, at=at)
    return _view(row)
