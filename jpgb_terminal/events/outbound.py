"""Events of the outbound side: shipment requests, boxes, handover, tracking-number ranges.

Recipient details are personal data and never travel in events (README, "Outbound").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from jpgb_terminal.events.base import OMIT_NONE, Event


@dataclass(frozen=True, kw_only=True)
class ShipmentLine:
    """One declared line of a shipment's customs declaration."""

    line_no: int
    description: str
    quantity: int
    unit_value: Decimal
    currency: str
    origin_country: str
    hs_code: str | None = None
    net_weight_g: int | None = None
    lithium: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShipmentImported(Event):
    """A customer's shipment request imported: service, destination, parcels, declared lines."""

    kind: ClassVar[str] = "shipment.imported"
    shipment_id: str
    customer_id: str
    service: str
    country: str
    category: str
    insurance_jpy: int | None = None
    parcels: tuple[str, ...] = ()
    lines: tuple[ShipmentLine, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ShipmentParcelConfirmed(Event):
    """A parcel of the shipment scanned at the packing bench (the event's tracking number)."""

    kind: ClassVar[str] = "shipment.parcel_confirmed"
    shipment_id: str


@dataclass(frozen=True, kw_only=True)
class BoxWeighed(Event):
    """The packed box of a shipment weighed on a scale, with its frame as evidence."""

    kind: ClassVar[str] = "box.weighed"
    shipment_id: str
    weight_id: str
    grams: int
    source: str
    raw_frame: bytes | None = None
    scale_id: str | None = None
    protocol: str | None = None


@dataclass(frozen=True, kw_only=True)
class BoxPacked(Event):
    """A shipment's box packed: its outbound number, weight, size, fee and declaration."""

    kind: ClassVar[str] = "box.packed"
    shipment_id: str
    box_id: str
    outbound_tracking_no: str
    tracking_source: str
    range_id: str | None = None
    # Boxes numbered before ranges were split into per-station blocks name no block.
    block_id: str | None = field(default=None, metadata=OMIT_NONE)
    weight_id: str
    weight_g: int
    dims_cm: tuple[int, ...]
    chargeable_g: int
    volumetric_g: int | None = None
    fee: int
    currency: str
    price_list_version: str
    zone: str
    customs_form: str
    declared_value: Decimal
    declared_currency: str
    export_declaration: bool
    customs_rules_version: str | None = None
    parcels: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ParcelPacked(Event):
    """A parcel went into its shipment's box."""

    kind: ClassVar[str] = "parcel.packed"
    shipment_id: str | None = None
    from_state: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParcelShipped(Event):
    """A parcel left with its shipment's box at handover."""

    kind: ClassVar[str] = "parcel.shipped"
    shipment_id: str | None = None
    from_state: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShipmentHandedOver(Event):
    """A shipment's box handed to the carrier."""

    kind: ClassVar[str] = "shipment.handed_over"
    shipment_id: str
    outbound_tracking_no: str | None = None
    parcels: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TrackingRangeAdded(Event):
    """A range of S10 outbound numbers of a service added."""

    kind: ClassVar[str] = "tracking_range.added"
    id: str
    service: str
    prefix: str
    country: str
    first_serial: int
    next_serial: int
    last_serial: int
    created_at: datetime | None = None
    created_by: str | None = None
    # Ranges added before they were split per station name no blocks: the adder's alone.
    blocks: tuple[RangeBlock, ...] | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class RangeBlock:
    """One station's block of a range, as the range's event records it."""

    id: str
    station_id: str
    first_serial: int
    last_serial: int


@dataclass(frozen=True, kw_only=True)
class TrackingBlockHanded(Event):
    """The unused tail of a station's block handed to another station."""

    kind: ClassVar[str] = "tracking.block_handed"
    block_id: str
    new_block_id: str
    range_id: str
    to_station: str
    first_serial: int
    last_serial: int


TYPES: tuple[type[Event], ...] = (
    ShipmentImported,
    ShipmentParcelConfirmed,
    BoxWeighed,
    BoxPacked,
    ParcelPacked,
    ParcelShipped,
    ShipmentHandedOver,
    TrackingRangeAdded,
    TrackingBlockHanded,
)
