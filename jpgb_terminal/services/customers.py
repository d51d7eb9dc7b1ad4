"""Customers: registration and account status (Art. 8 suspension, Art. 18.1(9) freeze)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import CustomerAdded, CustomerStatusChanged, CustomerUpdated
from jpgb_terminal.privacy.crypto import seal, unseal
from jpgb_terminal.privacy.fields import ANONYMISED_NAME, NAME_MAX, PERSONAL_FIELDS, PHONE_MAX
from jpgb_terminal.rules.holds import CUSTOMER_STATUSES, STATUS_HOLD_REASON
from jpgb_terminal.rules.permissions import require
from jpgb_terminal.rules.states import ParcelState
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.holds import hold_parcel
from jpgb_terminal.services.limits import check_text
from jpgb_terminal.services.records import ParcelRecord, open_hold_reasons
from jpgb_terminal.store.handles import PARCEL
from jpgb_terminal.store.tables import Customer, Operator

# Parcels still in the warehouse and not yet held: a status change holds these.
IN_STORAGE = (ParcelState.RECEIVED, ParcelState.WEIGHED, ParcelState.CLEARED, ParcelState.RELEASED)
MAX_ID_LEN = 40
CUSTOMER_ID = re.compile(r"[\w.\-/]+")  # an identifier: printed and typed as it is
ENTRY_LIMITS = {"name": NAME_MAX, "phone": PHONE_MAX}


def check_personal(values: Mapping[str, str | None]) -> None:
    """Refuse a clear personal value central would refuse, or longer than the input limit: the
    columns hold sealed values, so the length of what was typed is checked here, before it."""
    for field, value in values.items():
        check_text(field, value)
        limit = ENTRY_LIMITS.get(field)
        if value is not None and limit is not None and len(value) > limit:
            raise ServiceError(f"customer {field} is longer than {limit} characters")


def add_customer(
    session: Session,
    actor: Actor,
    customer_id: str,
    *,
    name: str,
    address: str | None = None,
    phone: str | None = None,
    id_doc_no: str | None = None,
    at: datetime | None = None,
) -> Customer:
    """Register a customer; the id must be new.  Name, address, phone and identity-document
    number are stored sealed when a key file is configured (jpgb_terminal.privacy.crypto)."""
    customer_id = customer_id.strip()
    if len(customer_id) > MAX_ID_LEN or not CUSTOMER_ID.fullmatch(customer_id):
        raise ServiceError(
            f"customer id {customer_id!r} must be 1 to 40 letters, digits, '.', '-', '/' "
            "or '_', no spaces"
        )
    if not name.strip():
        raise ServiceError("customer name must not be empty")
    check_personal(
        {"name": name.strip(), "address": address, "phone": phone, "id_doc_no": id_doc_no}
    )
    if session.get(Customer, customer_id) is not None:
        raise ServiceError(f"customer {customer_id} already exists")
    at = at or now()
    customer = Customer(
        id=customer_id,
        name=seal(name.strip()),
        address=seal(address),
        phone=seal(phone),
        id_doc_no=seal(id_doc_no),
        status="active",
        created_at=at,
        updated_at=at,
    )
    session.add(customer)
    # Personal data stays out of the event log: the id and the names of the fields set travel;
    # the values go beside the event, in the customer's row.
    fields = [f for f in PERSONAL_FIELDS if getattr(customer, f) is not None]
    append_event(
        session, actor, CustomerAdded(customer_id=customer_id, fields=tuple(fields)), at=at
    )
    return customer


def update_customer(
    session: Session,
    actor: Actor,
    customer_id: str,
    changes: Mapping[str, str | None],
    *,
    at: datetime | None = None,
) -> list[str]:
    """Change a customer's name, address, phone or identity-document number; returns the
    fields that changed.  An anonymised customer's personal data cannot be set again."""
    unknown = sorted(set(changes) - set(PERSONAL_FIELDS))
    if unknown:
        raise ServiceError(f"not a customer field: {', '.join(unknown)}")
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    if customer.name == ANONYMISED_NAME:
        raise ServiceError(f"customer {customer_id} is anonymised: its personal data is gone")
    if "name" in changes and not (changes["name"] or "").strip():
        raise ServiceError("customer name must not be empty")
    clear = {f: (v.strip() if f == "name" and v else v) for f, v in changes.items()}
    check_personal(clear)
    # A sealed value differs at every sealing: compare what it says.
    changed = [
        f for f in PERSONAL_FIELDS if f in clear and unseal(getattr(customer, f)) != clear[f]
    ]
    if not changed:
        return []
    at = at or now()
    for f in changed:
        setattr(customer, f, seal(clear[f]))
    customer.updated_at = at
    session.add(customer)
    session.flush()
    append_event(
        session, actor, CustomerUpdated(customer_id=customer_id, fields=tuple(changed)), at=at
    )
    return changed


def set_customer_status(
    session: Session,
    actor: Actor,
    customer_id: str,
    status: str,
    *,
    note: str | None = None,
    operator_role: str | None = None,
    at: datetime | None = None,
) -> list[str]:
    """Change a customer's status; suspending or freezing holds their parcels in storage.

    An operator acting (`actor.operator`) must have a role the permission table allows;
    `operator_role` gives that role when the caller already knows it.  A change with no
    operator is the station administrator's (setup, demo).  Returns the tracking numbers
    newly held.
    """
    if actor.operator is not None or operator_role is not None:
        if operator_role is None:
            row = session.get(Operator, actor.operator)
            operator_role = row.role if row is not None and row.active else None
        require(operator_role, "set_customer_status")
    if status not in CUSTOMER_STATUSES:
        raise ServiceError(f"unknown status {status!r} (one of {', '.join(CUSTOMER_STATUSES)})")
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    at = at or now()
    previous = customer.status
    customer.status = status
    customer.updated_at = at
    session.add(customer)
    # The receiving path reads customers through Core, which does not autoflush.
    session.flush()
    held: list[str] = []
    if previous != status:
        # The holds go into the log before the status: a bench that pulls them one page at a
        # time knows these holds by the time the status tells it to hold its own parcels.
        held = hold_for_status(
            session, actor, customer_id, status, note=f"customer {status}", at=at
        )
    append_event(
        session,
        actor,
        # `fields`: none, a status change sets no personal field.
        CustomerStatusChanged(
            customer_id=customer_id, previous=previous, status=status, note=note, fields=()
        ),
        at=at,
    )
    return held


def hold_for_status(
    session: Session,
    actor: Actor,
    customer_id: str,
    status: str,
    *,
    note: str,
    at: datetime | None = None,
    received_at: str | None = None,
) -> list[str]:
    """Hold the customer's parcels in storage that a `status` needs held and are not yet held
    for that reason; returns their tracking numbers (none for a status that holds nothing).

    `received_at` limits it to the parcels received at that station.
    """
    reason = STATUS_HOLD_REASON.get(status)
    if reason is None:
        return []
    at = at or now()
    conn = session.connection()
    query = select(PARCEL).where(
        PARCEL.c.customer_id == customer_id,
        PARCEL.c.state.in_([s.value for s in IN_STORAGE]),
    )
    if received_at is not None:
        query = query.where(PARCEL.c.station_id == received_at)
    rows = conn.execute(query).mappings()
    held: list[str] = []
    for parcel in [ParcelRecord(**row) for row in rows]:
        if reason not in open_hold_reasons(conn, parcel.tracking_no):
            hold_parcel(session, actor, parcel, reason, note=note, at=at)
            held.append(parcel.tracking_no)
    return held
