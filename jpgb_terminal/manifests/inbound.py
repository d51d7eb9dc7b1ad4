"""The inbound manifest: one row per parcel received on one Japan day, customer ids only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from jpgb_terminal.clock import WAREHOUSE_TZ, day_bounds
from jpgb_terminal.manifests.totals import Totals
from jpgb_terminal.rules.refs import HOLD_REASON_CODES
from jpgb_terminal.services.billing import weight_is_billable
from jpgb_terminal.services.holds_queue import WEIGHTS
from jpgb_terminal.services.records import HOLD, PARCEL

INBOUND_COLUMNS = (
    "received_at",
    "station_id",
    "operator",
    "tracking_no",
    "scheme",
    "customer_id",
    "weight_g",
    "weight_source",
    "state",
    "hold_reasons",
    "prealert_matched",
)
REASON_SEPARATOR = ";"
STREAM_ROWS = 5_000
_REASON_ORDER = {code: i for i, code in enumerate(HOLD_REASON_CODES)}


def inbound_query(day: date) -> Select[Any]:
    """Parcels received on `day` (Japan time) with their open holds, one row per hold."""
    start, end = day_bounds(day)
    return (
        select(
            PARCEL.c.received_at,
            PARCEL.c.station_id,
            PARCEL.c.received_by,
            PARCEL.c.tracking_no,
            PARCEL.c.scheme,
            PARCEL.c.customer_id,
            PARCEL.c.weight_g,
            PARCEL.c.weight_source,
            PARCEL.c.state,
            HOLD.c.reason,
            PARCEL.c.prealert_matched,
            WEIGHTS.c.approved_by,
        )
        .select_from(
            PARCEL.outerjoin(WEIGHTS, WEIGHTS.c.id == PARCEL.c.weight_id).outerjoin(
                HOLD,
                and_(HOLD.c.tracking_no == PARCEL.c.tracking_no, HOLD.c.closed_at.is_(None)),
            )
        )
        .where(PARCEL.c.received_at >= start, PARCEL.c.received_at < end)
        .order_by(PARCEL.c.received_at, PARCEL.c.tracking_no)
    )


def count_inbound(conn: Connection, day: date) -> int:
    """How many parcels were received on `day` (Japan time)."""
    start, end = day_bounds(day)
    stmt = select(func.count()).where(PARCEL.c.received_at >= start, PARCEL.c.received_at < end)
    return int(conn.execute(stmt).scalar_one())


def iter_inbound(
    conn: Connection, day: date, totals: Totals | None = None
) -> Iterator[tuple[Any, ...]]:
    """Manifest rows in INBOUND_COLUMNS order, streamed; `totals` is filled as they pass."""
    result = conn.execution_options(stream_results=True, yield_per=STREAM_ROWS).execute(
        inbound_query(day)
    )
    tz = WAREHOUSE_TZ
    sep = REASON_SEPARATOR
    # Rows of one parcel are adjacent: the order is (received_at, tracking_no).
    for _, group in groupby(result, key=lambda r: r[3]):
        first, *more = group
        if more:
            codes = sorted(
                {first[9], *(r[9] for r in more)}, key=lambda c: _REASON_ORDER.get(c, 99)
            )
            reasons = sep.join(codes)
        else:
            codes = [first[9]] if first[9] else []
            reasons = first[9] or ""
        weight_g = first[6]
        if totals is not None:
            billable = weight_g if weight_g and weight_is_billable(first[7], first[11]) else None
            totals.add(first[1], first[8], codes, billable)
        yield (
            first[0].astimezone(tz).isoformat(),
            first[1],
            first[2],
            first[3],
            first[4],
            first[5],
            weight_g,
            first[7],
            first[8],
            reasons,
            "yes" if first[10] else "no",
        )
