"""Events of sync's own bookkeeping: a supervisor resolving a quarantined event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from jpgb_terminal.events.base import Event


@dataclass(frozen=True, kw_only=True)
class QuarantineResolved(Event):
    """The quarantined event (station, seq) resolved, with the supervisor's note."""

    kind: ClassVar[str] = "sync.quarantine_resolved"
    station_id: str
    seq: int
    event_id: str | None = None
    note: str | None = None


TYPES: tuple[type[Event], ...] = (QuarantineResolved,)
