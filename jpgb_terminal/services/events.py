"""Appending events: time-ordered id, per-station sequence number, same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlmodel import Session

from jpgb_terminal.clock import as_utc, now
from jpgb_terminal.ids import new_id
from jpgb_terminal.services.context import Actor
from jpgb_terminal.store.tables import Event

_SEQ_KEY = "jpgb_next_seq"
_EVENTS = Event.__table__  # type: ignore[attr-defined]
_MAX_SEQ = select(func.max(_EVENTS.c.seq)).where(_EVENTS.c.station_id == bindparam("station_id"))


def jsonable(value: Any) -> Any:
    """Payload values as JSON: dates ISO 8601, decimals as strings, bytes as hex."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _next_seq(session: Session, station_id: str) -> int:
    cache: dict[str, int] = session.info.setdefault(_SEQ_KEY, {})
    if station_id not in cache:
        bind = session.get_bind()
        if bind.dialect.name == "postgresql":
            # Serialise writers of one station so its sequence has no gaps or clashes.
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": station_id})
        current = session.connection().execute(_MAX_SEQ, {"station_id": station_id}).scalar_one()
        cache[station_id] = current or 0
    cache[station_id] += 1
    return cache[station_id]


def forget_sequence_cache(session: Session) -> None:
    """Drop the cached next sequence numbers (after a rollback)."""
    session.info.pop(_SEQ_KEY, None)


@dataclass(frozen=True)
class Appended:
    """The identity of an event just written."""

    event_id: str
    seq: int


def append_event(
    session: Session,
    actor: Actor,
    kind: str,
    payload: dict[str, Any],
    *,
    tracking_no: str | None = None,
    at: datetime | None = None,
) -> Appended:
    """Write one event in the session's transaction; it commits or rolls back with the change."""
    event_id = new_id()
    seq = _next_seq(session, actor.station_id)
    # A Core insert: events are append-only, so the ORM's change tracking buys nothing here.
    session.connection().execute(
        _EVENTS.insert(),
        {
            "event_id": event_id,
            "station_id": actor.station_id,
            "seq": seq,
            "kind": kind,
            "tracking_no": tracking_no,
            "operator": actor.operator,
            "occurred_at": as_utc(at or now()),
            "payload": jsonable(payload),
        },
    )
    return Appended(event_id, seq)
