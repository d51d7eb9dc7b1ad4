"""Projection of a parcel's life: receipt, weighings, inspection, clearance, holds, decisions.

Facts are accepted as recorded (a station checked the rules when it wrote the event); where
facts from two stations collide they are settled deterministically:

- Receipts: when one parcel is received at two stations (offline, so neither saw the other),
  both receipt events are kept.  The earliest receipt by (occurred_at, event_id) is the billing
  receipt: the parcel row carries its station, operator and time.  The others are marked
  `duplicate` in the `receipt` table for a supervisor to review (`settle_receipts`).
- Weights: every weighing is kept as evidence; the parcel is billed on the newest weighing by
  (measured_at, event_id), whichever station made it.  Arrival order does not matter.
- A decision closes the holds it names; a release leaves the parcel held while another hold
  (opened elsewhere meanwhile) is still open.  A decision for a parcel that is no longer held
  is recorded and noted in `sync_issue` without moving the parcel again.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from jpgb_terminal.events import (
    EventPayloadError,
    ParcelCleared,
    ParcelDecided,
    ParcelHeld,
    ParcelInspected,
    ParcelReceived,
    ParcelWeighed,
    ReceiptReviewed,
    Sale,
)
from jpgb_terminal.projections.bulk import (
    DECISION,
    EVENT,
    HOLD,
    INSPECTION,
    RECEIPT,
    SALE,
    WEIGHT,
    where_in,
)
from jpgb_terminal.projections.events import ApplyError, SyncEvent, weighing_row
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork
from jpgb_terminal.rules.states import FINAL_STATES, ParcelState

SALE_NAMESPACE = uuid.UUID("0b7c1f52-6a57-4c1e-9a4b-3f1d2f0e9c11")
FINAL = {s.value for s in FINAL_STATES}


def _received(p: UnitOfWork, e: SyncEvent, ev: ParcelReceived) -> None:
    t = e.tracking_no
    if not t:
        raise ApplyError(e, "a receipt without a tracking number")
    if t in p.parcels.rows:
        # Received before, here or at another station: settle_receipts() applies the rule.
        p.parcels.second_receipts.add(t)
        return
    p.parcels.rows[t] = {
        "tracking_no": t,
        "scheme": ev.scheme or "unknown",
        "customer_id": ev.customer_id,
        "state": ParcelState.RECEIVED.value,
        "station_id": e.station_id,
        "received_by": e.operator,
        "received_at": e.occurred_at,
        "prealert_matched": bool(ev.prealert_matched),
        "weight_g": None,
        "weight_source": None,
        "weight_id": None,
        "updated_at": e.occurred_at,
    }
    p.parcels.new.add(t)


def _weighed(p: UnitOfWork, e: SyncEvent, ev: ParcelWeighed) -> None:
    parcel = p.parcel(e)
    t = parcel["tracking_no"]
    row = weighing_row(e, ev)
    weight_id, grams = row["id"], row["grams"]
    p.inserts[WEIGHT.name].append(
        {**row, "tracking_no": t, "reason": ev.reason, "approved_by": ev.approved_by}
    )
    values: dict[str, Any] = {"updated_at": max(parcel["updated_at"], e.occurred_at)}
    key = (e.occurred_at, e.event_id)
    current = p.parcels.weight_keys.get(t)
    if current is None or key > current:
        # The newest weighing bills, wherever and whenever it arrives (module docstring).
        p.parcels.weight_keys[t] = key
        values.update(weight_g=grams, weight_source=ev.source, weight_id=weight_id)
    if parcel["state"] == ParcelState.RECEIVED:
        values["state"] = ParcelState.WEIGHED.value
    p.change(t, **values)


def _inspected(p: UnitOfWork, e: SyncEvent, ev: ParcelInspected) -> None:
    parcel = p.parcel(e)
    p.inserts[INSPECTION.name].append(
        {
            "id": ev.inspection_id,
            "tracking_no": parcel["tracking_no"],
            "opened": ev.opened,
            "findings": list(ev.findings),
            "note": ev.note,
            "operator": e.operator,
            "station_id": e.station_id,
            "inspected_at": e.occurred_at,
        }
    )


def _cleared(p: UnitOfWork, e: SyncEvent, ev: ParcelCleared) -> None:
    parcel = p.parcel(e)
    if parcel["state"] in (ParcelState.RECEIVED, ParcelState.WEIGHED):
        p.change(parcel["tracking_no"], state=ParcelState.CLEARED.value, updated_at=e.occurred_at)
    elif parcel["state"] != ParcelState.CLEARED:
        p.note(e, f"cleared while {parcel['state']} here; state kept")


def _held(p: UnitOfWork, e: SyncEvent, ev: ParcelHeld) -> None:
    parcel = p.parcel(e)
    t = parcel["tracking_no"]
    hold_id = ev.hold_id
    p.inserts[HOLD.name].append(
        {
            "id": hold_id,
            "tracking_no": t,
            "reason": ev.reason,
            "note": ev.note,
            "opened_at": e.occurred_at,
            "opened_by": e.operator,
            "station_id": e.station_id,
            "deadline": ev.deadline,
            "closed_at": None,
            "decision": None,
        }
    )
    p.parcels.open_holds[t].add(hold_id)
    if parcel["state"] in FINAL:
        p.note(e, f"held after the parcel became {parcel['state']}; state kept")
    else:
        p.change(t, state=ParcelState.HELD.value, updated_at=e.occurred_at)


def sale_id(decision_id: str, sale: Sale) -> str:
    """The id of a decision's sale: the one the deciding station wrote into the event, or,
    for an event written before the id travelled, one derived from the decision's id (so an
    old chain still applies as it always did)."""
    if sale.sale_id:
        return sale.sale_id
    return str(uuid.uuid5(SALE_NAMESPACE, decision_id))


def _decided(p: UnitOfWork, e: SyncEvent, ev: ParcelDecided) -> None:
    parcel = p.parcel(e)
    t = parcel["tracking_no"]
    decision_id = ev.decision_id
    action = ev.action
    still_held = parcel["state"] == ParcelState.HELD
    open_holds = p.parcels.open_holds[t]
    for hold_id in ev.hold_ids:
        if hold_id in open_holds:
            open_holds.discard(hold_id)
            p.parcels.hold_closes.append(
                {"b_id": hold_id, "b_closed_at": e.occurred_at, "b_decision": action}
            )
    p.inserts[DECISION.name].append(
        {
            "id": decision_id,
            "tracking_no": t,
            "action": action,
            "note": ev.note or "",
            "operator": e.operator or "",
            "role": ev.role or "",
            "decided_at": e.occurred_at,
            "station_id": e.station_id,
            "article": ev.article or "",
            "from_state": ev.from_state or parcel["state"],
            "to_state": ev.to_state,
            "deadline": ev.deadline,
            "report_reference": ev.report_reference,
            "consent_reference": ev.consent_reference,
            "event_id": e.event_id,
        }
    )
    sale = ev.sale
    if sale is not None:
        p.inserts[SALE.name].append(
            {
                "id": sale_id(decision_id, sale),
                "decision_id": decision_id,
                "tracking_no": t,
                "currency": sale.currency,
                "proceeds": sale.proceeds,
                "custody_fee": sale.custody_fee,
                "disposal_fee": sale.disposal_fee,
                "service_fee": sale.service_fee,
                "balance": sale.balance,
                "shortfall": sale.shortfall,
                "balance_fixed_on": sale.balance_fixed_on,
                "remittance_due": sale.remittance_due,
            }
        )
    if not still_held:
        p.note(e, f"decision {action} arrived while the parcel was {parcel['state']}; state kept")
        return
    target = ev.to_state
    if target == ParcelState.RELEASED and open_holds:
        target = ParcelState.HELD.value  # another hold, opened elsewhere, still stands
    p.change(t, state=target, updated_at=e.occurred_at)


def _receipt_reviewed(p: UnitOfWork, e: SyncEvent, ev: ReceiptReviewed) -> None:
    p.parcels.reviews += [(i, e.occurred_at, e.operator) for i in ev.receipt_event_ids]


def _stored_receipt(payload: Any) -> ParcelReceived:
    """A receipt already in the store, decoded; one that does not fit names nothing, so the
    parcel keeps what it has (as a receipt lacking those keys always did)."""
    try:
        return ParcelReceived.from_payload(payload or {})
    except EventPayloadError:
        return ParcelReceived()


def settle_receipts(p: UnitOfWork) -> None:
    """Apply the billing rule to every parcel of the batch that now has more than one receipt."""
    if not p.parcels.second_receipts:
        return
    conn = p.conn
    tracking = sorted(p.parcels.second_receipts)
    receipts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for match in where_in(conn, EVENT.c.tracking_no, tracking):
        rows = conn.execute(
            select(
                EVENT.c.event_id,
                EVENT.c.station_id,
                EVENT.c.tracking_no,
                EVENT.c.operator,
                EVENT.c.occurred_at,
                EVENT.c.payload,
            ).where(EVENT.c.kind == "parcel.received", match)
        ).mappings()
        for row in rows:
            receipts[row["tracking_no"]].append(dict(row))
    flagged: dict[str, bool] = {}
    for match in where_in(conn, RECEIPT.c.tracking_no, tracking):
        for event_id, dup in conn.execute(
            select(RECEIPT.c.event_id, RECEIPT.c.duplicate).where(match)
        ):
            flagged[event_id] = bool(dup)
    for t in tracking:
        ordered = sorted(receipts[t], key=lambda r: (r["occurred_at"], r["event_id"]))
        if len(ordered) < 2:
            continue
        p.outcome.duplicate_receipts.append(t)
        billing = ordered[0]
        receipt = _stored_receipt(billing["payload"])
        parcel = p.parcels.rows[t]
        p.change(
            t,
            station_id=billing["station_id"],
            received_by=billing["operator"],
            received_at=billing["occurred_at"],
            scheme=receipt.scheme or parcel["scheme"],
            customer_id=receipt.customer_id or parcel["customer_id"],
            prealert_matched=bool(
                parcel["prealert_matched"]
                if receipt.prealert_matched is None
                else receipt.prealert_matched
            ),
        )
        for i, r in enumerate(ordered):
            duplicate = i > 0
            if r["event_id"] not in flagged:
                p.inserts[RECEIPT.name].append(
                    {
                        "event_id": r["event_id"],
                        "tracking_no": t,
                        "station_id": r["station_id"],
                        "operator": r["operator"],
                        "received_at": r["occurred_at"],
                        "duplicate": duplicate,
                        "reviewed_at": None,
                        "reviewed_by": None,
                    }
                )
            elif flagged[r["event_id"]] != duplicate:
                p.inserts["receipt_update"].append(
                    {"b_event_id": r["event_id"], "b_duplicate": duplicate}
                )


APPLIERS: dict[str, Applier] = {
    "parcel.received": _received,
    "parcel.weighed": _weighed,
    "parcel.inspected": _inspected,
    "parcel.cleared": _cleared,
    "parcel.held": _held,
    "parcel.decided": _decided,
    "receipt.reviewed": _receipt_reviewed,
}
