"""The canonical encoding of an event and its SHA-256 link to the previous event of its station.

Each event stores `prev_hash` (the `hash` of the station's previous event, or GENESIS for its
first) and `hash` = SHA-256 over the canonical encoding: a JSON object with sorted keys and no
whitespace, non-ASCII kept as UTF-8, of

    event_id, kind, occurred_at, operator, payload, prev_hash, seq, station_id, tracking_no

where `occurred_at` is UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` and `payload` is itself encoded the
same way.  Changing any column of a stored event changes its hash; deleting or reordering events
breaks the links.  The encoding is built from a fixed template rather than by `json.dumps` so
that verifying a million events costs little more than hashing them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

# The C-accelerated JSON string encoder that json.dumps(ensure_ascii=False) uses itself.
_encode_str = json.encoder.encode_basestring
EVENT_TEMPLATE = (
    '{"event_id":%s,"kind":%s,"occurred_at":"%s","operator":%s,"payload":%s,'
    '"prev_hash":%s,"seq":%d,"station_id":%s,"tracking_no":%s}'
)


def canonical_payload(payload: Any) -> str:
    """A JSON-ready payload as canonical text: sorted keys, no whitespace, UTF-8 kept."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_time(at: datetime | str) -> str:
    """An instant as `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC (a stored SQLite text is UTC already)."""
    if isinstance(at, str):
        # SQLite keeps UTC as "YYYY-MM-DD HH:MM:SS.ffffff": reshape it without parsing.
        if len(at) == 26 and at[10] == " ":
            return f"{at[:10]}T{at[11:]}Z"
        parsed = datetime.fromisoformat(at)
        at = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if at.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    u = at.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def _opt(value: str | None) -> str:
    return "null" if value is None else _encode_str(value)


def canonical_event(
    *,
    event_id: str,
    station_id: str,
    seq: int,
    kind: str,
    tracking_no: str | None,
    operator: str | None,
    occurred_at: str,
    payload_text: str,
    prev_hash: str,
) -> bytes:
    """The bytes an event's hash is taken over (`occurred_at` from canonical_time)."""
    return (
        EVENT_TEMPLATE
        % (
            _encode_str(event_id),
            _encode_str(kind),
            occurred_at,
            _opt(operator),
            payload_text,
            _encode_str(prev_hash),
            seq,
            _encode_str(station_id),
            _opt(tracking_no),
        )
    ).encode()


def event_hash(
    *,
    event_id: str,
    station_id: str,
    seq: int,
    kind: str,
    tracking_no: str | None,
    operator: str | None,
    occurred_at: datetime | str,
    payload: Any,
    prev_hash: str,
) -> str:
    """The hex SHA-256 of an event (payload as JSON-ready data or as canonical text)."""
    text = payload if isinstance(payload, str) else canonical_payload(payload)
    data = canonical_event(
        event_id=event_id,
        station_id=station_id,
        seq=seq,
        kind=kind,
        tracking_no=tracking_no,
        operator=operator,
        occurred_at=canonical_time(occurred_at),
        payload_text=text,
        prev_hash=prev_hash,
    )
    return hashlib.sha256(data).hexdigest()
