"""manifest_export and holds_query on a store of 1,000,000 parcels built with bulk inserts.

manifest_export: the inbound CSV for a day of 100,000 parcels through the manifest code,
against the sqlite3 command-line tool writing CSV for the same query (goal: < 2 s, ratio < 3).
holds_query: overdue holds through the hold-queue service, against the same query run by
Python's sqlite3 module (goal: < 50 ms).
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import sqlite as sqlite_dialect

from bench.harness import Result, percentile
from jpgb_terminal.clock import day_bounds
from jpgb_terminal.manifests import export_to_file
from jpgb_terminal.rules.holds import hold_deadline
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.holds_queue import held_parcels, held_rows_query
from jpgb_terminal.services.manifest_rows import build_manifest, inbound_query
from jpgb_terminal.services.records import HOLD
from jpgb_terminal.store import open_store

PARCELS = 1_000_000
DAY_PARCELS = 100_000
DAY = date(2026, 11, 26)
TODAY = DAY + timedelta(days=1)
SPREAD_DAYS = 240
HELD_SHARE = 0.03
STILL_OPEN_WHEN_OLD = 0.03  # most old holds were decided long ago
QUERY_RUNS = 30
EXPORT_RUNS = 3
STATIONS = ("ST01", "ST02", "ST03", "ST04")
ADMIN = Actor("ST01")  # as `jpgb manifest export` runs: the station's administrator
REASONS = ("no_prealert", "unpaid", "prealert_mismatch", "terms_violation", "prohibited_item")


def _ts(at: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME text: naive UTC with microseconds.
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def build_store(path: Path) -> dict[str, int]:
    """Schema by the program, rows by executemany in one transaction: a bulk load, not a bench."""
    open_store(f"sqlite:///{path}").dispose()
    rng = random.Random(7)
    day_start, _ = day_bounds(DAY)
    oldest = day_start - timedelta(days=SPREAD_DAYS)
    parcels: list[tuple[Any, ...]] = []
    weights: list[tuple[Any, ...]] = []
    holds: list[tuple[Any, ...]] = []
    open_overdue = 0
    for n in range(PARCELS):
        tracking = f"{n:012d}"
        if n < DAY_PARCELS:
            received = day_start + timedelta(microseconds=rng.randrange(86_400 * 10**6))
        else:
            received = oldest + timedelta(microseconds=rng.randrange(SPREAD_DAYS * 86_400 * 10**6))
        station = STATIONS[n % len(STATIONS)]
        grams = rng.randint(80, 20_000)
        weight_id = f"w{n:011d}" if n < DAY_PARCELS else None
        held = rng.random() < HELD_SHARE
        state = "held" if held else "cleared"
        parcels.append(
            (
                tracking, "jp12", f"C{rng.randrange(50_000):06d}", state, station, "aiko",
                _ts(received), 1, grams, "scale", weight_id, _ts(received),
            )
        )  # fmt: skip
        if weight_id is not None:
            weights.append(
                (
                    weight_id, tracking, grams, "scale", b"S S g\r\n", "bench", "mt-sics",
                    station, "aiko", _ts(received), f"e{n:011d}",
                )
            )  # fmt: skip
        if held:
            deadline = hold_deadline(received)
            closed = None
            if deadline < TODAY and rng.random() > STILL_OPEN_WHEN_OLD:
                closed = _ts(received + timedelta(days=rng.randint(1, 59)))
            if closed is None and deadline < TODAY:
                open_overdue += 1
            holds.append(
                (
                    f"h{n:011d}", tracking, rng.choice(REASONS), _ts(received), "aiko", station,
                    deadline.isoformat(), closed, "return" if closed else None,
                )
            )  # fmt: skip
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO parcel (tracking_no, scheme, customer_id, state, station_id, received_by,"
        " received_at, prealert_matched, weight_g, weight_source, weight_id, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        parcels,
    )
    conn.executemany(
        "INSERT INTO weight_record (id, tracking_no, grams, source, raw_frame, scale_id, protocol,"
        " station_id, operator, measured_at, event_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        weights,
    )
    conn.executemany(
        "INSERT INTO hold (id, tracking_no, reason, opened_at, opened_by, station_id, deadline,"
        " closed_at, decision) VALUES (?,?,?,?,?,?,?,?,?)",
        holds,
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return {"holds": len(holds), "open_overdue": open_overdue}


def literal_sql(stmt: Any) -> str:
    """The statement as SQLite text with its parameters written in, for the sqlite3 tools."""
    dialect = sqlite_dialect.dialect(paramstyle="named")
    compiled = stmt.compile(dialect=dialect)
    values: dict[str, str] = {}
    for name, value in compiled.params.items():
        if isinstance(value, datetime):
            values[name] = f"'{_ts(value)}'"
        elif isinstance(value, date):
            values[name] = f"'{value.isoformat()}'"
        else:
            values[name] = repr(value)
    return re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), str(compiled))


def bench_export(db: Path, folder: Path) -> list[Result]:
    """Our inbound CSV export against `sqlite3 -csv -header` for the same query."""
    tool = shutil.which("sqlite3")
    if tool is None:
        print(
            "SKIP manifest_export: the sqlite3 command-line tool is not installed "
            "(apt-get install -y sqlite3)",
            flush=True,
        )
        return []
    sql = literal_sql(inbound_query(DAY))
    store = open_store(f"sqlite:///{db}")
    ours: list[float] = []
    theirs: list[float] = []
    rows = 0
    for i in range(EXPORT_RUNS):
        out = folder / f"ours-{i}.csv"
        t0 = time.perf_counter()
        with store.transaction() as session:
            manifest = build_manifest(session.connection(), ADMIN, "inbound", DAY)
            export_to_file(manifest, "csv", out)
        ours.append(time.perf_counter() - t0)
        rows = manifest.totals.rows
        base = folder / f"tool-{i}.csv"
        t0 = time.perf_counter()
        with base.open("wb") as fh:
            subprocess.run([tool, "-csv", "-header", str(db), sql], stdout=fh, check=True)
        theirs.append(time.perf_counter() - t0)
    store.dispose()
    value, baseline = statistics.median(ours), statistics.median(theirs)
    return [
        Result(
            "manifest_export",
            value,
            "s",
            baseline,
            {"rows": rows, "runs": EXPORT_RUNS, "goal_s": 2, "goal_ratio": 3},
        )
    ]


def bench_holds(db: Path, facts: dict[str, int]) -> list[Result]:
    """Overdue holds through the service against the same query through sqlite3."""
    store = open_store(f"sqlite:///{db}")
    ours: list[float] = []
    found = 0
    for _ in range(QUERY_RUNS + 3):
        t0 = time.perf_counter()
        with store.transaction() as session:
            found = len(held_parcels(session, Actor("BENCH"), today=TODAY, overdue_only=True))
        ours.append(time.perf_counter() - t0)
    store.dispose()
    sql = literal_sql(held_rows_query().where(HOLD.c.closed_at.is_(None), HOLD.c.deadline < TODAY))
    conn = sqlite3.connect(db)
    raw: list[float] = []
    for _ in range(QUERY_RUNS + 3):
        t0 = time.perf_counter()
        conn.execute(sql).fetchall()
        raw.append(time.perf_counter() - t0)
    conn.close()
    ours, raw = ours[3:], raw[3:]
    return [
        Result(
            "holds_query",
            statistics.median(ours) * 1000,
            "ms",
            statistics.median(raw) * 1000,
            {
                "p99": f"{percentile(ours, 99) * 1000:.2f}",
                "parcels": PARCELS,
                "holds": facts["holds"],
                "overdue": found,
                "goal_ms": 50,
            },
        )
    ]


def run() -> list[Result]:
    """Build the big store once in a temporary folder and run both benchmarks on it."""
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-manifests-") as tmp:
        folder = Path(tmp)
        db = folder / "big.db"
        t0 = time.perf_counter()
        facts = build_store(db)
        print(f"# built {PARCELS} parcels in {time.perf_counter() - t0:.1f} s", flush=True)
        results = bench_export(db, folder)
        results += bench_holds(db, facts)
    return results
