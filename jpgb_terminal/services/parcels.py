"""Reading a parcel back: its state, weight, holds and events, as plain data."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from jpgb_terminal.clock import WAREHOUSE_TZ, local_date, now
from jpgb_terminal.rules.holds import days_left, is_overdue
from jpgb_terminal.services.errors import NotFound
from jpgb_terminal.services.holds import open_holds
from jpgb_terminal.services.weighing import get_parcel
from jpgb_terminal.store.tables import Event, Hold
from jpgb_terminal.tracking import InvalidTrackingNumber, parse_tracking


def resolve_tracking(text: str) -> str:
    """The normalised tracking number for what a person typed (validated when it parses)."""
    try:
        return parse_tracking(text).normalized
    except InvalidTrackingNumber:
        # A stored parcel may predate a scheme; fall back to plain normalisation.
        return "".join(text.split()).replace("-", "").upper()


def _hold_dict(hold: Hold, today: date) -> dict[str, Any]:
    return {
        "reason": hold.reason,
        "note": hold.note,
        "opened_at": hold.opened_at.astimezone(WAREHOUSE_TZ).isoformat(),
        "deadline": hold.deadline.isoformat(),
        "days_left": days_left(hold.deadline, today),
        "overdue": is_overdue(hold.deadline, today),
        "station_id": hold.station_id,
        "decision": hold.decision,
    }


def parcel_view(session: Session, tracking_no: str, *, today: date | None = None) -> dict[str, Any]:
    """Everything `jpgb parcel show --json` prints for one parcel."""
    number = resolve_tracking(tracking_no)
    try:
        parcel = get_parcel(session, number)
    except NotFound:
        try:
            parse_tracking(tracking_no)
        except InvalidTrackingNumber as exc:
            # Say why as well: a mistyped number is the likeliest reason nothing was found.
            raise NotFound(
                f"no parcel {number} in this store, and it is not valid: {exc}"
            ) from None
        raise
    today = today or local_date(now())
    holds = open_holds(session, parcel.tracking_no)
    events = list(
        session.exec(
            select(Event)
            .where(Event.tracking_no == parcel.tracking_no)
            .order_by(Event.occurred_at, Event.station_id, Event.seq)  # type: ignore[arg-type]
        )
    )
    return {
        "tracking_no": parcel.tracking_no,
        "scheme": parcel.scheme,
        "state": parcel.state,
        "customer_id": parcel.customer_id,
        "prealert_matched": parcel.prealert_matched,
        "weight_g": parcel.weight_g,
        "weight_source": parcel.weight_source,
        "received_at": parcel.received_at.astimezone(WAREHOUSE_TZ).isoformat(),
        "received_by": parcel.received_by,
        "station_id": parcel.station_id,
        "hold": _hold_dict(holds[0], today) if holds else None,
        "holds": [_hold_dict(h, today) for h in holds],
        "events": [
            {
                "kind": e.kind,
                "at": e.occurred_at.astimezone(WAREHOUSE_TZ).isoformat(),
                "event_id": e.event_id,
                "station_id": e.station_id,
                "seq": e.seq,
                "operator": e.operator,
            }
            for e in events
        ],
        "receipts": _receipts(events),
    }


def _receipts(events: list[Event]) -> list[dict[str, Any]]:
    """Every receipt of the parcel; when stations received it more than once (offline),
    the earliest by (time, event id) is billed and the others are marked duplicates."""
    received = sorted(
        (e for e in events if e.kind == "parcel.received"),
        key=lambda e: (e.occurred_at, e.event_id),
    )
    reviews: dict[str, Event] = {}
    for e in sorted(events, key=lambda e: (e.occurred_at, e.event_id), reverse=True):
        if e.kind == "receipt.reviewed":
            # The earliest review of a receipt stands, as in the receipt table.
            reviews.update(dict.fromkeys(e.payload.get("receipt_event_ids") or [], e))
    out: list[dict[str, Any]] = []
    for i, e in enumerate(received):
        review = reviews.get(e.event_id) if i > 0 else None
        out.append(
            {
                "station_id": e.station_id,
                "received_at": e.occurred_at.astimezone(WAREHOUSE_TZ).isoformat(),
                "event_id": e.event_id,
                "operator": e.operator,
                "duplicate": i > 0,
                "reviewed_by": review.operator if review else None,
                "reviewed_at": (
                    review.occurred_at.astimezone(WAREHOUSE_TZ).isoformat() if review else None
                ),
            }
        )
    return out
