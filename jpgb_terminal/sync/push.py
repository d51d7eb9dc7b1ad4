"""The push half of a round: this station's events up to central, batch by batch.

Each batch is one central transaction: staged first (lock-free), then merged under the push
lock; the station's watermark moves only after that commit has returned, so a commit whose
answer was lost is simply sent again (and ignored by event id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Connection

from jpgb_terminal.clock import now
from jpgb_terminal.store import Store
from jpgb_terminal.store.role import mark_central
from jpgb_terminal.sync.apply import (
    ApplyOutcome,
    Snapshots,
    SyncEvent,
    read_snapshots,
    snapshot_names,
)
from jpgb_terminal.sync.link import CentralLink, CentralRejected, RoundClock
from jpgb_terminal.sync.merge import MergeResult, merge_batch, quarantine_rows
from jpgb_terminal.sync.status import SyncReport, advance, merge_outcome, state_row
from jpgb_terminal.sync.wire import (
    SequenceState,
    read_station_events,
    stage_events,
    take_push_lock,
    update_sequence,
)


@dataclass
class _BatchResult:
    inserted: int
    ignored: int
    outcome: ApplyOutcome
    sequence: SequenceState
    merged: MergeResult


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


def open_quarantine(conn: Connection, station_id: str) -> list[str]:
    """The station's events waiting in central's quarantine, one line each."""
    with conn.begin():
        return [r.line() for r in quarantine_rows(conn, station_id=station_id, open_only=True)]


def push_batches(
    local: Store,
    link: CentralLink,
    station_id: str,
    report: SyncReport,
    clock: RoundClock,
    batch_size: int,
    central_mark: int,
    after_commit: Callable[[int], None] | None,
) -> None:
    """Send the station's events from min(watermark, central's mark) + 1 on, into `report`.

    Raises CentralRejected when central refused an event it cannot keep (push stops there)."""
    with local.engine.begin() as conn:
        pushed_seq = int(state_row(conn, station_id)["pushed_seq"])
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
            advance(local, station_id, "pushed_seq", batch[-1].seq)
        elif delivered:
            advance(local, station_id, "pushed_seq", max(delivered))
        report.batches += 1
        report.pushed += result.inserted
        report.already_central += result.ignored
        merge_outcome(report, result.outcome)
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
