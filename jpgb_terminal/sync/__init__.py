"""Sync between a station's store and the central store: push, pull, central checks.

Transport only (push, pull, cursors, deadlines: `service`, `link`, `wire`, `merge`); the
projections it calls live in jpgb_terminal.projections, and a bench's policy for what it
pulls is passed in by its caller (`bench_round`, which `sync_once` and `watch` here are).

Plain blocking code meant for a worker thread or the CLI; every network step has a deadline.
"""

from jpgb_terminal.projections.events import ApplyError, SyncEvent
from jpgb_terminal.projections.registry import APPLIERS, apply_events
from jpgb_terminal.sync.bench_round import hold_for_pulled_statuses, sync_once, watch
from jpgb_terminal.sync.link import (
    CentralLink,
    CentralRejected,
    CentralUnavailable,
    Deadlines,
    SyncError,
    SyncTimeout,
)
from jpgb_terminal.sync.service import (
    CentralOverview,
    PullHook,
    SyncReport,
    SyncStatus,
    central_overview,
    sync_status,
)

__all__ = [
    "APPLIERS",
    "ApplyError",
    "CentralLink",
    "CentralOverview",
    "CentralRejected",
    "CentralUnavailable",
    "Deadlines",
    "PullHook",
    "SyncError",
    "SyncEvent",
    "SyncReport",
    "SyncStatus",
    "SyncTimeout",
    "apply_events",
    "central_overview",
    "hold_for_pulled_statuses",
    "sync_once",
    "sync_status",
    "watch",
]
