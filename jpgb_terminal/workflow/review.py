"""Supervisor review as plain calls: the held queue, one parcel's evidence, PIN-checked decisions,
and parcels received twice.

Each function is one or two transactions and blocks on the store, so the terminal calls them on
its database thread. Names of customers leave this module masked only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from jpgb_terminal.clock import WAREHOUSE_TZ, local_date
from jpgb_terminal.privacy.reveal import Revealed, reveal_customer
from jpgb_terminal.rules.masking import mask_name
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import IN_STORAGE, set_customer_status
from jpgb_terminal.services.decisions import (
    DecisionRefused,
    DecisionResult,
    SaleAmounts,
    decide,
    decisions_for,
    refusal_up_front,
    sale_for,
)
from jpgb_terminal.services.errors import AuthError, NotFound
from jpgb_terminal.services.holds_queue import HeldParcel, held_parcels
from jpgb_terminal.services.operators import unlock_operator, verify_pin
from jpgb_terminal.services.parcels import parcel_view
from jpgb_terminal.services.receipts import (
    ReceiptView,
    parcels_received_twice,
    review_duplicate_receipts,
)
from jpgb_terminal.services.records import PARCEL
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Customer, WeightRecord

CUSTOMERS = Customer.__table__  # type: ignore[attr-defined]
WEIGHTS = WeightRecord.__table__  # type: ignore[attr-defined]
# The screen shows this many rows at most; the counts above the table cover the whole queue.
MAX_ROWS = 2_000


@dataclass(frozen=True)
class HeldQueue:
    """The held parcels that pass the filters, masked customer names, and queue counts."""

    rows: tuple[HeldParcel, ...]
    masked_names: dict[str, str]
    total: int
    overdue: int
    today: date


def escape_frame(raw: bytes | None) -> str:
    """A scale frame as printable ASCII: control and non-ASCII bytes as \\xNN, \\r and \\n named."""
    if raw is None:
        return "-"
    named = {0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t", 0x5C: "\\\\"}
    return "".join(named.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in raw)


def masked_names(store: Store, customer_ids: Iterable[str | None]) -> dict[str, str]:
    """Masked display names for the given customer ids (unknown ids are left out)."""
    ids = sorted({c for c in customer_ids if c})
    if not ids:
        return {}
    out: dict[str, str] = {}
    with store.transaction() as session:
        conn = session.connection()
        # In chunks: SQLite limits the number of bound parameters in one statement.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for cid, name in conn.execute(
                select(CUSTOMERS.c.id, CUSTOMERS.c.name).where(CUSTOMERS.c.id.in_(chunk))
            ):
                out[cid] = mask_name(name)
    return out


def held_queue(
    store: Store,
    actor: Actor,
    at: datetime,
    *,
    overdue_only: bool = False,
    reason: str | None = None,
    match: str | None = None,
) -> HeldQueue:
    """Held parcels on the Japan day of `at`; `match` keeps a customer id or station id."""
    today = local_date(at)
    with store.transaction() as session:
        everything = held_parcels(session, actor, today=today)
    total = len(everything)
    overdue = sum(h.overdue for h in everything)
    rows = [
        h
        for h in everything
        if (not overdue_only or h.overdue)
        and (reason is None or reason in h.reasons)
        and (not match or _matches(h, match))
    ]
    shown = tuple(rows[:MAX_ROWS])
    return HeldQueue(
        rows=shown,
        masked_names=masked_names(store, (h.customer_id for h in shown)),
        total=total,
        overdue=overdue,
        today=today,
    )


def _matches(held: HeldParcel, match: str) -> bool:
    wanted = match.strip().casefold()
    return wanted in ((held.customer_id or "").casefold(), held.station_id.casefold())


@dataclass(frozen=True)
class WeightEvidence:
    """One weighing of the parcel with its raw scale frame, escaped for display."""

    grams: int
    source: str
    measured_at: datetime
    station_id: str
    operator: str | None
    scale_id: str | None
    protocol: str | None
    frame: str
    reason: str | None
    approved_by: str | None
    current: bool


@dataclass(frozen=True)
class ParcelDetail:
    """Everything the review's detail view shows about one parcel."""

    view: dict[str, Any]
    customer_masked: str
    customer_status: str | None
    weights: tuple[WeightEvidence, ...]
    decisions: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def parcel_detail(store: Store, tracking_no: str, at: datetime) -> ParcelDetail:
    """The parcel's view (events, open holds), its weighings with frames, and its decisions."""
    with store.transaction() as session:
        view = parcel_view(session, tracking_no, today=local_date(at))
        conn = session.connection()
        current_weight = conn.execute(
            select(PARCEL.c.weight_id).where(PARCEL.c.tracking_no == view["tracking_no"])
        ).scalar()
        weights = tuple(
            WeightEvidence(
                grams=w.grams,
                source=w.source,
                measured_at=w.measured_at,
                station_id=w.station_id,
                operator=w.operator,
                scale_id=w.scale_id,
                protocol=w.protocol,
                frame=escape_frame(w.raw_frame),
                reason=w.reason,
                approved_by=w.approved_by,
                current=w.id == current_weight,
            )
            for w in conn.execute(
                select(WEIGHTS)
                .where(WEIGHTS.c.tracking_no == view["tracking_no"])
                .order_by(WEIGHTS.c.measured_at, WEIGHTS.c.id)
            )
        )
        decisions = []
        for d in decisions_for(session, view["tracking_no"]):
            sale = sale_for(session, d.id)
            decisions.append(
                {
                    "action": d.action,
                    "article": d.article,
                    "operator": d.operator,
                    "at": d.decided_at.astimezone(WAREHOUSE_TZ).isoformat(timespec="seconds"),
                    "note": d.note,
                    "balance": sale.balance if sale is not None else None,
                }
            )
        customer = session.get(Customer, view["customer_id"]) if view["customer_id"] else None
    return ParcelDetail(
        view=view,
        customer_masked=mask_name(customer.name) if customer else "-",
        customer_status=customer.status if customer else None,
        weights=weights,
        decisions=tuple(decisions),
    )


def pin_checked(
    store: Store, station_id: str, operator: str, pin: str, *, at: datetime | None = None
) -> Actor:
    """The operator as the actor of a decision, once their PIN is checked again; AuthError
    for a wrong PIN, which is counted towards the lockout all the same."""
    # Its own transaction, so a wrong PIN is counted even though nothing else is written.
    with store.transaction() as session:
        check = verify_pin(session, station_id, operator, pin, at=at)
    if not check.ok or check.operator is None:
        raise AuthError(check.message)
    return Actor(station_id, check.operator.name)


def unlock_with_pin(
    store: Store,
    station_id: str,
    supervisor: str,
    pin: str,
    locked: str,
    *,
    at: datetime | None = None,
) -> None:
    """Lift `locked`'s lockout once the supervisor's (or lead's) PIN is checked; the
    permission table decides who may."""
    actor = pin_checked(store, station_id, supervisor, pin, at=at)
    with store.transaction() as session:
        unlock_operator(session, actor, locked, at=at)


def refused_up_front(
    store: Store,
    station_id: str,
    operator: str,
    tracking_no: str,
    action: str,
    at: datetime | None = None,
) -> DecisionRefused | None:
    """Why the operator's `action` on the parcel would be refused whatever they type in the
    decision dialog (its state, its holds, their role), or None: asked before it opens."""
    with store.transaction() as session:
        return refusal_up_front(session, Actor(station_id, operator), tracking_no, action, at=at)


def decide_with_pin(
    store: Store,
    station_id: str,
    operator: str,
    pin: str,
    tracking_no: str,
    action: str,
    note: str,
    *,
    consent_reference: str | None = None,
    report_reference: str | None = None,
    sale: SaleAmounts | None = None,
    at: datetime | None = None,
) -> DecisionResult:
    """Check the decider's PIN again, then decide; a wrong PIN is counted and decides nothing."""
    actor = pin_checked(store, station_id, operator, pin, at=at)
    with store.transaction() as session:
        return decide(
            session,
            actor,
            tracking_no,
            action,
            note,
            consent_reference=consent_reference or None,
            report_reference=report_reference or None,
            sale=sale,
            at=at,
        )


@dataclass(frozen=True)
class CustomerSummary:
    """A customer as the status dialog shows it: masked name, status, parcels in storage."""

    customer_id: str
    masked_name: str
    status: str
    in_storage: int
    held: int


def customer_summary(store: Store, customer_id: str) -> CustomerSummary:
    """The customer's masked name, status and how many of their parcels the warehouse holds."""
    with store.transaction() as session:
        customer = session.get(Customer, customer_id.strip())
        if customer is None:
            raise NotFound(f"no customer {customer_id.strip()!r}")
        rows = session.connection().execute(
            select(PARCEL.c.state, func.count())
            .where(PARCEL.c.customer_id == customer.id)
            .group_by(PARCEL.c.state)
        )
        counts: dict[str, int] = {state: n for state, n in rows}
    storage = sum(n for state, n in counts.items() if state in {s.value for s in IN_STORAGE})
    held = counts.get("held", 0)
    return CustomerSummary(customer.id, mask_name(customer.name), customer.status, storage, held)


def change_customer_status(
    store: Store, actor: Actor, customer_id: str, status: str, note: str, at: datetime | None = None
) -> tuple[CustomerSummary, list[str]]:
    """Set the status (holding stored parcels on suspend or freeze); the summary after, and
    the tracking numbers newly held."""
    with store.transaction() as session:
        newly_held = set_customer_status(
            session, actor, customer_id.strip(), status, note=note or None, at=at
        )
    return customer_summary(store, customer_id), newly_held


@dataclass(frozen=True)
class ExportedManifest:
    """A manifest written to a file: where, how many rows, the billable grams."""

    path: Path
    rows: int
    billable_g: int


def export_day_manifest(
    store: Store,
    actor: Actor,
    kind: str,
    day: date,
    fmt: str,
    path: Path,
    *,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportedManifest:
    """Write one Japan day's manifest of `kind` to `path` (ids only); ManifestError says why not,
    NotAllowed when the actor's role may not export manifests."""
    from jpgb_terminal.manifests import check_format, check_kind, check_writable, export_to_file
    from jpgb_terminal.services.manifest_rows import build_manifest, expected_rows

    check_kind(kind)
    check_format(fmt)
    # Before any query, so a bad folder is reported at once.
    check_writable(path)
    with store.transaction() as session:
        conn = session.connection()
        # Built first: the role is checked before anything, even the row count, is read.
        manifest = build_manifest(conn, actor, kind, day)
        if on_total is not None:
            on_total(expected_rows(conn, kind, day))
        export_to_file(manifest, fmt, path, progress)
    return ExportedManifest(path, manifest.totals.rows, manifest.totals.billable_g)


def reveal_for_parcel(store: Store, actor: Actor, tracking_no: str) -> Revealed:
    """The unmasked customer of one parcel for a supervisor or lead; the reveal is an event."""
    with store.transaction() as session:
        return reveal_customer(session, actor, tracking_no)


def pending_receipts(store: Store) -> list[ReceiptView]:
    """Every receipt of the parcels received twice whose duplicates nobody reviewed yet."""
    with store.transaction() as session:
        return parcels_received_twice(session.connection())


def review_receipts_with_pin(
    store: Store,
    station_id: str,
    operator: str,
    pin: str,
    tracking_no: str,
    note: str,
    *,
    at: datetime | None = None,
) -> list[str]:
    """Check the reviewer's PIN again, then record the review of the parcel's duplicate
    receipts; a wrong PIN is counted and records nothing."""
    actor = pin_checked(store, station_id, operator, pin, at=at)
    with store.transaction() as session:
        return review_duplicate_receipts(session, actor, tracking_no, note=note, at=at)
