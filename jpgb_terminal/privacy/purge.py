"""Retention: anonymise the personal data of customers whose parcels are long finished.

A customer is purged when every parcel of theirs is finished (returned, disposed, sold,
reported or shipped) and the newest of them changed more than `older_than_days` ago.  A packed
parcel is not finished: its box, with the address on its label, is still in the warehouse.
Name, address, phone and identity-document number are replaced; the customer id, parcels,
weights, holds, decisions, sales and every event stay, so billing and the audit chain are
untouched.  Each anonymisation is a `customer.anonymised` event naming only the id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.rules.states import ParcelState
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.records import CUSTOMER, PARCEL

ANONYMISED_NAME = "anonymised"
FINISHED = frozenset(
    {
        ParcelState.RETURNED.value,
        ParcelState.DISPOSED.value,
        ParcelState.SOLD.value,
        ParcelState.REPORTED.value,
        ParcelState.SHIPPED.value,
    }
)
PERSONAL_FIELDS = ("name", "address", "phone", "id_doc_no")


@dataclass
class PurgeReport:
    """What a purge changed (or, on a dry run, would change)."""

    cutoff: datetime
    dry_run: bool
    customers: list[str] = field(default_factory=list)
    parcels: int = 0
    fields_cleared: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        verb = "would anonymise" if self.dry_run else "anonymised"
        return (
            f"{verb} {len(self.customers)} customer(s) with {self.parcels} finished parcel(s) "
            f"before {self.cutoff.date().isoformat()}; {self.fields_cleared} field(s) cleared; "
            "billing, weights and events kept"
        )


def purge_personal_data(
    session: Session,
    actor: Actor,
    older_than_days: int,
    *,
    dry_run: bool = False,
    at: datetime | None = None,
) -> PurgeReport:
    """Anonymise customers whose parcels all finished more than `older_than_days` ago; only
    an operator whose role the permission table allows may (never the administrator)."""
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
        .join(per_customer, per_customer.c.customer_id == CUSTOMER.c.id)
        .where(
            per_customer.c.open == 0,
            per_customer.c.last < cutoff,
            CUSTOMER.c.name != ANONYMISED_NAME,
        )
        .order_by(CUSTOMER.c.id)
    )
    report = PurgeReport(cutoff, dry_run)
    for row in conn.execute(stmt).mappings().all():
        cleared = [f for f in PERSONAL_FIELDS if row[f] is not None]
        report.customers.append(row["id"])
        report.parcels += int(row["parcels"])
        report.fields_cleared += len(cleared)
        if dry_run:
            continue
        conn.execute(
            CUSTOMER.update()
            .where(CUSTOMER.c.id == row["id"])
            .values(name=ANONYMISED_NAME, address=None, phone=None, id_doc_no=None, updated_at=at)
        )
        # Only the id and which fields were cleared: the event log holds no personal data.
        append_event(
            session,
            actor,
            "customer.anonymised",
            {"customer_id": row["id"], "fields": cleared, "older_than_days": older_than_days},
            at=at,
        )
    return report
