"""A parcel read back as typed view objects: what the review screen shows and, through
`as_dict`, exactly what `jpgb parcel show --json` prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass
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


@dataclass(frozen=True)
class HoldLine:
    """One open hold; times are ISO 8601 in Japan time."""

    reason: str
    note: str | None
    opened_at: str
    deadline: str
    days_left: int
    overdue: bool
    station_id: str
    decision: str | None


@dataclass(frozen=True)
class EventLine:
    """One event of the parcel, oldest first."""

    kind: str
    at: str
    event_id: str
    station_id: str
    seq: int
    operator: str | None


@dataclass(frozen=True)
class ReceiptLine:
    """One receipt; when stations received the parcel twice offline, the later are duplicates."""

    station_id: str
    received_at: str
    event_id: str
    operator: str | None
    duplicate: bool
    reviewed_by: str | None
    reviewed_at: str | None


@dataclass(frozen=True)
class ParcelView:
    """One parcel: its state, billed weight, open holds, receipts and events."""

    tracking_no: str
    scheme: str
    state: str
    customer_id: str | None
    prealert_matched: bool
    weight_g: int | None
    weight_source: str | None
    received_at: str
    received_by: str | None
    station_id: str
    holds: tuple[HoldLine, ...]
    events: tuple[EventLine, ...]
    receipts: tuple[ReceiptLine, ...]

    @property
    def hold(self) -> HoldLine | None:
        """The first open hold (the one a person sees first), or None."""
        return self.holds[0] if self.holds else None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `jpgb parcel show --json` (keys as they have always been)."""
        data = asdict(self)
        lists = {k: list(data.pop(k)) for k in ("holds", "events", "receipts")}
        data["hold"] = lists["holds"][0] if self.holds else None
        data.update(lists)
        return data


def resolve_tracking(text: str) -> str:
    """The normalised tracking number for what a person typed (validated when it parses)."""
    try:
        return parse_tracking(text).normalized
    except InvalidTrackingNumber:
        # A stored parcel may predate a scheme; fall back to plain normalisation.
        return "".join(text.split()).replace("-", "").upper()


def _hold_line(hold: Hold, today: date) -> HoldLine:
    return HoldLine(
        reason=hold.reason,
        note=hold.note,
        opened_at=hold.opened_at.astimezone(WAREHOUSE_TZ).isoformat(),
        deadline=hold.deadline.isoformat(),
        days_left=days_left(hold.deadline, today),
        overdue=is_overdue(hold.deadline, today),
        station_id=hold.station_id,
        decision=hold.decision,
    )


def read_parcel(session: Session, tracking_no: str, *, today: date | None = None) -> ParcelView:
    """The parcel `tracking_no` as a view, or NotFound saying why (a mistyped number too)."""
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
    events = list(
        session.exec(
            select(Event)
            .where(Event.tracking_no == parcel.tracking_no)
            .order_by(Event.occurred_at, Event.station_id, Event.seq)  # type: ignore[arg-type]
        )
    )
    return ParcelView(
        tracking_no=parcel.tracking_no,
        scheme=parcel.scheme,
        state=parcel.state,
        customer_id=parcel.customer_id,
        prealert_matched=parcel.prealert_matched,
        weight_g=parcel.weight_g,
        weight_source=parcel.weight_source,
        received_at=parcel.received_at.astimezone(WAREHOUSE_TZ).isoformat(),
        received_by=parcel.received_by,
        station_id=parcel.station_id,
        holds=tuple(_hold_line(h, today) for h in open_holds(session, parcel.tracking_no)),
        events=tuple(
            EventLine(
                kind=e.kind,
                at=e.occurred_at.astimezone(WAREHOUSE_TZ).isoformat(),
                event_id=e.event_id,
                station_id=e.station_id,
                seq=e.seq,
                operator=e.operator,
            )
            for e in events
        ),
        receipts=_receipts(events),
    )


def _receipts(events: list[Event]) -> tuple[ReceiptLine, ...]:
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
    out: list[ReceiptLine] = []
    for i, e in enumerate(received):
        review = reviews.get(e.event_id) if i > 0 else None
        out.append(
            ReceiptLine(
                station_id=e.station_id,
                received_at=e.occurred_at.astimezone(WAREHOUSE_TZ).isoformat(),
                event_id=e.event_id,
                operator=e.operator,
                duplicate=i > 0,
                reviewed_by=review.operator if review else None,
                reviewed_at=(
                    review.occurred_at.astimezone(WAREHOUSE_TZ).isoformat() if review else None
                ),
            )
        )
    return tuple(out)
