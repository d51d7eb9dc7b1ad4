"""Replaying a store's events into a fresh projection: the state its chains say it must hold.

The events are applied through the projections' public entry
(`jpgb_terminal.projections.registry.apply_events`, one unit of work per batch), the path
central and every pulling station take, onto the tables of a new temporary SQLite file.  Each
station's chain is applied in sequence order; chains are interleaved by event time, which is
what the projections' settling rules need (they do not depend on the order two stations' facts
arrive in: README, "Central").

Events the store keeps unprojected on purpose are left out the same way: those central holds
in its quarantine log.  An event the projections refuse (ApplyError) is left out too and
listed, as central would quarantine it; the table comparison then says whether the store
applied it anyway.  No snapshots travel with a replay, so personal data and PIN hashes (which
events never carry) are not reproduced: `jpgb_terminal.audit.state` does not compare them.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, String, Text, cast, create_engine, event, select, type_coerce
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from jpgb_terminal.projections.events import ApplyError, SyncEvent
from jpgb_terminal.projections.registry import apply_events
from jpgb_terminal.services.limits import UNCHECKED
from jpgb_terminal.store.handles import EVENT, QUARANTINE

REPLAY_BATCH = 5_000  # events per unit of work: few round trips, bounded memory
READ_PAGE = 20_000  # events read per chain and query

_SQLITE_PAGE = (
    "SELECT event_id, station_id, seq, kind, tracking_no, operator, occurred_at, payload, "
    "prev_hash, hash FROM event WHERE station_id = ? AND seq > ? ORDER BY seq LIMIT ?"
)


@dataclass
class ReplayOutcome:
    """What the replay applied and what it left out."""

    events: int = 0
    applied: int = 0
    quarantined: int = 0  # kept in this store's quarantine log, never projected
    refused: list[str] = field(default_factory=list)  # events the projections refuse

    def note(self, problem: str) -> None:
        """Remember an event the projections would not apply."""
        self.refused.append(problem)


def _stations(conn: Connection) -> list[str]:
    return sorted(conn.execute(select(EVENT.c.station_id).distinct()).scalars())


def _sqlite_chain(conn: Connection, station_id: str) -> Iterator[SyncEvent]:
    """One station's events in sequence order, read page by page straight from sqlite3."""
    raw: Any = conn.connection.dbapi_connection
    loads, parse = json.loads, datetime.fromisoformat
    after = 0
    while True:
        rows = raw.execute(_SQLITE_PAGE, (station_id, after, READ_PAGE)).fetchall()
        for eid, sid, seq, kind, tno, op, at, text, prev, digest in rows:
            # SQLite keeps UTC as naive text (jpgb_terminal.store.types).
            yield SyncEvent(
                eid,
                sid,
                seq,
                kind,
                tno,
                op,
                parse(at).replace(tzinfo=UTC),
                loads(text),
                text,
                prev,
                digest,
            )
        if len(rows) < READ_PAGE:
            return
        after = rows[-1][2]


def _any_chain(conn: Connection, station_id: str) -> Iterator[SyncEvent]:
    """One station's events in sequence order, through SQLAlchemy (PostgreSQL)."""
    text = type_coerce(cast(EVENT.c.payload, Text), String).label("text")
    cols = [c for c in EVENT.columns if c.name != "payload"]
    after = 0
    while True:
        stmt = (
            select(*cols, text)
            .where(EVENT.c.station_id == station_id, EVENT.c.seq > after)
            .order_by(EVENT.c.seq)
            .limit(READ_PAGE)
        )
        rows = conn.execute(stmt).all()
        for r in rows:
            raw = r[-1]
            payload = json.loads(raw) if isinstance(raw, str) else raw
            yield SyncEvent(
                r.event_id,
                r.station_id,
                r.seq,
                r.kind,
                r.tracking_no,
                r.operator,
                r.occurred_at,
                payload,
                raw if isinstance(raw, str) else None,
                r.prev_hash,
                r.hash,
            )
        if len(rows) < READ_PAGE:
            return
        after = rows[-1].seq


def replay_order(conn: Connection) -> Iterator[SyncEvent]:
    """Every event of the store: each chain in sequence order, chains interleaved by time."""
    read = _sqlite_chain if conn.dialect.name == "sqlite" else _any_chain
    chains = [read(conn, station) for station in _stations(conn)]
    # heapq.merge only ever compares the chains' next events, so each chain keeps its own
    # order even where a station's clock went back.
    return heapq.merge(*chains, key=lambda e: (e.occurred_at, e.station_id))


def _held_back(conn: Connection) -> set[str]:
    """Events this store keeps in its log but never projected (central's quarantine)."""
    stmt = select(QUARANTINE.c.event_id).where(QUARANTINE.c.stored)
    return set(conn.execute(stmt).scalars())


def _apply_one_by_one(target: Connection, batch: list[SyncEvent], outcome: ReplayOutcome) -> None:
    """A batch the database refused as a whole: apply each event alone to find which."""
    for e in batch:
        try:
            with target.begin():
                outcome.applied += apply_events(target, [e]).applied
        except (ApplyError, SQLAlchemyError) as exc:
            outcome.note(
                f"event {e.event_id} ({e.kind}, station {e.station_id} seq {e.seq}): {exc}"
            )


def _apply_batch(target: Connection, batch: list[SyncEvent], outcome: ReplayOutcome) -> None:
    """Apply a batch in its own transaction; an event the projections refuse is left out."""
    while batch:
        try:
            with target.begin():
                outcome.applied += apply_events(target, batch).applied
            return
        except ApplyError as exc:
            outcome.note(str(exc))
            batch = [e for e in batch if e.event_id != exc.event_id]
        except SQLAlchemyError:
            _apply_one_by_one(target, batch, outcome)
            return


def replay_into(conn: Connection, target: Connection) -> ReplayOutcome:
    """Apply every event of `conn`'s store onto the empty tables behind `target`."""
    outcome = ReplayOutcome()
    held = _held_back(conn)
    batch: list[SyncEvent] = []
    for e in replay_order(conn):
        outcome.events += 1
        if e.event_id in held:
            outcome.quarantined += 1
            continue
        batch.append(e)
        if len(batch) >= REPLAY_BATCH:
            _apply_batch(target, batch, outcome)
            batch = []
    _apply_batch(target, batch, outcome)
    return outcome


def _fast_sqlite(dbapi_conn: Any, _record: Any) -> None:
    # A throwaway file: no journal and no fsync, and transactions left to SQLAlchemy.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=OFF")
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.close()


def _begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


@contextmanager
def replayed(conn: Connection) -> Iterator[tuple[Connection, ReplayOutcome]]:
    """A fresh temporary store holding the projection of `conn`'s events, and what was applied."""
    with tempfile.TemporaryDirectory(prefix="jpgb-replay-") as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'replay.db'}")
        event.listen(engine, "connect", _fast_sqlite)
        event.listen(engine, "begin", _begin)
        try:
            SQLModel.metadata.create_all(engine)
            with engine.connect() as target:
                # Its rows come from events already checked when they were written.
                target.execution_options(**{UNCHECKED: True})
                outcome = replay_into(conn, target)
                yield target, outcome
        finally:
            engine.dispose()
