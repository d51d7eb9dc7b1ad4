"""Sync between a station's store and the central store: push, pull, central checks.

Transport only (a round: `round`, its halves `push` and `pull`, what it records: `status`;
central as a whole: `central`; deadlines and errors: `link`, `failures`; `wire`, `merge`); the
projections it calls live in jpgb_terminal.projections, and a bench's policy for what it
pulls is passed in by its caller as the `after_pull` hook (jpgb_terminal.workflow.pull_policy).
May import the projections and everything below them (services' tables through the store,
audit's hash); never a use case (services, privacy's use cases, workflow) nor a face.

Plain blocking code meant for a worker thread or the CLI; every network step has a deadline.
"""

from jpgb_terminal.projections.events import ApplyError, SyncEvent
from jpgb_terminal.projections.registry import APPLIERS, apply_events
from jpgb_terminal.sync.central import CentralOverview, central_overview
from jpgb_terminal.sync.link import (
    CentralLink,
    CentralRejected,
    CentralUnavailable,
    Deadlines,
    SyncError,
    SyncTimeout,
)
from jpgb_terminal.sync.pull import PullHook
from jpgb_terminal.sync.round import sync_once, watch
from jpgb_terminal.sync.status import SyncReport, SyncStatus, sync_status

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
