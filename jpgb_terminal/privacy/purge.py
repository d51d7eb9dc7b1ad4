"""Retention: anonymise the personal data of customers with nothing left in custody.

A customer is purged when every parcel of theirs is finished (returned, disposed, sold,
reported or shipped) and the newest of them changed more than `older_than_days` ago, or when
they have no parcel at all, no pre-alert since then, and their record last changed before
then.  A packed parcel is not
finished: its box, with the address on its label, is still in the warehouse.  Name, address,
phone and identity-document number are replaced; the customer id, parcels, weights, holds,
decisions, sales and every event stay, so billing and the audit chain are untouched.  Each
anonymisation is a `customer.anonymised` event naming only the id.  The recipients (name,
address, phone) of shipments shipped before the cutoff are cleared too, one
`customer.recipients_purged` event per customer naming the shipment ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, exists, func, or_, select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import CustomerAnonymised, CustomerRecipientsPurged
from jpgb_terminal.privacy.fields import ANONYMISED_NAME, PERSONAL_FIELDS
from jpgb_terminal.rules.states import ParcelState
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store.handles import CUSTOMER, PARCEL, PREALERT, SHIPMENT

FINISHED = frozenset(
    {
        ParcelState.RETURNED.value,
        ParcelState.DISPOSED.value,
        ParcelState.SOLD.value,
        ParcelState.REPORTED.value,
        ParcelState.SHIPPED.value,
    }
)
RECIPIENT_FIELDS = ("recipient_name", "recipient_address", "recipient_phone")
SHIPPED = "shipped"  # a shipment's final state: the box has left with the carrier


@dataclass
class PurgeReport:
    """What a purge changed (or, on a dry run, would change)."""

    cutoff: datetime
    dry_run: bool
    customers: list[str] = field(default_factory=list)
    parcels: int = 0
    fields_cleared: int = 0
    shipments: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        verb = "would anonymise" if self.dry_run else "anonymised"
        return (
            f"{verb} {len(self.customers)} customer(s) with {self.parcels} finished parcel(s) "
            f"before {self.cutoff.date().isoformat()}; {self.fields_cleared} field(s) cleared; "
            f"recipients of {self.shipments} shipment(s) cleared; billing, weights and events kept"
        )


def purge_personal_data(
    session: Session,
    actor: Actor,
    older_than_days: int,
    *,
    dry_run: bool = False,
    at: datetime | None = None,
) -> PurgeReport:
    """Anonymise customers with nothing in custody since more than `older_than_days` ago, and
    clear the recipients of shipments shipped before then; only an operator whose role the
    permission table allows may (never the administrator)."""
    authorize(session, actor, "purge", administrator=False)
    if older_than_days < 1:
        raise ServiceError("--older-than must be at least 1 day")
    at = at or now()
    cutoff = at - timedelta(days=older_than_days)
    conn = session.connection()
    finished = PARCEL.c.state.in_(sorted(FINISHED))
    per_customer = (
        select(
            PARCEL.c.customer_id,
            func.count().label("parcels"),
            func.sum(case((finished, 0), else_=1)).label("open"),
            func.max(PARCEL.c.updated_at).label("last"),
        )
        .where(PARCEL.c.customer_id.is_not(None))
        .group_by(PARCEL.c.customer_id)
        .subquery()
    )
    stmt = (
        select(CUSTOMER, per_customer.c.parcels, per_customer.c.last)
        .outerjoin(per_customer, per_customer.c.customer_id == CUSTOMER.c.id)
        .where(
            or_(
                and_(per_customer.c.open == 0, per_customer.c.last < cutoff),
                # Never had a parcel here: the customer's own record says how old it is, and
                # a recent pre-alert announces a parcel still to come.
                and_(
                    per_customer.c.customer_id.is_(None),
                    CUSTOMER.c.updated_at < cutoff,
                    ~exists().where(
                        PREALERT.c.customer_id == CUSTOMER.c.id, PREALERT.c.created_at >= cutoff
                    ),
                ),
            ),
            CUSTOMER.c.name != ANONYMISED_NAME,
        )
        .order_by(CUSTOMER.c.id)
    )
    report = PurgeReport(cutoff, dry_run)
    for row in conn.execute(stmt).mappings().all():
        report.customers.append(row["id"])
        report.parcels += int(row["parcels"] or 0)
        cleared = anonymise_row(conn, row, at) if not dry_run else _personal(row)
        report.fields_cleared += len(cleared)
        if dry_run:
            continue
        # Only the id and which fields were cleared: the event log holds no personal data.
        append_event(
            session,
            actor,
            CustomerAnonymised(
                customer_id=row["id"], fields=tuple(cleared), older_than_days=older_than_days
            ),
            at=at,
        )
    shipped = conn.execute(
        select(SHIPMENT.c.id, SHIPMENT.c.customer_id)
        .where(
            SHIPMENT.c.state == SHIPPED,
            SHIPMENT.c.updated_at < cutoff,
            or_(*(SHIPMENT.c[f].is_not(None) for f in RECIPIENT_FIELDS)),
        )
        .order_by(SHIPMENT.c.customer_id, SHIPMENT.c.id)
    ).all()
    by_customer: dict[str, list[str]] = {}
    for sid, cid in shipped:
        by_customer.setdefault(cid, []).append(sid)
    report.shipments = len(shipped)
    if not dry_run:
        for cid, ids in by_customer.items():
            clear_recipients(conn, ids, at)
            append_event(
                session,
                actor,
                CustomerRecipientsPurged(
                    customer_id=cid, shipments=tuple(ids), older_than_days=older_than_days
                ),
                at=at,
            )
    return report


def _personal(row: Any) -> list[str]:
    return [f for f in PERSONAL_FIELDS if row[f] is not None]


def anonymise_row(conn: Connection, row: Any, at: datetime) -> list[str]:
    """Replace one customer's personal fields; returns the fields that held something."""
    cleared = _personal(row)
    conn.execute(
        CUSTOMER.update()
        .where(CUSTOMER.c.id == row["id"])
        .values(name=ANONYMISED_NAME, address=None, phone=None, id_doc_no=None, updated_at=at)
    )
    return cleared


def clear_recipients(conn: Connection, shipment_ids: list[str], at: datetime) -> None:
    """Clear the recipient of these shipments; the box, its weight and its lines stay."""
    if shipment_ids:
        conn.execute(
            SHIPMENT.update()
            .where(SHIPMENT.c.id.in_(shipment_ids))
            .values(recipient_name=None, recipient_address=None, recipient_phone=None)
        )
