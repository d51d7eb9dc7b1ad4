"""receive_weigh_commit: a scan and its weight through the service path, against raw sqlite3."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import Result, percentile
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import open_store
from jpgb_terminal.store.tables import PreAlert
from jpgb_terminal.tracking import jp12_check_digit

N = 2000
WARMUP = 50
FRAME = b"S S       1234 g\r\n"


def _numbers(n: int) -> list[str]:
    out = []
    for i in range(n):
        body = f"{5000_0000_000 + i:011d}"
        out.append(body + str(jp12_check_digit(body)))
    return out


def _service_path(folder: Path, numbers: list[str]) -> list[float]:
    store = open_store(f"sqlite:///{folder / 'service.db'}")
    actor = Actor("BENCH", "aiko", "staff")  # as the bench screen passes it
    # Every parcel is pre-alerted, as at a real bench: the scan writes the parcel and its
    # event, the weight its record, event and parcel update, the same rows as the baseline.
    with store.transaction() as s:
        add_customer(s, Actor("BENCH"), "C1", name="Bench Customer")
        for number in numbers:
            s.add(PreAlert(tracking_no=number, customer_id="C1", created_at=datetime.now(UTC)))
    samples = []
    for i, number in enumerate(numbers):
        t0 = time.perf_counter()
        with store.transaction() as s:
            receive(s, actor, number)
        with store.transaction() as s:
            record_weight(
                s, actor, number, 1000 + i, raw_frame=FRAME, scale_id="bench", protocol="mt-sics"
            )
        samples.append(time.perf_counter() - t0)
    store.dispose()
    return samples[WARMUP:]


def _raw_sqlite(folder: Path, numbers: list[str]) -> list[float]:
    # Same schema, same pragmas, same rows, same two transactions: only the program differs.
    open_store(f"sqlite:///{folder / 'raw.db'}").dispose()
    conn = sqlite3.connect(folder / "raw.db", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    samples = []
    seq = 0
    for i, number in enumerate(numbers):
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO parcel (tracking_no, scheme, customer_id, state, station_id, received_by,"
            " received_at, prealert_matched, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (number, "jp12", None, "received", "BENCH", "aiko", now, 0, now),
        )
        seq += 1
        conn.execute(
            "INSERT INTO event (event_id, station_id, seq, kind, tracking_no, operator, occurred_at,"
            " payload) VALUES (?,?,?,?,?,?,?,?)",
            (str(uuid.uuid4()), "BENCH", seq, "parcel.received", number, "aiko", now, "{}"),
        )
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        wid = str(uuid.uuid4())
        eid = str(uuid.uuid4())
        conn.execute(
            "INSERT INTO weight_record (id, tracking_no, grams, source, raw_frame, scale_id, protocol,"
            " station_id, operator, measured_at, event_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (wid, number, 1000 + i, "scale", FRAME, "bench", "mt-sics", "BENCH", "aiko", now, eid),
        )
        seq += 1
        conn.execute(
            "INSERT INTO event (event_id, station_id, seq, kind, tracking_no, operator, occurred_at,"
            " payload) VALUES (?,?,?,?,?,?,?,?)",
            (
                eid,
                "BENCH",
                seq,
                "parcel.weighed",
                number,
                "aiko",
                now,
                json.dumps({"grams": 1000 + i}),
            ),
        )
        conn.execute(
            "UPDATE parcel SET state='weighed', weight_g=?, weight_source='scale', weight_id=?,"
            " updated_at=? WHERE tracking_no=?",
            (1000 + i, wid, now, number),
        )
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - t0)
    conn.close()
    return samples[WARMUP:]


def run() -> list[Result]:
    """Measure both paths on fresh SQLite files in the same folder."""
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-") as tmp:
        folder = Path(tmp)
        numbers = _numbers(N + WARMUP)
        raw = _raw_sqlite(folder, numbers)
        service = _service_path(folder, numbers)
    return [
        Result(
            "receive_weigh_commit",
            percentile(service, 99) * 1000,
            "ms",
            percentile(raw, 99) * 1000,
            {
                "p50": f"{percentile(service, 50) * 1000:.3f}",
                "baseline_p50": f"{percentile(raw, 50) * 1000:.3f}",
                "n": len(service),
                "goal_ratio": 3,
            },
        )
    ]
