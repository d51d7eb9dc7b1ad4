"""Parcels received at more than one bench: the duplicate receipts sync flagged, and their review.

Two benches that scan the same parcel while offline each record a receipt.  Sync keeps both,
bills the earliest, and flags the others as duplicates (`receipt` table).  A supervisor looks
at each such parcel (was it really one parcel, scanned twice?) and records that they did:
`receipt.reviewed`, an event like any other, so the review reaches central and every bench.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import ReceiptReviewed
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store.handles import RECEIPT
from jpgb_terminal.store.receipt_reviews import mark_reviewed

MAX_NOTE = 500


@dataclass(frozen=True)
class ReceiptView:
    """One receipt of a parcel received more than once."""

    tracking_no: str
    event_id: str
    station_id: str
    operator: str | None
    received_at: datetime
    duplicate: bool
    reviewed_at: datetime | None
    reviewed_by: str | None


def parcels_received_twice(conn: Connection, *, pending_only: bool = True) -> list[ReceiptView]:
    """Every receipt of each parcel received more than once, billing receipt first; with
    `pending_only`, only parcels with a duplicate nobody has reviewed yet."""
    query = select(RECEIPT)
    if pending_only:
        pending = select(RECEIPT.c.tracking_no).where(
            RECEIPT.c.duplicate, RECEIPT.c.reviewed_at.is_(None)
        )
        query = query.where(RECEIPT.c.tracking_no.in_(pending))
    rows = conn.execute(
        query.order_by(
            RECEIPT.c.tracking_no, RECEIPT.c.duplicate, RECEIPT.c.received_at, RECEIPT.c.event_id
        )
    ).mappings()
    return [ReceiptView(**row) for row in rows]


def review_duplicate_receipts(
    session: Session,
    actor: Actor,
    tracking_no: str,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> list[str]:
    """Record that a supervisor reviewed the parcel's duplicate receipts; returns their event
    ids.  Refused for a parcel with no duplicate receipt waiting for review."""
    authorize(session, actor, "review_receipts", administrator=False)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise ServiceError(f"the note is {len(note)} characters; at most {MAX_NOTE}")
    conn = session.connection()
    receipts = conn.execute(
        select(RECEIPT.c.event_id, RECEIPT.c.duplicate, RECEIPT.c.reviewed_at).where(
            RECEIPT.c.tracking_no == tracking_no
        )
    ).all()
    if not receipts:
        raise NotFound(
            f"{tracking_no} was not received more than once (as far as this store knows)"
        )
    pending = sorted(r.event_id for r in receipts if r.duplicate and r.reviewed_at is None)
    if not pending:
        raise ServiceError(f"the duplicate receipts of {tracking_no} were reviewed already")
    at = at or now()
    append_event(
        session,
        actor,
        ReceiptReviewed(receipt_event_ids=tuple(pending), note=note),
        tracking_no=tracking_no,
        at=at,
    )
    mark_reviewed(conn, [(event_id, at, actor.operator) for event_id in pending])
    return pending
