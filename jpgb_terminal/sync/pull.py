"""The pull half of a round: other stations' events from central, page by page.

The station asks for events after its cursor `sync_state.pulled_central_id` in central's
acceptance order, stores the ones it lacks, applies them with the same projection, runs the
caller's hook, and moves the cursor, all in one local transaction per page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sqlalchemy import Connection

from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import SYNC_STATE
from jpgb_terminal.sync.apply import (
    ApplyOutcome,
    Snapshots,
    SyncEvent,
    apply_events,
    read_snapshots,
    snapshot_names,
)
from jpgb_terminal.sync.link import CentralLink, RoundClock
from jpgb_terminal.sync.merge import quarantined_ids
from jpgb_terminal.sync.status import SyncReport, merge_outcome, state_row
from jpgb_terminal.sync.wire import insert_events, read_pull_page

PullHook = Callable[[Connection, str, list[SyncEvent]], list[str]]
"""What a caller does with the events a pull applied, in the same local transaction."""


def _pull_page(
    conn: Connection, station_id: str, after: int, limit: int
) -> tuple[list[SyncEvent], int, Snapshots, set[str]]:
    with conn.begin():
        events, last = read_pull_page(conn, station_id, after, limit)
        snaps = read_snapshots(conn, *snapshot_names(events)) if events else Snapshots()
        held = quarantined_ids(conn, [e.event_id for e in events])
    return events, last, snaps, held


def pull_pages(
    local: Store,
    link: CentralLink,
    station_id: str,
    report: SyncReport,
    clock: RoundClock,
    page: int,
    after_pull: PullHook | None,
) -> None:
    """Store and apply every page after the station's cursor, into `report`."""
    with local.engine.begin() as conn:
        cursor = int(state_row(conn, station_id)["pulled_central_id"])
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
        merge_outcome(report, outcome)
        cursor = last
        if len(events) < page:
            return
