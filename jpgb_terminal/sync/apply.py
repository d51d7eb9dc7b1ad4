"""The names sync has always offered for projecting events; the projections live in
jpgb_terminal.projections (one module per aggregate, one registry by kind)."""

from jpgb_terminal.projections.bulk import CHUNK, read_snapshots
from jpgb_terminal.projections.events import (
    ApplyError,
    ApplyOutcome,
    Snapshots,
    SyncEvent,
    snapshot_names,
)
from jpgb_terminal.projections.parcels import SALE_NAMESPACE
from jpgb_terminal.projections.registry import APPLIERS, applied_kinds, apply_events
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork
from jpgb_terminal.store.handles import CUSTOMER, EVENT

Projection = UnitOfWork  # the name the batch's working set had before the split

__all__ = [
    "APPLIERS",
    "CHUNK",
    "CUSTOMER",
    "EVENT",
    "SALE_NAMESPACE",
    "Applier",
    "ApplyError",
    "ApplyOutcome",
    "Projection",
    "Snapshots",
    "SyncEvent",
    "UnitOfWork",
    "applied_kinds",
    "apply_events",
    "read_snapshots",
    "snapshot_names",
]
