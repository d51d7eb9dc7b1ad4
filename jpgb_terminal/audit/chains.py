"""Checking each station's chain: sequence without gaps, links, hashes, and how far it reaches.

For each chain, in sequence order, every event's `prev_hash` must be the hash of the event
before it and its `hash` the SHA-256 of its canonical encoding (`jpgb_terminal.events.chain`);
the sync bookkeeping says how far each chain must reach, so deleting the newest events is
caught too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection, String, Text, cast, select, type_coerce

from jpgb_terminal.audit import batches
from jpgb_terminal.audit.batches import Batch, hex_digests
from jpgb_terminal.events.chain import GENESIS, canonical_event, canonical_payload, canonical_time
from jpgb_terminal.store.handles import EVENT, STATION_SEQUENCE, SYNC_STATE


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
    for batch in batches.chain_batches(conn):
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
        select(STATION_SEQUENCE.c.station_id, STATION_SEQUENCE.c.max_contiguous_seq)
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


def hash_at(conn: Connection, station_id: str, seq: int) -> str | None:
    """The stored hash of one event of a chain, or None."""
    stmt = select(EVENT.c.hash).where(EVENT.c.station_id == station_id, EVENT.c.seq == seq)
    return conn.execute(stmt).scalar()


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
