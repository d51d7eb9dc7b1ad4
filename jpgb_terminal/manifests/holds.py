"""The holds manifest: every parcel held at the end of one Japan day, with its deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, or_

from jpgb_terminal.clock import WAREHOUSE_TZ, day_bounds
from jpgb_terminal.manifests.totals import Totals
from jpgb_terminal.services.holds_queue import (
    HOLDS_COLUMNS,
    HeldParcel,
    group_held,
    held_rows_query,
)
from jpgb_terminal.services.records import HOLD

REASON_SEPARATOR = ";"
OVERDUE = "overdue"
IN_CUSTODY = "in custody"


def held_at_end_of(conn: Connection, day: date) -> list[HeldParcel]:
    """Parcels whose holds were open at midnight ending `day` in Tokyo, judged on that day."""
    _, end = day_bounds(day)
    stmt = held_rows_query().where(
        HOLD.c.opened_at < end, or_(HOLD.c.closed_at.is_(None), HOLD.c.closed_at >= end)
    )
    return group_held(conn.execute(stmt), day)


def holds_row(h: HeldParcel) -> tuple[Any, ...]:
    """One manifest row in HOLDS_COLUMNS order, as text and numbers."""
    return (
        h.tracking_no,
        h.customer_id,
        h.station_id,
        REASON_SEPARATOR.join(h.reasons),
        h.received_at.astimezone(WAREHOUSE_TZ).isoformat(),
        h.deadline.isoformat(),
        h.days_left,
        "yes" if h.overdue else "no",
        h.weight_g,
    )


def iter_holds(
    conn: Connection, day: date, totals: Totals | None = None
) -> Iterator[tuple[Any, ...]]:
    """Manifest rows for the parcels held at the end of `day`; `totals` counts "state" as
    overdue or in custody on that day."""
    for h in held_at_end_of(conn, day):
        if totals is not None:
            totals.add(
                h.station_id,
                OVERDUE if h.overdue else IN_CUSTODY,
                h.reasons,
                h.weight_g if h.billable else None,
            )
        yield holds_row(h)


__all__ = ["HOLDS_COLUMNS", "held_at_end_of", "holds_row", "iter_holds"]
