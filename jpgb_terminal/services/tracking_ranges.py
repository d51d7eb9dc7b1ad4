"""The carriers' ranges of S10 outbound numbers: add, list, and take the next free number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import RangeBlock, TrackingRangeAdded
from jpgb_terminal.ids import new_id
from jpgb_terminal.refdata import services
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.tracking_blocks import SerialSpan, plan_blocks, record_blocks
from jpgb_terminal.store.handles import TRACKING_RANGE
from jpgb_terminal.tracking import make_s10


@dataclass(frozen=True)
class RangeView(SerialSpan):
    """A range of carrier numbers (`left`: what it held when added; its blocks say how far each
    station has got)."""

    id: str
    service: str
    prefix: str
    country: str
    first_serial: int
    next_serial: int
    last_serial: int


def add_range(
    session: Session,
    actor: Actor,
    service: str,
    prefix: str,
    first: int,
    last: int,
    *,
    country: str = "JP",
    stations: Sequence[str] = (),
    at: datetime | None = None,
) -> RangeView:
    """Register serials `first`..`last` the carrier issued for `service`; overlaps are refused.

    The range is split between `stations` (this one alone when none are named): each gives
    out numbers only from its own block (services.tracking_blocks).
    """
    service = service.lower()
    prefix = prefix.upper()
    country = country.upper()
    if service not in services():
        raise ServiceError(f"unknown service {service!r} (known: {', '.join(services())})")
    try:
        make_s10(prefix, first, country)
        make_s10(prefix, last, country)
    except ValueError as exc:
        raise ServiceError(f"bad range: {exc}") from None
    if first > last:
        raise ServiceError(f"bad range: --from {first} is after --to {last}")
    conn = session.connection()
    for r in conn.execute(
        select(TRACKING_RANGE).where(
            TRACKING_RANGE.c.prefix == prefix, TRACKING_RANGE.c.country == country
        )
    ):
        if r.first_serial <= last and first <= r.last_serial:
            raise ServiceError(
                f"range {prefix}{first:08d}..{prefix}{last:08d} overlaps the {r.service} range "
                f"{prefix}{r.first_serial:08d}..{prefix}{r.last_serial:08d}"
            )
    at = at or now()
    range_id = new_id()
    row = {
        "id": range_id,
        "service": service,
        "prefix": prefix,
        "country": country,
        "first_serial": first,
        "next_serial": first,
        "last_serial": last,
        "created_at": at,
        "created_by": actor.operator,
    }
    blocks = plan_blocks(row, stations or (actor.station_id,))
    conn.execute(TRACKING_RANGE.insert(), row)
    added = TrackingRangeAdded(
        id=range_id,
        service=service,
        prefix=prefix,
        country=country,
        first_serial=first,
        next_serial=first,
        last_serial=last,
        created_at=at,
        created_by=actor.operator,
        blocks=tuple(RangeBlock(**b) for b in record_blocks(conn, blocks)),
    )
    append_event(session, actor, added, at=at)
    return RangeView(range_id, service, prefix, country, first, first, last)


def list_ranges(conn: Connection, service: str | None = None) -> list[RangeView]:
    """Every range (of one service), oldest first."""
    stmt = select(TRACKING_RANGE).order_by(TRACKING_RANGE.c.created_at, TRACKING_RANGE.c.id)
    if service:
        stmt = stmt.where(TRACKING_RANGE.c.service == service.lower())
    return [
        RangeView(
            r.id, r.service, r.prefix, r.country, r.first_serial, r.next_serial, r.last_serial
        )
        for r in conn.execute(stmt)
    ]
