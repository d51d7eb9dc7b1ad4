"""Appending events: time-ordered id, per-station sequence number and hash chain, written in the
same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Text, bindparam, cast, select, text
from sqlmodel import Session

from jpgb_terminal.clock import as_utc, now
from jpgb_terminal.events import Event
from jpgb_terminal.events.chain import GENESIS, canonical_payload, event_hash
from jpgb_terminal.ids import new_id
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.limits import check_payload
from jpgb_terminal.store.handles import EVENT
from jpgb_terminal.store.role import NOT_HERE, is_central

_SEQ_KEY = "jpgb_next_seq"
# The station's newest event: its sequence number and hash, from the (station_id, seq) index.
_TAIL = (
    select(EVENT.c.seq, EVENT.c.hash)
    .where(EVENT.c.station_id == bindparam("station_id"))
    .order_by(EVENT.c.seq.desc())
    .limit(1)
)
# The payload goes in as the canonical text the hash was taken over, so a verifier can hash the
# stored text as it is instead of decoding and re-encoding every payload.
_INSERT = EVENT.insert().values(payload=bindparam("payload_text", type_=Text))
# PostgreSQL types the bound text as VARCHAR, which a json column accepts only through a cast.
_INSERT_PG = EVENT.insert().values(payload=cast(bindparam("payload_text", type_=Text), JSON))


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


def _next_link(session: Session, station_id: str) -> tuple[int, str]:
    """The next sequence number of the station and the hash of its previous event."""
    cache: dict[str, tuple[int, str]] = session.info.setdefault(_SEQ_KEY, {})
    if station_id not in cache:
        if is_central(session.connection()):
            raise ServiceError(NOT_HERE)
        bind = session.get_bind()
        if bind.dialect.name == "postgresql":
            # Serialise writers of one station so its sequence has no gaps or clashes.
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": station_id})
        row = session.connection().execute(_TAIL, {"station_id": station_id}).first()
        # An event stored without a hash (never written by this program) chains as GENESIS;
        # the verifier reports it as the break.
        cache[station_id] = (row.seq, row.hash or GENESIS) if row is not None else (0, GENESIS)
    seq, prev_hash = cache[station_id]
    return seq + 1, prev_hash


@dataclass(frozen=True)
class Appended:
    """The identity of an event just written."""

    event_id: str
    seq: int


def append_event(
    session: Session,
    actor: Actor,
    event: Event,
    *,
    tracking_no: str | None = None,
    at: datetime | None = None,
) -> Appended:
    """Write one event in the session's transaction; it commits or rolls back with the change."""
    kind = event.kind
    # The typed event encodes itself as events always were, so the hashed text is unchanged.
    payload = event.to_payload()
    event_id = new_id()
    seq, prev_hash = _next_link(session, actor.station_id)
    occurred_at = as_utc(at or now())
    check_payload(payload)
    payload_text = canonical_payload(payload)
    digest = event_hash(
        event_id=event_id,
        station_id=actor.station_id,
        seq=seq,
        kind=kind,
        tracking_no=tracking_no,
        operator=actor.operator,
        occurred_at=occurred_at,
        payload=payload_text,
        prev_hash=prev_hash,
    )
    # A Core insert: events are append-only, so the ORM's change tracking buys nothing here.
    conn = session.connection()
    conn.execute(
        _INSERT_PG if conn.dialect.name == "postgresql" else _INSERT,
        {
            "event_id": event_id,
            "station_id": actor.station_id,
            "seq": seq,
            "kind": kind,
            "tracking_no": tracking_no,
            "operator": actor.operator,
            "occurred_at": occurred_at,
            "payload_text": payload_text,
            "prev_hash": prev_hash,
            "hash": digest,
        },
    )
    session.info[_SEQ_KEY][actor.station_id] = (seq, digest)
    return Appended(event_id, seq)
