"""Every weight record against the `parcel.weighed` event that recorded it, and every billed
weight against the parcel's weight records."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, String, Text, cast, select, type_coerce

from jpgb_terminal.audit.chains import Break
from jpgb_terminal.events.chain import canonical_time
from jpgb_terminal.store.handles import EVENT, PARCEL
from jpgb_terminal.store.handles import WEIGHT_RECORD as WEIGHT

MAX_WEIGHT_PROBLEMS = 100  # a report, not a dump: the first ones are what someone must look at
# The payload fields a weight record repeats, by weight_record column.
WEIGHT_FIELDS = ("grams", "source", "scale_id", "protocol", "reason", "approved_by")


def _weight_rows(conn: Connection) -> Iterable[Any]:
    stmt = (
        select(
            WEIGHT,
            EVENT.c.kind.label("e_kind"),
            EVENT.c.seq.label("e_seq"),
            EVENT.c.tracking_no.label("e_tracking_no"),
            EVENT.c.station_id.label("e_station_id"),
            EVENT.c.operator.label("e_operator"),
            EVENT.c.occurred_at.label("e_occurred_at"),
            type_coerce(cast(EVENT.c.payload, Text), String).label("e_payload"),
        )
        .select_from(WEIGHT.outerjoin(EVENT, EVENT.c.event_id == WEIGHT.c.event_id))
        .order_by(WEIGHT.c.measured_at, WEIGHT.c.id)
    )
    return conn.execute(stmt)


def weight_mismatches(row: Any) -> list[str]:
    """How a weight record (joined with its event's columns) differs from its event."""
    if row.e_kind is None:
        return ["its event is missing"]
    if row.e_kind != "parcel.weighed":
        return [f"its event is a {row.e_kind}, not a weighing"]
    payload = json.loads(row.e_payload)
    out = []
    if payload.get("weight_id") != row.id:
        out.append("its event records another weighing")
    for name in WEIGHT_FIELDS:
        if payload.get(name) != getattr(row, name):
            out.append(f"{name} {getattr(row, name)!r} but the event says {payload.get(name)!r}")
    frame = row.raw_frame.hex() if row.raw_frame is not None else None
    if payload.get("raw_frame") != frame:
        out.append("the raw scale frame differs from the event's")
    for name, event_value in (
        ("tracking_no", row.e_tracking_no),
        ("station_id", row.e_station_id),
        ("operator", row.e_operator),
    ):
        if getattr(row, name) != event_value:
            out.append(f"{name} {getattr(row, name)!r} but the event says {event_value!r}")
    if canonical_time(row.measured_at) != canonical_time(row.e_occurred_at):
        out.append("measured_at differs from the event's time")
    return out


def verify_weights(conn: Connection) -> tuple[int, list[Break]]:
    """Compare every weight record with its event, and every billed weight with its record."""
    problems: list[Break] = []
    checked = 0

    def add(b: Break) -> None:
        if len(problems) < MAX_WEIGHT_PROBLEMS:
            problems.append(b)

    for row in _weight_rows(conn):
        checked += 1
        wrong = weight_mismatches(row)
        if wrong:
            add(
                Break(
                    row.e_station_id or row.station_id,
                    f"weight record {row.id}: " + "; ".join(wrong),
                    row.e_seq,
                    row.event_id,
                    row.e_kind,
                    row.tracking_no,
                )
            )
    orphans = (
        select(EVENT.c.station_id, EVENT.c.seq, EVENT.c.event_id, EVENT.c.tracking_no)
        .select_from(EVENT.outerjoin(WEIGHT, WEIGHT.c.event_id == EVENT.c.event_id))
        .where(EVENT.c.kind == "parcel.weighed", WEIGHT.c.id.is_(None))
        .order_by(EVENT.c.station_id, EVENT.c.seq)
    )
    for station, seq, event_id, tracking_no in conn.execute(orphans):
        add(
            Break(
                station,
                "its weight record is missing",
                seq,
                event_id,
                "parcel.weighed",
                tracking_no,
            )
        )
    billed = (
        select(
            PARCEL.c.tracking_no,
            PARCEL.c.station_id,
            PARCEL.c.weight_g,
            PARCEL.c.weight_source,
            PARCEL.c.weight_id,
            WEIGHT.c.id.label("w_id"),
            WEIGHT.c.grams,
            WEIGHT.c.source,
            WEIGHT.c.tracking_no.label("w_tracking_no"),
        )
        .select_from(PARCEL.outerjoin(WEIGHT, WEIGHT.c.id == PARCEL.c.weight_id))
        .where(PARCEL.c.weight_g.is_not(None) | PARCEL.c.weight_id.is_not(None))
    )
    for row in conn.execute(billed):
        if (
            row.w_id is None
            or row.grams != row.weight_g
            or row.source != row.weight_source
            or row.w_tracking_no != row.tracking_no
        ):
            add(
                Break(
                    row.station_id,
                    f"parcel {row.tracking_no} is billed on {row.weight_g} g "
                    f"({row.weight_source}), which no weight record of it says",
                    tracking_no=row.tracking_no,
                )
            )
    return checked, problems
