"""Receiving: a scan becomes a parcel, matched to its pre-alert, held when the terms say so."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import ParcelReceived
from jpgb_terminal.rules.holds import ReceiptFacts, receipt_hold_reasons
from jpgb_terminal.rules.states import ParcelState
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import DuplicateScan
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.holds import hold_parcel
from jpgb_terminal.services.records import (
    ParcelRecord,
    PreAlertRecord,
    insert_parcel,
    load_parcel,
    load_prealert,
)
from jpgb_terminal.tracking import TrackingNumber, parse_tracking


@dataclass(frozen=True)
class Receipt:
    """What the scan did: the new parcel, its pre-alert (with the customer), and any holds."""

    parcel: ParcelRecord
    tracking: TrackingNumber
    prealert: PreAlertRecord | None
    parcel_id: str
    hold_reasons: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        """Whether the scan put the parcel on hold."""
        return bool(self.hold_reasons)


def receive(session: Session, actor: Actor, scanned: str, *, at: datetime | None = None) -> Receipt:
    """Receive the parcel whose code was scanned; raises before writing anything when refused."""
    authorize(session, actor, "receive")
    tracking = parse_tracking(scanned)
    at = at or now()
    conn = session.connection()
    existing = load_parcel(conn, tracking.normalized)
    if existing is not None:
        when = existing.received_at.isoformat(timespec="seconds")
        raise DuplicateScan(
            f"{tracking.normalized} was already received at {existing.station_id} on {when} "
            f"(now {existing.state}); nothing recorded"
        )
    prealert = load_prealert(conn, tracking.normalized)
    reasons = receipt_hold_reasons(
        ReceiptFacts(
            prealert_customer=prealert.customer_id if prealert else None,
            customer_status=prealert.customer_status if prealert else None,
        )
    )
    parcel = ParcelRecord(
        tracking_no=tracking.normalized,
        scheme=tracking.scheme,
        customer_id=prealert.customer_id if prealert else None,
        state=ParcelState.RECEIVED.value,
        station_id=actor.station_id,
        received_by=actor.operator,
        received_at=at,
        prealert_matched=prealert is not None,
        weight_g=None,
        weight_source=None,
        weight_id=None,
        updated_at=at,
    )
    insert_parcel(conn, parcel)
    received = append_event(
        session,
        actor,
        ParcelReceived(
            scheme=tracking.scheme,
            scanned=scanned,
            customer_id=parcel.customer_id,
            prealert_matched=parcel.prealert_matched,
        ),
        tracking_no=parcel.tracking_no,
        at=at,
    )
    for reason in reasons:
        hold_parcel(session, actor, parcel, reason, note="held at the scan", at=at)
    return Receipt(
        parcel, tracking, prealert, internal_parcel_id(actor.station_id, received.seq), reasons
    )


def internal_parcel_id(station_id: str, seq: int) -> str:
    """The warehouse's own short id for a parcel: receiving station and event number."""
    return f"{station_id}-{seq:06d}"
