"""The store's tables: one schema for a station's SQLite file and for the central store."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from jpgb_terminal.store.types import UTCDateTime


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Customer(SQLModel, table=True):
    """A registered user of the forwarding service (Art. 8, 18: status can hold their parcels)."""

    __tablename__ = "customer"

    id: str = Field(primary_key=True, max_length=40)
    # Personal data, sealed at rest when a key file is configured: Text, not a bounded string,
    # because a Fernet token is longer than the clear value (the customer service bounds that).
    name: str = Field(sa_column=Column(Text, nullable=False))
    address: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    phone: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Identity-document number; encrypted at rest when a key file is configured.
    id_doc_no: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="active", max_length=16)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class PreAlert(SQLModel, table=True):
    """The user's notice of an incoming parcel (Art. 12)."""

    __tablename__ = "prealert"

    tracking_no: str = Field(primary_key=True, max_length=40)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=40)
    carrier: str | None = Field(default=None, max_length=40)
    contents: str | None = Field(default=None, max_length=500)
    declared_value: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    currency: str | None = Field(default=None, max_length=3)
    created_at: datetime = _ts()


class Parcel(SQLModel, table=True):
    """One inbound parcel and where it stands."""

    __tablename__ = "parcel"
    __table_args__ = (Index("ix_parcel_state_received", "state", "received_at"),)

    tracking_no: str = Field(primary_key=True, max_length=40)
    scheme: str = Field(max_length=10)
    customer_id: str | None = Field(default=None, index=True, max_length=40)
    state: str = Field(max_length=16)
    station_id: str = Field(max_length=40)
    received_by: str | None = Field(default=None, max_length=80)
    received_at: datetime = _ts(index=True)
    prealert_matched: bool = False
    weight_g: int | None = None
    weight_source: str | None = Field(default=None, max_length=10)
    weight_id: str | None = Field(default=None, max_length=36)
    updated_at: datetime = _ts()


class WeightRecord(SQLModel, table=True):
    """A weighing: the billing basis of Art. 11.1, with the scale's own frame as evidence."""

    __tablename__ = "weight_record"

    id: str = Field(primary_key=True, max_length=36)
    tracking_no: str = Field(foreign_key="parcel.tracking_no", index=True, max_length=40)
    grams: int
    source: str = Field(max_length=10)
    raw_frame: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    scale_id: str | None = Field(default=None, max_length=200)
    protocol: str | None = Field(default=None, max_length=20)
    station_id: str = Field(max_length=40)
    operator: str | None = Field(default=None, max_length=80)
    measured_at: datetime = _ts()
    reason: str | None = Field(default=None, max_length=500)
    approved_by: str | None = Field(default=None, max_length=80)
    event_id: str = Field(max_length=36)


class Inspection(SQLModel, table=True):
    """An opening and check of a parcel (Art. 13.1: no guarantee of quality)."""

    __tablename__ = "inspection"

    id: str = Field(primary_key=True, max_length=36)
    tracking_no: str = Field(foreign_key="parcel.tracking_no", index=True, max_length=40)
    opened: bool
    findings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=2000)
    operator: str | None = Field(default=None, max_length=80)
    station_id: str = Field(max_length=40)
    inspected_at: datetime = _ts()


class Hold(SQLModel, table=True):
    """A reason a parcel cannot go on (Art. 14), kept until decided (Art. 15)."""

    __tablename__ = "hold"
    __table_args__ = (Index("ix_hold_open_deadline", "closed_at", "deadline"),)

    id: str = Field(primary_key=True, max_length=36)
    tracking_no: str = Field(foreign_key="parcel.tracking_no", index=True, max_length=40)
    reason: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=2000)
    opened_at: datetime = _ts()
    opened_by: str | None = Field(default=None, max_length=80)
    station_id: str = Field(max_length=40)
    deadline: date
    closed_at: datetime | None = _ts(nullable=True)
    decision: str | None = Field(default=None, max_length=16)


class Operator(SQLModel, table=True):
    """A person who may log in to a station, with a PIN hash and a lockout counter (Art. 8)."""

    __tablename__ = "operator"

    name: str = Field(primary_key=True, max_length=80)
    role: str = Field(max_length=16)
    pin_hash: str = Field(max_length=200)
    failed_attempts: int = 0
    locked_until: datetime | None = _ts(nullable=True)
    active: bool = True
    created_at: datetime = _ts()


class Event(SQLModel, table=True):
    """Append-only record of every change, written in the transaction that makes the change."""

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("station_id", "seq", name="uq_event_station_seq"),)

    event_id: str = Field(primary_key=True, max_length=36)
    station_id: str = Field(max_length=40)
    seq: int
    kind: str = Field(max_length=40, index=True)
    tracking_no: str | None = Field(default=None, index=True, max_length=40)
    operator: str | None = Field(default=None, max_length=80)
    occurred_at: datetime = _ts()
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The audit chain (jpgb_terminal.events.chain): the station's previous event's hash, and
    # the SHA-256 of this event's canonical encoding including that link.
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class PublishedPriceList(SQLModel, table=True):
    """A price list published through the store (`jpgb prices publish`), synced to every bench."""

    __tablename__ = "price_list"

    version: str = Field(primary_key=True, max_length=40)
    effective_from: datetime = _ts()
    # The TOML exactly as published: every bench parses the same text against its services.
    body: str = Field(sa_column=Column(Text, nullable=False))
    published_at: datetime = _ts()
    station_id: str = Field(max_length=40)
    operator: str | None = Field(default=None, max_length=80)
    event_id: str = Field(max_length=36)
