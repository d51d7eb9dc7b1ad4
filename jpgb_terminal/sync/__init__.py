"""Sync between a station's store and the central store: push, pull, central checks.

Plain blocking code meant for a worker thread or the CLI; every network step has a deadline.
"""

from jpgb_terminal.sync.apply import APPLIERS, ApplyError, SyncEvent, apply_events
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
