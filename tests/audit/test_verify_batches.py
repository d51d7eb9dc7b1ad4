"""The batched verifier against a plain event-by-event one: same bytes, same verdicts, on random
chains with awkward text and random tampering, in batches small enough to split every chain."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, String, Text, cast, delete, select, type_coerce, update

from jpgb_terminal.audit import batches as chain_reading
from jpgb_terminal.audit.verify import chain_batches, verify_chains
from jpgb_terminal.events.chain import GENESIS, canonical_event, canonical_time, event_hash
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import EVENT
from tests.factories import RawEvent

AWKWARD = [
    "aiko",
    '山田 "taro"',
    "back\\slash",
    "tab\there",
    "new\nline",
    "\x01\x08\x0c\x1f\x7f",
    "line\u2028sep",
    "émoji 😀",
    "",
]
STATIONS = ["ST01", "ST02", 'S"\\é']


def _maybe(rng: random.Random) -> str | None:
    return None if rng.random() < 0.25 else rng.choice(AWKWARD)


def _random_chain(store: Store, rng: random.Random, n: int) -> None:
    for i in range(n):
        payload: dict[str, Any] = {
            "n": i,
            "text": rng.choice(AWKWARD),
            "nested": {"z": [1, 2.5, None, True], "a": rng.choice(AWKWARD)},
        }
        with store.transaction() as s:
            append_event(
                s,
                Actor(rng.choice(STATIONS), _maybe(rng)),  # type: ignore[arg-type]
                RawEvent(rng.choice(["parcel.received", "note", 'odd "kind"']), payload),
                tracking_no=_maybe(rng),
            )


def _rows(conn: Connection) -> list[Any]:
    stmt = select(
        EVENT.c.station_id,
        EVENT.c.seq,
        EVENT.c.event_id,
        EVENT.c.kind,
        EVENT.c.tracking_no,
        EVENT.c.operator,
        # SQLite's stored text as it is; PostgreSQL's aware datetime.
        type_coerce(EVENT.c.occurred_at, String).label("at"),
        type_coerce(cast(EVENT.c.payload, Text), String).label("text"),
        EVENT.c.prev_hash,
        EVENT.c.hash,
    ).order_by(EVENT.c.station_id, EVENT.c.seq)
    return list(conn.execute(stmt))


def _reference(conn: Connection) -> dict[str, tuple[int, int | None]]:
    """Event by event, as plainly as possible: (events, seq of the first break) by station."""
    out: dict[str, tuple[int, int | None]] = {}
    state: dict[str, tuple[int, str, int | None]] = {}
    for row in _rows(conn):
        expected, prev, broken = state.get(row.station_id, (1, GENESIS, None))
        events = out.get(row.station_id, (0, None))[0] + 1
        if broken is None:
            ok = (
                row.seq == expected
                and row.hash is not None
                and row.prev_hash == prev
                and event_hash(
                    event_id=row.event_id,
                    station_id=row.station_id,
                    seq=row.seq,
                    kind=row.kind,
                    tracking_no=row.tracking_no,
                    operator=row.operator,
                    occurred_at=row.at,
                    payload=row.text,
                    prev_hash=row.prev_hash,
                )
                == row.hash
            )
            if ok:
                expected, prev = row.seq + 1, row.hash
            else:
                broken = row.seq
        state[row.station_id] = (expected, prev, broken)
        out[row.station_id] = (events, broken)
    return out


def _batched(conn: Connection) -> dict[str, tuple[int, int | None]]:
    return {
        r.station_id: (r.events, r.broken.seq if r.broken else None) for r in verify_chains(conn)
    }


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of three: chains start, break and end inside batches and on their edges."""
    monkeypatch.setattr(chain_reading, "FETCH", 3)
    monkeypatch.setattr(chain_reading, "SQLITE_FETCH", 3)


def test_the_store_builds_the_same_bytes_as_python(store: Store, small_batches: None) -> None:
    _random_chain(store, random.Random(7), 40)
    with store.engine.connect() as conn:
        rows = _rows(conn)
        batches = list(chain_batches(conn))
        reports = verify_chains(conn)
    datas = [d for b in batches for d in b.datas]
    assert [(b.station_id, s) for b in batches for s in b.seqs] == [
        (r.station_id, r.seq) for r in rows
    ]
    assert datas == [
        canonical_event(
            event_id=r.event_id,
            station_id=r.station_id,
            seq=r.seq,
            kind=r.kind,
            tracking_no=r.tracking_no,
            operator=r.operator,
            occurred_at=canonical_time(r.at),
            payload_text=r.text,
            prev_hash=r.prev_hash,
        )
        for r in rows
    ]
    assert sorted(r.station_id for r in reports) == sorted(STATIONS)
    assert all(r.broken is None for r in reports)
    assert sum(r.events for r in reports) == 40


def _tamper(store: Store, rng: random.Random) -> str:
    """Change one thing about the stored events; say what."""
    with store.engine.connect() as conn:
        rows = _rows(conn)
    row = rng.choice(rows)
    where = EVENT.c.event_id == row.event_id
    what = rng.choice(
        [
            "event_id",
            "kind",
            "tracking_no",
            "operator",
            "occurred_at",
            "payload",
            "prev_hash",
            "hash",
            "seq",
            "station_id",
            "delete",
            "swap",
        ]
    )
    with store.transaction() as s:
        c = s.connection()
        if what == "delete":
            c.execute(delete(EVENT).where(where))
        elif what == "swap":
            same = [r for r in rows if r.station_id == row.station_id and r.seq != row.seq]
            other = rng.choice(same)
            ids = (EVENT.c.event_id == row.event_id, EVENT.c.event_id == other.event_id)
            c.execute(update(EVENT).where(ids[0]).values(seq=-1))
            c.execute(update(EVENT).where(ids[1]).values(seq=row.seq))
            c.execute(update(EVENT).where(ids[0]).values(seq=other.seq))
        elif what == "occurred_at":
            at = c.execute(select(EVENT.c.occurred_at).where(where)).scalar_one()
            c.execute(update(EVENT).where(where).values(occurred_at=at + timedelta(seconds=1)))
        elif what == "payload":
            payload = json.loads(row.text)
            payload["n"] += 1
            c.execute(update(EVENT).where(where).values(payload=payload))
        elif what == "seq":
            c.execute(update(EVENT).where(where).values(seq=row.seq + 1000))
        elif what == "station_id":
            c.execute(update(EVENT).where(where).values(station_id="ST99"))
        elif what in ("prev_hash", "hash"):
            c.execute(update(EVENT).where(where).values({what: "f" * 64}))
        else:
            value = getattr(row, what) or ""
            # The same length (event_id is at its limit) with its last character changed.
            value = value[:-1] + ("y" if value.endswith("x") else "x")
            c.execute(update(EVENT).where(where).values({what: value}))
    return what


@pytest.mark.parametrize("seed", range(12))
def test_tampering_gets_the_same_verdict_as_event_by_event(
    store: Store, small_batches: None, seed: int
) -> None:
    rng = random.Random(seed)
    _random_chain(store, rng, 25)
    what = _tamper(store, rng)
    with store.engine.connect() as conn:
        expected = _reference(conn)
        got = _batched(conn)
    assert got == expected, what
    assert any(broken is not None for _, broken in got.values()), what
