"""Typed events: one frozen dataclass per event kind, the one registry of kinds, `decode`.

Services write these objects (`services.events.append_event`); projections and the audit
read them back through `decode`.  Layer: plain data, next to the rules: imports nothing of
the store, the services, sync or the faces.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from jpgb_terminal.events import imports, outbound, parcels, people, price_lists, sync
from jpgb_terminal.events.base import Event, EventPayloadError
from jpgb_terminal.events.imports import ImportFinished, ImportStarted
from jpgb_terminal.events.outbound import (
    BoxPacked,
    BoxWeighed,
    ParcelPacked,
    ParcelShipped,
    RangeBlock,
    ShipmentHandedOver,
    ShipmentImported,
    ShipmentLine,
    ShipmentParcelConfirmed,
    TrackingBlockHanded,
    TrackingRangeAdded,
)
from jpgb_terminal.events.parcels import (
    ParcelCleared,
    ParcelDecided,
    ParcelHeld,
    ParcelInspected,
    ParcelReceived,
    ParcelWeighed,
    ReceiptReviewed,
    Sale,
)
from jpgb_terminal.events.people import (
    CustomerAdded,
    CustomerAnonymised,
    CustomerRecipientsPurged,
    CustomerRevealed,
    CustomerStatusChanged,
    CustomerUpdated,
    OperatorAdded,
    OperatorFailuresCleared,
    OperatorLocked,
    OperatorPinChanged,
    OperatorPinFailed,
    OperatorResolved,
    OperatorUnlocked,
    PrealertRecorded,
)
from jpgb_terminal.events.price_lists import PriceListPublished
from jpgb_terminal.events.sync import QuarantineResolved


def _registry(*groups: tuple[type[Event], ...]) -> dict[str, type[Event]]:
    types: dict[str, type[Event]] = {}
    for group in groups:
        for cls in group:
            if cls.kind in types:
                raise RuntimeError(f"event kind {cls.kind!r} is declared twice")
            types[cls.kind] = cls
    return types


EVENT_TYPES: Mapping[str, type[Event]] = MappingProxyType(
    _registry(
        parcels.TYPES, people.TYPES, outbound.TYPES, price_lists.TYPES, sync.TYPES, imports.TYPES
    )
)
"""Event kind -> its type (read-only: a kind is declared in its module's TYPES)."""


def decode(kind: str, payload: Mapping[str, Any]) -> Event:
    """The typed event of a stored (kind, payload); EventPayloadError for an unknown kind or a
    payload that does not fit it."""
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise EventPayloadError(f"unknown event kind {kind!r}")
    return cls.from_payload(payload)


__all__ = [
    "EVENT_TYPES",
    "BoxPacked",
    "BoxWeighed",
    "CustomerAdded",
    "CustomerAnonymised",
    "CustomerRecipientsPurged",
    "CustomerRevealed",
    "CustomerStatusChanged",
    "CustomerUpdated",
    "Event",
    "EventPayloadError",
    "ImportFinished",
    "ImportStarted",
    "OperatorAdded",
    "OperatorFailuresCleared",
    "OperatorLocked",
    "OperatorPinChanged",
    "OperatorPinFailed",
    "OperatorResolved",
    "OperatorUnlocked",
    "ParcelCleared",
    "ParcelDecided",
    "ParcelHeld",
    "ParcelInspected",
    "ParcelPacked",
    "ParcelReceived",
    "ParcelShipped",
    "ParcelWeighed",
    "PrealertRecorded",
    "PriceListPublished",
    "QuarantineResolved",
    "RangeBlock",
    "ReceiptReviewed",
    "Sale",
    "ShipmentHandedOver",
    "ShipmentImported",
    "ShipmentLine",
    "ShipmentParcelConfirmed",
    "TrackingBlockHanded",
    "TrackingRangeAdded",
    "decode",
]
