"""Projection of the outbound side: shipment requests, boxes, handover, tracking-number ranges.

The outbound tables are written straight through the connection, in event order: they have
no foreign key to rows the batch may still be holding in memory (parcel, customer), and every
write is skipped when its row is already there, so a replayed event changes nothing.
Recipient details are personal data and never travel in events (README, "Outbound").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, select

from jpgb_terminal.events import (
    BoxPacked,
    BoxWeighed,
    ParcelPacked,
    ParcelShipped,
    ShipmentHandedOver,
    ShipmentImported,
    ShipmentParcelConfirmed,
    TrackingRangeAdded,
)
from jpgb_terminal.projections.events import SyncEvent, weighing_row
from jpgb_terminal.projections.parcels import FINAL
from jpgb_terminal.projections.tracking_blocks import check_box_number, project_range_blocks
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork
from jpgb_terminal.store.handles import (
    BOX,
    BOX_WEIGHT,
    CUSTOMS_LINE,
    SHIPMENT,
    SHIPMENT_PARCEL,
    TRACKING_RANGE,
)


def _exists(p: UnitOfWork, table: Table, **keys: Any) -> bool:
    cond = and_(*(table.c[k] == v for k, v in keys.items()))
    return p.conn.execute(select(table.c[next(iter(keys))]).where(cond)).first() is not None


def _shipment_known(p: UnitOfWork, e: SyncEvent, shipment_id: str) -> bool:
    if _exists(p, SHIPMENT, id=shipment_id):
        return True
    p.note(e, f"shipment {shipment_id} is not known here; event kept, not projected")
    return False


def _shipment_imported(p: UnitOfWork, e: SyncEvent, ev: ShipmentImported) -> None:
    sid = ev.shipment_id
    if _exists(p, SHIPMENT, id=sid):
        return
    p.conn.execute(
        SHIPMENT.insert(),
        {
            "id": sid,
            "customer_id": ev.customer_id,
            "service": ev.service,
            "country": ev.country,
            "recipient_name": None,
            "recipient_address": None,
            "recipient_phone": None,
            "category": ev.category,
            "insurance_jpy": ev.insurance_jpy or 0,
            "state": "waiting",
            "station_id": e.station_id,
            "created_at": e.occurred_at,
            "updated_at": e.occurred_at,
        },
    )
    parcels = [
        {"shipment_id": sid, "tracking_no": t, "confirmed_at": None, "confirmed_by": None}
        for t in ev.parcels
    ]
    if parcels:
        p.conn.execute(SHIPMENT_PARCEL.insert(), parcels)
    lines = [
        {
            "shipment_id": sid,
            "line_no": ln.line_no,
            "description": ln.description,
            "quantity": ln.quantity,
            "unit_value": ln.unit_value,
            "currency": ln.currency,
            "hs_code": ln.hs_code,
            "origin_country": ln.origin_country,
            "net_weight_g": ln.net_weight_g,
            "lithium": ln.lithium or "none",
        }
        for ln in ev.lines
    ]
    if lines:
        p.conn.execute(CUSTOMS_LINE.insert(), lines)


def _shipment_parcel_confirmed(p: UnitOfWork, e: SyncEvent, ev: ShipmentParcelConfirmed) -> None:
    if not _shipment_known(p, e, ev.shipment_id):
        return
    p.conn.execute(
        SHIPMENT_PARCEL.update()
        .where(
            and_(
                SHIPMENT_PARCEL.c.shipment_id == ev.shipment_id,
                SHIPMENT_PARCEL.c.tracking_no == e.tracking_no,
                SHIPMENT_PARCEL.c.confirmed_at.is_(None),
            )
        )
        .values(confirmed_at=e.occurred_at, confirmed_by=e.operator)
    )


def _box_weighed(p: UnitOfWork, e: SyncEvent, ev: BoxWeighed) -> None:
    if not _shipment_known(p, e, ev.shipment_id) or _exists(p, BOX_WEIGHT, id=ev.weight_id):
        return
    p.conn.execute(BOX_WEIGHT.insert(), {**weighing_row(e, ev), "shipment_id": ev.shipment_id})


def _box_packed(p: UnitOfWork, e: SyncEvent, ev: BoxPacked) -> None:
    if not _shipment_known(p, e, ev.shipment_id) or _exists(p, BOX, id=ev.box_id):
        return
    if not check_box_number(p, e, ev):
        return
    length, width, height = ev.dims_cm
    p.conn.execute(
        BOX.insert(),
        {
            "id": ev.box_id,
            "shipment_id": ev.shipment_id,
            "outbound_tracking_no": ev.outbound_tracking_no,
            "tracking_source": ev.tracking_source,
            "station_id": e.station_id,
            "operator": e.operator,
            "packed_at": e.occurred_at,
            "weight_id": ev.weight_id,
            "weight_g": ev.weight_g,
            "length_cm": length,
            "width_cm": width,
            "height_cm": height,
            "chargeable_g": ev.chargeable_g,
            "fee": ev.fee,
            "currency": ev.currency,
            "price_list_version": ev.price_list_version,
            "zone": ev.zone,
            "customs_form": ev.customs_form,
            "declared_value": ev.declared_value,
            "declared_currency": ev.declared_currency,
            "export_declaration": ev.export_declaration,
            "handed_over_at": None,
            "handed_over_by": None,
            "event_id": e.event_id,
        },
    )
    p.conn.execute(
        SHIPMENT.update()
        .where(and_(SHIPMENT.c.id == ev.shipment_id, SHIPMENT.c.state == "waiting"))
        .values(state="packed", updated_at=e.occurred_at)
    )


def _shipment_handed_over(p: UnitOfWork, e: SyncEvent, ev: ShipmentHandedOver) -> None:
    sid = ev.shipment_id
    if not _shipment_known(p, e, sid):
        return
    p.conn.execute(
        BOX.update()
        .where(and_(BOX.c.shipment_id == sid, BOX.c.handed_over_at.is_(None)))
        .values(handed_over_at=e.occurred_at, handed_over_by=e.operator)
    )
    p.conn.execute(
        SHIPMENT.update()
        .where(and_(SHIPMENT.c.id == sid, SHIPMENT.c.state != "shipped"))
        .values(state="shipped", updated_at=e.occurred_at)
    )


def _parcel_outbound(p: UnitOfWork, e: SyncEvent, ev: ParcelPacked | ParcelShipped) -> None:
    parcel = p.parcel(e)
    target = ev.kind.removeprefix("parcel.")
    if parcel["state"] in FINAL:
        p.note(e, f"{target} after the parcel became {parcel['state']}; state kept")
        return
    p.change(parcel["tracking_no"], state=target, updated_at=e.occurred_at)


def _tracking_range_added(p: UnitOfWork, e: SyncEvent, ev: TrackingRangeAdded) -> None:
    if _exists(p, TRACKING_RANGE, id=ev.id):
        return
    p.conn.execute(
        TRACKING_RANGE.insert(),
        {
            "id": ev.id,
            "service": ev.service,
            "prefix": ev.prefix,
            "country": ev.country,
            "first_serial": ev.first_serial,
            "next_serial": ev.next_serial,
            "last_serial": ev.last_serial,
            "created_at": e.occurred_at,
            "created_by": ev.created_by,
        },
    )
    project_range_blocks(p, e, ev)


APPLIERS: dict[str, Applier] = {
    "shipment.imported": _shipment_imported,
    "shipment.parcel_confirmed": _shipment_parcel_confirmed,
    "box.weighed": _box_weighed,
    "box.packed": _box_packed,
    "parcel.packed": _parcel_outbound,
    "parcel.shipped": _parcel_outbound,
    "shipment.handed_over": _shipment_handed_over,
    "tracking_range.added": _tracking_range_added,
}
