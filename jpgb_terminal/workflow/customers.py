"""Customers as people handle them: register, change details, look up, change status.

The status dialog of the terminal (the logged-in supervisor) and `jpgb customer ...` (a name
and PIN) reach the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from jpgb_terminal.privacy.crypto import masked_name
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import (
    IN_STORAGE,
    add_customer,
    set_customer_status,
    update_customer,
)
from jpgb_terminal.services.errors import NotFound
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import PARCEL
from jpgb_terminal.store.tables import Customer
from jpgb_terminal.workflow.auth import Who, act_with_pin


@dataclass(frozen=True)
class CustomerSummary:
    """A customer as the status dialog shows it: masked name, status, parcels in storage."""

    customer_id: str
    masked_name: str
    status: str
    in_storage: int
    held: int


@dataclass(frozen=True)
class StatusChange:
    """A status change done: the customer after it, the parcels newly held, who changed it."""

    summary: CustomerSummary
    newly_held: tuple[str, ...]
    by: str | None


def register_customer(
    store: Store,
    actor: Actor,
    customer_id: str,
    *,
    name: str,
    address: str | None = None,
    phone: str | None = None,
    id_doc_no: str | None = None,
) -> None:
    """Register a new customer (the station administrator's setup step)."""
    with store.transaction() as session:
        add_customer(
            session,
            actor,
            customer_id,
            name=name,
            address=address,
            phone=phone,
            id_doc_no=id_doc_no,
        )


def change_customer_details(
    store: Store, actor: Actor, customer_id: str, changes: Mapping[str, str | None]
) -> list[str]:
    """Change the fields given; returns those whose value changed."""
    with store.transaction() as session:
        return update_customer(session, actor, customer_id, changes)


def customer_summary(store: Store, customer_id: str) -> CustomerSummary:
    """The customer's masked name, status and how many of their parcels the warehouse holds."""
    with store.transaction() as session:
        customer = session.get(Customer, customer_id.strip())
        if customer is None:
            raise NotFound(f"no customer {customer_id.strip()!r}")
        rows = session.connection().execute(
            select(PARCEL.c.state, func.count())
            .where(PARCEL.c.customer_id == customer.id)
            .group_by(PARCEL.c.state)
        )
        counts: dict[str, int] = {state: n for state, n in rows}
    storage = sum(n for state, n in counts.items() if state in {s.value for s in IN_STORAGE})
    held = counts.get("held", 0)
    return CustomerSummary(customer.id, masked_name(customer.name), customer.status, storage, held)


def change_customer_status(
    store: Store,
    who: Who,
    customer_id: str,
    status: str,
    note: str | None,
    at: datetime | None = None,
) -> StatusChange:
    """Set the status (holding stored parcels on suspend or freeze) as the operator `who`
    names, their PIN checked first when it is given; the summary after, the parcels held."""

    def act(session: Session, actor: Actor) -> tuple[Actor, list[str]]:
        held = set_customer_status(
            session,
            actor,
            customer_id.strip(),
            status,
            note=note or None,
            operator_role=actor.role,
            at=at,
        )
        return actor, held

    actor, newly_held = act_with_pin(store, who, act, at=at)
    return StatusChange(customer_summary(store, customer_id), tuple(newly_held), actor.operator)
