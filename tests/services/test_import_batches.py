"""Long imports never block a bench: batches between markers, resumed after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from jpgb_terminal.events import PrealertRecorded
from jpgb_terminal.projections.events import ApplyError, SyncEvent
from jpgb_terminal.projections.registry import apply_events
from jpgb_terminal.services.batched_import import (
    ImportInterrupted,
    pending_import,
    settle_pending,
    write_in_batches,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.csv_files import ImportRejected
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.prealerts import import_prealert_file
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Event, PreAlert
from tests.factories import STATION, jp12, populate

ADMIN = Actor(STATION)
BENCH = Actor(STATION, "aiko", "staff")
FRAME = b"S S       1234 g\r\n"
WEIGHED = jp12(99_999)
AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # a parcel on the bench, outside the imported series


def prealert_csv(n: int, start: int = 1) -> bytes:
    """A pre-alert file of n rows for customers C1..C3."""
    rows = "".join(f"{jp12(i)},C{i % 3 + 1},figures\n" for i in range(start, start + n))
    return ("tracking_no,customer_id,contents\n" + rows).encode()


def count(store: Store, kind: str | None = None) -> int:
    """Pre-alerts stored (kind None) or events of one kind."""
    with Session(store.engine) as s:
        if kind is None:
            return int(s.exec(select(func.count()).select_from(PreAlert)).one())
        query = select(func.count()).select_from(Event).where(Event.kind == kind)
        return int(s.exec(query).one())


class Weigher(threading.Thread):
    """A bench weighing one parcel every 50 ms through its own store, timing each write."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.store = Store(url)
        self.stop = threading.Event()
        self.waits: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            t0 = time.perf_counter()
            try:
                with self.store.transaction() as s:
                    record_weight(
                        s, BENCH, WEIGHED, 1000 + i, raw_frame=FRAME, scale_id="t", protocol="x"
                    )
            except OperationalError as exc:
                self.errors.append(str(exc.orig))
            self.waits.append(time.perf_counter() - t0)
            i += 1
            self.stop.wait(0.05)
        self.store.dispose()


def test_a_30000_row_import_never_blocks_a_weighing(sqlite_store: Store) -> None:
    """Every weighing during the import gets through, none waiting anywhere near the 10 s
    busy timeout that a single long transaction ran into."""
    populate(sqlite_store, prealerts=0)
    with sqlite_store.transaction() as s:
        receive(s, BENCH, WEIGHED)
    weigher = Weigher(sqlite_store.url)
    weigher.start()
    try:
        summary = import_prealert_file(sqlite_store, ADMIN, prealert_csv(30_000), source="big.csv")
    finally:
        weigher.stop.set()
        weigher.join()
    worst = max(weigher.waits)
    print(f"weighings during the import: {len(weigher.waits)}, longest write {worst:.3f} s")
    assert weigher.errors == []
    assert len(weigher.waits) > 20
    assert worst < 5.0
    assert summary.added == 30_000 and count(sqlite_store) == 30_000
    assert count(sqlite_store, "parcel.weighed") == len(weigher.waits)
    assert count(sqlite_store, "import.started") == count(sqlite_store, "import.finished") == 1


def test_a_refused_file_starts_no_import(sqlite_store: Store) -> None:
    populate(sqlite_store, prealerts=0)
    data = prealert_csv(5) + f"{jp12(6)},C404,figures\n".encode()
    with pytest.raises(ImportRejected, match=r"f\.csv:7: unknown customer 'C404'"):
        import_prealert_file(sqlite_store, ADMIN, data, source="f.csv")
    assert count(sqlite_store) == 0
    assert count(sqlite_store, "import.started") == 0


def _write_until(store: Store, data: bytes, fail_at: int) -> None:
    """Import `data`'s rows 1..100 as the pre-alert import writes them, by batches of 10,
    until the batch holding `fail_at` is refused."""
    numbers = list(range(1, 101))

    def write(session: Session, batch: list[int]) -> None:
        if fail_at in batch:
            raise ServiceError(f"row {fail_at} refused")
        for n in batch:
            number = jp12(n)
            session.add(PreAlert(tracking_no=number, customer_id=f"C{n % 3 + 1}", created_at=AT))
            recorded = PrealertRecorded(customer_id=f"C{n % 3 + 1}", contents="figures")
            append_event(session, ADMIN, recorded, tracking_no=number, at=AT)

    write_in_batches(
        store,
        ADMIN,
        what="prealerts",
        data=data,
        source="cut.csv",
        items=numbers,
        write=write,  # type: ignore[arg-type]
        batch_rows=10,
        pause_s=0,
        at=AT,
    )


def test_an_interrupted_import_is_left_unfinished_and_named(sqlite_store: Store) -> None:
    """The batches before the refusal stay, whole; the import is listed as unfinished."""
    populate(sqlite_store, prealerts=0)
    data = prealert_csv(100)
    with pytest.raises(ImportInterrupted, match="stopped after 40 of 100 row"):
        _write_until(sqlite_store, data, fail_at=45)
    assert count(sqlite_store) == 40
    pending = pending_import(sqlite_store, STATION, "prealerts")
    assert pending is not None and (pending.source, pending.rows) == ("cut.csv", 100)
    assert pending_import(sqlite_store, STATION, "shipments") is None
    other = prealert_csv(3, start=500)
    with pytest.raises(ServiceError, match=r"import of cut\.csv .* is not finished"):
        import_prealert_file(sqlite_store, ADMIN, other, source="other.csv")
    assert count(sqlite_store) == 40
    assert settle_pending(sqlite_store, ADMIN, pending, data, "cut.csv") == pending


def test_the_same_file_finishes_the_import(sqlite_store: Store) -> None:
    """Imported again, the file writes only the rows the interrupted import had not."""
    populate(sqlite_store, prealerts=0)
    data = prealert_csv(100)
    with pytest.raises(ImportInterrupted):
        _write_until(sqlite_store, data, fail_at=45)
    summary = import_prealert_file(sqlite_store, ADMIN, data, source="cut.csv", batch_rows=30)
    assert (summary.added, summary.updated, summary.already) == (60, 0, 40)
    assert count(sqlite_store) == 100
    assert count(sqlite_store, "prealert.recorded") == 100
    assert pending_import(sqlite_store, STATION, "prealerts") is None
    assert count(sqlite_store, "import.started") == count(sqlite_store, "import.finished") == 1


def test_abandon_keeps_what_was_written_and_starts_the_new_file(sqlite_store: Store) -> None:
    populate(sqlite_store, prealerts=0)
    with pytest.raises(ImportInterrupted):
        _write_until(sqlite_store, prealert_csv(100), fail_at=45)
    other = prealert_csv(3, start=500)
    summary = import_prealert_file(sqlite_store, ADMIN, other, source="other.csv", abandon=True)
    assert summary.added == 3
    assert count(sqlite_store) == 43
    assert pending_import(sqlite_store, STATION, "prealerts") is None
    assert count(sqlite_store, "import.finished") == 2


def test_a_killed_import_is_finished_by_the_next_one(sqlite_store: Store, tmp_path: Path) -> None:
    """A real crash (the process killed mid-import) is resumed: every row once, every event once."""
    populate(sqlite_store, prealerts=0)
    data = prealert_csv(6_000)
    csv_file = tmp_path / "big.csv"
    csv_file.write_bytes(data)
    env = {**os.environ, "JPGB_DB": sqlite_store.url, "JPGB_STATION_ID": STATION}
    main = "from jpgb_terminal.cli import main; main()"
    cmd = [sys.executable, "-c", main, "prealert", "import", str(csv_file)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while count(sqlite_store) < 1_000 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = count(sqlite_store)
    assert 0 < written < 6_000, "the import was not caught half-way"
    assert pending_import(sqlite_store, STATION, "prealerts") is not None
    summary = import_prealert_file(sqlite_store, ADMIN, data, source="big.csv")
    assert (summary.added, summary.already) == (6_000 - written, written)
    assert count(sqlite_store) == 6_000
    assert count(sqlite_store, "prealert.recorded") == 6_000
    assert pending_import(sqlite_store, STATION, "prealerts") is None


@pytest.mark.parametrize(
    ("payload", "applied"),
    [
        (
            {
                "import_id": "0193-a",
                "what": "prealerts",
                "source": "a.csv",
                "sha256": "00",
                "rows": 3,
            },
            True,
        ),
        (
            {"import_id": "", "what": "prealerts", "source": "a.csv", "sha256": "00", "rows": 3},
            False,
        ),
        ({"import_id": "0193-a"}, False),
    ],
)
def test_import_markers_apply_where_they_are_synced(
    sqlite_store: Store, payload: dict[str, object], applied: bool
) -> None:
    """Central (or a pulling bench) takes a marker as it is; one naming no import is refused."""
    marker = SyncEvent("e1", "ST02", 1, "import.started", None, None, AT, payload)
    with sqlite_store.engine.begin() as conn:
        if applied:
            assert apply_events(conn, [marker]).applied == 1
        else:
            with pytest.raises(ApplyError, match=r"import_id|missing"):
                apply_events(conn, [marker])
