"""Shipment request import: the CSV checked whole, all or nothing, one event per request."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, select
from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import ShipmentImported, ShipmentLine
from jpgb_terminal.privacy.crypto import seal
from jpgb_terminal.refdata import services
from jpgb_terminal.rules.customs import (
    CATEGORIES,
    DeclaredLine,
    line_problems,
    normalize_hs_code,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.csv_files import (
    ImportRejected,
    csv_problem,
    decode_csv_bytes,
    open_table,
)
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.shipment_views import (
    REQUEST_ID,
    SHIPPED,
    WAITING,
    normalize_request_id,
    open_holds_by_parcel,
    parcel_refusal,
)
from jpgb_terminal.store.handles import CUSTOMER, CUSTOMS_LINE, PARCEL, SHIPMENT, SHIPMENT_PARCEL
from jpgb_terminal.tracking import (
    ISO_COUNTRY_CODES,
    InvalidTrackingNumber,
    parse_tracking,
)

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
        ShipmentImported(
            shipment_id=draft.request_id,
            customer_id=h["customer_id"],
            service=h["service"],
            country=h["country"],
            category=h["category"],
            insurance_jpy=draft.insurance_jpy,
            parcels=tuple(draft.parcels),
            lines=tuple(line_event(i, ln) for i, (_, ln) in enumerate(draft.lines, start=1)),
        ),
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


def line_event(line_no: int, line: DeclaredLine) -> ShipmentLine:
    """A declared line as the shipment's event carries it (the row's values, no shipment)."""
    return ShipmentLine(
        line_no=line_no,
        description=line.description,
        quantity=line.quantity,
        unit_value=line.unit_value,
        currency=line.currency,
        hs_code=line.hs_code,
        origin_country=line.origin_country,
        net_weight_g=line.net_weight_g,
        lithium=line.lithium,
    )


def _line_of(problem: str) -> int:
    match = re.match(r"^[^:]*:(\d+):", problem)
    return int(match.group(1)) if match else 0
