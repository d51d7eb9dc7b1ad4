"""audit_verify: verifying a chain of 1,000,000 events, against hashing the same bytes alone.

Setup writes the events with bulk inserts (the chain computed as append_event computes it);
the baseline is hashlib over exactly the canonical bytes verify hashes, hashed by the same
function verify uses, in the same run.  After the timed verify the bench reads the bytes the
verifier hashes once more and checks they are the baseline's bytes, all million of them.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, create_engine

from bench.harness import Result
from jpgb_terminal.audit.verify import chain_batches, hex_digests, verify_chains
from jpgb_terminal.events.chain import (
    GENESIS,
    canonical_event,
    canonical_payload,
    canonical_time,
)
from jpgb_terminal.store import open_store

# A smaller count while developing: JPGB_BENCH_AUDIT_EVENTS=20000 make bench (or python -m bench audit).
N = int(os.environ.get("JPGB_BENCH_AUDIT_EVENTS", "1000000"))
CHUNK = 50_000
STATION = "BENCH"
START = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def _events(n: int, pair: int = 0) -> Iterator[tuple[tuple[object, ...], bytes]]:
    """(row, canonical bytes) for a realistic mix: receipts and weighings, one parcel each
    (`pair=1` weighs each parcel right after its receipt, as a bench does)."""
    prev = GENESIS
    for seq in range(1, n + 1):
        parcel = f"{5000_0000_000 + (seq + pair) // 2:011d}0"
        at = START + timedelta(milliseconds=137 * seq)
        if seq % 2:
            kind = "parcel.received"
            payload = {"scheme": "jp12", "state": "received", "prealert_matched": True}
        else:
            kind = "parcel.weighed"
            payload = {
                "weight_id": f"w{seq:035d}",
                "grams": 1000 + seq % 9000,
                "source": "scale",
                "raw_frame": b"S S      1234 g\r\n".hex(),
                "scale_id": "mt-1:SN4711",
                "protocol": "mt-sics",
                "reason": None,
                "approved_by": None,
                "from_state": "received",
            }
        text = canonical_payload(payload)
        event_id = f"{seq:032x}"
        data = canonical_event(
            event_id=event_id,
            station_id=STATION,
            seq=seq,
            kind=kind,
            tracking_no=parcel,
            operator="aiko",
            occurred_at=canonical_time(at),
            payload_text=text,
            prev_hash=prev,
        )
        digest = hashlib.sha256(data).hexdigest()
        stored_at = at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        yield (event_id, STATION, seq, kind, parcel, "aiko", stored_at, text, prev, digest), data
        prev = digest


def _setup(path: Path, n: int = N, pair: int = 0) -> tuple[float, str]:
    """Write the chain with bulk inserts; the seconds hashlib alone took on its bytes, and a
    digest of all those bytes in order."""
    open_store(f"sqlite:///{path}").dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN")
    as_verify, looped = 0.0, 0.0
    everything = hashlib.sha256()
    rows: list[tuple[object, ...]] = []
    blobs: list[bytes] = []
    for row, data in _events(n, pair):
        rows.append(row)
        blobs.append(data)
        if len(rows) == CHUNK:
            a, b = _time_hashing(blobs)
            as_verify, looped = as_verify + a, looped + b
            everything.update(b"".join(blobs))
            _insert(conn, rows)
            rows, blobs = [], []
    if rows:
        a, b = _time_hashing(blobs)
        as_verify, looped = as_verify + a, looped + b
        everything.update(b"".join(blobs))
        _insert(conn, rows)
    conn.execute("COMMIT")
    conn.close()
    return min(as_verify, looped), everything.hexdigest()


def _time_hashing(blobs: list[bytes]) -> tuple[float, float]:
    """Seconds to hash the blobs as verify does, and with a plain for loop (the baseline is
    the faster of the two, so the ratio never gains from a slow way of hashing)."""
    t0 = time.perf_counter()
    hex_digests(blobs)
    t1 = time.perf_counter()
    sha256 = hashlib.sha256
    for data in blobs:
        sha256(data).hexdigest()
    return t1 - t0, time.perf_counter() - t1


def _verified_bytes_digest(conn: Connection) -> str:
    """A digest of every byte string the verifier hashes, in order (untimed)."""
    everything = hashlib.sha256()
    for batch in chain_batches(conn):
        everything.update(b"".join(d or b"" for d in batch.datas))
    return everything.hexdigest()


def _insert(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO event (event_id, station_id, seq, kind, tracking_no, operator, occurred_at,"
        " payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


def run() -> list[Result]:
    """Verify the million-event chain once, next to hashing its bytes alone."""
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-") as tmp:
        path = Path(tmp) / "audit.db"
        hashing, hashed_bytes = _setup(path)
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            t0 = time.perf_counter()
            (report,) = verify_chains(conn)
            verifying = time.perf_counter() - t0
            verified_bytes = _verified_bytes_digest(conn)
        engine.dispose()
    if report.broken is not None or report.events != N:
        raise RuntimeError(f"the bench chain did not verify: {report}")
    if verified_bytes != hashed_bytes:
        raise RuntimeError("verify hashed other bytes than the baseline did")
    return [
        Result(
            "audit_verify",
            verifying,
            "s",
            hashing,
            {
                "events": N,
                "per_event_us": f"{verifying / N * 1e6:.2f}",
                "goal_ratio": 3,
            },
        )
    ]
