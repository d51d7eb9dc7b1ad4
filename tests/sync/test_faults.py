"""Faults between a station and a PostgreSQL central: after each, a later sync leaves central
exactly equal to the union of the stations' events."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from jpgb_terminal.sync import SyncReport, sync_once, sync_status
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import FAST, assert_central_is_union, parcel_count, station, write_parcels

pytestmark = pytest.mark.postgres


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_refused_then_back(tmp_path: Path, pg_central: str, proxy: FaultProxy) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 11))
    proxy.refuse()
    failed = sync_once(a, proxy.url(pg_central), "A", deadlines=FAST)
    assert not failed.ok and failed.error_kind == "offline"
    status = sync_status(a, "A")
    assert status.offline_since is not None and status.queued == 30
    proxy.restore()
    ok = sync_once(a, proxy.url(pg_central), "A", deadlines=FAST)
    assert ok.ok, ok.error
    assert sync_status(a, "A").offline_since is None
    assert_central_is_union(pg_central, {"A": a})


def test_black_hole_at_connect_is_cut_by_the_deadline(
    tmp_path: Path, pg_central: str, proxy: FaultProxy
) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 4))
    proxy.blackhole()
    started = time.monotonic()
    failed = sync_once(a, proxy.url(pg_central), "A", deadlines=FAST)
    assert time.monotonic() - started < FAST.connect_s + FAST.step_s + 3
    assert not failed.ok and failed.error_kind in ("offline", "timeout")
    proxy.restore()
    assert sync_once(a, proxy.url(pg_central), "A", deadlines=FAST).ok
    assert_central_is_union(pg_central, {"A": a})


def test_black_hole_mid_batch(tmp_path: Path, pg_central: str, proxy: FaultProxy) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 21))
    proxy.blackhole_after(b"sync_copy")
    # A step deadline shorter than the server's idle timeout: the cut comes from this side.
    quick = replace(FAST, step_s=1.5)
    started = time.monotonic()
    failed = sync_once(a, proxy.url(pg_central), "A", deadlines=quick, batch_size=10)
    elapsed = time.monotonic() - started
    assert not failed.ok and failed.error_kind == "timeout", failed.error
    assert elapsed < quick.connect_s + quick.step_s + 3
    assert sync_status(a, "A").pushed_seq == 0
    proxy.restore()
    # The stranded session was still copying into its staging table: it holds no push lock.
    ok = sync_once(a, proxy.url(pg_central), "A", deadlines=FAST, batch_size=10)
    assert ok.ok, ok.error
    assert_central_is_union(pg_central, {"A": a})


def test_commit_reply_lost(tmp_path: Path, pg_central: str, proxy: FaultProxy) -> None:
    """Central committed, the station never heard: the retry sends it again, harmlessly."""
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 11))
    proxy.cut_commit_reply_after(b"sync_copy")
    failed = sync_once(a, proxy.url(pg_central), "A", deadlines=FAST, batch_size=10)
    assert proxy.commit_seen.is_set()
    assert not failed.ok and failed.error_kind in ("offline", "timeout")
    assert sync_status(a, "A").pushed_seq == 0  # not marked: the answer never came
    with psycopg.connect(_libpq(pg_central)) as conn:
        assert conn.execute("SELECT count(*) FROM event").fetchone() == (10,)
    proxy.restore()
    ok = sync_once(a, proxy.url(pg_central), "A", deadlines=FAST, batch_size=10)
    assert ok.ok and ok.already_central == 10 and ok.pushed == 20
    assert_central_is_union(pg_central, {"A": a})
    assert parcel_count(pg_central) == 10


def test_slow_link(tmp_path: Path, pg_central: str, proxy: FaultProxy) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 11))
    proxy.delay_s = 0.01
    assert sync_once(a, proxy.url(pg_central), "A", deadlines=FAST).ok
    write_parcels(a, "A", range(11, 21))
    proxy.delay_s = 0.4  # far too slow for a 1 s step: the step is abandoned
    tight = replace(FAST, step_s=1.0, connect_s=1.0)
    started = time.monotonic()
    failed = sync_once(a, proxy.url(pg_central), "A", deadlines=tight)
    assert not failed.ok and failed.error_kind in ("timeout", "offline")
    assert time.monotonic() - started < 6
    proxy.drop_all()
    proxy.delay_s = 0.0
    ok = sync_once(a, proxy.url(pg_central), "A", deadlines=FAST)
    assert ok.ok, ok.error
    assert_central_is_union(pg_central, {"A": a})


def test_backend_terminated_mid_batch(tmp_path: Path, pg_central: str, proxy: FaultProxy) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 11))
    app_name = f"jpgb-test-{uuid.uuid4().hex[:8]}"
    sep = "&" if "?" in pg_central else "?"
    url = proxy.url(f"{pg_central}{sep}application_name={app_name}")
    proxy.pause_commit_after(b"sync_copy")
    reports: list[SyncReport] = []
    worker = threading.Thread(
        target=lambda: reports.append(sync_once(a, url, "A", deadlines=FAST, batch_size=10))
    )
    worker.start()
    assert proxy.commit_seen.wait(20)
    with psycopg.connect(_libpq(pg_central), autocommit=True) as conn:
        killed = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (app_name,),
        ).fetchall()
    assert killed and all(row[0] for row in killed)
    proxy.release()
    worker.join(30)
    assert not worker.is_alive()
    assert not reports[0].ok and reports[0].error_kind in ("offline", "timeout")
    with psycopg.connect(_libpq(pg_central)) as conn:
        assert conn.execute("SELECT count(*) FROM event").fetchone() == (0,)
    proxy.restore()
    assert sync_once(a, url, "A", deadlines=FAST).ok
    assert_central_is_union(pg_central, {"A": a})


def test_killed_between_central_commit_and_local_mark(tmp_path: Path, pg_central: str) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 6))
    local = f"sqlite:///{tmp_path / 'A.db'}"
    env = {**os.environ, "JPGB_CENTRAL": ""}
    # A bench process killed outright (no cleanup runs) once central has committed the batch.
    code = (
        "import os, signal, sys\n"
        "from jpgb_terminal.store import open_store\n"
        "from jpgb_terminal.sync import sync_once\n"
        "def die(seq): os.kill(os.getpid(), signal.SIGKILL)\n"
        "sync_once(open_store(sys.argv[1]), sys.argv[2], 'A', after_commit=die)\n"
    )
    args = [local, pg_central]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == -9, done.stderr.decode()
    assert sync_status(a, "A").queued == 15  # central has them, the station does not know
    with psycopg.connect(_libpq(pg_central)) as conn:
        assert conn.execute("SELECT count(*) FROM event").fetchone() == (15,)
    again = sync_once(a, pg_central, "A")
    assert again.ok and again.pushed == 0 and again.already_central == 15
    assert sync_status(a, "A").queued == 0
    assert_central_is_union(pg_central, {"A": a})


def test_three_stations_offline_then_together(
    tmp_path: Path, pg_central: str, proxy: FaultProxy
) -> None:
    """Thousands of events each, written offline, pushed at the same time, then pulled."""
    ids = ["S1", "S2", "S3"]
    stores = {sid: station(tmp_path, sid) for sid in ids}
    url = proxy.url(pg_central)
    proxy.refuse()
    for i, sid in enumerate(ids):
        write_parcels(stores[sid], sid, range(i * 1000 + 1, i * 1000 + 1001))
        assert not sync_once(stores[sid], url, sid, deadlines=FAST).ok
    proxy.restore()
    reports: dict[str, SyncReport] = {}
    go = threading.Barrier(len(ids))

    def run(sid: str) -> None:
        go.wait(10)
        reports[sid] = sync_once(stores[sid], url, sid, batch_size=500)

    threads = [threading.Thread(target=run, args=(sid,)) for sid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(reports[sid].ok for sid in ids), {s: r.error for s, r in reports.items()}
    assert sum(r.pushed for r in reports.values()) == 9000
    for sid in ids:  # a second round brings each station what the others pushed meanwhile
        assert sync_once(stores[sid], url, sid).ok
    assert_central_is_union(pg_central, stores)
    assert parcel_count(pg_central) == 3000
    for sid in ids:
        assert parcel_count(stores[sid]) == 3000
