"""One sync round (push, then pull), its report, the station's sync status, and a watch loop.

Push.  A station's events go up in sequence order, `batch_size` per central transaction.
Each transaction first stages the batch on central (PostgreSQL: COPY into a temporary table,
before any lock, so a link that vanishes mid-COPY stalls nobody else), then takes the push
lock, merges the batch (duplicates ignored by event id), applies the new events to central's
tables, and updates the station's sequence record; only after that commit has returned does
the station move its watermark `sync_state.pushed_seq`.  A round starts from min(watermark,
central's contiguous mark) + 1, so a commit whose answer was lost is simply sent again (and
ignored), and a central restored from an older backup gets the missing events again.  Central
re-checks every event against what it holds (hash and chain, the actor's role, the parcel's
change of state); an event it refuses is quarantined and named (jpgb_terminal.sync.merge): one
it can keep in its log is kept unprojected and the push goes on; one it cannot store, or a
hash-broken one, stops the push at it with the events before it delivered.

Pull.  The station asks for other stations' events after its cursor
`sync_state.pulled_central_id` in central's acceptance order, stores the ones it lacks,
applies them with the same projection, and moves the cursor, all in one local transaction.

All central work runs through `CentralLink`, step by step with deadlines; all local work runs
in the caller's thread (SQLite connections stay in their thread).  `sync_once` never raises
for a sync failure: the report says what happened, and the station's `sync_state` keeps it
for `jpgb sync status` and the bench's status line.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)

from jpgb_terminal.clock import now
from jpgb_terminal.store import Store
from jpgb_terminal.store.engine import MIGRATIONS, display_url, normalize_url
from jpgb_terminal.store.handles import EVENT, SYNC_STATE
from jpgb_terminal.store.identity import check_station, store_station
from jpgb_terminal.store.role import is_central, mark_central
from jpgb_terminal.sync.apply import (
    ApplyError,
    ApplyOutcome,
    Snapshots,
    SyncEvent,
    apply_events,
    read_snapshots,
    snapshot_names,
)
from jpgb_terminal.sync.link import (
    CentralLink,
    CentralRejected,
    CentralUnavailable,
    Deadlines,
    SyncError,
    SyncTimeout,
)
from jpgb_terminal.sync.merge import MergeResult, merge_batch, quarantine_rows, quarantined_ids
from jpgb_terminal.sync.wire import (
    SequenceState,
    insert_events,
    local_max_seq,
    read_pull_page,
    read_station_events,
    schema_revision,
    sequence_states,
    stage_events,
    take_push_lock,
    update_sequence,
)

PullHook = Callable[[Connection, str, list[SyncEvent]], list[str]]
"""What a caller does with the events a pull applied, in the same local transaction."""

BATCH_SIZE = 2000
PULL_PAGE = 5000

_locks_guard = threading.Lock()
_locks: dict[tuple[str, str], threading.Lock] = {}


def _station_lock(url: str, station_id: str) -> threading.Lock:
    # One round at a time per local store and station inside a process; across processes
    # two rounds are harmless (central ignores duplicates, the local marks only move forward).
    with _locks_guard:
        return _locks.setdefault((url, station_id), threading.Lock())


@dataclass
class SyncReport:
    """What one sync round did."""

    station_id: str
    central: str
    started_at: datetime
    finished_at: datetime | None = None
    ok: bool = False
    pushed: int = 0
    """Events central accepted in this round."""
    already_central: int = 0
    """Events sent again that central already had (after an unanswered commit)."""
    batches: int = 0
    pulled: int = 0
    """Other stations' events stored and applied here."""
    queued: int = 0
    """This station's events still waiting for a confirmed push."""
    unknown_kinds: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    duplicate_receipts: list[str] = field(default_factory=list)
    held_here: list[str] = field(default_factory=list)
    """Parcels this bench held because a customer's status changed elsewhere."""
    alarms: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    """Events central refused this round and keeps in quarantine (named)."""
    open_quarantine: list[str] = field(default_factory=list)
    """This station's events waiting in central's quarantine for a supervisor."""
    error: str | None = None
    error_kind: str | None = None
    """offline, timeout, rejected or error."""

    @property
    def duration_s(self) -> float:
        """Seconds the round took."""
        end = self.finished_at or now()
        return (end - self.started_at).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        data["duration_s"] = round(self.duration_s, 3)
        return data

    def summary(self) -> str:
        """One line for a log or the status bar."""
        if self.ok:
            text = f"synced: {self.pushed} up, {self.pulled} down, {self.queued} queued"
            if self.held_here:
                text += f", {len(self.held_here)} held for a customer status set elsewhere"
        else:
            text = f"sync failed ({self.error_kind}): {self.error}; {self.queued} queued"
        if self.alarms:
            text += " | ALARM: " + "; ".join(self.alarms)
        if self.open_quarantine:
            text += f" | QUARANTINE ({len(self.open_quarantine)}): " + self.open_quarantine[0]
        return text


@dataclass(frozen=True)
class SyncStatus:
    """A station's sync health, read from its own store (no network)."""

    station_id: str
    queued: int
    pushed_seq: int
    local_max_seq: int
    pulled_central_id: int
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    offline_since: datetime | None
    last_error: str | None
    alarm: str | None

    @property
    def online(self) -> bool:
        """Whether the last round succeeded."""
        return self.last_success_at is not None and self.last_error is None

    def line(self) -> str:
        """Short text for a status line."""
        if self.last_attempt_at is None:
            text = f"never synced, {self.queued} queued"
        elif self.offline_since is not None:
            text = f"offline since {self.offline_since:%Y-%m-%d %H:%M} UTC, {self.queued} queued"
        elif self.last_error:
            text = f"sync error: {self.last_error}"
        else:
            when = f"{self.last_success_at:%H:%M:%S}" if self.last_success_at else "-"
            text = f"synced {when} UTC, {self.queued} queued"
        if self.alarm:
            text += f" | ALARM: {self.alarm}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        data = asdict(self)
        for key in ("last_attempt_at", "last_success_at", "offline_since"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        data["online"] = self.online
        return data


@dataclass
class _BatchResult:
    inserted: int
    ignored: int
    outcome: ApplyOutcome
    sequence: SequenceState
    merged: MergeResult


# -- local sync_state ----------------------------------------------------------------------


def _state(conn: Connection, station_id: str) -> dict[str, Any]:
    row = conn.execute(select(SYNC_STATE).where(SYNC_STATE.c.station_id == station_id)).first()
    if row is None:
        conn.execute(
            SYNC_STATE.insert(),
            {"station_id": station_id, "pushed_seq": 0, "pulled_central_id": 0},
        )
        row = conn.execute(select(SYNC_STATE).where(SYNC_STATE.c.station_id == station_id)).first()
    assert row is not None
    return dict(row._mapping)


def _set_state(local: Store, station_id: str, **values: Any) -> None:
    with local.engine.begin() as conn:
        _state(conn, station_id)
        conn.execute(
            SYNC_STATE.update().where(SYNC_STATE.c.station_id == station_id).values(**values)
        )


def _advance(local: Store, station_id: str, column: str, value: int) -> None:
    # Only forward: two rounds racing from two processes must not move a mark back.
    col = SYNC_STATE.c[column]
    with local.engine.begin() as conn:
        conn.execute(
            SYNC_STATE.update()
            .where(SYNC_STATE.c.station_id == station_id, col < value)
            .values({column: value})
        )


def _queued(conn: Connection, station_id: str, pushed_seq: int) -> int:
    stmt = select(func.count()).where(EVENT.c.station_id == station_id, EVENT.c.seq > pushed_seq)
    return int(conn.execute(stmt).scalar_one())


def sync_status(local: Store, station_id: str | None = None) -> SyncStatus:
    """The station's sync health from its own store: queue, last success, offline since, alarm.

    The station is the store's own (jpgb_terminal.store.identity); `station_id` naming another
    is refused (StationMismatch).  The queue is every event of that station central has not
    acknowledged (seq above the push watermark).  A store with no recorded station (made by a
    library caller) falls back to the id it last synced as, then to its newest event's.
    """
    with local.engine.connect() as conn:
        recorded = None if is_central(conn) else store_station(conn)
        if recorded is not None:
            if station_id is not None:
                check_station(recorded, station_id, "the caller")
            station_id = recorded
        if station_id is None:
            station_id = conn.execute(
                select(SYNC_STATE.c.station_id)
                .order_by(SYNC_STATE.c.last_attempt_at.desc())
                .limit(1)
            ).scalar()
        if station_id is None:
            station_id = conn.execute(
                select(EVENT.c.station_id).order_by(EVENT.c.event_id.desc()).limit(1)
            ).scalar()
        if station_id is None:
            return SyncStatus("", 0, 0, 0, 0, None, None, None, None, None)
        row = conn.execute(select(SYNC_STATE).where(SYNC_STATE.c.station_id == station_id)).first()
        state: dict[str, Any] = dict(row._mapping) if row is not None else {}
        pushed = int(state.get("pushed_seq") or 0)
        return SyncStatus(
            station_id=station_id,
            queued=_queued(conn, station_id, pushed),
            pushed_seq=pushed,
            local_max_seq=local_max_seq(conn, station_id),
            pulled_central_id=int(state.get("pulled_central_id") or 0),
            last_attempt_at=state.get("last_attempt_at"),
            last_success_at=state.get("last_success_at"),
            offline_since=state.get("offline_since"),
            last_error=state.get("last_error"),
            alarm=state.get("alarm"),
        )


def _wrong_station(local: Store, station_id: str) -> str | None:
    """Why `local` must not sync as `station_id` (it is another station's store), or None."""
    with local.engine.connect() as conn:
        recorded = None if is_central(conn) else store_station(conn)
    if recorded is None or recorded == station_id:
        return None
    return (
        f"this store is station {recorded}; asked to sync as {station_id}: "
        "nothing pushed, nothing pulled"
    )


# -- one round -----------------------------------------------------------------------------


def _classify(exc: BaseException) -> SyncError:
    """Map whatever went wrong to offline / timeout / rejected, with a readable message."""
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, ApplyError):
        return CentralRejected(str(exc))
    if isinstance(exc, IntegrityError):
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return CentralRejected(f"central refused the batch: {detail}")
    if isinstance(exc, OperationalError | DBAPIError):
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            return CentralUnavailable(f"central unavailable: {detail}")
        return CentralRejected(f"central refused the batch: {detail}")
    # The COPY path talks to psycopg directly, so its errors arrive unwrapped.
    if isinstance(exc, psycopg.IntegrityError):
        return CentralRejected(f"central refused the batch: {_first_line(exc)}")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return CentralUnavailable(f"central unavailable: {_first_line(exc)}")
    if isinstance(exc, psycopg.Error):
        return CentralRejected(f"central refused the batch: {_first_line(exc)}")
    if isinstance(exc, SQLAlchemyError | OSError):
        return CentralUnavailable(f"central unavailable: {exc}")
    return SyncError(f"{type(exc).__name__}: {exc}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _Clock:
    """The overall deadline of a round, handed out step by step."""

    def __init__(self, deadlines: Deadlines) -> None:
        self.deadlines = deadlines
        self.end = time.monotonic() + deadlines.overall_s

    def step(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise SyncTimeout(f"the sync round ran past its {self.deadlines.overall_s:.0f} s")
        return min(self.deadlines.step_s, left)


def _check_central(conn: Connection) -> list[SequenceState]:
    revision = schema_revision(conn)
    head = _head_revision()
    if revision != head:
        raise CentralRejected(
            f"central store is at schema {revision or 'none'}, this program needs {head}: "
            "run `jpgb central init --db URL`"
        )
    with conn.begin():
        return sequence_states(conn)


_HEAD: list[str] = []


def _head_revision() -> str:
    if not _HEAD:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        _HEAD.append(ScriptDirectory.from_config(cfg).get_current_head() or "")
    return _HEAD[0]


def _push_batch(
    conn: Connection, station_id: str, events: list[SyncEvent], snaps: Snapshots
) -> _BatchResult:
    with conn.begin():
        # The data crosses the link first, lock-free: a link that vanishes mid-COPY strands
        # only its own session, and the lock is held just for the merge below.
        staged = stage_events(conn, events)
        take_push_lock(conn)
        # The store stations push to is central from now on: nothing is recorded there directly.
        # (Only a push marks it: a status check pointed at the wrong store must not.)
        mark_central(conn)
        merged = merge_batch(conn, events, snaps, staged=staged)
        seqs = merged.delivered
        sequence = update_sequence(conn, station_id, seqs, now())
    return _BatchResult(merged.inserted, merged.ignored, merged.outcome, sequence, merged)


def _pull_page(
    conn: Connection, station_id: str, after: int, limit: int
) -> tuple[list[SyncEvent], int, Snapshots, set[str]]:
    with conn.begin():
        events, last = read_pull_page(conn, station_id, after, limit)
        snaps = read_snapshots(conn, *snapshot_names(events)) if events else Snapshots()
        held = quarantined_ids(conn, [e.event_id for e in events])
    return events, last, snaps, held


def _open_quarantine(conn: Connection, station_id: str) -> list[str]:
    with conn.begin():
        return [r.line() for r in quarantine_rows(conn, station_id=station_id, open_only=True)]


def _merge(report: SyncReport, outcome: ApplyOutcome) -> None:
    report.unknown_kinds += [f"{kind} ({eid})" for eid, kind in outcome.unknown]
    report.issues += outcome.issues
    for tracking_no in outcome.duplicate_receipts:
        if tracking_no not in report.duplicate_receipts:
            report.duplicate_receipts.append(tracking_no)


def _push(
    local: Store,
    link: CentralLink,
    station_id: str,
    report: SyncReport,
    clock: _Clock,
    batch_size: int,
    central_mark: int,
    after_commit: Callable[[int], None] | None,
) -> None:
    with local.engine.begin() as conn:
        pushed_seq = int(_state(conn, station_id)["pushed_seq"])
    next_seq = min(pushed_seq, central_mark) + 1
    events = _read_batch(local, station_id, next_seq, batch_size)
    while events:
        batch, snaps = events
        step = link.start(
            "push",
            partial(_push_batch, station_id=station_id, events=batch, snaps=snaps),
            clock.step(),
        )
        # Read the next batch while central works on this one: the two overlap.
        more = len(batch) == batch_size
        upcoming = _read_batch(local, station_id, batch[-1].seq + 1, batch_size) if more else None
        result = step.result()
        if after_commit is not None:
            after_commit(batch[-1].seq)  # central has committed; the local mark has not moved
        merged = result.merged
        delivered = [s for s in merged.delivered if s <= batch[-1].seq]
        if merged.stopped is None:
            _advance(local, station_id, "pushed_seq", batch[-1].seq)
        elif delivered:
            _advance(local, station_id, "pushed_seq", max(delivered))
        report.batches += 1
        report.pushed += result.inserted
        report.already_central += result.ignored
        _merge(report, result.outcome)
        for alarm in [result.sequence.alarm, *merged.alarms]:
            if alarm and alarm not in report.alarms:
                report.alarms.append(alarm)
        report.quarantined += [q for q in merged.quarantined if q not in report.quarantined]
        if merged.stopped is not None:
            raise CentralRejected(f"central refused an event, push stopped at {merged.stopped}")
        events = upcoming


def _read_batch(
    local: Store, station_id: str, first_seq: int, limit: int
) -> tuple[list[SyncEvent], Snapshots] | None:
    with local.engine.begin() as conn:
        events = read_station_events(conn, station_id, first_seq, limit)
        if not events:
            return None
        return events, read_snapshots(conn, *snapshot_names(events))


def _pull(
    local: Store,
    link: CentralLink,
    station_id: str,
    report: SyncReport,
    clock: _Clock,
    page: int,
    after_pull: PullHook | None,
) -> None:
    with local.engine.begin() as conn:
        cursor = int(_state(conn, station_id)["pulled_central_id"])
    while True:
        after = cursor
        events, last, snaps, held = link.run(
            "pull",
            partial(_pull_page, station_id=station_id, after=after, limit=page),
            clock.step(),
        )
        if not events:
            return
        with local.engine.begin() as conn:
            new = insert_events(conn, events, record_order=False)
            # Quarantined at central: kept in the log here too (the chain stays whole), never
            # projected.
            new = [e for e in new if e.event_id not in held]
            outcome = apply_events(conn, new, snaps) if new else ApplyOutcome()
            # In the page's own transaction: a round cut off after this page must not leave
            # a pulled suspension applied here without its holds.
            if after_pull is not None and new:
                report.held_here += after_pull(conn, station_id, new)
            conn.execute(
                SYNC_STATE.update()
                .where(
                    SYNC_STATE.c.station_id == station_id,
                    SYNC_STATE.c.pulled_central_id < last,
                )
                .values(pulled_central_id=last)
            )
        report.pulled += len(new)
        _merge(report, outcome)
        cursor = last
        if len(events) < page:
            return


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
    wrong = _wrong_station(local, station_id)
    if wrong is not None:
        # Before anything is written on either side: no round is recorded under another id.
        report.error, report.error_kind = wrong, CentralRejected.kind
        report.queued = sync_status(local).queued  # the store's own queue, not the asked id's
        report.finished_at = now()
        return report
    with _station_lock(local.url, station_id):
        _set_state(local, station_id, last_attempt_at=report.started_at)
        clock = _Clock(deadlines)
        link: CentralLink | None = None
        try:
            if same_store(local.url, central_url):
                raise CentralRejected(
                    "the central URL names this bench's own store: set `central` to the "
                    "central store (a bench pushing to itself would refuse its own writes)"
                )
            link = CentralLink(central_url, deadlines)
            states = link.run("connect", _check_central, clock.step())
            report.alarms = [s.alarm for s in states if s.alarm]
            mine = next((s for s in states if s.station_id == station_id), None)
            mark = mine.max_contiguous_seq if mine else 0
            refused: CentralRejected | None = None
            try:
                _push(local, link, station_id, report, clock, batch_size, mark, after_commit)
            except CentralRejected as exc:
                refused = exc  # the quarantine is read even then: that is when it matters
            report.open_quarantine = link.run(
                "quarantine", partial(_open_quarantine, station_id=station_id), clock.step()
            )
            if refused is not None:
                raise refused
            if pull:
                _pull(local, link, station_id, report, clock, pull_page, after_pull)
            report.ok = True
        except Exception as exc:
            error = _classify(exc)
            report.error, report.error_kind = str(error), error.kind
        finally:
            if link is not None:
                link.close()
        report.finished_at = now()
        _record(local, station_id, report)
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


def _record(local: Store, station_id: str, report: SyncReport) -> None:
    with local.engine.begin() as conn:
        state = _state(conn, station_id)
        values: dict[str, Any]
        if report.ok:
            values = {
                "last_success_at": report.finished_at,
                "offline_since": None,
                "last_error": None,
                "alarm": _alarm_text(report),
            }
        else:
            values = {"last_error": (report.error or "")[:2000]}
            if report.open_quarantine:
                values["alarm"] = _alarm_text(report)
            if report.error_kind in ("offline", "timeout"):
                values["offline_since"] = state["offline_since"] or report.started_at
        conn.execute(
            SYNC_STATE.update().where(SYNC_STATE.c.station_id == station_id).values(**values)
        )
        pushed = int(state["pushed_seq"])
        report.queued = _queued(conn, station_id, pushed)


def _alarm_text(report: SyncReport) -> str | None:
    parts = list(report.alarms)
    if report.open_quarantine:
        parts.append(
            f"{len(report.open_quarantine)} event(s) in central's quarantine, first "
            f"{report.open_quarantine[0]} (`jpgb sync quarantine list`)"
        )
    return "; ".join(parts)[:2000] or None


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


# -- central -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CentralOverview:
    """What central holds: per-station sequences, and what waits for a person."""

    central: str
    events: int
    sequences: list[SequenceState]
    issues: int
    duplicate_receipts: int
    # The newest issues first, at most ISSUES_SHOWN: (station, kind, event id, problem).
    issue_list: list[tuple[str, str, str, str]] = field(default_factory=list)
    quarantine: list[str] = field(default_factory=list)
    """Open quarantine entries, one line each (jpgb_terminal.sync.merge)."""


ISSUES_SHOWN = 50


def central_overview(central_url: str, deadlines: Deadlines | None = None) -> CentralOverview:
    """Read central's sequences, event count, open issues and unreviewed duplicate receipts."""
    from jpgb_terminal.store.handles import RECEIPT as receipt
    from jpgb_terminal.store.handles import SYNC_ISSUE as issue

    def read(conn: Connection) -> CentralOverview:
        states = _check_central(conn)
        with conn.begin():
            events = conn.execute(select(func.count()).select_from(EVENT)).scalar_one()
            issues = conn.execute(select(func.count()).select_from(issue)).scalar_one()
            dups = conn.execute(
                select(func.count()).where(receipt.c.duplicate, receipt.c.reviewed_at.is_(None))
            ).scalar_one()
            listed = conn.execute(
                select(issue.c.station_id, issue.c.kind, issue.c.event_id, issue.c.problem)
                .order_by(issue.c.noted_at.desc(), issue.c.event_id)
                .limit(ISSUES_SHOWN)
            ).all()
            held = [r.line() for r in quarantine_rows(conn, open_only=True)]
        return CentralOverview(
            link.shown, events, states, issues, dups, [tuple(row) for row in listed], held
        )

    with CentralLink(central_url, deadlines) as link:
        try:
            return link.run("overview", read)
        except SyncError:
            raise
        except Exception as exc:
            raise _classify(exc) from exc
