"""What a pulled event means for this bench: the `after_pull` hook its sync callers pass in.

The transport (jpgb_terminal.sync) holds no business rule: it applies what it pulls and hands
the applied events to the caller's hook in the page's transaction.  `jpgb sync` and the
terminal's sync worker pass `hold_for_pulled_statuses`: a customer suspended or frozen at
another bench holds the parcels received here.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlmodel import Session

from jpgb_terminal.projections.events import SyncEvent
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import hold_for_status
from jpgb_terminal.store.handles import CUSTOMER


def hold_for_pulled_statuses(
    conn: Connection, station_id: str, events: list[SyncEvent]
) -> list[str]:
    """A customer suspended or frozen at another bench: hold the parcels received here too.

    The bench that changed the status held the parcels it knew of, and wrote those holds
    before the status, so they have been pulled by now.  Parcels received here and not yet
    seen there are this bench's to hold, as its own events, which the next push carries to
    central.  Parcels received at a third bench are that bench's to hold (holding them here
    as well would open the hold twice), and parcels already held for the reason are left alone.
    """
    customers = sorted(
        {
            e.payload["customer_id"]
            for e in events
            if e.kind == "customer.status_changed" and isinstance(e.payload.get("customer_id"), str)
        }
    )
    if not customers:
        return []
    held: list[str] = []
    actor = Actor(station_id)
    rows = conn.execute(
        select(CUSTOMER.c.id, CUSTOMER.c.status).where(CUSTOMER.c.id.in_(customers))
    ).all()
    # The session joins the page's transaction on `conn`: its writes commit or roll back with it.
    with Session(bind=conn) as session:
        for customer_id, status in rows:
            note = f"customer {status} at another bench"
            held += hold_for_status(
                session, actor, customer_id, status, note=note, received_at=station_id
            )
        session.flush()
    return held
