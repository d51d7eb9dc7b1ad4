"""Events of people: customers (by id, never their personal data), pre-alerts, operators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from jpgb_terminal.events.base import OMIT_NONE, Event, key


@dataclass(frozen=True, kw_only=True)
class CustomerAdded(Event):
    """A customer registered; `fields` names the personal fields set (values travel beside)."""

    kind: ClassVar[str] = "customer.added"
    customer_id: str
    # None on an event written before changes named their fields: the whole row applies.
    fields: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class CustomerUpdated(Event):
    """Personal fields of a customer changed (their names only)."""

    kind: ClassVar[str] = "customer.updated"
    customer_id: str
    fields: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class CustomerStatusChanged(Event):
    """A customer's status moved (active, suspended, frozen...)."""

    kind: ClassVar[str] = "customer.status_changed"
    customer_id: str
    previous: str | None = field(default=None, metadata=key("from"))
    status: str = field(metadata=key("to"))
    note: str | None = None
    fields: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class CustomerAnonymised(Event):
    """A customer's personal data cleared for good, by retention or by an erasure request."""

    kind: ClassVar[str] = "customer.anonymised"
    customer_id: str
    fields: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)
    erased: bool | None = field(default=None, metadata=OMIT_NONE)
    shipments: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)
    older_than_days: int | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class CustomerRecipientsPurged(Event):
    """Recipient details of a customer's old shipments cleared (they never travel)."""

    kind: ClassVar[str] = "customer.recipients_purged"
    customer_id: str
    shipments: tuple[str, ...]
    older_than_days: int | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class CustomerRevealed(Event):
    """Who looked at which personal fields of a customer (the data stays out of the log)."""

    kind: ClassVar[str] = "customer.revealed"
    customer_id: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PrealertRecorded(Event):
    """A customer's pre-alert of an inbound parcel, imported or updated."""

    kind: ClassVar[str] = "prealert.recorded"
    customer_id: str
    carrier: str | None = None
    contents: str | None = None
    declared_value: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True, kw_only=True)
class OperatorAdded(Event):
    """An operator created with a role (the PIN's hash travels with the row, not here)."""

    kind: ClassVar[str] = "operator.added"
    name: str
    role: str


@dataclass(frozen=True, kw_only=True)
class OperatorLocked(Event):
    """The event's operator locked out after too many wrong PINs."""

    kind: ClassVar[str] = "operator.locked"
    until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class OperatorUnlocked(Event):
    """A lead or supervisor lifted an operator's lockout."""

    kind: ClassVar[str] = "operator.unlocked"
    name: str


@dataclass(frozen=True, kw_only=True)
class OperatorPinChanged(Event):
    """An operator's PIN changed (named only: the hash comes with the operator's row)."""

    kind: ClassVar[str] = "operator.pin_changed"
    name: str


@dataclass(frozen=True, kw_only=True)
class OperatorPinFailed(Event):
    """A wrong PIN of the named operator, counted wherever it arrives (one lockout per site)."""

    kind: ClassVar[str] = "operator.pin_failed"
    name: str


@dataclass(frozen=True, kw_only=True)
class OperatorFailuresCleared(Event):
    """The right PIN after wrong ones: the operator's run of failures ends everywhere."""

    kind: ClassVar[str] = "operator.failures_cleared"
    name: str


@dataclass(frozen=True, kw_only=True)
class OperatorResolved(Event):
    """A lead settled the role of an operator name two benches added differently."""

    kind: ClassVar[str] = "operator.resolved"
    name: str
    role: str


TYPES: tuple[type[Event], ...] = (
    CustomerAdded,
    CustomerUpdated,
    CustomerStatusChanged,
    CustomerAnonymised,
    CustomerRecipientsPurged,
    CustomerRevealed,
    PrealertRecorded,
    OperatorAdded,
    OperatorLocked,
    OperatorUnlocked,
    OperatorPinChanged,
    OperatorPinFailed,
    OperatorFailuresCleared,
    OperatorResolved,
)
