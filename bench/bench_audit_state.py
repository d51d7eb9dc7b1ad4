"""audit_verify_state: `audit verify` with the state replay over 1,000,000 events, against the
read + hash floor in the same run.

Setup writes the audit benchmark's chain (receipts and weighings, each parcel weighed right
after its receipt) with bulk inserts, then projects it once onto the store's own tables
through the projections, as central would hold it (untimed).  Timed: `verify_store(conn,
state=True)`: every chain, every weight record, and the replay of every event into a fresh
projection compared table by table with the stored one.  The floor is what any verifier must
at least do: read every event row through `sqlite3` and hash its canonical bytes.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from bench import bench_audit
from bench.harness import Result
from jpgb_terminal.audit.replay import replay_into
from jpgb_terminal.audit.verify import verify_store
from jpgb_terminal.store import open_store

N = bench_audit.N  # JPGB_BENCH_AUDIT_EVENTS sets both audit benchmarks' size


def _project(path: Path) -> float:
    """Apply the stored events to the store's own tables; the seconds it took."""
    store = open_store(f"sqlite:///{path}")
    reader = create_engine(f"sqlite:///{path}")
    t0 = time.perf_counter()
    try:
        with reader.connect() as source, store.engine.connect() as target:
            outcome = replay_into(source, target)
    finally:
        reader.dispose()
        store.dispose()
    if outcome.refused or outcome.applied != N:
        raise RuntimeError(f"the bench chain did not project: {outcome.refused[:3]}")
    return time.perf_counter() - t0


def _read_floor(path: Path) -> float:
    """Seconds to read every event row through sqlite3, nothing else."""
    conn = sqlite3.connect(path)
    t0 = time.perf_counter()
    cur = conn.execute(
        "SELECT event_id, station_id, seq, kind, tracking_no, operator, occurred_at, payload, "
        "prev_hash, hash FROM event ORDER BY station_id, seq"
    )
    while cur.fetchmany(20_000):
        pass
    seconds = time.perf_counter() - t0
    conn.close()
    return seconds


def run() -> list[Result]:
    """Verify chains, weights and state of the million-event store once, next to the floor."""
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-") as tmp:
        path = Path(tmp) / "audit_state.db"
        hashing, _ = bench_audit._setup(path, N, pair=1)
        projecting = _project(path)
        reading = _read_floor(path)
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            t0 = time.perf_counter()
            report = verify_store(conn, state=True)
            verifying = time.perf_counter() - t0
        engine.dispose()
    state = report.state
    if not report.ok or state is None or report.events != N:
        lines = [b.line() for b in report.breaks()] + (
            [d.line() for d in state.differences()] if state else []
        )
        raise RuntimeError(f"the bench store did not verify: {lines[:3]}")
    return [
        Result(
            "audit_verify_state",
            verifying,
            "s",
            reading + hashing,
            {
                "events": N,
                "rows_compared": state.rows,
                "per_event_us": f"{verifying / N * 1e6:.2f}",
                "floor_read_s": f"{reading:.2f}",
                "floor_hash_s": f"{hashing:.2f}",
                "setup_projection_s": f"{projecting:.1f}",
                "goal_ratio": 3,
            },
        )
    ]
