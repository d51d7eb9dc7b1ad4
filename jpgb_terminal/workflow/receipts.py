"""Parcels received at more than one bench: the list, and a supervisor's review of them."""

from __future__ import annotations

from datetime import datetime

from jpgb_terminal.services.receipts import (
    ReceiptView,
    parcels_received_twice,
    review_duplicate_receipts,
)
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.auth import Who, act_with_pin


def pending_receipts(store: Store, *, pending_only: bool = True) -> list[ReceiptView]:
    """Every receipt of the parcels received twice (with `pending_only`, those nobody
    reviewed yet)."""
    with store.transaction() as session:
        return parcels_received_twice(session.connection(), pending_only=pending_only)


def review_receipts(
    store: Store,
    who: Who,
    tracking_no: str,
    note: str | None,
    *,
    at: datetime | None = None,
) -> tuple[str, list[str]]:
    """Check the reviewer (their PIN again when given), then record the review of the parcel's
    duplicate receipts; who reviewed, and the receipts reviewed. A wrong PIN records nothing."""
    return act_with_pin(
        store,
        who,
        lambda session, actor: (
            actor.operator or "",
            review_duplicate_receipts(session, actor, tracking_no, note=note, at=at),
        ),
        at=at,
    )
