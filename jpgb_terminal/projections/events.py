"""What a projection works on and reports: an event as sync moves it, the rows beside it, the outcome.

Layer: plain data; imports nothing of the store beyond types.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jpgb_terminal.events import BoxWeighed, ParcelWeighed


@dataclass(frozen=True)
class SyncEvent:
    """One event as sync moves it: the `event` row with its payload decoded."""

    event_id: str
    station_id: str
    seq: int
    kind: str
    tracking_no: str | None
    operator: str | None
    occurred_at: datetime
    payload: dict[str, Any]
    payload_json: str | None = None  # the stored JSON text, when the reader had it
    prev_hash: str | None = None  # the audit chain travels as stored (jpgb_terminal.audit)
    hash: str | None = None

    def row(self) -> dict[str, Any]:
        """The values of the `event` row."""
        return {
            "event_id": self.event_id,
            "station_id": self.station_id,
            "seq": self.seq,
            "kind": self.kind,
            "tracking_no": self.tracking_no,
            "operator": self.operator,
            "occurred_at": self.occurred_at,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


class ApplyError(ValueError):
    """An event of a known kind that cannot be projected; its batch is refused as a whole."""

    def __init__(self, event: SyncEvent, problem: str) -> None:
        super().__init__(
            f"event {event.event_id} ({event.kind}, station {event.station_id} seq {event.seq}"
            f"{', ' + event.tracking_no if event.tracking_no else ''}): {problem}"
        )
        self.event_id = event.event_id


@dataclass
class Snapshots:
    """Customer and operator rows that travel beside the events that name them."""

    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    operators: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.customers) + len(self.operators)


@dataclass
class ApplyOutcome:
    """What applying a batch did."""

    applied: int = 0
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (event_id, kind)
    issues: list[str] = field(default_factory=list)
    duplicate_receipts: list[str] = field(default_factory=list)  # tracking numbers


def snapshot_names(events: Iterable[SyncEvent]) -> tuple[set[str], set[str]]:
    """Customer ids and operator names whose rows should travel with these events."""
    customers: set[str] = set()
    operators: set[str] = set()
    for e in events:
        if e.kind.startswith("customer.") or e.kind == "prealert.recorded":
            cid = e.payload.get("customer_id")
            if isinstance(cid, str):
                customers.add(cid)
        elif e.kind in (
            "operator.added",
            "operator.unlocked",
            "operator.pin_changed",
            "operator.resolved",
        ):
            name = e.payload.get("name")
            if isinstance(name, str):
                operators.add(name)
        elif e.kind == "operator.locked" and e.operator:
            operators.add(e.operator)
    return customers, operators


def weighing_row(e: SyncEvent, w: ParcelWeighed | BoxWeighed) -> dict[str, Any]:
    """The evidence every stored weighing carries, parcel or box: grams, source, raw frame, scale."""
    return {
        "id": w.weight_id,
        "grams": w.grams,
        "source": w.source,
        # An empty frame was stored as "" and always read back as none.
        "raw_frame": w.raw_frame or None,
        "scale_id": w.scale_id,
        "protocol": w.protocol,
        "station_id": e.station_id,
        "operator": e.operator,
        "measured_at": e.occurred_at,
        "event_id": e.event_id,
    }
