"""Projection of sync's own bookkeeping: a supervisor resolving an event in central's quarantine.

The entry is marked `resolved` wherever it is kept (central, and any store holding the row);
the quarantined event itself stays unprojected (jpgb_terminal.sync.merge).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from jpgb_terminal.events import QuarantineResolved
from jpgb_terminal.projections.bulk import QUARANTINE
from jpgb_terminal.projections.events import SyncEvent
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork

RESOLVED_KIND = "sync.quarantine_resolved"


def _resolved(p: UnitOfWork, e: SyncEvent, ev: QuarantineResolved) -> None:
    """`sync.quarantine_resolved`: mark the named quarantine row resolved where it is kept."""
    station_id, seq = ev.station_id, ev.seq
    values: dict[str, Any] = {
        "state": "resolved",
        "resolved_at": e.occurred_at,
        "resolved_by": e.operator,
        "resolved_note": (ev.note or None),
    }
    p.conn.execute(
        update(QUARANTINE)
        .where(QUARANTINE.c.station_id == station_id, QUARANTINE.c.seq == seq)
        .values(**values)
    )


APPLIERS: dict[str, Applier] = {RESOLVED_KIND: _resolved}
