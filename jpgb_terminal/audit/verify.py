"""Verifying a store's audit chains and that every weight matches the event that recorded it.

A store holds one chain per station (a station's store also keeps the chains it pulled from
central; central keeps every station's).  For each chain, in sequence order, the verifier checks
that sequence numbers run 1, 2, 3 ... with none missing, that each event's `prev_hash` is the
hash of the event before it, and that its `hash` is the SHA-256 of its canonical encoding
(`jpgb_terminal.audit.chain`).  The sync bookkeeping says how far each chain must reach, so
deleting the newest events is caught too.  Then every weight record is compared with the
payload of its `parcel.weighed` event, every such event must have its weight record, and every
parcel's billed weight must be one of its weight records.

A hash chain alone cannot stop someone who rewrites a whole chain and recomputes every hash;
the copy at central (or at another station) can: `compare_stores` checks that two stores agree
on every chain they share.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, String, Text, cast, select, type_coerce

from jpgb_terminal.audit.chain import (
    EVENT_TEMPLATE,
    GENESIS,
    canonical_event,
    canonical_payload,
    canonical_time,
)
from jpgb_terminal.store.sync_tables import StationSequence, SyncState
from jpgb_terminal.store.tables import Event, Parcel, WeightRecord

EVENT = Event.__table__  # type: ignore[attr-defined]
WEIGHT = WeightRecord.__table__  # type: ignore[attr-defined]
PARCEL = Parcel.__table__  # type: ignore[attr-defined]
SYNC_STATE = SyncState.__table__  # type: ignore[attr-defined]
STATION_SEQ = StationSequence.__table__  # type: ignore[attr-defined]

FETCH = 20_000  # rows per round trip when reading a chain
MAX_WEIGHT_PROBLEMS = 100  # a report, not a dump: the first ones are what someone must look at
# The payload fields a weight record repeats, by weight_record column.
WEIGHT_FIELDS = ("grams", "source", "scale_id", "protocol", "reason", "approved_by")


@dataclass(frozen=True)
class Break:
    """The first event (or weight record) where a store stops agreeing with its chain."""

    station_id: str
    problem: str
    seq: int | None = None
    event_id: str | None = None
    kind: str | None = None
    tracking_no: str | None = None

    def line(self) -> str:
        """One line naming the event and what is wrong with it."""
        where = f"station {self.station_id}"
        if self.seq is not None:
            where += f" seq {self.seq}"
        if self.event_id:
            what = ", ".join(x for x in (self.kind, self.tracking_no) if x)
            where += f" (event {self.event_id}{', ' + what if what else ''})"
        return f"{where}: {self.problem}"


@dataclass
class ChainReport:
    """One station's chain in one store."""

    station_id: str
    events: int = 0
    last_seq: int = 0
    head: str = GENESIS
    broken: Break | None = None


@dataclass
class VerifyReport:
    """Every chain of a store, and the weight checks."""

    chains: list[ChainReport] = field(default_factory=list)
    weights_checked: int = 0
    weight_problems: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every chain is intact and every weight matches its event."""
        return not self.weight_problems and all(c.broken is None for c in self.chains)

    @property
    def events(self) -> int:
        """How many events were checked."""
        return sum(c.events for c in self.chains)

    def breaks(self) -> list[Break]:
        """Every problem found: the first break of each chain, then the weight problems."""
        return [c.broken for c in self.chains if c.broken is not None] + self.weight_problems


_CHAIN_SQL = (
    "SELECT station_id, seq, event_id, kind, tracking_no, operator, occurred_at, "
    "CAST(payload AS TEXT), prev_hash, hash FROM event ORDER BY station_id, seq"
)
# On SQLite each chain is read on its own and SQLite builds the canonical encoding itself, so
# Python gets four values per event and hashes one byte string.  json_object quotes strings
# exactly as json.dumps(ensure_ascii=False) does, writes NULL as null and integers in decimal,
# and costs far less than a json_quote and two concatenations per field.  The payload, stored
# as its canonical text, replaces the placeholder 0: json_object escapes every quote inside a
# value, so '"payload":0,' occurs exactly once.  An event SQLite encodes otherwise than Python
# would (a time stored in another shape, a seq stored as a real) fails its hash here and is
# decided by the exact encoding in event_problem, so this can only cost time, never a verdict.
_NEXT_STATION_SQLITE = "SELECT min(station_id) FROM event WHERE station_id > ?"
_CHAIN_SQL_SQLITE = (
    "SELECT seq, prev_hash, hash, CAST(replace(json_object("
    "'event_id', event_id, 'kind', kind, "
    "'occurred_at', replace(occurred_at, ' ', 'T') || 'Z', 'operator', operator, "
    "'payload', 0, 'prev_hash', prev_hash, 'seq', seq, "
    "'station_id', station_id, 'tracking_no', tracking_no), "
    """'"payload":0,', '"payload":' || payload || ',') AS BLOB) """
    "FROM event WHERE station_id = ? ORDER BY seq"
)
# Small batches: each is hashed while its rows are still in the CPU cache.
SQLITE_FETCH = 512


@dataclass(frozen=True)
class Batch:
    """Consecutive events of one chain, column by column."""

    station_id: str
    seqs: Sequence[int]
    prev_hashes: Sequence[str | None]
    hashes: Sequence[str | None]
    # The canonical encoding of each event (None where it could not be built on the fast path).
    datas: Sequence[bytes | None]


def hex_digests(datas: Iterable[bytes]) -> list[str]:
    """The hex SHA-256 of each byte string, in order."""
    sha256 = hashlib.sha256  # bound locally: this runs once per stored event
    return [sha256(data).hexdigest() for data in datas]


def _cursor_batches(
    conn: Connection, sql: str, params: tuple[Any, ...] | None, size: int
) -> Iterator[list[Any]]:
    """Rows of `sql` read straight from the driver in batches (no per-row objects)."""
    raw: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        # A server-side cursor: a million events never sit in memory at once.
        cur = raw.cursor(name="jpgb_audit_verify")
        cur.itersize = size
    else:
        cur = raw.cursor()
    try:
        if params is None:
            cur.execute(sql)
        else:
            cur.execute(sql, params)
        while True:
            batch = cur.fetchmany(size)
            if not batch:
                return
            yield batch
    finally:
        cur.close()


def _sqlite_batches(conn: Connection) -> Iterator[Batch]:
    """Every chain of an SQLite store, station by station, encoded by SQLite."""
    raw: Any = conn.connection.dbapi_connection
    station = raw.execute("SELECT min(station_id) FROM event").fetchone()[0]
    while station is not None:
        for rows in _cursor_batches(conn, _CHAIN_SQL_SQLITE, (station,), SQLITE_FETCH):
            seqs, prevs, hashes, datas = zip(*rows, strict=True)
            yield Batch(station, seqs, prevs, hashes, datas)
        station = raw.execute(_NEXT_STATION_SQLITE, (station,)).fetchone()[0]


def _python_batches(conn: Connection) -> Iterator[Batch]:
    """Every chain of the store in (station, seq) order, encoded in Python."""
    enc = json.encoder.encode_basestring
    template = EVENT_TEMPLATE
    for rows in _cursor_batches(conn, _CHAIN_SQL, None, FETCH):
        # Rows come ordered by station, so each station's rows are one run within the batch.
        for station, run in groupby(rows, itemgetter(0)):
            seqs: list[int] = []
            prevs: list[str | None] = []
            hashes: list[str | None] = []
            datas: list[bytes | None] = []
            for (
                _,
                seq,
                event_id,
                kind,
                tracking_no,
                operator,
                at,
                text,
                prev_hash,
                digest,
            ) in run:
                data = None
                if prev_hash is not None:
                    data = (
                        template
                        % (
                            enc(event_id),
                            enc(kind),
                            canonical_time(at),
                            "null" if operator is None else enc(operator),
                            text,
                            enc(prev_hash),
                            seq,
                            enc(station),
                            "null" if tracking_no is None else enc(tracking_no),
                        )
                    ).encode()
                seqs.append(seq)
                prevs.append(prev_hash)
                hashes.append(digest)
                datas.append(data)
            yield Batch(station, seqs, prevs, hashes, datas)


def chain_batches(conn: Connection) -> Iterator[Batch]:
    """Every stored event with its canonical encoding, chain by chain, in sequence order."""
    if conn.dialect.name == "sqlite":
        return _sqlite_batches(conn)
    return _python_batches(conn)


def _batch_intact(report: ChainReport, batch: Batch) -> bool:
    """True when the whole batch continues the chain intact (the check for almost every event).

    The same checks as _check_events, on whole columns at once: seqs run on from the last
    one, each prev_hash is the hash before it, and each hash is the SHA-256 of its encoding.
    """
    first = report.last_seq + 1
    seqs, prevs, hashes, datas = batch.seqs, batch.prev_hashes, batch.hashes, batch.datas
    return (
        list(seqs) == list(range(first, first + len(seqs)))
        and prevs[0] == report.head
        and list(prevs[1:]) == list(hashes[:-1])
        and None not in datas
        and hex_digests(datas) == list(hashes)  # type: ignore[arg-type]
    )


def _check_events(conn: Connection, report: ChainReport, batch: Batch) -> None:
    """Check a batch event by event, up to the first break (what _batch_intact could not pass)."""
    station = report.station_id
    expected_seq = report.last_seq + 1
    prev = report.head
    for seq, prev_hash, digest, data in zip(
        batch.seqs, batch.prev_hashes, batch.hashes, batch.datas, strict=True
    ):
        problem = None
        if seq != expected_seq:
            problem = (
                f"events {expected_seq} to {seq - 1} are missing before it"
                if seq > expected_seq
                else f"sequence number repeats or goes back (expected {expected_seq})"
            )
        elif digest is None or prev_hash is None:
            problem = "it carries no hash: it was not written through the audited path"
        elif prev_hash != prev:
            problem = "its prev_hash is not the hash of the event before it"
        elif data is None or hashlib.sha256(data).hexdigest() != digest:
            # The fast encoding did not match: decide on the exact one (re-encoded payload,
            # unusual time format) before calling the event changed.
            problem = event_problem(conn, station, seq)
        if problem is None and digest is not None:
            expected_seq = seq + 1
            prev = report.head = digest
            report.last_seq = seq
            continue
        report.broken = _break_at(conn, station, seq, problem or "it carries no hash")
        return


def verify_chains(conn: Connection) -> list[ChainReport]:
    """Check every station's chain in the store; each report names its first broken event."""
    reports: list[ChainReport] = []
    report: ChainReport | None = None
    for batch in chain_batches(conn):
        if report is None or batch.station_id != report.station_id:
            report = ChainReport(batch.station_id)
            reports.append(report)
        if report.broken is None:
            if _batch_intact(report, batch):
                report.head = batch.hashes[-1]  # type: ignore[assignment]
            else:
                _check_events(conn, report, batch)
        report.events += len(batch.seqs)
        report.last_seq = batch.seqs[-1]
    return reports


def _break_at(conn: Connection, station_id: str, seq: int, problem: str) -> Break:
    """A Break naming the event at (station_id, seq) with its id, kind and parcel."""
    row = conn.execute(
        select(EVENT.c.event_id, EVENT.c.kind, EVENT.c.tracking_no)
        .where(EVENT.c.station_id == station_id, EVENT.c.seq == seq)
        .limit(1)
    ).first()
    if row is None:
        return Break(station_id, problem, seq)
    return Break(station_id, problem, seq, row.event_id, row.kind, row.tracking_no)


def _matches_reencoded(data: bytes, text: str, digest: str) -> bool:
    # A store that received the event through a path that re-serialised its payload keeps the
    # same JSON with other spacing or key order; hash the canonical form of that JSON instead.
    try:
        canonical = canonical_payload(json.loads(text))
    except ValueError:
        return False
    if canonical == text:
        return False
    fixed = data.replace(text.encode(), canonical.encode(), 1)
    return hashlib.sha256(fixed).hexdigest() == digest


def reach_expected(conn: Connection) -> dict[str, tuple[int, str]]:
    """How far each chain must reach by the sync bookkeeping: (seq, who says so) by station.

    Read before the chains: events are append-only, so every event counted here is still there
    when the chains are read a moment later, even while the station keeps working.
    """
    expected: dict[str, tuple[int, str]] = {}
    for station, pushed in conn.execute(select(SYNC_STATE.c.station_id, SYNC_STATE.c.pushed_seq)):
        expected[station] = (int(pushed or 0), "this station pushed")
    for station, contiguous in conn.execute(
        select(STATION_SEQ.c.station_id, STATION_SEQ.c.max_contiguous_seq)
    ):
        if int(contiguous or 0) > expected.get(station, (0, ""))[0]:
            expected[station] = (int(contiguous), "central accepted")
    return expected


def check_reach(reports: list[ChainReport], expected: dict[str, tuple[int, str]]) -> None:
    """Catch deleted newest events: a chain must reach as far as sync says it did."""
    by_station = {r.station_id: r for r in reports}
    for station, (reach, who) in sorted(expected.items()):
        report = by_station.get(station)
        if report is None:
            if reach > 0:
                report = ChainReport(station)
                report.broken = Break(
                    station, f"{who} events up to seq {reach} but none are stored", 1
                )
                reports.append(report)
            continue
        if report.broken is None and report.last_seq < reach:
            report.broken = Break(
                station,
                f"{who} events up to seq {reach} but the chain ends at seq {report.last_seq}",
                report.last_seq + 1,
            )


def _weight_rows(conn: Connection) -> Iterable[Any]:
    stmt = (
        select(
            WEIGHT,
            EVENT.c.kind.label("e_kind"),
            EVENT.c.seq.label("e_seq"),
            EVENT.c.tracking_no.label("e_tracking_no"),
            EVENT.c.station_id.label("e_station_id"),
            EVENT.c.operator.label("e_operator"),
            EVENT.c.occurred_at.label("e_occurred_at"),
            type_coerce(cast(EVENT.c.payload, Text), String).label("e_payload"),
        )
        .select_from(WEIGHT.outerjoin(EVENT, EVENT.c.event_id == WEIGHT.c.event_id))
        .order_by(WEIGHT.c.measured_at, WEIGHT.c.id)
    )
    return conn.execute(stmt)


def weight_mismatches(row: Any) -> list[str]:
    """How a weight record (joined with its event's columns) differs from its event."""
    if row.e_kind is None:
        return ["its event is missing"]
    if row.e_kind != "parcel.weighed":
        return [f"its event is a {row.e_kind}, not a weighing"]
    payload = json.loads(row.e_payload)
    out = []
    if payload.get("weight_id") != row.id:
        out.append("its event records another weighing")
    for name in WEIGHT_FIELDS:
        if payload.get(name) != getattr(row, name):
            out.append(f"{name} {getattr(row, name)!r} but the event says {payload.get(name)!r}")
    frame = row.raw_frame.hex() if row.raw_frame is not None else None
    if payload.get("raw_frame") != frame:
        out.append("the raw scale frame differs from the event's")
    for name, event_value in (
        ("tracking_no", row.e_tracking_no),
        ("station_id", row.e_station_id),
        ("operator", row.e_operator),
    ):
        if getattr(row, name) != event_value:
            out.append(f"{name} {getattr(row, name)!r} but the event says {event_value!r}")
    if canonical_time(row.measured_at) != canonical_time(row.e_occurred_at):
        out.append("measured_at differs from the event's time")
    return out


def verify_weights(conn: Connection) -> tuple[int, list[Break]]:
    """Compare every weight record with its event, and every billed weight with its record."""
    problems: list[Break] = []
    checked = 0

    def add(b: Break) -> None:
        if len(problems) < MAX_WEIGHT_PROBLEMS:
            problems.append(b)

    for row in _weight_rows(conn):
        checked += 1
        wrong = weight_mismatches(row)
        if wrong:
            add(
                Break(
                    row.e_station_id or row.station_id,
                    f"weight record {row.id}: " + "; ".join(wrong),
                    row.e_seq,
                    row.event_id,
                    row.e_kind,
                    row.tracking_no,
                )
            )
    orphans = (
        select(EVENT.c.station_id, EVENT.c.seq, EVENT.c.event_id, EVENT.c.tracking_no)
        .select_from(EVENT.outerjoin(WEIGHT, WEIGHT.c.event_id == EVENT.c.event_id))
        .where(EVENT.c.kind == "parcel.weighed", WEIGHT.c.id.is_(None))
        .order_by(EVENT.c.station_id, EVENT.c.seq)
    )
    for station, seq, event_id, tracking_no in conn.execute(orphans):
        add(
            Break(
                station,
                "its weight record is missing",
                seq,
                event_id,
                "parcel.weighed",
                tracking_no,
            )
        )
    billed = (
        select(
            PARCEL.c.tracking_no,
            PARCEL.c.station_id,
            PARCEL.c.weight_g,
            PARCEL.c.weight_source,
            PARCEL.c.weight_id,
            WEIGHT.c.id.label("w_id"),
            WEIGHT.c.grams,
            WEIGHT.c.source,
            WEIGHT.c.tracking_no.label("w_tracking_no"),
        )
        .select_from(PARCEL.outerjoin(WEIGHT, WEIGHT.c.id == PARCEL.c.weight_id))
        .where(PARCEL.c.weight_g.is_not(None) | PARCEL.c.weight_id.is_not(None))
    )
    for row in conn.execute(billed):
        if (
            row.w_id is None
            or row.grams != row.weight_g
            or row.source != row.weight_source
            or row.w_tracking_no != row.tracking_no
        ):
            add(
                Break(
                    row.station_id,
                    f"parcel {row.tracking_no} is billed on {row.weight_g} g "
                    f"({row.weight_source}), which no weight record of it says",
                    tracking_no=row.tracking_no,
                )
            )
    return checked, problems


def verify_store(conn: Connection) -> VerifyReport:
    """Check every chain, how far each must reach, and every weight, in one store."""
    expected = reach_expected(conn)
    chains = verify_chains(conn)
    check_reach(chains, expected)
    checked, problems = verify_weights(conn)
    return VerifyReport(sorted(chains, key=lambda c: c.station_id), checked, problems)


def hash_at(conn: Connection, station_id: str, seq: int) -> str | None:
    """The stored hash of one event of a chain, or None."""
    stmt = select(EVENT.c.hash).where(EVENT.c.station_id == station_id, EVENT.c.seq == seq)
    return conn.execute(stmt).scalar()


def compare_stores(
    first: tuple[str, Connection, VerifyReport], second: tuple[str, Connection, VerifyReport]
) -> list[Break]:
    """Where two stores disagree on a chain they both hold (one was rewritten as a whole)."""
    name_a, conn_a, report_a = first
    name_b, conn_b, report_b = second
    b_chains = {c.station_id: c for c in report_b.chains}
    out: list[Break] = []
    for a in report_a.chains:
        b = b_chains.get(a.station_id)
        if b is None or a.broken is not None or b.broken is not None:
            continue
        common = min(a.last_seq, b.last_seq)
        if common == 0:
            continue
        # Each chain is intact on its own, so one equal hash vouches for everything before it.
        if hash_at(conn_a, a.station_id, common) != hash_at(conn_b, a.station_id, common):
            out.append(
                Break(
                    a.station_id,
                    f"{name_a} and {name_b} hold different chains up to seq {common}: "
                    "one of them was rewritten",
                    common,
                )
            )
    return out


def event_problem(conn: Connection, station_id: str, seq: int) -> str | None:
    """What is wrong with one event's hash and its link to the event before it, or None."""
    stmt = select(
        EVENT.c.seq,
        EVENT.c.event_id,
        EVENT.c.kind,
        EVENT.c.tracking_no,
        EVENT.c.operator,
        EVENT.c.occurred_at,
        type_coerce(cast(EVENT.c.payload, Text), String).label("text"),
        EVENT.c.prev_hash,
        EVENT.c.hash,
    ).where(EVENT.c.station_id == station_id, EVENT.c.seq.in_([seq - 1, seq]))
    rows = {row.seq: row for row in conn.execute(stmt)}
    row = rows.get(seq)
    if row is None:
        return "the event is not stored"
    if row.hash is None or row.prev_hash is None:
        return "it carries no hash"
    expected_prev = GENESIS if seq == 1 else (rows[seq - 1].hash if seq - 1 in rows else None)
    if expected_prev is None:
        return f"the event before it (seq {seq - 1}) is missing"
    if row.prev_hash != expected_prev:
        return "its prev_hash is not the hash of the event before it"
    data = canonical_event(
        event_id=row.event_id,
        station_id=station_id,
        seq=seq,
        kind=row.kind,
        tracking_no=row.tracking_no,
        operator=row.operator,
        occurred_at=canonical_time(row.occurred_at),
        payload_text=row.text,
        prev_hash=row.prev_hash,
    )
    if hashlib.sha256(data).hexdigest() != row.hash and not _matches_reencoded(
        data, row.text, row.hash
    ):
        return "its content does not match its hash"
    return None
