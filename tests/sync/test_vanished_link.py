"""A bench whose link vanishes mid-COPY holds no push lock: another bench pushes meanwhile."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from jpgb_terminal.sync import SyncReport, sync_once, sync_status
from jpgb_terminal.sync.link import KEEPALIVE_IDLE_S, CentralLink
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import FAST, assert_central_is_union, station, write_parcels

pytestmark = pytest.mark.postgres


def test_black_hole_mid_copy_does_not_stall_other_benches(
    tmp_path: Path, pg_central: str, proxy: FaultProxy
) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    write_parcels(a, "A", range(1, 21))
    write_parcels(b, "B", range(101, 111))
    # Neither side is told: the proxy just stops forwarding once A's COPY begins.
    proxy.blackhole_after(b"COPY sync_copy_inbox")
    slow = replace(FAST, step_s=8)
    reports: list[SyncReport] = []
    pushing = threading.Thread(
        target=lambda: reports.append(sync_once(a, proxy.url(pg_central), "A", deadlines=slow))
    )
    pushing.start()
    assert proxy.commit_seen.wait(10), "A's push never reached its COPY"
    started = time.monotonic()
    other = sync_once(b, pg_central, "B", deadlines=FAST)
    elapsed = time.monotonic() - started
    assert other.ok, other.error
    assert elapsed < 3, f"B waited {elapsed:.1f} s behind a vanished link"
    pushing.join(30)
    [failed] = reports
    assert not failed.ok and failed.error_kind == "timeout", failed.error
    assert "did not finish push" in (failed.error or "")
    assert sync_status(a, "A").pushed_seq == 0
    proxy.restore()
    again = sync_once(a, proxy.url(pg_central), "A", deadlines=FAST)
    assert again.ok, again.error
    assert_central_is_union(pg_central, {"A": a, "B": b})


def test_every_central_session_sets_server_keepalives(pg_central: str) -> None:
    def show(conn: Connection) -> tuple[str, ...]:
        names = ("tcp_keepalives_idle", "tcp_user_timeout", "statement_timeout")
        return tuple(str(conn.execute(text(f"SHOW {n}")).scalar()) for n in names)

    with CentralLink(pg_central, FAST) as link:
        idle, user_timeout, statement = link.run("show", show)
    # The socket to 127.0.0.1 is TCP, so the server applies its keepalive settings.
    assert idle == str(KEEPALIVE_IDLE_S)
    assert user_timeout == str(FAST.tcp_user_timeout_ms)
    assert statement == "3s"
