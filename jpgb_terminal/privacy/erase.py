"""Erasure on request: anonymise one customer now, as retention would later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import CustomerAnonymised
from jpgb_terminal.privacy.purge import ANONYMISED_NAME, FINISHED, anonymise_row, clear_recipients
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store.handles import CUSTOMER, PARCEL, SHIPMENT


def erase_customer(
    session: Session, actor: Actor, customer_id: str, *, at: datetime | None = None
) -> list[str]:
    """Anonymise one customer and clear the recipients of their shipments; billing, weights
    and events stay.  Returns the personal fields cleared.  Refused while any of their parcels
    is still in the warehouse (its label and the carrier need the address)."""
    authorize(session, actor, "erase_customer", administrator=False)
    conn = session.connection()
    row = conn.execute(select(CUSTOMER).where(CUSTOMER.c.id == customer_id)).mappings().first()
    if row is None:
        raise NotFound(f"no customer {customer_id}")
    if row["name"] == ANONYMISED_NAME:
        raise ServiceError(f"customer {customer_id} is already anonymised")
    in_custody = conn.execute(
        select(func.count()).where(
            PARCEL.c.customer_id == customer_id, PARCEL.c.state.not_in(sorted(FINISHED))
        )
    ).scalar_one()
    if in_custody:
        raise ServiceError(
            f"customer {customer_id} has {in_custody} parcel(s) still in the warehouse: "
            "return, ship or dispose of them first"
        )
    at = at or now()
    shipments = list(
        conn.execute(
            select(SHIPMENT.c.id)
            .where(SHIPMENT.c.customer_id == customer_id)
            .order_by(SHIPMENT.c.id)
        ).scalars()
    )
    cleared = anonymise_row(conn, row, at)
    clear_recipients(conn, shipments, at)
    # The same event as retention, so every store applies it the same way; `erased` says why.
    append_event(
        session,
        actor,
        CustomerAnonymised(
            customer_id=customer_id, fields=tuple(cleared), erased=True, shipments=tuple(shipments)
        ),
        at=at,
    )
    return cleared
