"""Shipment requests: import from CSV all or nothing, read back, and the carriers' number ranges."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, Table, select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.ids import new_id
from jpgb_terminal.privacy.crypto import seal, unseal
from jpgb_terminal.rules.customs import (
    CATEGORIES,
    DeclaredLine,
    line_problems,
    normalize_hs_code,
)
from jpgb_terminal.rules.refs import services
from jpgb_terminal.rules.states import ParcelState
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.csv_files import (
    ImportRejected,
    csv_problem,
    decode_csv_bytes,
    open_table,
)
from jpgb_terminal.services.errors import NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.records import CUSTOMER, HOLD, PARCEL
from jpgb_terminal.store.outbound import (
    Box,
    BoxWeight,
    CustomsLine,
    Shipment,
    ShipmentParcel,
    TrackingRange,
)
from jpgb_terminal.tracking import (
    ISO_COUNTRY_CODES,
    InvalidTrackingNumber,
    make_s10,
    parse_tracking,
)

SHIPMENT: Table = Shipment.__table__  # type: ignore[attr-defined]
SHIPMENT_PARCEL: Table = ShipmentParcel.__table__  # type: ignore[attr-defined]
CUSTOMS_LINE: Table = CustomsLine.__table__  # type: ignore[attr-defined]
BOX: Table = Box.__table__  # type: ignore[attr-defined]
BOX_WEIGHT: Table = BoxWeight.__table__  # type: ignore[attr-defined]
TRACKING_RANGE: Table = TrackingRange.__table__  # type: ignore[attr-defined]

REQUEST_ID = re.compile(r"^SR-\d{6,12}$")
PACKABLE = (ParcelState.CLEARED.value, ParcelState.RELEASED.value)
WAITING, PACKED, SHIPPED = "waiting", "packed", "shipped"

HEADER_FIELDS = (
    "customer_id",
    "parcels",
    "service",
    "country",
    "recipient_name",
    "recipient_address",
    "recipient_phone",
    "category",
    "insurance_jpy",
)
LINE_FIELDS = (
    "description",
    "quantity",
    "unit_value",
    "currency",
    "hs_code",
    "origin_country",
    "net_weight_g",
    "lithium",
)
REQUIRED = (
    "request_id",
    "customer_id",
    "parcels",
    "service",
    "country",
    "recipient_name",
    "recipient_address",
    "category",
    "description",
    "quantity",
    "unit_value",
)
COLUMNS = ("request_id", *HEADER_FIELDS, *LINE_FIELDS)
FIELD_LIMITS = {
    "recipient_name": 200,
    "recipient_address": 1000,
    "recipient_phone": 40,
    "description": 200,
}
MAX_UNIT_VALUE = Decimal("100000000")
MAX_DECLARED_TOTAL = Decimal("1000000000")  # a box's declared value above this is a typo
MAX_QUANTITY = 100_000
MAX_NET_WEIGHT_G = 1_000_000
MAX_INSURANCE_JPY = int(MAX_UNIT_VALUE)


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


# -- import -------------------------------------------------------------------------------------


@dataclass
class RequestDraft:
    """One request assembled from its CSV rows, checked line by line."""

    request_id: str
    line: int
    header: dict[str, str]
    parcels: list[str] = field(default_factory=list)
    lines: list[tuple[int, DeclaredLine]] = field(default_factory=list)
    insurance_jpy: int = 0


def _split_parcels(text: str) -> list[str]:
    # Spaces belong to a number as it is printed ("RR 329 405 019 JP"): only ';', '|' and
    # line breaks separate parcels.
    return [p.strip() for p in re.split(r"[;|\r\n]+", text) if p.strip()]


def _decimal(raw: str, what: str, where: str, problems: list[str]) -> Decimal | None:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        problems.append(f"{where}: {what} {raw!r} is not a number")
        return None
    if not value.is_finite() or value < 0:
        problems.append(f"{where}: {what} {raw!r} must be a number of 0 or more")
        return None
    if value > MAX_UNIT_VALUE:
        problems.append(f"{where}: {what} {raw} is absurd (over {MAX_UNIT_VALUE:,})")
        return None
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        problems.append(f"{where}: {what} {raw} has more than 2 decimals")
        return None
    return value.quantize(Decimal("0.01"))


def _int(raw: str, what: str, where: str, problems: list[str], maximum: int) -> int | None:
    text = raw.replace(",", "")
    # isdecimal, not isdigit: '²' is a digit that int() refuses.
    if not text.isdecimal():
        problems.append(f"{where}: {what} {raw!r} must be a whole number")
        return None
    value = int(text)
    if value > maximum:
        problems.append(f"{where}: {what} {raw} is absurd (over {maximum:,})")
        return None
    return value


def parse_shipment_csv(text: str, source: str = "file") -> tuple[list[RequestDraft], list[str]]:
    """Check every row of a shipment-request CSV; one row per customs line, grouped by request."""
    reader, columns, problems = open_table(text, source, REQUIRED, COLUMNS)
    if reader is None:
        return [], problems
    drafts: dict[str, RequestDraft] = {}
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            where = f"{source}:{line}"
            if len(record) != len(columns):
                problems.append(f"{where}: {len(record)} fields, the header has {len(columns)}")
                continue
            values = {c: v.strip() for c, v in zip(columns, record, strict=True)}
            rid = normalize_request_id(values["request_id"])
            if not REQUEST_ID.match(rid):
                problems.append(
                    f"{where}: request_id {values['request_id']!r} is not like SR-000123"
                )
                continue
            for name, limit in FIELD_LIMITS.items():
                if len(values.get(name, "")) > limit:
                    problems.append(f"{where}: {name} is longer than {limit} characters")
            draft = drafts.get(rid)
            if draft is None:
                draft = RequestDraft(rid, line, {f: values.get(f, "") for f in HEADER_FIELDS})
                drafts[rid] = draft
                _check_header(draft, where, problems)
            else:
                for f in HEADER_FIELDS:
                    value = values.get(f, "")
                    if value and value != draft.header[f]:
                        problems.append(
                            f"{where}: {f} {value!r} differs from line {draft.line} of {rid}"
                        )
            _check_line(draft, values, where, problems)
    except csv.Error as exc:
        problems.append(csv_problem(source, line + 1, exc))
    for draft in drafts.values():
        total = sum((ln.quantity * ln.unit_value for _, ln in draft.lines), Decimal(0))
        if total > MAX_DECLARED_TOTAL:
            problems.append(
                f"{source}:{draft.line}: {draft.request_id} declares {total:,.0f} JPY in all, "
                f"absurd for one box (over {MAX_DECLARED_TOTAL:,})"
            )
    if not drafts and not problems:
        problems.append(f"{source}: the file has a header but no rows")
    return list(drafts.values()), problems


def _check_header(draft: RequestDraft, where: str, problems: list[str]) -> None:
    h = draft.header
    for name in ("customer_id", "recipient_name", "recipient_address"):
        if not h[name]:
            problems.append(f"{where}: {name} is empty")
    svc = services().get(h["service"].lower())
    h["service"] = h["service"].lower()
    h["country"] = h["country"].upper()
    if svc is None:
        problems.append(
            f"{where}: unknown service {h['service']!r} (known: {', '.join(services())})"
        )
    if h["country"] not in ISO_COUNTRY_CODES:
        problems.append(f"{where}: country {h['country']!r} is not an ISO country code")
    elif svc is not None and svc.zone_for(h["country"]) is None:
        problems.append(f"{where}: {svc.name} does not go to {h['country']}")
    h["category"] = h["category"].lower().replace(" ", "_")
    if h["category"] not in CATEGORIES:
        problems.append(
            f"{where}: category {h['category']!r} must be one of {', '.join(CATEGORIES)}"
        )
    if h["insurance_jpy"]:
        insured = _int(h["insurance_jpy"], "insurance_jpy", where, problems, MAX_INSURANCE_JPY)
        draft.insurance_jpy = insured or 0
    parcels = _split_parcels(h["parcels"])
    if not parcels:
        problems.append(f"{where}: parcels is empty: name the stored parcels to send")
    for raw in parcels:
        try:
            number = parse_tracking(raw).normalized
        except InvalidTrackingNumber as exc:
            problems.append(f"{where}: parcel {raw!r}: {exc}")
            continue
        if number in draft.parcels:
            problems.append(f"{where}: parcel {number} is named twice")
        else:
            draft.parcels.append(number)


def _check_line(
    draft: RequestDraft,
    values: dict[str, str],
    where: str,
    problems: list[str],
) -> None:
    local: list[str] = []
    quantity = _int(values.get("quantity", ""), "quantity", where, local, MAX_QUANTITY)
    unit_value = _decimal(values.get("unit_value", ""), "unit_value", where, local)
    weight_raw = values.get("net_weight_g", "")
    net_weight = (
        _int(weight_raw, "net_weight_g", where, local, MAX_NET_WEIGHT_G) if weight_raw else None
    )
    hs_raw = values.get("hs_code", "")
    if local:
        problems.extend(local)
        return
    assert quantity is not None and unit_value is not None
    declared = DeclaredLine(
        description=values.get("description", ""),
        quantity=quantity,
        unit_value=unit_value,
        currency=(values.get("currency", "") or "JPY").upper(),
        origin_country=(values.get("origin_country", "") or "JP").upper(),
        hs_code=normalize_hs_code(hs_raw) if hs_raw else None,
        net_weight_g=net_weight,
        lithium=(values.get("lithium", "") or "none").lower(),
    )
    svc = services().get(draft.header["service"])
    for problem in line_problems(declared, svc):
        problems.append(f"{where}: {problem}")
    draft.lines.append((len(draft.lines) + 1, declared))


@dataclass(frozen=True)
class ShipmentImport:
    """What an import added."""

    added: tuple[str, ...]


def import_shipments(
    session: Session, actor: Actor, data: bytes, *, source: str = "file", at: datetime | None = None
) -> ShipmentImport:
    """Import shipment requests all or nothing; raises ImportRejected naming every bad line."""
    drafts, problems = parse_shipment_csv(decode_csv_bytes(data), source)
    problems += shipment_conflicts(session.connection(), drafts, source)
    if problems:
        problems.sort(key=_line_of)
        raise ImportRejected(problems)
    at = at or now()
    for d in drafts:
        create_shipment(session, actor, d, at=at)
    return ShipmentImport(tuple(d.request_id for d in drafts))


def shipment_conflicts(
    conn: Connection, drafts: list[RequestDraft], source: str, done: Collection[str] = ()
) -> list[str]:
    """What the store refuses in these requests; those in `done` (a resumed import's) pass."""
    problems: list[str] = []
    ids = [d.request_id for d in drafts]
    existing = set(conn.execute(select(SHIPMENT.c.id).where(SHIPMENT.c.id.in_(ids))).scalars())
    customers = {d.header["customer_id"] for d in drafts}
    known = set(conn.execute(select(CUSTOMER.c.id).where(CUSTOMER.c.id.in_(customers))).scalars())
    numbers = sorted({t for d in drafts for t in d.parcels})
    parcels = {
        r.tracking_no: r
        for r in conn.execute(
            select(PARCEL.c.tracking_no, PARCEL.c.customer_id, PARCEL.c.state).where(
                PARCEL.c.tracking_no.in_(numbers)
            )
        )
    }
    holds = open_holds_by_parcel(conn, numbers)
    busy = open_requests_of(conn, numbers)
    claimed: dict[str, str] = {}
    for d in drafts:
        where = f"{source}:{d.line}"
        cid = d.header["customer_id"]
        if d.request_id in existing and d.request_id not in done:
            problems.append(f"{where}: {d.request_id} was already imported")
        if cid and cid not in known:
            problems.append(f"{where}: unknown customer {cid!r}")
        for t in d.parcels:
            p = parcels.get(t)
            refusal = parcel_refusal(
                t, cid, p.customer_id if p else None, p.state if p else None, holds.get(t, ())
            )
            if refusal:
                problems.append(f"{where}: {refusal}")
            elif t in busy and busy[t] not in done:
                problems.append(f"{where}: parcel {t} is already in request {busy[t]}")
            elif t in claimed:
                problems.append(f"{where}: parcel {t} is also in request {claimed[t]}")
            claimed.setdefault(t, d.request_id)
    return problems


def open_requests_of(conn: Connection, tracking_nos: Iterable[str]) -> dict[str, str]:
    """Requests not yet shipped that already name one of these parcels: parcel -> request."""
    numbers = sorted(set(tracking_nos))
    out: dict[str, str] = {}
    for i in range(0, len(numbers), 500):
        rows = conn.execute(
            select(SHIPMENT_PARCEL.c.tracking_no, SHIPMENT_PARCEL.c.shipment_id)
            .select_from(
                SHIPMENT_PARCEL.join(SHIPMENT, SHIPMENT.c.id == SHIPMENT_PARCEL.c.shipment_id)
            )
            .where(
                SHIPMENT_PARCEL.c.tracking_no.in_(numbers[i : i + 500]),
                SHIPMENT.c.state != SHIPPED,
            )
        )
        out.update({t: s for t, s in rows})
    return out


def create_shipment(
    session: Session, actor: Actor, draft: RequestDraft, *, at: datetime | None = None
) -> str:
    """Store one checked request and its `shipment.imported` event (no personal data in it)."""
    at = at or now()
    conn = session.connection()
    h = draft.header
    conn.execute(
        SHIPMENT.insert(),
        {
            "id": draft.request_id,
            "customer_id": h["customer_id"],
            "service": h["service"],
            "country": h["country"],
            "recipient_name": seal(h["recipient_name"] or None),
            "recipient_address": seal(h["recipient_address"] or None),
            "recipient_phone": seal(h.get("recipient_phone") or None),
            "category": h["category"],
            "insurance_jpy": draft.insurance_jpy,
            "state": WAITING,
            "station_id": actor.station_id,
            "created_at": at,
            "updated_at": at,
        },
    )
    conn.execute(
        SHIPMENT_PARCEL.insert(),
        [
            {"shipment_id": draft.request_id, "tracking_no": t, "confirmed_at": None}
            for t in draft.parcels
        ],
    )
    lines = [line_row(draft.request_id, i, ln) for i, (_, ln) in enumerate(draft.lines, start=1)]
    conn.execute(CUSTOMS_LINE.insert(), lines)
    append_event(
        session,
        actor,
        "shipment.imported",
        {
            "shipment_id": draft.request_id,
            "customer_id": h["customer_id"],
            "service": h["service"],
            "country": h["country"],
            "category": h["category"],
            "insurance_jpy": draft.insurance_jpy,
            "parcels": list(draft.parcels),
            "lines": [{k: v for k, v in ln.items() if k != "shipment_id"} for ln in lines],
        },
        at=at,
    )
    return draft.request_id


def line_row(shipment: str, line_no: int, line: DeclaredLine) -> dict[str, object]:
    """The `customs_line` row of a declared line."""
    return {
        "shipment_id": shipment,
        "line_no": line_no,
        "description": line.description,
        "quantity": line.quantity,
        "unit_value": line.unit_value,
        "currency": line.currency,
        "hs_code": line.hs_code,
        "origin_country": line.origin_country,
        "net_weight_g": line.net_weight_g,
        "lithium": line.lithium,
    }


def _line_of(problem: str) -> int:
    match = re.match(r"^[^:]*:(\d+):", problem)
    return int(match.group(1)) if match else 0


# -- tracking-number ranges ---------------------------------------------------------------------


@dataclass(frozen=True)
class RangeView:
    """A range of carrier numbers and how far it is used."""

    id: str
    service: str
    prefix: str
    country: str
    first_serial: int
    next_serial: int
    last_serial: int

    @property
    def left(self) -> int:
        """Numbers not yet used."""
        return self.last_serial - self.next_serial + 1

    @property
    def first_number(self) -> str:
        """The range's first S10 number."""
        return make_s10(self.prefix, self.first_serial, self.country)

    @property
    def last_number(self) -> str:
        """The range's last S10 number."""
        return make_s10(self.prefix, self.last_serial, self.country)


def add_range(
    session: Session,
    actor: Actor,
    service: str,
    prefix: str,
    first: int,
    last: int,
    *,
    country: str = "JP",
    at: datetime | None = None,
) -> RangeView:
    """Register serials `first`..`last` the carrier issued for `service`; overlaps are refused."""
    service = service.lower()
    prefix = prefix.upper()
    country = country.upper()
    if service not in services():
        raise ServiceError(f"unknown service {service!r} (known: {', '.join(services())})")
    try:
        make_s10(prefix, first, country)
        make_s10(prefix, last, country)
    except ValueError as exc:
        raise ServiceError(f"bad range: {exc}") from None
    if first > last:
        raise ServiceError(f"bad range: --from {first} is after --to {last}")
    conn = session.connection()
    for r in conn.execute(
        select(TRACKING_RANGE).where(
            TRACKING_RANGE.c.prefix == prefix, TRACKING_RANGE.c.country == country
        )
    ):
        if r.first_serial <= last and first <= r.last_serial:
            raise ServiceError(
                f"range {prefix}{first:08d}..{prefix}{last:08d} overlaps the {r.service} range "
                f"{prefix}{r.first_serial:08d}..{prefix}{r.last_serial:08d}"
            )
    at = at or now()
    range_id = new_id()
    row = {
        "id": range_id,
        "service": service,
        "prefix": prefix,
        "country": country,
        "first_serial": first,
        "next_serial": first,
        "last_serial": last,
        "created_at": at,
        "created_by": actor.operator,
    }
    conn.execute(TRACKING_RANGE.insert(), row)
    append_event(session, actor, "tracking_range.added", {**row, "created_at": at}, at=at)
    return RangeView(range_id, service, prefix, country, first, first, last)


def list_ranges(conn: Connection, service: str | None = None) -> list[RangeView]:
    """Every range (of one service), oldest first."""
    stmt = select(TRACKING_RANGE).order_by(TRACKING_RANGE.c.created_at, TRACKING_RANGE.c.id)
    if service:
        stmt = stmt.where(TRACKING_RANGE.c.service == service.lower())
    return [
        RangeView(
            r.id, r.service, r.prefix, r.country, r.first_serial, r.next_serial, r.last_serial
        )
        for r in conn.execute(stmt)
    ]


def take_number(session: Session, service: str) -> tuple[str, str]:
    """The next unused S10 number of the service's ranges and the range it came from.

    The serial is taken in the caller's transaction: a box that fails to pack gives it back.
    """
    conn = session.connection()
    stmt = (
        select(TRACKING_RANGE)
        .where(
            TRACKING_RANGE.c.service == service,
            TRACKING_RANGE.c.next_serial <= TRACKING_RANGE.c.last_serial,
        )
        .order_by(TRACKING_RANGE.c.created_at, TRACKING_RANGE.c.id)
        .limit(1)
    )
    if conn.dialect.name == "postgresql":
        # Two benches packing at once must not take the same serial.
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        known = list_ranges(conn, service)
        if not known:
            raise ServiceError(
                f"no tracking-number range for {service}: scan the carrier's pre-printed label, "
                f"or add one with `jpgb shipment range add --service {service} ...`"
            )
        last = known[-1]
        raise ServiceError(
            f"the {service} tracking-number range is exhausted (last {last.last_number}): "
            f"scan a pre-printed label, or add a range with `jpgb shipment range add`"
        )
    conn.execute(
        TRACKING_RANGE.update()
        .where(TRACKING_RANGE.c.id == row.id)
        .values(next_serial=row.next_serial + 1)
    )
    return make_s10(row.prefix, row.next_serial, row.country), row.id
