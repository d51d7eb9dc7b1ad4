"""One sync round (push, then pull) and the watch loop that repeats it.

Push (jpgb_terminal.sync.push).  A station's events go up in sequence order, `batch_size` per
central transaction.  Each transaction first stages the batch on central (PostgreSQL: COPY
into a temporary table, before any lock, so a link that vanishes mid-COPY stalls nobody else),
then takes the push lock, merges the batch (duplicates ignored by event id), applies the new
events to central's tables, and updates the station's sequence record; only after that commit
has returned does the station move its watermark `sync_state.pushed_seq`.  A round starts from
min(watermark, central's contiguous mark) + 1, so a commit whose answer was lost is simply sent
again (and ignored), and a central restored from an older backup gets the missing events again.
Central re-checks every event against what it holds (hash and chain, the actor's role, the
parcel's change of state); an event it refuses is quarantined and named
(jpgb_terminal.sync.merge): one it can keep in its log is kept unprojected and the push goes
on; one it cannot store, or a hash-broken one, stops the push at it with the events before it
delivered.

Pull (jpgb_terminal.sync.pull).  The station asks for other stations' events after its cursor
`sync_state.pulled_central_id` in central's acceptance order, stores the ones it lacks,
applies them with the same projection, and moves the cursor, all in one local transaction.

All central work runs through `CentralLink`, step by step with deadlines; all local work runs
in the caller's thread (SQLite connections stay in their thread).  `sync_once` never raises
for a sync failure: the report says what happened, and the station's `sync_state` keeps it
(jpgb_terminal.sync.status) for `jpgb sync status` and the bench's status line.
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from jpgb_terminal.clock import now
from jpgb_terminal.store import Store
from jpgb_terminal.store.engine import display_url, normalize_url
from jpgb_terminal.sync.central import check_central
from jpgb_terminal.sync.failures import classify
from jpgb_terminal.sync.link import CentralLink, CentralRejected, Deadlines, RoundClock
from jpgb_terminal.sync.pull import PullHook, pull_pages
from jpgb_terminal.sync.push import open_quarantine, push_batches
from jpgb_terminal.sync.status import (
    SyncReport,
    record_round,
    set_state,
    sync_status,
    wrong_station,
)

BATCH_SIZE = 2000
PULL_PAGE = 5000

_locks_guard = threading.Lock()
_locks: dict[tuple[str, str], threading.Lock] = {}


def _station_lock(url: str, station_id: str) -> threading.Lock:
    # One round at a time per local store and station inside a process; across processes
    # two rounds are harmless (central ignores duplicates, the local marks only move forward).
    with _locks_guard:
        return _locks.setdefault((url, station_id), threading.Lock())


def sync_once(
    local: Store,
    central_url: str,
    station_id: str,
    *,
    batch_size: int = BATCH_SIZE,
    pull_page: int = PULL_PAGE,
    deadlines: Deadlines | None = None,
    pull: bool = True,
    after_pull: PullHook | None = None,
    after_commit: Callable[[int], None] | None = None,
) -> SyncReport:
    """Push this station's queued events to central, then pull everyone else's; never raises
    for a sync failure (the report and `sync_state` say what went wrong).

    `after_pull(conn, station_id, events)` runs in each pulled page's local transaction with
    the events it applied, and returns the parcels it held (the caller's policy, not sync's);
    `after_commit(seq)` runs after central commits a batch, before the local mark moves."""
    deadlines = deadlines or Deadlines()
    report = SyncReport(station_id, display_url(normalize_url(central_url)), now())
    wrong = wrong_station(local, station_id)
    if wrong is not None:
        # Before anything is written on either side: no round is recorded under another id.
        report.error, report.error_kind = wrong, CentralRejected.kind
        report.queued = sync_status(local).queued  # the store's own queue, not the asked id's
        report.finished_at = now()
        return report
    with _station_lock(local.url, station_id):
        set_state(local, station_id, last_attempt_at=report.started_at)
        clock = RoundClock(deadlines)
        link: CentralLink | None = None
        try:
            if same_store(local.url, central_url):
                raise CentralRejected(
                    "the central URL names this bench's own store: set `central` to the "
                    "central store (a bench pushing to itself would refuse its own writes)"
                )
            link = CentralLink(central_url, deadlines)
            states = link.run("connect", check_central, clock.step())
            report.alarms = [s.alarm for s in states if s.alarm]
            mine = next((s for s in states if s.station_id == station_id), None)
            mark = mine.max_contiguous_seq if mine else 0
            refused: CentralRejected | None = None
            try:
                push_batches(local, link, station_id, report, clock, batch_size, mark, after_commit)
            except CentralRejected as exc:
                refused = exc  # the quarantine is read even then: that is when it matters
            report.open_quarantine = link.run(
                "quarantine", partial(open_quarantine, station_id=station_id), clock.step()
            )
            if refused is not None:
                raise refused
            if pull:
                pull_pages(local, link, station_id, report, clock, pull_page, after_pull)
            report.ok = True
        except Exception as exc:
            error = classify(exc)
            report.error, report.error_kind = str(error), error.kind
        finally:
            if link is not None:
                link.close()
        report.finished_at = now()
        record_round(local, station_id, report)
    return report


def same_store(a: str, b: str) -> bool:
    """Whether two store URLs name the same store (one SQLite file, or one database)."""
    try:
        ua, ub = make_url(normalize_url(a)), make_url(normalize_url(b))
    except ArgumentError:
        return False
    if ua.get_backend_name() == ub.get_backend_name() == "sqlite":
        if not ua.database or not ub.database or ":memory:" in (ua.database, ub.database):
            return False
        pa, pb = Path(ua.database).resolve(), Path(ub.database).resolve()
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
        return pa == pb

    # Everything but the password: the same database reached as the same user.
    def where(u: URL) -> tuple[object, ...]:
        return (u.get_backend_name(), u.username, u.host, u.port, u.database, u.query)

    return where(ua) == where(ub)


def watch(
    local: Store,
    central_url: str,
    station_id: str,
    stop: threading.Event,
    *,
    interval_s: float = 5.0,
    max_backoff_s: float = 60.0,
    on_report: Callable[[SyncReport], None] | None = None,
    deadlines: Deadlines | None = None,
    after_pull: PullHook | None = None,
) -> None:
    """Sync until `stop` is set: every `interval_s` while healthy, backing off (with jitter)
    up to `max_backoff_s` while central is unreachable or refuses."""
    backoff = 0.0
    while not stop.is_set():
        report = sync_once(
            local, central_url, station_id, deadlines=deadlines, after_pull=after_pull
        )
        if on_report is not None:
            on_report(report)
        if report.ok:
            backoff = 0.0
            delay = 0.0 if report.queued else interval_s
        else:
            backoff = min(max_backoff_s, max(1.0, backoff * 2))
            delay = backoff * random.uniform(0.8, 1.2)  # stations must not retry in lockstep
        stop.wait(delay)
