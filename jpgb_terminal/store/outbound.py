"""Outbound tables: shipment requests, their parcels and customs lines, boxes, box weights and
the carriers' tracking-number ranges.

No foreign key points from these tables to `parcel` or `customer`: central applies a station's
shipment events in its own order, and a request may reach central before the receipt of a
parcel it names (taken at another station) or before the customer's row. Within the outbound
tables the keys hold, because one station writes a request, its box and its weight in order.

The packed box's weight lives in `box_weight`, not `weight_record`: `weight_record` is keyed
by an inbound parcel's tracking number, and a box has none until it is packed. The evidence
columns are the same (raw frame, scale id, protocol, station, operator, time).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    LargeBinary,
    Numeric,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from jpgb_terminal.store.types import UTCDateTime


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _yen(*, nullable: bool = False) -> Any:
    # BigInteger: PostgreSQL's INTEGER stops at about 2.1 billion yen.
    return Field(default=None, sa_column=Column(BigInteger(), nullable=nullable))


class Shipment(SQLModel, table=True):
    """A customer's request to send stored parcels abroad: one request, one box."""

    __tablename__ = "shipment"

    id: str = Field(primary_key=True, max_length=20)
    customer_id: str = Field(index=True, max_length=40)
    service: str = Field(max_length=16)
    country: str = Field(max_length=2)
    # Personal data: masked on screens, never in events or manifests, sealed at rest when the
    # station has a key file (Text, because a sealed value is longer than the plain one).
    recipient_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recipient_address: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recipient_phone: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    category: str = Field(max_length=16)
    insurance_jpy: int = _yen()
    state: str = Field(max_length=16, index=True)
    station_id: str = Field(max_length=40)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class ShipmentParcel(SQLModel, table=True):
    """A stored parcel a request asks to send, and when the packer confirmed it by scan."""

    __tablename__ = "shipment_parcel"

    shipment_id: str = Field(foreign_key="shipment.id", primary_key=True, max_length=20)
    tracking_no: str = Field(primary_key=True, index=True, max_length=40)
    confirmed_at: datetime | None = _utc(nullable=True)
    confirmed_by: str | None = Field(default=None, max_length=80)


class CustomsLine(SQLModel, table=True):
    """One line of the customs declaration (CN22/CN23): what, how many, worth, from where."""

    __tablename__ = "customs_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_customs_line_quantity"),
        CheckConstraint("unit_value >= 0", name="ck_customs_line_value"),
    )

    shipment_id: str = Field(foreign_key="shipment.id", primary_key=True, max_length=20)
    line_no: int = Field(primary_key=True)
    description: str = Field(max_length=200)
    quantity: int
    unit_value: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    currency: str = Field(max_length=3)
    hs_code: str | None = Field(default=None, max_length=12)
    origin_country: str = Field(max_length=2)
    net_weight_g: int | None = None
    lithium: str = Field(default="none", max_length=16)


class BoxWeight(SQLModel, table=True):
    """A weighing of a packed box: the billing basis of Art. 11.1, with the scale's frame."""

    __tablename__ = "box_weight"

    id: str = Field(primary_key=True, max_length=36)
    shipment_id: str = Field(foreign_key="shipment.id", index=True, max_length=20)
    grams: int
    source: str = Field(max_length=10)
    raw_frame: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    scale_id: str | None = Field(default=None, max_length=200)
    protocol: str | None = Field(default=None, max_length=20)
    station_id: str = Field(max_length=40)
    operator: str | None = Field(default=None, max_length=80)
    measured_at: datetime = _utc()
    event_id: str = Field(max_length=36)


class Box(SQLModel, table=True):
    """A packed outbound box: its carrier number, weight, size, price and declaration."""

    __tablename__ = "box"
    __table_args__ = (
        UniqueConstraint("shipment_id", name="uq_box_shipment"),
        UniqueConstraint("outbound_tracking_no", name="uq_box_outbound_tracking_no"),
        CheckConstraint("fee >= 0", name="ck_box_fee_not_negative"),
    )

    id: str = Field(primary_key=True, max_length=36)
    shipment_id: str = Field(foreign_key="shipment.id", max_length=20)
    outbound_tracking_no: str = Field(max_length=40)
    tracking_source: str = Field(max_length=10)
    station_id: str = Field(max_length=40)
    operator: str | None = Field(default=None, max_length=80)
    packed_at: datetime = _utc(index=True)
    weight_id: str = Field(foreign_key="box_weight.id", max_length=36)
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    chargeable_g: int
    fee: int = _yen()
    currency: str = Field(max_length=3)
    price_list_version: str = Field(max_length=40)
    zone: str = Field(max_length=8)
    customs_form: str = Field(max_length=4)
    declared_value: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    declared_currency: str = Field(max_length=3)
    export_declaration: bool = False
    handed_over_at: datetime | None = _utc(nullable=True, index=True)
    handed_over_by: str | None = Field(default=None, max_length=80)
    event_id: str = Field(max_length=36)


class TrackingRange(SQLModel, table=True):
    """S10 serial numbers a carrier issued to the warehouse for one service."""

    __tablename__ = "tracking_range"
    __table_args__ = (
        CheckConstraint(
            "first_serial <= next_serial AND next_serial <= last_serial + 1",
            name="ck_tracking_range_serials",
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    service: str = Field(index=True, max_length=16)
    prefix: str = Field(max_length=2)
    country: str = Field(max_length=2)
    first_serial: int
    next_serial: int
    last_serial: int
    created_at: datetime = _utc()
    created_by: str | None = Field(default=None, max_length=80)


class TrackingBlock(SQLModel, table=True):
    """Serials of a range that only one station gives out (README, "Tracking-number ranges").

    `next_serial` is exact at the owner; elsewhere it follows the owner's boxes as they sync.
    """

    __tablename__ = "tracking_block"
    __table_args__ = (
        CheckConstraint(
            "first_serial <= next_serial AND next_serial <= last_serial + 1",
            name="ck_tracking_block_serials",
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    range_id: str = Field(index=True, max_length=36)
    station_id: str = Field(index=True, max_length=40)
    service: str = Field(max_length=16)
    prefix: str = Field(max_length=2)
    country: str = Field(max_length=2)
    first_serial: int
    next_serial: int
    last_serial: int
    created_at: datetime = _utc()
