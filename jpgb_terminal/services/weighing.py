"""Weighing: a stable scale reading (or a supervisor-approved manual weight) becomes evidence."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import ParcelWeighed
from jpgb_terminal.ids import new_id
from jpgb_terminal.rules.permissions import refusal, roles_for
from jpgb_terminal.rules.states import FINAL_STATES, ParcelState
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import NotAllowed, NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.records import ParcelRecord, load_parcel, update_parcel
from jpgb_terminal.store.handles import WEIGHT_RECORD
from jpgb_terminal.store.tables import Operator

MAX_GRAMS = 1_000_000  # no bench scale weighs a tonne; anything above is a misread
APPROVER_ROLES = roles_for("manual_weight")  # data/permissions.toml


def get_parcel(session: Session, tracking_no: str) -> ParcelRecord:
    """The parcel with this tracking number, or NotFound."""
    parcel = load_parcel(session.connection(), tracking_no)
    if parcel is None:
        raise NotFound(f"no parcel {tracking_no} in this store")
    return parcel


def record_weight(
    session: Session,
    actor: Actor,
    tracking_no: str,
    grams: int,
    *,
    source: str = "scale",
    raw_frame: bytes | None = None,
    scale_id: str | None = None,
    protocol: str | None = None,
    reason: str | None = None,
    approved_by: str | None = None,
    at: datetime | None = None,
) -> str:
    """Record a weight for a parcel and return its id; the newest weight is the one billed."""
    authorize(session, actor, "receive")
    if not isinstance(grams, int) or isinstance(grams, bool):
        raise ServiceError(f"weight must be whole grams, got {grams!r}")
    if not 0 < grams <= MAX_GRAMS:
        raise ServiceError(f"weight {grams} g is out of range (1 to {MAX_GRAMS} g)")
    if source == "scale":
        if raw_frame is None:
            raise ServiceError("a scale weight needs the raw scale frame as evidence")
    elif source == "manual":
        if not reason or not reason.strip():
            raise ServiceError("a manual weight needs a reason")
        approver = session.get(Operator, approved_by) if approved_by else None
        if approver is None or not approver.active:
            who = f"no active operator {approved_by!r}" if approved_by else "no approver named"
            raise NotAllowed(f"{refusal(None, 'manual_weight')}: {who}")
        if approver.role not in APPROVER_ROLES:
            raise NotAllowed(f"{refusal(approver.role, 'manual_weight')}: {approver.name}")
    else:
        raise ServiceError(f"unknown weight source {source!r} (scale or manual)")
    parcel = get_parcel(session, tracking_no)
    if parcel.state in FINAL_STATES:
        raise NotAllowed(f"parcel {tracking_no} is {parcel.state}; it can no longer be weighed")
    at = at or now()
    weight_id = new_id()
    previous = parcel.state
    event = append_event(
        session,
        actor,
        ParcelWeighed(
            weight_id=weight_id,
            grams=grams,
            source=source,
            raw_frame=raw_frame,
            scale_id=scale_id,
            protocol=protocol,
            reason=reason,
            approved_by=approved_by,
            from_state=previous,
        ),
        tracking_no=tracking_no,
        at=at,
    )
    conn = session.connection()
    conn.execute(
        WEIGHT_RECORD.insert(),
        {
            "id": weight_id,
            "tracking_no": tracking_no,
            "grams": grams,
            "source": source,
            "raw_frame": raw_frame,
            "scale_id": scale_id,
            "protocol": protocol,
            "station_id": actor.station_id,
            "operator": actor.operator,
            "measured_at": at,
            "reason": reason,
            "approved_by": approved_by,
            "event_id": event.event_id,
        },
    )
    state = ParcelState.WEIGHED.value if previous == ParcelState.RECEIVED else previous
    update_parcel(
        conn,
        parcel,
        state=state,
        weight_g=grams,
        weight_source=source,
        weight_id=weight_id,
        updated_at=at,
    )
    return weight_id
