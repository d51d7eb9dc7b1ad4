"""Events of a parcel's life: receipt, weighing, inspection, clearance, holds, decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from jpgb_terminal.events.base import OMIT_NONE, Event


@dataclass(frozen=True, kw_only=True)
class ParcelReceived(Event):
    """A parcel scanned in at a bench."""

    kind: ClassVar[str] = "parcel.received"
    scheme: str | None = None
    scanned: str | None = None
    customer_id: str | None = None
    # None on an event stored without it: the projection then keeps what it knows.
    prealert_matched: bool | None = None


@dataclass(frozen=True, kw_only=True)
class ParcelWeighed(Event):
    """A parcel weighed, with the scale's evidence or the manual entry's reason."""

    kind: ClassVar[str] = "parcel.weighed"
    weight_id: str
    grams: int
    source: str
    raw_frame: bytes | None = None
    scale_id: str | None = None
    protocol: str | None = None
    reason: str | None = None
    approved_by: str | None = None
    from_state: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParcelInspected(Event):
    """A parcel inspected (opened or not) and what was found."""

    kind: ClassVar[str] = "parcel.inspected"
    inspection_id: str
    opened: bool
    findings: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParcelCleared(Event):
    """A weighed parcel cleared for shipping."""

    kind: ClassVar[str] = "parcel.cleared"
    from_state: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParcelHeld(Event):
    """A hold opened on a parcel for a reason, until a deadline."""

    kind: ClassVar[str] = "parcel.held"
    hold_id: str
    reason: str
    deadline: date
    note: str | None = None
    from_state: str | None = None
    # Written only for a prohibited-item hold: the categories the inspection found.
    categories: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class Sale:
    """The settled sale of a decision to sell (Art. 15): amounts in whole yen."""

    # Absent from events written before the id travelled (projections derive one).
    sale_id: str | None = field(default=None, metadata=OMIT_NONE)
    currency: str
    proceeds: int
    custody_fee: int
    disposal_fee: int
    service_fee: int
    fees: int | None = field(default=None, metadata=OMIT_NONE)
    balance: int
    shortfall: int
    interest: int | None = field(default=None, metadata=OMIT_NONE)
    balance_fixed_on: date
    remittance_due: date | None = None


@dataclass(frozen=True, kw_only=True)
class ParcelDecided(Event):
    """A supervisor's decision on a held parcel, closing the holds it names."""

    kind: ClassVar[str] = "parcel.decided"
    decision_id: str
    action: str
    to_state: str
    article: str | None = None
    note: str | None = None
    role: str | None = None
    from_state: str | None = None
    hold_ids: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    deadline: date | None = None
    consent_reference: str | None = None
    report_reference: str | None = None
    sale: Sale | None = None


@dataclass(frozen=True, kw_only=True)
class ReceiptReviewed(Event):
    """A supervisor reviewed the duplicate receipts of a parcel."""

    kind: ClassVar[str] = "receipt.reviewed"
    receipt_event_ids: tuple[str, ...]
    note: str | None = None


TYPES: tuple[type[Event], ...] = (
    ParcelReceived,
    ParcelWeighed,
    ParcelInspected,
    ParcelCleared,
    ParcelHeld,
    ParcelDecided,
    ReceiptReviewed,
)
