"""Revealing one customer's unmasked details for one parcel: a supervisor's act, recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from jpgb_terminal.events import CustomerRevealed
from jpgb_terminal.privacy.crypto import unseal
from jpgb_terminal.rules.permissions import require
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotFound
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.weighing import get_parcel
from jpgb_terminal.store.tables import Customer, Operator


@dataclass(frozen=True)
class Revealed:
    """A customer's name, address and phone as stored, decrypted."""

    customer_id: str
    name: str
    address: str | None
    phone: str | None


def reveal_customer(
    session: Session, actor: Actor, tracking_no: str, *, at: datetime | None = None
) -> Revealed:
    """The unmasked customer of one parcel, for a supervisor or lead; writes `customer.revealed`."""
    operator = session.get(Operator, actor.operator) if actor.operator else None
    require(
        operator.role if operator is not None and operator.active else None, "reveal_personal_data"
    )
    parcel = get_parcel(session, tracking_no)
    customer = session.get(Customer, parcel.customer_id) if parcel.customer_id else None
    if customer is None:
        raise NotFound(f"parcel {tracking_no} has no known customer")
    # Who looked at whose data and for which parcel; the data itself stays out of the log.
    append_event(
        session,
        actor,
        CustomerRevealed(customer_id=customer.id, fields=("name", "address", "phone")),
        tracking_no=parcel.tracking_no,
        at=at,
    )
    return Revealed(
        customer.id, unseal(customer.name), unseal(customer.address), unseal(customer.phone)
    )
