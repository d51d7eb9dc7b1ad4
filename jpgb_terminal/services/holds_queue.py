"""The hold queue a supervisor works through: held parcels, their reasons and deadlines.

One query over the open holds (index `ix_hold_open_deadline` on closed_at, deadline) joined to
the parcel row; reasons are gathered per parcel in Python so the query stays the same on
SQLite and PostgreSQL. Overdue parcels come first, then the nearest deadlines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session

from jpgb_terminal.clock import WAREHOUSE_TZ, local_date, now
from jpgb_terminal.manifests.columns import HOLDS_COLUMNS as HOLDS_COLUMNS
from jpgb_terminal.rules.decisions import is_prohibited
from jpgb_terminal.rules.holds import days_left, is_overdue
from jpgb_terminal.services.billing import weight_is_billable
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.store.handles import HOLD, PARCEL
from jpgb_terminal.store.handles import WEIGHT_RECORD as WEIGHTS


@dataclass(frozen=True)
class HeldParcel:
    """One held parcel as the queue shows it; `today` is the Japan day it was judged on."""

    tracking_no: str
    customer_id: str | None
    station_id: str
    reasons: tuple[str, ...]
    received_at: datetime
    deadline: date
    days_left: int
    overdue: bool
    disposable_now: bool
    weight_g: int | None
    weight_source: str | None
    billable: bool = False

    def as_row(self) -> dict[str, Any]:
        """The manifest's keys: times in Japan time, dates ISO, reasons as a list."""
        return {
            "tracking_no": self.tracking_no,
            "customer_id": self.customer_id,
            "station_id": self.station_id,
            "reasons": list(self.reasons),
            "received_at": self.received_at.astimezone(WAREHOUSE_TZ).isoformat(),
            "deadline": self.deadline.isoformat(),
            "days_left": self.days_left,
            "overdue": self.overdue,
            "weight_g": self.weight_g,
        }


def held_rows_query() -> Select[Any]:
    """Hold rows joined to their parcel, nearest deadline first; callers add the filters."""
    return (
        select(
            HOLD.c.tracking_no,
            HOLD.c.reason,
            HOLD.c.deadline,
            PARCEL.c.customer_id,
            PARCEL.c.station_id,
            PARCEL.c.received_at,
            PARCEL.c.weight_g,
            PARCEL.c.weight_source,
            WEIGHTS.c.approved_by,
        )
        .select_from(
            HOLD.join(PARCEL, PARCEL.c.tracking_no == HOLD.c.tracking_no).outerjoin(
                WEIGHTS, WEIGHTS.c.id == PARCEL.c.weight_id
            )
        )
        .order_by(HOLD.c.deadline, HOLD.c.tracking_no, HOLD.c.opened_at)
    )


def group_held(rows: Iterable[Any], today: date) -> list[HeldParcel]:
    """Fold hold rows into one entry per parcel, overdue first, then by deadline."""
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.tracking_no, []).append(row)
    out: list[HeldParcel] = []
    for tracking_no, holds in groups.items():
        first = holds[0]
        reasons = tuple(dict.fromkeys(h.reason for h in holds))
        # The parcel is free for Art. 15.4 only once every hold's custody has run out.
        deadline = max(h.deadline for h in holds)
        out.append(
            HeldParcel(
                tracking_no=tracking_no,
                customer_id=first.customer_id,
                station_id=first.station_id,
                reasons=reasons,
                received_at=first.received_at,
                deadline=deadline,
                days_left=days_left(deadline, today),
                overdue=is_overdue(deadline, today),
                disposable_now=is_prohibited(reasons),
                weight_g=first.weight_g,
                weight_source=first.weight_source,
                billable=first.weight_g is not None
                and weight_is_billable(first.weight_source, first.approved_by),
            )
        )
    out.sort(key=lambda h: (not h.overdue, h.deadline, h.tracking_no))
    return out


def held_parcels(
    session: Session,
    actor: Actor,
    *,
    today: date | None = None,
    overdue_only: bool = False,
    reason: str | None = None,
    customer_id: str | None = None,
    station_id: str | None = None,
    limit: int | None = None,
) -> list[HeldParcel]:
    """Parcels with open holds now, overdue first; `today` is a Japan date (now by default).
    The queue is for roles the permission table lets review holds (and the administrator)."""
    authorize(session, actor, "review_holds")
    today = today or local_date(now())
    stmt = held_rows_query().where(HOLD.c.closed_at.is_(None))
    if overdue_only:
        stmt = stmt.where(HOLD.c.deadline < today)
    if customer_id is not None:
        stmt = stmt.where(PARCEL.c.customer_id == customer_id)
    if station_id is not None:
        stmt = stmt.where(PARCEL.c.station_id == station_id)
    held = group_held(session.connection().execute(stmt), today)
    if reason is not None:
        # Filtered after grouping so a parcel still shows all of its reasons.
        held = [h for h in held if reason in h.reasons]
    if overdue_only:
        held = [h for h in held if h.overdue]
    return held[:limit] if limit is not None else held


def iter_rows(held: Iterable[HeldParcel]) -> Iterator[dict[str, Any]]:
    """The manifest rows of held parcels."""
    for h in held:
        yield h.as_row()
