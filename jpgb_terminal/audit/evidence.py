"""The weighing evidence of one parcel (Art. 11.1): each weight with its frame, scale, people,
time and place in the audit chain, checked against the chain as it is read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, String, Text, cast, select, type_coerce

from jpgb_terminal.audit.chains import event_problem
from jpgb_terminal.audit.weights import weight_mismatches
from jpgb_terminal.clock import WAREHOUSE_TZ
from jpgb_terminal.errors import NotFound
from jpgb_terminal.store.handles import EVENT, PARCEL
from jpgb_terminal.store.handles import WEIGHT_RECORD as WEIGHT


def _frame_text(frame: bytes | None) -> str | None:
    """The raw frame as printable text, control bytes escaped (\\r, \\n, \\x02 ...)."""
    if frame is None:
        return None
    return frame.decode("latin-1").encode("unicode_escape").decode("ascii")


def weighing_evidence(conn: Connection, tracking_no: str) -> dict[str, Any]:
    """Every weighing of a parcel, oldest first, with its chain position and whether it checks out."""
    parcel = conn.execute(
        select(PARCEL.c.tracking_no, PARCEL.c.weight_id, PARCEL.c.weight_g).where(
            PARCEL.c.tracking_no == tracking_no
        )
    ).first()
    if parcel is None:
        raise NotFound(f"no parcel {tracking_no} in this store")
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
            EVENT.c.prev_hash.label("e_prev_hash"),
            EVENT.c.hash.label("e_hash"),
        )
        .select_from(WEIGHT.outerjoin(EVENT, EVENT.c.event_id == WEIGHT.c.event_id))
        .where(WEIGHT.c.tracking_no == tracking_no)
        .order_by(WEIGHT.c.measured_at, WEIGHT.c.id)
    )
    rows = list(conn.execute(stmt))
    weighings = []
    # The rule bills the newest weighing by (measured_at, event id), whatever its source.
    rule = max(rows, key=lambda r: (r.measured_at, r.event_id), default=None)
    for row in rows:
        problems = weight_mismatches(row)
        if row.id == parcel.weight_id and rule is not None and rule.id != row.id:
            problems.append(
                f"billed, but the rule bills the newest weighing ({rule.id}, {rule.grams} g)"
            )
        if row.e_seq is not None:
            chain_problem = event_problem(conn, row.e_station_id, row.e_seq)
            if chain_problem:
                problems.append(f"chain: {chain_problem}")
        weighings.append(
            {
                "weight_id": row.id,
                "grams": row.grams,
                "source": row.source,
                "billed": row.id == parcel.weight_id,
                "raw_frame_hex": row.raw_frame.hex() if row.raw_frame is not None else None,
                "raw_frame": _frame_text(row.raw_frame),
                "scale_id": row.scale_id,
                "protocol": row.protocol,
                "station_id": row.station_id,
                "operator": row.operator,
                "measured_at": row.measured_at.isoformat(),
                "measured_at_local": row.measured_at.astimezone(WAREHOUSE_TZ).isoformat(),
                "manual_override": (
                    {"approved_by": row.approved_by, "reason": row.reason}
                    if row.source == "manual"
                    else None
                ),
                "event_id": row.event_id,
                "chain": {
                    "station_id": row.e_station_id,
                    "seq": row.e_seq,
                    "prev_hash": row.e_prev_hash,
                    "hash": row.e_hash,
                },
                "verified": not problems,
                "problems": problems,
            }
        )
    return {
        "tracking_no": parcel.tracking_no,
        "billed_grams": parcel.weight_g,
        "weighings": weighings,
    }
