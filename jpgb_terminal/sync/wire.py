"""Moving event rows in and out of a store, with the dialect differences kept here.

- Reading a station's own events for push: by (station_id, seq), payload as stored text.
- A push to PostgreSQL first COPYs its batch into the session's temporary `sync_copy_inbox`
  (text columns, no limits) before the push lock is taken, then merges from there with
  `INSERT ... SELECT ... ON CONFLICT (event_id) DO NOTHING RETURNING`, a subset of ids at a
  time when central refuses one (jpgb_terminal.sync.merge); a link that stalls mid-COPY
  therefore holds no lock.
- Storing events idempotently elsewhere (a pull): PostgreSQL COPYs the batch straight into `event` inside a
  savepoint; when that meets a stored event (a batch sent again), it rolls back to the
  savepoint, copies the batch into a temporary table and runs
  `INSERT ... SELECT ... ON CONFLICT (event_id) DO NOTHING RETURNING`; SQLite uses
  `INSERT ... ON CONFLICT (event_id) DO NOTHING` after looking up the ids already there
  (safe because a SQLite writer holds the database lock from BEGIN IMMEDIATE).  Not
  `INSERT OR IGNORE`: that would also swallow a clash on (station_id, seq), i.e. a station
  reusing a sequence number for a different event, which must stop the push instead.
- Central: the push lock, the acceptance order (`event_order`), station sequences and gaps,
  and the pull page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Connection, Text, select, text, type_coerce
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError, ProgrammingError

from jpgb_terminal.store.handles import EVENT, EVENT_ORDER, STATION_SEQUENCE
from jpgb_terminal.sync.apply import CHUNK, SyncEvent

PUSH_LOCK_KEY = 0x6A706762_73796E63 & 0x7FFFFFFFFFFFFFFF  # "jpgb" "sync"
_COLUMNS = (
    "event_id",
    "station_id",
    "seq",
    "kind",
    "tracking_no",
    "operator",
    "occurred_at",
    "prev_hash",
    "hash",
)
_ALL = ", ".join((*_COLUMNS, "payload"))
_READ = select(*(EVENT.c[c] for c in _COLUMNS), type_coerce(EVENT.c.payload, Text).label("payload"))


def _decode(row: Any) -> SyncEvent:
    raw = row.payload
    if isinstance(raw, str):
        payload, text_form = json.loads(raw), raw
    else:  # a driver that decodes JSON itself
        payload, text_form = raw, json.dumps(raw)
    return SyncEvent(
        event_id=row.event_id,
        station_id=row.station_id,
        seq=row.seq,
        kind=row.kind,
        tracking_no=row.tracking_no,
        operator=row.operator,
        occurred_at=row.occurred_at,
        payload=payload,
        payload_json=text_form,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def read_station_events(
    conn: Connection, station_id: str, first_seq: int, limit: int
) -> list[SyncEvent]:
    """Up to `limit` of the station's events from `first_seq` on, in sequence order."""
    if conn.dialect.name == "sqlite":
        return _read_sqlite(conn, station_id, first_seq, limit)
    stmt = (
        _READ.where(EVENT.c.station_id == station_id, EVENT.c.seq >= first_seq)
        .order_by(EVENT.c.seq)
        .limit(limit)
    )
    return [_decode(row) for row in conn.execute(stmt)]


# In SyncEvent's field order, the payload text once for decoding and once kept as is.
_SQLITE_READ = (
    "SELECT event_id, station_id, seq, kind, tracking_no, operator, occurred_at, payload, "
    "prev_hash, hash FROM event WHERE station_id = ? AND seq >= ? ORDER BY seq LIMIT ?"
)


def _read_sqlite(conn: Connection, station_id: str, first_seq: int, limit: int) -> list[SyncEvent]:
    # The push reads every queued event once; the sqlite3 cursor with no per-row result
    # processing is several times faster than SQLAlchemy's rows for this one hot query.
    raw: Any = conn.connection.dbapi_connection
    loads, parse = json.loads, datetime.fromisoformat
    rows = raw.execute(_SQLITE_READ, (station_id, first_seq, limit)).fetchall()
    return [
        SyncEvent(eid, sid, seq, kind, tno, op, parse(at).replace(tzinfo=UTC), loads(p), p, ph, h)
        for eid, sid, seq, kind, tno, op, at, p, ph, h in rows
    ]


def local_max_seq(conn: Connection, station_id: str) -> int:
    """The station's highest sequence number in this store (0 when it has none)."""
    stmt = select(EVENT.c.seq).where(EVENT.c.station_id == station_id)
    value = conn.execute(stmt.order_by(EVENT.c.seq.desc()).limit(1)).scalar()
    return int(value or 0)


# Plain text columns, no limits: what a bench pushes always arrives here, and the database's
# own refusals (a value too long) come at the merge, event by event, where they can be named.
_INBOX = (
    "CREATE TEMP TABLE IF NOT EXISTS sync_copy_inbox (event_id text, station_id text, seq bigint, "
    "kind text, tracking_no text, operator text, occurred_at timestamptz, prev_hash text, "
    "hash text, payload text) ON COMMIT DELETE ROWS"
)


def stage_events(conn: Connection, events: Sequence[SyncEvent]) -> bool:
    """PostgreSQL: COPY a pushed batch into this session's staging table, before the push lock
    is taken, so a link that stalls mid-COPY holds no lock.  False where there is no staging."""
    if conn.dialect.name != "postgresql" or not events:
        return False
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cur:
        cur.execute(_INBOX)
        cur.execute("TRUNCATE sync_copy_inbox")
        _copy_rows(cur, "sync_copy_inbox", events)
    return True


def insert_events(
    conn: Connection, events: Sequence[SyncEvent], *, record_order: bool, staged: bool = False
) -> list[SyncEvent]:
    """Store the events not already stored; return those, in the order given.  `staged`: the
    rows are taken from the staging table (stage_events), not sent again."""
    if not events:
        return []
    if staged:
        new_ids = _insert_from_inbox(conn, events, record_order)
    elif conn.dialect.name == "postgresql":
        new_ids = _insert_pg(conn, events, record_order)
    else:
        new_ids = _insert_generic(conn, events, record_order)
    return [e for e in events if e.event_id in new_ids]


def _insert_pg(conn: Connection, events: Sequence[SyncEvent], record_order: bool) -> set[str]:
    raw: Any = conn.connection.dbapi_connection
    # Nearly always every event of a batch is new: COPY it straight into `event`.  Only when
    # that meets an event already there (a batch sent again after an unanswered commit) is
    # the batch staged and inserted with ON CONFLICT, which costs twice the server work.
    with raw.cursor() as cur:
        cur.execute("SAVEPOINT sync_copy")
        try:
            _copy_rows(cur, "event", events)
            if record_order:
                with cur.copy("COPY event_order (event_id, station_id) FROM STDIN") as copy:
                    for e in sorted(events, key=_order_key):
                        copy.write_row((e.event_id, e.station_id))
        except psycopg.errors.UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT sync_copy")
            return _insert_pg_staged(cur, events, record_order)
        cur.execute("RELEASE SAVEPOINT sync_copy")
    return {e.event_id for e in events}


def _order_key(event: SyncEvent) -> tuple[str, int]:
    return event.station_id, event.seq


def _copy_rows(cur: Any, table: str, events: Sequence[SyncEvent]) -> None:
    with cur.copy(f"COPY {table} ({_ALL}) FROM STDIN") as copy:
        for e in events:
            copy.write_row(
                (
                    e.event_id,
                    e.station_id,
                    e.seq,
                    e.kind,
                    e.tracking_no,
                    e.operator,
                    e.occurred_at,
                    e.prev_hash,
                    e.hash,
                    e.payload_json if e.payload_json is not None else json.dumps(e.payload),
                )
            )


def _insert_pg_staged(cur: Any, events: Sequence[SyncEvent], record_order: bool) -> set[str]:
    # LIKE copies the columns and NOT NULLs but no index: COPY into it is as cheap as it gets.
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS sync_stage (LIKE event) ON COMMIT DELETE ROWS")
    cur.execute("TRUNCATE sync_stage")
    _copy_rows(cur, "sync_stage", events)
    inserted = (
        f"INSERT INTO event ({_ALL}) SELECT {_ALL} FROM sync_stage "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id, station_id, seq"
    )
    if record_order:
        cur.execute(
            f"WITH ins AS ({inserted}) "
            "INSERT INTO event_order (event_id, station_id) "
            "SELECT event_id, station_id FROM ins ORDER BY station_id, seq "
            "RETURNING event_id"
        )
    else:
        cur.execute(inserted)
    return {row[0] for row in cur.fetchall()}


def _insert_from_inbox(
    conn: Connection, events: Sequence[SyncEvent], record_order: bool
) -> set[str]:
    columns = ", ".join(_COLUMNS)
    inserted = (
        f"INSERT INTO event ({_ALL}) SELECT {columns}, CAST(payload AS json) FROM sync_copy_inbox "
        "WHERE event_id = ANY(%s) ORDER BY seq "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id, station_id, seq"
    )
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cur:
        ids = [e.event_id for e in events]
        if record_order:
            cur.execute(
                f"WITH ins AS ({inserted}) "
                "INSERT INTO event_order (event_id, station_id) "
                "SELECT event_id, station_id FROM ins ORDER BY station_id, seq "
                "RETURNING event_id",
                (ids,),
            )
        else:
            cur.execute(inserted, (ids,))
        return {row[0] for row in cur.fetchall()}


def _insert_generic(conn: Connection, events: Sequence[SyncEvent], record_order: bool) -> set[str]:
    ids = [e.event_id for e in events]
    present: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        present |= set(
            conn.execute(select(EVENT.c.event_id).where(EVENT.c.event_id.in_(chunk))).scalars()
        )
    fresh = [e for e in events if e.event_id not in present]
    if not fresh:
        return set()
    stmt = sqlite_insert(EVENT).on_conflict_do_nothing(index_elements=["event_id"])
    conn.execute(stmt, [e.row() for e in fresh])
    if record_order:
        conn.execute(
            EVENT_ORDER.insert(),
            [{"event_id": e.event_id, "station_id": e.station_id} for e in fresh],
        )
    return {e.event_id for e in fresh}


def take_push_lock(conn: Connection) -> None:
    """Serialise pushes on central until commit, so central_ids become visible in order.

    SQLite needs nothing: BEGIN IMMEDIATE already admits one writer at a time.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PUSH_LOCK_KEY})


@dataclass(frozen=True)
class SequenceState:
    """Central's view of one station's sequence."""

    station_id: str
    max_contiguous_seq: int
    max_seen_seq: int
    gap_from: int | None
    gap_detected_at: datetime | None
    last_push_at: datetime | None

    @property
    def alarm(self) -> str | None:
        """A line for the status display when the sequence has a hole."""
        if self.gap_from is None:
            return None
        return (
            f"central is missing {self.station_id} events from seq {self.gap_from} "
            f"(has up to {self.max_seen_seq})"
        )


def sequence_states(conn: Connection, station_id: str | None = None) -> list[SequenceState]:
    """Central's sequence record of every station (or of one)."""
    stmt = select(STATION_SEQUENCE).order_by(STATION_SEQUENCE.c.station_id)
    if station_id is not None:
        stmt = stmt.where(STATION_SEQUENCE.c.station_id == station_id)
    return [SequenceState(**row) for row in conn.execute(stmt).mappings()]


def _contiguous_end(conn: Connection, station_id: str, start: int) -> int:
    """The last seq of the unbroken run that starts at `start` (which must be stored)."""
    if start == 0:
        first = conn.execute(
            select(EVENT.c.seq).where(EVENT.c.station_id == station_id, EVENT.c.seq == 1)
        ).scalar()
        if first is None:
            return 0
        start = 1
    value = conn.execute(
        text(
            "SELECT min(e.seq) FROM event e WHERE e.station_id = :s AND e.seq >= :start "
            "AND NOT EXISTS (SELECT 1 FROM event f WHERE f.station_id = :s AND f.seq = e.seq + 1)"
        ),
        {"s": station_id, "start": start},
    ).scalar()
    return int(value) if value is not None else start


def update_sequence(
    conn: Connection, station_id: str, seqs: Sequence[int], at: datetime
) -> SequenceState:
    """After storing a batch: advance the station's contiguous mark, note any hole."""
    states = sequence_states(conn, station_id)
    if states:
        old = states[0]
    else:
        conn.execute(
            STATION_SEQUENCE.insert(),
            {"station_id": station_id, "max_contiguous_seq": 0, "max_seen_seq": 0},
        )
        old = SequenceState(station_id, 0, 0, None, None, None)
    first, last = (min(seqs), max(seqs)) if seqs else (0, 0)
    if (
        seqs
        and first == old.max_contiguous_seq + 1
        and last - first + 1 == len(seqs)
        and last >= old.max_seen_seq
    ):
        # The usual batch: the next run of numbers, nothing stored beyond it yet.  A batch
        # that fills a hole, or one with a hole in it, takes the query below.
        end = last
    else:
        end = _contiguous_end(conn, station_id, old.max_contiguous_seq)
    seen = max([old.max_seen_seq, end, *seqs])
    gap_from = end + 1 if seen > end else None
    if gap_from is None:
        detected = None
    elif old.gap_from == gap_from and old.gap_detected_at is not None:
        detected = old.gap_detected_at
    else:
        detected = at
    new = SequenceState(station_id, end, seen, gap_from, detected, at)
    conn.execute(
        STATION_SEQUENCE.update()
        .where(STATION_SEQUENCE.c.station_id == station_id)
        .values(
            max_contiguous_seq=end,
            max_seen_seq=seen,
            gap_from=gap_from,
            gap_detected_at=detected,
            last_push_at=at,
        )
    )
    return new


def read_pull_page(
    conn: Connection, station_id: str, after: int, limit: int
) -> tuple[list[SyncEvent], int]:
    """Other stations' events accepted after central_id `after`, and the last central_id."""
    stmt = (
        select(EVENT_ORDER.c.central_id, *(EVENT.c[c] for c in _COLUMNS), EVENT.c.payload)
        .select_from(EVENT_ORDER.join(EVENT, EVENT.c.event_id == EVENT_ORDER.c.event_id))
        .where(EVENT_ORDER.c.central_id > after, EVENT_ORDER.c.station_id != station_id)
        .order_by(EVENT_ORDER.c.central_id)
        .limit(limit)
    )
    events: list[SyncEvent] = []
    last = after
    for row in conn.execute(stmt):
        last = int(row.central_id)
        events.append(
            SyncEvent(
                event_id=row.event_id,
                station_id=row.station_id,
                seq=row.seq,
                kind=row.kind,
                tracking_no=row.tracking_no,
                operator=row.operator,
                occurred_at=row.occurred_at,
                payload=row.payload,
                prev_hash=row.prev_hash,
                hash=row.hash,
            )
        )
    return events, last


def schema_revision(conn: Connection) -> str | None:
    """The store's migration revision, or None when it was never initialised."""
    try:
        with conn.begin():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (ProgrammingError, OperationalError) as exc:
        if "alembic_version" in str(exc.orig):
            return None
        raise
