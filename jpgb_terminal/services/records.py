"""Plain snapshots of rows the hot path reads and writes through SQLAlchemy Core.

The receiving and weighing path runs for every parcel, so it skips the ORM's identity map
and change tracking: it reads rows into these dataclasses and writes with Core statements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select

from jpgb_terminal.store.handles import CUSTOMER, HOLD, PARCEL, PREALERT


@dataclass
class ParcelRecord:
    """One row of `parcel`."""

    tracking_no: str
    scheme: str
    customer_id: str | None
    state: str
    station_id: str
    received_by: str | None
    received_at: datetime
    prealert_matched: bool
    weight_g: int | None
    weight_source: str | None
    weight_id: str | None
    updated_at: datetime


@dataclass(frozen=True)
class PreAlertRecord:
    """What the user announced for a parcel (Art. 12), with the customer's status."""

    tracking_no: str
    customer_id: str
    carrier: str | None
    contents: str | None
    declared_value: Decimal | None
    currency: str | None
    customer_name: str | None  # as stored: sealed when a key file is configured
    customer_status: str | None


_GET_PARCEL = select(PARCEL).where(PARCEL.c.tracking_no == bindparam("t"))
_GET_PREALERT = (
    select(
        PREALERT.c.tracking_no,
        PREALERT.c.customer_id,
        PREALERT.c.carrier,
        PREALERT.c.contents,
        PREALERT.c.declared_value,
        PREALERT.c.currency,
        CUSTOMER.c.name.label("customer_name"),
        CUSTOMER.c.status.label("customer_status"),
    )
    .select_from(PREALERT.outerjoin(CUSTOMER, CUSTOMER.c.id == PREALERT.c.customer_id))
    .where(PREALERT.c.tracking_no == bindparam("t"))
)
_OPEN_HOLD_REASONS = select(HOLD.c.reason).where(
    HOLD.c.tracking_no == bindparam("t"), HOLD.c.closed_at.is_(None)
)


def load_parcel(conn: Connection, tracking_no: str) -> ParcelRecord | None:
    """The parcel row, or None."""
    row = conn.execute(_GET_PARCEL, {"t": tracking_no}).mappings().first()
    return ParcelRecord(**row) if row else None


def load_prealert(conn: Connection, tracking_no: str) -> PreAlertRecord | None:
    """The pre-alert for a tracking number with its customer's name and status, or None."""
    row = conn.execute(_GET_PREALERT, {"t": tracking_no}).mappings().first()
    return PreAlertRecord(**row) if row else None


def open_hold_reasons(conn: Connection, tracking_no: str) -> set[str]:
    """Reasons of the parcel's holds that are still open."""
    return set(conn.execute(_OPEN_HOLD_REASONS, {"t": tracking_no}).scalars())


def insert_parcel(conn: Connection, parcel: ParcelRecord) -> None:
    """Insert a new parcel row."""
    conn.execute(PARCEL.insert(), asdict(parcel))


def update_parcel(conn: Connection, parcel: ParcelRecord, **values: Any) -> None:
    """Write `values` to the parcel row and to the snapshot."""
    conn.execute(PARCEL.update().where(PARCEL.c.tracking_no == parcel.tracking_no), values)
    for key, value in values.items():
        setattr(parcel, key, value)
