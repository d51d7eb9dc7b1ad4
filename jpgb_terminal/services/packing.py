"""Packing: confirm a request's parcels by scan, weigh the box, price, number, declare, hand over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlmodel import Session

from jpgb_terminal.clock import day_bounds, now
from jpgb_terminal.events import (
    BoxPacked,
    BoxWeighed,
    ParcelPacked,
    ParcelShipped,
    ShipmentHandedOver,
    ShipmentParcelConfirmed,
)
from jpgb_terminal.ids import new_id
from jpgb_terminal.refdata import PriceList, services
from jpgb_terminal.rules.customs import Declaration, declare, line_problems
from jpgb_terminal.rules.pricing import Dims, PricingRefused, Quote, quote
from jpgb_terminal.rules.states import ParcelState, check_transition
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import NotAllowed, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.price_lists import price_lists_in_store
from jpgb_terminal.services.shipments import (
    PACKED,
    SHIPPED,
    WAITING,
    ShipmentView,
    load_shipment,
    parcel_refusal,
)
from jpgb_terminal.services.tracking_blocks import number_refusal, take_block_number
from jpgb_terminal.services.weighing import MAX_GRAMS
from jpgb_terminal.store.handles import BOX, BOX_WEIGHT, PARCEL, SHIPMENT, SHIPMENT_PARCEL
from jpgb_terminal.tracking import InvalidTrackingNumber, parse_tracking

# Every packing step names its operator (the box weight bills, Art. 11.1): the station's
# administrator context may not pack or hand over.


class PackingRefused(ServiceError):
    """The box cannot be packed as asked; `rule` names why (pricing rules keep their names)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _waiting(view: ShipmentView) -> None:
    if view.state != WAITING:
        raise NotAllowed(f"{view.id} is already {view.state}")


def confirm_parcel(
    session: Session, actor: Actor, request_id: str, scanned: str, *, at: datetime | None = None
) -> ShipmentView:
    """Confirm a scanned parcel as going into the request's box; refusals say why."""
    authorize(session, actor, "pack", administrator=False)
    conn = session.connection()
    view = load_shipment(conn, request_id)
    _waiting(view)
    tracking = parse_tracking(scanned).normalized
    wanted = {p.tracking_no: p for p in view.parcels}
    item = wanted.get(tracking)
    if item is None:
        raise PackingRefused(
            "not_in_request", f"{tracking} is not in {view.id}: put it back on the shelf"
        )
    if item.confirmed:
        raise PackingRefused("already_confirmed", f"{tracking} is already in the box")
    refusal = parcel_refusal(
        tracking, view.customer_id, item.customer_id, item.state, item.hold_reasons
    )
    if refusal:
        raise PackingRefused("parcel_not_packable", refusal)
    at = at or now()
    conn.execute(
        update(SHIPMENT_PARCEL)
        .where(SHIPMENT_PARCEL.c.shipment_id == view.id, SHIPMENT_PARCEL.c.tracking_no == tracking)
        .values(confirmed_at=at, confirmed_by=actor.operator)
    )
    append_event(
        session,
        actor,
        ShipmentParcelConfirmed(shipment_id=view.id),
        tracking_no=tracking,
        at=at,
    )
    return load_shipment(conn, view.id)


def record_box_weight(
    session: Session,
    actor: Actor,
    request_id: str,
    grams: int,
    *,
    raw_frame: bytes | None,
    scale_id: str | None,
    protocol: str | None,
    at: datetime | None = None,
) -> str:
    """Keep a scale weight of the packed box with its frame as evidence; returns its id."""
    authorize(session, actor, "pack", administrator=False)
    if isinstance(grams, bool) or not isinstance(grams, int):
        raise ServiceError(f"weight must be whole grams, got {grams!r}")
    if not 0 < grams <= MAX_GRAMS:
        raise ServiceError(f"weight {grams} g is out of range (1 to {MAX_GRAMS} g)")
    if raw_frame is None:
        raise ServiceError("a scale weight needs the raw scale frame as evidence")
    conn = session.connection()
    view = load_shipment(conn, request_id)
    _waiting(view)
    if not view.all_confirmed:
        raise PackingRefused(
            "parcels_missing",
            f"scan every parcel first: {', '.join(view.to_pick)} not yet in the box",
        )
    at = at or now()
    weight_id = new_id()
    event = append_event(
        session,
        actor,
        BoxWeighed(
            shipment_id=view.id,
            weight_id=weight_id,
            grams=grams,
            source="scale",
            raw_frame=raw_frame,
            scale_id=scale_id,
            protocol=protocol,
        ),
        at=at,
    )
    conn.execute(
        BOX_WEIGHT.insert(),
        {
            "id": weight_id,
            "shipment_id": view.id,
            "grams": grams,
            "source": "scale",
            "raw_frame": raw_frame,
            "scale_id": scale_id,
            "protocol": protocol,
            "station_id": actor.station_id,
            "operator": actor.operator,
            "measured_at": at,
            "event_id": event.event_id,
        },
    )
    return weight_id


def price_box(
    view: ShipmentView,
    weight_g: int,
    dims: Dims,
    at: datetime | None = None,
    lists: tuple[PriceList, ...] | None = None,
) -> Quote:
    """The fee of the box by the request's service (rules.pricing); PackingRefused if refused."""
    try:
        return quote(view.service, weight_g, dims, view.country, at or now(), lists)
    except PricingRefused as exc:
        raise PackingRefused(exc.rule, exc.message) from None


def declaration_for(view: ShipmentView) -> Declaration:
    """The customs form and flags of the request's contents; refused lines stop the packing."""
    svc = services().get(view.service)
    problems = [p for line in view.lines for p in line_problems(line, svc)]
    if problems:
        raise PackingRefused("customs", "customs declaration refused: " + "; ".join(problems))
    return declare(view.lines, view.category)


def outbound_number(scanned: str) -> str:
    """A carrier's pre-printed label number, which must be a valid S10 number."""
    try:
        number = parse_tracking(scanned)
    except InvalidTrackingNumber as exc:
        raise PackingRefused(
            "bad_outbound_number", f"{scanned!r} is not a valid S10 number: {exc}"
        ) from None
    if number.scheme != "s10":
        raise PackingRefused(
            "bad_outbound_number",
            f"{number.normalized} is a {number.scheme} number; an outbound label needs an S10 number",
        )
    return number.normalized


@dataclass(frozen=True)
class Packed:
    """What packing a box did."""

    view: ShipmentView
    quote: Quote
    declaration: Declaration
    box_id: str


def pack_box(
    session: Session,
    actor: Actor,
    request_id: str,
    dims: Dims,
    *,
    scanned_label: str | None = None,
    at: datetime | None = None,
) -> Packed:
    """Price, number and declare the weighed box; the request and its parcels become packed."""
    authorize(session, actor, "pack", administrator=False)
    conn = session.connection()
    view = load_shipment(conn, request_id)
    _waiting(view)
    if not view.all_confirmed:
        raise PackingRefused(
            "parcels_missing", f"scan every parcel first: {', '.join(view.to_pick)} missing"
        )
    for p in view.parcels:
        refusal = parcel_refusal(
            p.tracking_no, view.customer_id, p.customer_id, p.state, p.hold_reasons
        )
        if refusal:
            raise PackingRefused("parcel_not_packable", refusal)
    if view.weight_g is None or view.weight_id is None:
        raise PackingRefused(
            "no_weight", "no box weight yet: put the box on the scale and wait until it settles"
        )
    at = at or now()
    priced = price_box(view, view.weight_g, dims, at, price_lists_in_store(conn))
    declaration = declaration_for(view)
    range_id: str | None = None
    block_id: str | None = None
    if scanned_label:
        number = outbound_number(scanned_label)
        source = "scanned"
    else:
        number, range_id, block_id = take_block_number(session, actor, view.service)
        source = "range"
    # Before the label prints: no number on a box known here, no scan of a range's number.
    used = number_refusal(conn, number, scanned=source == "scanned")
    if used is not None:
        raise PackingRefused("outbound_number_used", used)
    box_id = new_id()
    length, width, height = dims
    packed = BoxPacked(
        shipment_id=view.id,
        box_id=box_id,
        outbound_tracking_no=number,
        tracking_source=source,
        range_id=range_id,
        block_id=block_id,
        weight_id=view.weight_id,
        weight_g=view.weight_g,
        dims_cm=(length, width, height),
        chargeable_g=priced.chargeable_g,
        volumetric_g=priced.volumetric_g,
        fee=priced.fee,
        currency=priced.currency,
        price_list_version=priced.price_list_version,
        zone=priced.zone,
        customs_form=declaration.form,
        declared_value=declaration.total_value,
        declared_currency=declaration.currency,
        export_declaration=declaration.export_declaration,
        customs_rules_version=declaration.rules_version,
        parcels=tuple(p.tracking_no for p in view.parcels),
    )
    event = append_event(session, actor, packed, at=at)
    conn.execute(
        BOX.insert(),
        {
            "id": box_id,
            "shipment_id": view.id,
            "outbound_tracking_no": number,
            "tracking_source": source,
            "station_id": actor.station_id,
            "operator": actor.operator,
            "packed_at": at,
            "weight_id": view.weight_id,
            "weight_g": view.weight_g,
            "length_cm": length,
            "width_cm": width,
            "height_cm": height,
            "chargeable_g": priced.chargeable_g,
            "fee": priced.fee,
            "currency": priced.currency,
            "price_list_version": priced.price_list_version,
            "zone": priced.zone,
            "customs_form": declaration.form,
            "declared_value": declaration.total_value,
            "declared_currency": declaration.currency,
            "export_declaration": declaration.export_declaration,
            "handed_over_at": None,
            "handed_over_by": None,
            "event_id": event.event_id,
        },
    )
    conn.execute(
        update(SHIPMENT).where(SHIPMENT.c.id == view.id).values(state=PACKED, updated_at=at)
    )
    _move_parcels(session, actor, view, ParcelState.PACKED, at)
    return Packed(load_shipment(conn, view.id), priced, declaration, box_id)


def _move_parcels(
    session: Session, actor: Actor, view: ShipmentView, target: ParcelState, at: datetime
) -> None:
    conn = session.connection()
    for p in view.parcels:
        state = p.state or ""
        check_transition(p.tracking_no, state, target)
        conn.execute(
            update(PARCEL)
            .where(PARCEL.c.tracking_no == p.tracking_no)
            .values(state=target.value, updated_at=at)
        )
        append_event(
            session,
            actor,
            ParcelPacked(shipment_id=view.id, from_state=state)
            if target == ParcelState.PACKED
            else ParcelShipped(shipment_id=view.id, from_state=state),
            tracking_no=p.tracking_no,
            at=at,
        )


@dataclass(frozen=True)
class Handover:
    """The boxes a handover marked shipped."""

    shipments: tuple[str, ...]
    outbound_tracking_nos: tuple[str, ...]


def hand_over(
    session: Session,
    actor: Actor,
    day: date,
    *,
    service: str | None = None,
    at: datetime | None = None,
) -> Handover:
    """Mark every box packed on `day` (Asia/Tokyo) and not yet handed over as shipped."""
    authorize(session, actor, "hand_over", administrator=False)
    start, end = day_bounds(day)
    conn = session.connection()
    stmt = (
        select(BOX.c.shipment_id, BOX.c.outbound_tracking_no)
        .select_from(BOX.join(SHIPMENT, SHIPMENT.c.id == BOX.c.shipment_id))
        .where(
            BOX.c.packed_at >= start,
            BOX.c.packed_at < end,
            BOX.c.handed_over_at.is_(None),
            SHIPMENT.c.state == PACKED,
        )
        .order_by(BOX.c.packed_at, BOX.c.shipment_id)
    )
    if service:
        stmt = stmt.where(SHIPMENT.c.service == service.lower())
    rows = list(conn.execute(stmt))
    at = at or now()
    for shipment_id, number in rows:
        view = load_shipment(conn, shipment_id)
        append_event(
            session,
            actor,
            ShipmentHandedOver(
                shipment_id=shipment_id,
                outbound_tracking_no=number,
                parcels=tuple(p.tracking_no for p in view.parcels),
            ),
            at=at,
        )
        conn.execute(
            update(BOX)
            .where(BOX.c.shipment_id == shipment_id)
            .values(handed_over_at=at, handed_over_by=actor.operator)
        )
        conn.execute(
            update(SHIPMENT)
            .where(SHIPMENT.c.id == shipment_id)
            .values(state=SHIPPED, updated_at=at)
        )
        _move_parcels(session, actor, view, ParcelState.SHIPPED, at)
    return Handover(tuple(r[0] for r in rows), tuple(r[1] for r in rows))
