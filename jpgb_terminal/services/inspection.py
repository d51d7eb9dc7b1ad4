"""Inspection and the prohibited-items checklist (Art. 10, 13.1): clear or hold the parcel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import ParcelCleared, ParcelInspected
from jpgb_terminal.ids import new_id
from jpgb_terminal.refdata import prohibited_categories
from jpgb_terminal.rules.states import ParcelState, check_transition
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import NotAllowed, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.holds import hold_parcel
from jpgb_terminal.services.records import update_parcel
from jpgb_terminal.services.weighing import get_parcel
from jpgb_terminal.store.handles import INSPECTION


@dataclass(frozen=True)
class InspectionResult:
    """The inspection's id and the state it left the parcel in."""

    inspection_id: str
    state: str


def inspect(
    session: Session,
    actor: Actor,
    tracking_no: str,
    *,
    opened: bool,
    findings: list[str],
    note: str | None = None,
    at: datetime | None = None,
) -> InspectionResult:
    """Record an inspection; no findings clears a weighed parcel, any finding holds it."""
    authorize(session, actor, "inspect")
    known = {c.code for c in prohibited_categories()}
    unknown = [f for f in findings if f not in known]
    if unknown:
        raise ServiceError(f"unknown prohibited-item categories: {', '.join(unknown)}")
    findings = list(dict.fromkeys(findings))
    parcel = get_parcel(session, tracking_no)
    if parcel.state == ParcelState.RECEIVED:
        raise NotAllowed(f"parcel {tracking_no} is waiting for its weight; weigh it first")
    if parcel.state not in (ParcelState.WEIGHED, ParcelState.HELD):
        raise NotAllowed(f"parcel {tracking_no} is {parcel.state}; it was already inspected")
    at = at or now()
    inspection_id = new_id()
    conn = session.connection()
    conn.execute(
        INSPECTION.insert(),
        {
            "id": inspection_id,
            "tracking_no": tracking_no,
            "opened": opened,
            "findings": findings,
            "note": note,
            "operator": actor.operator,
            "station_id": actor.station_id,
            "inspected_at": at,
        },
    )
    append_event(
        session,
        actor,
        ParcelInspected(
            inspection_id=inspection_id, opened=opened, findings=tuple(findings), note=note
        ),
        tracking_no=tracking_no,
        at=at,
    )
    if findings:
        hold_parcel(
            session,
            actor,
            parcel,
            "prohibited_item",
            note=note,
            categories=tuple(findings),
            at=at,
        )
    elif parcel.state == ParcelState.WEIGHED:
        check_transition(tracking_no, parcel.state, ParcelState.CLEARED)
        update_parcel(conn, parcel, state=ParcelState.CLEARED.value, updated_at=at)
        append_event(
            session,
            actor,
            ParcelCleared(from_state="weighed"),
            tracking_no=tracking_no,
            at=at,
        )
    return InspectionResult(inspection_id, parcel.state)
