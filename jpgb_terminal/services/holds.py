"""Opening holds on a parcel (Art. 14) with the custody deadline of Art. 15.2."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from jpgb_terminal.clock import now
from jpgb_terminal.events import ParcelHeld
from jpgb_terminal.ids import new_id
from jpgb_terminal.refdata import hold_reasons
from jpgb_terminal.rules.holds import hold_deadline
from jpgb_terminal.rules.states import ParcelState, check_transition
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.records import (
    ParcelRecord,
    load_parcel,
    open_hold_reasons,
    update_parcel,
)
from jpgb_terminal.store.handles import HOLD
from jpgb_terminal.store.tables import Hold


def open_holds(session: Session, tracking_no: str) -> list[Hold]:
    """The parcel's holds that no decision has closed yet, oldest first."""
    stmt = (
        select(Hold)
        .where(Hold.tracking_no == tracking_no, Hold.closed_at == None)  # noqa: E711
        .order_by(Hold.opened_at, Hold.id)  # type: ignore[arg-type]
    )
    return list(session.exec(stmt))


def hold_parcel(
    session: Session,
    actor: Actor,
    parcel: ParcelRecord,
    reason: str,
    *,
    note: str | None = None,
    categories: tuple[str, ...] | None = None,
    at: datetime | None = None,
) -> str:
    """Hold `parcel` for `reason` (an Art. 14 code); returns the hold's id.

    A parcel already held gains one more reason; `categories` are the prohibited-item
    categories an inspection found (the event carries them).
    """
    if reason not in hold_reasons():
        known = ", ".join(hold_reasons())
        raise ServiceError(f"unknown hold reason {reason!r} (known: {known})")
    at = at or now()
    previous = parcel.state
    if previous != ParcelState.HELD:
        check_transition(parcel.tracking_no, previous, ParcelState.HELD)
    hold_id = new_id()
    deadline = hold_deadline(parcel.received_at)
    conn = session.connection()
    conn.execute(
        HOLD.insert(),
        {
            "id": hold_id,
            "tracking_no": parcel.tracking_no,
            "reason": reason,
            "note": note,
            "opened_at": at,
            "opened_by": actor.operator,
            "station_id": actor.station_id,
            "deadline": deadline,
            "closed_at": None,
            "decision": None,
        },
    )
    update_parcel(conn, parcel, state=ParcelState.HELD.value, updated_at=at)
    append_event(
        session,
        actor,
        ParcelHeld(
            hold_id=hold_id,
            reason=reason,
            note=note,
            deadline=deadline,
            from_state=previous,
            categories=categories,
        ),
        tracking_no=parcel.tracking_no,
        at=at,
    )
    return hold_id


def hold_by_operator(
    session: Session, actor: Actor, tracking_no: str, reason: str, note: str | None = None
) -> str:
    """An operator holds a parcel for an Art. 14 reason; the same open reason twice is refused."""
    authorize(session, actor, "hold")
    conn = session.connection()
    parcel = load_parcel(conn, tracking_no)
    if parcel is None:
        raise NotFound(f"no parcel {tracking_no}")
    if reason in open_hold_reasons(conn, tracking_no):
        raise ServiceError(f"{tracking_no} is already held for {reason}")
    return hold_parcel(session, actor, parcel, reason, note=note)
