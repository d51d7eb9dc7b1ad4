"""The hold queue as a command line lists it: every held parcel that passes the filters."""

from __future__ import annotations

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.holds_queue import HeldParcel, held_parcels
from jpgb_terminal.store import Store


def held_list(
    store: Store,
    actor: Actor,
    *,
    overdue_only: bool = False,
    reason: str | None = None,
    customer_id: str | None = None,
    station_id: str | None = None,
) -> tuple[HeldParcel, ...]:
    """Held parcels with reasons, deadline and days left, overdue first (no row cap)."""
    with store.transaction() as session:
        return tuple(
            held_parcels(
                session,
                actor,
                overdue_only=overdue_only,
                reason=reason,
                customer_id=customer_id,
                station_id=station_id,
            )
        )
