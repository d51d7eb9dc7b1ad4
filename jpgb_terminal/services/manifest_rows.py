"""The rows of the daily manifests, read from the store: the queries and permission checks the
writers in `jpgb_terminal.manifests` must not hold (rows in, files out)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select

from jpgb_terminal.clock import WAREHOUSE_TZ, day_bounds
from jpgb_terminal.manifests import Manifest, check_kind
from jpgb_terminal.manifests.columns import HOLDS_COLUMNS, INBOUND_COLUMNS, OUTBOUND_COLUMNS
from jpgb_terminal.manifests.totals import OutboundTotals, Totals
from jpgb_terminal.refdata import HOLD_REASON_CODES
from jpgb_terminal.services.billing import weight_is_billable
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.holds_queue import HeldParcel, group_held, held_rows_query
from jpgb_terminal.store.handles import BOX, HOLD, PARCEL, SHIPMENT, SHIPMENT_PARCEL
from jpgb_terminal.store.handles import WEIGHT_RECORD as WEIGHTS

REASON_SEPARATOR = ";"
SEPARATOR = ";"


def build_manifest(
    conn: Connection, actor: Actor, kind: str, day: date, *, service: str | None = None
) -> Manifest:
    """The manifest of `kind` for one Japan day, its rows not yet read (`service`: outbound).

    Only a role the table allows to export manifests (or the station's administrator, for
    `jpgb manifest export`) gets one: NotAllowed otherwise, before any row is read.
    """
    kind = check_kind(kind)
    authorize(conn, actor, "export_manifests")
    if kind == "outbound":
        boxes = OutboundTotals()
        rows = iter_outbound(conn, day, boxes, service)
        return Manifest(kind, day, OUTBOUND_COLUMNS, rows, boxes)
    totals = Totals()
    if kind == "inbound":
        return Manifest(kind, day, INBOUND_COLUMNS, iter_inbound(conn, day, totals), totals)
    return Manifest(kind, day, HOLDS_COLUMNS, iter_holds(conn, day, totals), totals)


def expected_rows(conn: Connection, kind: str, day: date, *, service: str | None = None) -> int:
    """How many rows the manifest will have (for a progress bar)."""
    kind = check_kind(kind)
    if kind == "outbound":
        return count_outbound(conn, day, service)
    if kind == "inbound":
        return count_inbound(conn, day)
    return len(held_at_end_of(conn, day))


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


def outbound_query(day: date, service: str | None = None) -> Select[Any]:
    """Boxes packed on `day` (Japan time) with their request, one row per box."""
    start, end = day_bounds(day)
    stmt = (
        select(
            BOX, SHIPMENT.c.service, SHIPMENT.c.country, SHIPMENT.c.category, SHIPMENT.c.customer_id
        )
        .select_from(BOX.join(SHIPMENT, SHIPMENT.c.id == BOX.c.shipment_id))
        .where(BOX.c.packed_at >= start, BOX.c.packed_at < end)
        .order_by(BOX.c.packed_at, BOX.c.outbound_tracking_no)
    )
    if service:
        stmt = stmt.where(SHIPMENT.c.service == service.lower())
    return stmt


def count_outbound(conn: Connection, day: date, service: str | None = None) -> int:
    """How many boxes were packed on `day`."""
    inner = outbound_query(day, service).subquery()
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def iter_outbound(
    conn: Connection, day: date, totals: OutboundTotals | None = None, service: str | None = None
) -> Iterator[tuple[Any, ...]]:
    """Manifest rows in OUTBOUND_COLUMNS order; `totals` fills as they pass."""
    rows = list(conn.execute(outbound_query(day, service)).mappings())
    ids = [r["shipment_id"] for r in rows]
    parcels: dict[str, list[str]] = {}
    for i in range(0, len(ids), 500):
        for sid, t in conn.execute(
            select(SHIPMENT_PARCEL.c.shipment_id, SHIPMENT_PARCEL.c.tracking_no)
            .where(SHIPMENT_PARCEL.c.shipment_id.in_(ids[i : i + 500]))
            .order_by(SHIPMENT_PARCEL.c.tracking_no)
        ):
            parcels.setdefault(sid, []).append(t)
    for r in rows:
        inbound = parcels.get(r["shipment_id"], [])
        if totals is not None:
            totals.add_box(r["station_id"], r["service"], r["country"], r["weight_g"], r["fee"])
        handed = r["handed_over_at"]
        yield (
            r["packed_at"].astimezone(WAREHOUSE_TZ).isoformat(),
            r["station_id"],
            r["operator"],
            r["outbound_tracking_no"],
            r["service"],
            r["country"],
            r["weight_g"],
            r["length_cm"],
            r["width_cm"],
            r["height_cm"],
            r["chargeable_g"],
            r["fee"],
            r["currency"],
            r["price_list_version"],
            f"{r['declared_value']:.2f}",
            r["declared_currency"],
            r["customs_form"],
            "yes" if r["export_declaration"] else "no",
            r["category"],
            len(inbound),
            SEPARATOR.join(inbound),
            r["customer_id"],
            r["shipment_id"],
            handed.astimezone(WAREHOUSE_TZ).isoformat() if handed else "",
        )
