"""audit_verify: verifying a chain of 1,000,000 events, against hashing the same bytes alone.

Setup writes the events with bulk inserts (the chain computed as append_event computes it);
the baseline is hashlib over exactly the canonical bytes verify hashes, in the same run.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine

from bench.harness import Result
from jpgb_terminal.audit.chain import (
    GENESIS,
    canonical_event,
    canonical_payload,
    canonical_time,
)
from jpgb_terminal.audit.verify import verify_chains
from jpgb_terminal.store import open_store

N = 1_000_000
CHUNK = 50_000
STATION = "BENCH"
START = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def _events(n: int) -> Iterator[tuple[tuple[object, ...], bytes]]:
    """(row, canonical bytes) for a realistic mix: receipts and weighings, one parcel each."""
    prev = GENESIS
    for seq in range(1, n + 1):
        parcel = f"{5000_0000_000 + seq // 2:011d}0"
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


def _setup(path: Path) -> float:
    """Write the chain with bulk inserts; return the seconds hashlib alone took on its bytes."""
    open_store(f"sqlite:///{path}").dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN")
    sha256 = hashlib.sha256
    hashing = 0.0
    rows: list[tuple[object, ...]] = []
    blobs: list[bytes] = []
    for row, data in _events(N):
        rows.append(row)
        blobs.append(data)
        if len(rows) == CHUNK:
            hashing += _time_hashing(blobs, sha256)
            _insert(conn, rows)
            rows, blobs = [], []
    if rows:
        hashing += _time_hashing(blobs, sha256)
        _insert(conn, rows)
    conn.execute("COMMIT")
    conn.close()
    return hashing


def _time_hashing(blobs: list[bytes], sha256: object) -> float:
    digest = sha256  # bound locally, as verify does
    t0 = time.perf_counter()
    for data in blobs:
        digest(data).hexdigest()  # type: ignore[operator]
    return time.perf_counter() - t0


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
        hashing = _setup(path)
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            t0 = time.perf_counter()
            (report,) = verify_chains(conn)
            verifying = time.perf_counter() - t0
        engine.dispose()
    if report.broken is not None or report.events != N:
        raise RuntimeError(f"the bench chain did not verify: {report}")
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
