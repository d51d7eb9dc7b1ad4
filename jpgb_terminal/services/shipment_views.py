"""Shipment requests as the services read them back: tables, request ids, the request with
its parcels, lines and box, and whether a parcel may be packed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, select

from jpgb_terminal.privacy.crypto import unseal
from jpgb_terminal.rules.customs import (
    DeclaredLine,
)
from jpgb_terminal.rules.states import ParcelState
from jpgb_terminal.services.errors import NotFound
from jpgb_terminal.store.handles import (
    BOX,
    BOX_WEIGHT,
    CUSTOMS_LINE,
    HOLD,
    PARCEL,
    SHIPMENT,
    SHIPMENT_PARCEL,
)

REQUEST_ID = re.compile(r"^SR-\d{6,12}$")
PACKABLE = (ParcelState.CLEARED.value, ParcelState.RELEASED.value)
WAITING, PACKED, SHIPPED = "waiting", "packed", "shipped"


def shipment_id(n: int) -> str:
    """The barcode-friendly id of the n-th request: `SR-000123`."""
    return f"SR-{n:06d}"


def normalize_request_id(text: str) -> str:
    """A scanned or typed request id in canonical form (upper case, no spaces)."""
    return re.sub(r"\s", "", text).upper()


def is_request_id(text: str) -> bool:
    """Whether a scan is a shipment request's barcode rather than a tracking number."""
    return bool(REQUEST_ID.match(normalize_request_id(text)))


# -- the request as the service sees it -------------------------------------------------------


@dataclass(frozen=True)
class RequestedParcel:
    """A parcel a request names, where it stands, and whether the packer has scanned it."""

    tracking_no: str
    customer_id: str | None
    state: str | None
    hold_reasons: tuple[str, ...]
    confirmed: bool


@dataclass(frozen=True)
class BoxRecord:
    """The packed box of a request."""

    id: str
    outbound_tracking_no: str
    tracking_source: str
    station_id: str
    operator: str | None
    packed_at: datetime
    weight_id: str
    weight_g: int
    dims_cm: tuple[int, int, int]
    chargeable_g: int
    fee: int
    currency: str
    price_list_version: str
    zone: str
    customs_form: str
    declared_value: Decimal
    declared_currency: str
    export_declaration: bool
    handed_over_at: datetime | None


@dataclass(frozen=True)
class ShipmentView:
    """A request with its parcels, customs lines, the latest box weight and the box, if packed."""

    id: str
    customer_id: str
    service: str
    country: str
    recipient_name: str | None
    recipient_address: str | None
    recipient_phone: str | None
    category: str
    insurance_jpy: int
    state: str
    station_id: str
    created_at: datetime
    parcels: tuple[RequestedParcel, ...]
    lines: tuple[DeclaredLine, ...]
    weight_id: str | None = None
    weight_g: int | None = None
    box: BoxRecord | None = None

    @property
    def all_confirmed(self) -> bool:
        """Whether every parcel of the request has been scanned into the box."""
        return all(p.confirmed for p in self.parcels)

    @property
    def to_pick(self) -> tuple[str, ...]:
        """Tracking numbers still to scan."""
        return tuple(p.tracking_no for p in self.parcels if not p.confirmed)


def load_shipment(conn: Connection, request_id: str) -> ShipmentView:
    """The request with everything the packing bench shows; NotFound when unknown."""
    sid = normalize_request_id(request_id)
    row = conn.execute(select(SHIPMENT).where(SHIPMENT.c.id == sid)).mappings().first()
    if row is None:
        raise NotFound(f"no shipment request {sid} in this store")
    parcels: list[RequestedParcel] = []
    stmt = (
        select(
            SHIPMENT_PARCEL.c.tracking_no,
            SHIPMENT_PARCEL.c.confirmed_at,
            PARCEL.c.customer_id,
            PARCEL.c.state,
        )
        .select_from(
            SHIPMENT_PARCEL.outerjoin(PARCEL, PARCEL.c.tracking_no == SHIPMENT_PARCEL.c.tracking_no)
        )
        .where(SHIPMENT_PARCEL.c.shipment_id == sid)
        .order_by(SHIPMENT_PARCEL.c.tracking_no)
    )
    found = list(conn.execute(stmt))
    holds = open_holds_by_parcel(conn, [r.tracking_no for r in found])
    for r in found:
        parcels.append(
            RequestedParcel(
                tracking_no=r.tracking_no,
                customer_id=r.customer_id,
                state=r.state,
                hold_reasons=tuple(sorted(holds.get(r.tracking_no, ()))),
                confirmed=r.confirmed_at is not None,
            )
        )
    lines = tuple(
        DeclaredLine(
            description=r.description,
            quantity=r.quantity,
            unit_value=Decimal(r.unit_value),
            currency=r.currency,
            origin_country=r.origin_country,
            hs_code=r.hs_code,
            net_weight_g=r.net_weight_g,
            lithium=r.lithium,
        )
        for r in conn.execute(
            select(CUSTOMS_LINE)
            .where(CUSTOMS_LINE.c.shipment_id == sid)
            .order_by(CUSTOMS_LINE.c.line_no)
        )
    )
    weight = conn.execute(
        select(BOX_WEIGHT.c.id, BOX_WEIGHT.c.grams)
        .where(BOX_WEIGHT.c.shipment_id == sid)
        .order_by(BOX_WEIGHT.c.measured_at.desc(), BOX_WEIGHT.c.id.desc())
        .limit(1)
    ).first()
    box_row = conn.execute(select(BOX).where(BOX.c.shipment_id == sid)).mappings().first()
    box = None
    if box_row is not None:
        box = BoxRecord(
            id=box_row["id"],
            outbound_tracking_no=box_row["outbound_tracking_no"],
            tracking_source=box_row["tracking_source"],
            station_id=box_row["station_id"],
            operator=box_row["operator"],
            packed_at=box_row["packed_at"],
            weight_id=box_row["weight_id"],
            weight_g=box_row["weight_g"],
            dims_cm=(box_row["length_cm"], box_row["width_cm"], box_row["height_cm"]),
            chargeable_g=box_row["chargeable_g"],
            fee=box_row["fee"],
            currency=box_row["currency"],
            price_list_version=box_row["price_list_version"],
            zone=box_row["zone"],
            customs_form=box_row["customs_form"],
            declared_value=Decimal(box_row["declared_value"]),
            declared_currency=box_row["declared_currency"],
            export_declaration=bool(box_row["export_declaration"]),
            handed_over_at=box_row["handed_over_at"],
        )
    return ShipmentView(
        id=row["id"],
        customer_id=row["customer_id"],
        service=row["service"],
        country=row["country"],
        recipient_name=unseal(row["recipient_name"]),
        recipient_address=unseal(row["recipient_address"]),
        recipient_phone=unseal(row["recipient_phone"]),
        category=row["category"],
        insurance_jpy=row["insurance_jpy"],
        state=row["state"],
        station_id=row["station_id"],
        created_at=row["created_at"],
        parcels=tuple(parcels),
        lines=lines,
        weight_id=weight.id if weight else None,
        weight_g=weight.grams if weight else None,
        box=box,
    )


def open_holds_by_parcel(conn: Connection, tracking_nos: Iterable[str]) -> dict[str, set[str]]:
    """Open hold reasons of each parcel (parcels without holds are left out)."""
    out: dict[str, set[str]] = {}
    numbers = sorted(set(tracking_nos))
    for i in range(0, len(numbers), 500):
        rows = conn.execute(
            select(HOLD.c.tracking_no, HOLD.c.reason).where(
                HOLD.c.tracking_no.in_(numbers[i : i + 500]), HOLD.c.closed_at.is_(None)
            )
        )
        for tracking_no, reason in rows:
            out.setdefault(tracking_no, set()).add(reason)
    return out


def parcel_refusal(
    tracking_no: str,
    customer_id: str,
    parcel_customer: str | None,
    state: str | None,
    holds: Iterable[str],
) -> str | None:
    """Why a parcel cannot go into a customer's box (None when it can)."""
    reasons = sorted(holds)
    if state is None:
        return f"parcel {tracking_no} is not in this warehouse (never received)"
    if parcel_customer != customer_id:
        owner = parcel_customer or "no known customer"
        return f"parcel {tracking_no} belongs to {owner}, not to {customer_id}"
    if reasons or state == ParcelState.HELD:
        return f"parcel {tracking_no} is held ({', '.join(reasons) or 'held'}): a supervisor decides first"
    if state in (ParcelState.PACKED, ParcelState.SHIPPED):
        return f"parcel {tracking_no} is already {state}"
    if state not in PACKABLE:
        return f"parcel {tracking_no} is {state}: only cleared or released parcels can be packed"
    return None
