"""Sync between a station's store and the central store: push, pull, central checks.

Transport only (push, pull, cursors, deadlines: `service`, `link`, `wire`, `merge`); the
projections it calls live in jpgb_terminal.projections, and a bench's policy for what it
pulls is passed in by its caller as the `after_pull` hook (jpgb_terminal.workflow.pull_policy).
May import the projections and everything below them (services' tables through the store,
audit's hash); never a use case (services, privacy's use cases, workflow) nor a face.

Plain blocking code meant for a worker thread or the CLI; every network step has a deadline.
"""

from jpgb_terminal.projections.events import ApplyError, SyncEvent
from jpgb_terminal.projections.registry import APPLIERS, apply_events
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
    sync_once,
    sync_status,
    watch,
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
    "sync_once",
    "sync_status",
    "watch",
]
