"""import_max_wait: the longest a bench's weighing waits during a 30,000-row pre-alert import,
against raw sqlite3 writing the same rows in the same batches (the floor of batching itself)."""

from __future__ import annotations

import sqlite3
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import Result, percentile
from jpgb_terminal.services.batched_import import BATCH_ROWS, PAUSE_S
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.services.prealerts import import_prealert_file
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.tracking import jp12_check_digit

N = 30_000
STATION = "BENCH"
FRAME = b"S S       1234 g\r\n"


def _number(i: int) -> str:
    body = f"{6000_0000_000 + i:011d}"
    return body + str(jp12_check_digit(body))


def _fresh(path: Path) -> Store:
    """A store with customers C1..C3, operator aiko and one parcel received on the bench."""
    store = open_store(f"sqlite:///{path}")
    admin = Actor(STATION)
    with store.transaction() as s:
        add_operator(s, admin, "aiko", "staff", "1111")
        for c in ("C1", "C2", "C3"):
            add_customer(s, admin, c, name=f"Customer {c}")
    with store.transaction() as s:
        receive(s, Actor(STATION, "aiko", "staff"), _number(N + 1))
    return store


class _Weigher(threading.Thread):
    """Weighs the bench's parcel every 50 ms through its own store, timing each write."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.store = Store(url)
        self.stop = threading.Event()
        self.waits: list[float] = []
        self.errors = 0

    def run(self) -> None:
        actor = Actor(STATION, "aiko", "staff")
        i = 0
        while not self.stop.is_set():
            t0 = time.perf_counter()
            try:
                with self.store.transaction() as s:
                    record_weight(s, actor, _number(N + 1), 1000 + i, raw_frame=FRAME, scale_id="b")
            except Exception:  # a locked store is what is measured, whatever raised it
                self.errors += 1
            self.waits.append(time.perf_counter() - t0)
            i += 1
            self.stop.wait(0.05)
        self.store.dispose()


def _csv() -> bytes:
    rows = "".join(f"{_number(i)},C{i % 3 + 1},figures\n" for i in range(N))
    return ("tracking_no,customer_id,contents\n" + rows).encode()


def _service(folder: Path) -> tuple[_Weigher, float]:
    store = _fresh(folder / "service.db")
    weigher = _Weigher(store.url)
    weigher.start()
    t0 = time.perf_counter()
    import_prealert_file(store, Actor(STATION), _csv(), source="bench.csv")
    took = time.perf_counter() - t0
    weigher.stop.set()
    weigher.join()
    store.dispose()
    return weigher, took


def _raw(folder: Path) -> tuple[_Weigher, float]:
    # The same rows (pre-alert and its event) in the same batches and pauses: only the
    # program differs, so what is left is the wait that batching itself costs.
    path = folder / "raw.db"
    _fresh(path).dispose()
    weigher = _Weigher(f"sqlite:///{path}")
    weigher.start()
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")
    at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    seq = 1_000_000  # above the bench's own, which the weigher numbers from the store
    t0 = time.perf_counter()
    for start in range(0, N, BATCH_ROWS):
        conn.execute("BEGIN IMMEDIATE")
        for i in range(start, min(start + BATCH_ROWS, N)):
            number = _number(i)
            conn.execute(
                "INSERT INTO prealert (tracking_no, customer_id, contents, created_at)"
                " VALUES (?,?,?,?)",
                (number, f"C{i % 3 + 1}", "figures", at),
            )
            seq += 1
            conn.execute(
                "INSERT INTO event (event_id, station_id, seq, kind, tracking_no, operator,"
                " occurred_at, payload) VALUES (?,?,?,?,?,?,?,?)",
                (str(uuid.uuid4()), "RAW", seq, "prealert.recorded", number, None, at, "{}"),
            )
        conn.execute("COMMIT")
        time.sleep(PAUSE_S)
    took = time.perf_counter() - t0
    conn.close()
    weigher.stop.set()
    weigher.join()
    return weigher, took


def run() -> list[Result]:
    """Measure both on fresh SQLite files in the same folder."""
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-") as tmp:
        folder = Path(tmp)
        raw, raw_s = _raw(folder)
        service, service_s = _service(folder)
    return [
        Result(
            "import_max_wait",
            max(service.waits) * 1000,
            "ms",
            max(raw.waits) * 1000,
            {
                "p50": f"{percentile(service.waits, 50) * 1000:.3f}",
                "baseline_p50": f"{percentile(raw.waits, 50) * 1000:.3f}",
                "weighings": len(service.waits),
                "errors": service.errors,
                "import_s": f"{service_s:.1f}",
                "baseline_import_s": f"{raw_s:.1f}",
                "rows": N,
                "batch_rows": BATCH_ROWS,
                "goal_max_ms": 1000,
            },
        )
    ]
