"""Forged events written past the services, entry values central refuses, and a bench's
footprint (what a refused entry must leave unchanged), for the sync property test."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import SQLModel

from jpgb_terminal.events.chain import event_hash
from jpgb_terminal.ids import new_id
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.prealerts import import_prealerts
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from tests.factories import jp12
from tests.sync.helpers import EVENT, PARCEL

HASHED = ("event_id", "station_id", "seq", "kind", "tracking_no", "operator", "occurred_at")
HOLD_REASON = "terms_violation"
# Entry values central refuses, each one over its column's limit or carrying a NUL.
ENTRY_FAULTS = ("customer_name", "customer_phone", "hold_note", "weight_reason", "prealert_nul")
# Forgeries central must quarantine: a release by a staff operator; a clearance of a parcel
# never weighed, held at the scan (an illegal transition).
FORGERIES = ("staff_release", "clear_unweighed")


def forge(
    store: Store,
    station_id: str,
    kind: str,
    tracking_no: str | None,
    operator: str | None,
    payload: dict[str, Any],
) -> str:
    """Write an event straight into the bench's table, past the services, with a valid hash
    linked to the station's last event; returns its id."""
    with store.engine.begin() as conn:
        tail = conn.execute(
            select(EVENT.c.seq, EVENT.c.hash)
            .where(EVENT.c.station_id == station_id)
            .order_by(EVENT.c.seq.desc())
            .limit(1)
        ).first()
        row: dict[str, Any] = {
            "event_id": new_id(),
            "station_id": station_id,
            "seq": (tail.seq if tail else 0) + 1,
            "kind": kind,
            "tracking_no": tracking_no,
            "operator": operator,
            "occurred_at": datetime.now(UTC),
            "payload": payload,
            "prev_hash": tail.hash if tail else "0" * 64,
        }
        row["hash"] = event_hash(**{k: row[k] for k in (*HASHED, "payload", "prev_hash")})
        conn.execute(EVENT.insert(), row)
    return str(row["event_id"])


def release_payload(hold_id: str) -> dict[str, Any]:
    """A release decision's payload, as the decisions service writes it."""
    return {
        "decision_id": new_id(),
        "action": "release",
        "article": "15.3",
        "note": "customer sent the pre-alert",
        "role": "staff",
        "from_state": "held",
        "to_state": "released",
        "hold_ids": [hold_id],
        "reasons": [HOLD_REASON],
        "deadline": None,
        "consent_reference": None,
        "report_reference": None,
        "sale": None,
    }


def footprint(store: Store) -> dict[str, object]:
    """Row count of every table, the newest event and each parcel's state: what a refused
    entry must leave as it was."""
    with store.engine.connect() as conn:
        seen: dict[str, object] = {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }
        seen["last event"] = conn.execute(select(func.max(EVENT.c.seq))).scalar()
        states = conn.execute(select(PARCEL.c.tracking_no, PARCEL.c.state)).all()
        seen["states"] = sorted((str(t), str(s)) for t, s in states)
    return seen


def refused_entry(
    store: Store, station_id: str, fault: str, number: int, *, staff: str, approver: str
) -> str:
    """Try one entry central would refuse (parcel jp12(number), weighed, is the bench's);
    returns the one-line refusal. Fails when the entry goes through."""
    actor = Actor(station_id, staff, "staff")
    tn = jp12(number)
    try:
        with store.transaction() as s:
            if fault == "customer_name":
                add_customer(s, Actor(station_id), f"X{number}", name="N" * 201)
            elif fault == "customer_phone":
                add_customer(s, Actor(station_id), f"X{number}", name="Ok", phone="0" * 41)
            elif fault == "hold_note":
                hold_by_operator(s, actor, tn, HOLD_REASON, note="n" * 2001)
            elif fault == "weight_reason":
                record_weight(
                    s, actor, tn, 900, source="manual", reason="r" * 501, approved_by=approver
                )
            elif fault == "prealert_nul":
                csv = f"tracking_no,customer_id,contents\n{jp12(number + 1)},C1,bo\x00oks\n"
                import_prealerts(s, Actor(station_id), csv.encode())
            else:
                raise AssertionError(f"no entry fault {fault!r}")
    except ServiceError as refused:
        return str(refused)
    raise AssertionError(f"{fault}: the bench took a value central refuses")


def hold_then_forge_release(store: Store, station_id: str, number: int, staff: str) -> str:
    """Hold weighed parcel jp12(number) at the bench, then forge its release by `staff`."""
    with store.transaction() as s:
        hold_id = hold_by_operator(s, Actor(station_id, staff, "staff"), jp12(number), HOLD_REASON)
    payload = release_payload(hold_id)
    return forge(store, station_id, "parcel.decided", jp12(number), staff, payload)
