"""Supervisor review as plain calls: the held queue, one parcel's evidence, a day's manifest.

Each function is one or two transactions and blocks on the store, so the terminal calls them on
its database thread. Names of customers leave this module masked only. The decisions taken
from the review are in `workflow.decisions`, the customer and privacy steps beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from jpgb_terminal.clock import WAREHOUSE_TZ, local_date
from jpgb_terminal.privacy.crypto import masked_name
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import decisions_for, sale_for
from jpgb_terminal.services.holds_queue import HeldParcel, held_parcels
from jpgb_terminal.services.parcel_views import ParcelView, read_parcel
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import CUSTOMER, PARCEL, WEIGHT_RECORD
from jpgb_terminal.store.tables import Customer

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
                select(CUSTOMER.c.id, CUSTOMER.c.name).where(CUSTOMER.c.id.in_(chunk))
            ):
                out[cid] = masked_name(name)
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
class DecisionLine:
    """One decision on the parcel, with the sale balance where it was sold."""

    action: str
    article: str
    operator: str | None
    at: str
    note: str | None
    balance: int | None


@dataclass(frozen=True)
class ParcelDetail:
    """Everything the review's detail view shows about one parcel."""

    view: ParcelView
    customer_masked: str
    customer_status: str | None
    weights: tuple[WeightEvidence, ...]
    decisions: tuple[DecisionLine, ...] = field(default_factory=tuple)


def parcel_detail(store: Store, tracking_no: str, at: datetime) -> ParcelDetail:
    """The parcel's view (events, open holds), its weighings with frames, and its decisions."""
    with store.transaction() as session:
        view = read_parcel(session, tracking_no, today=local_date(at))
        conn = session.connection()
        current_weight = conn.execute(
            select(PARCEL.c.weight_id).where(PARCEL.c.tracking_no == view.tracking_no)
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
                select(WEIGHT_RECORD)
                .where(WEIGHT_RECORD.c.tracking_no == view.tracking_no)
                .order_by(WEIGHT_RECORD.c.measured_at, WEIGHT_RECORD.c.id)
            )
        )
        decisions: list[DecisionLine] = []
        for d in decisions_for(session, view.tracking_no):
            sale = sale_for(session, d.id)
            decisions.append(
                DecisionLine(
                    action=d.action,
                    article=d.article,
                    operator=d.operator,
                    at=d.decided_at.astimezone(WAREHOUSE_TZ).isoformat(timespec="seconds"),
                    note=d.note,
                    balance=sale.balance if sale is not None else None,
                )
            )
        customer = session.get(Customer, view.customer_id) if view.customer_id else None
    return ParcelDetail(
        view=view,
        customer_masked=masked_name(customer.name) if customer else "-",
        customer_status=customer.status if customer else None,
        weights=weights,
        decisions=tuple(decisions),
    )


@dataclass(frozen=True)
class ExportedManifest:
    """A manifest written out: where (None for standard output), how many rows, billable grams."""

    path: Path | None
    rows: int
    billable_g: int


def export_day_manifest(
    store: Store,
    actor: Actor,
    kind: str,
    day: date,
    fmt: str,
    path: Path | None,
    *,
    service: str | None = None,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportedManifest:
    """Write one Japan day's manifest of `kind` to `path`, or as CSV to standard output when
    `path` is None (ids only); ManifestError says why not, NotAllowed when the actor's role
    may not export manifests.  `service` keeps one service of the outbound manifest."""
    from jpgb_terminal.manifests import (
        ManifestError,
        check_format,
        check_kind,
        check_writable,
        export_to_file,
        export_to_stdout,
    )
    from jpgb_terminal.services.manifest_rows import build_manifest, expected_rows

    check_kind(kind)
    check_format(fmt)
    if service is not None and kind != "outbound":
        raise ManifestError("--service applies to the outbound manifest only")
    if path is None and fmt != "csv":
        raise ManifestError(f"a {fmt} manifest needs a file to go to")
    if path is not None:
        # Before any query, so a bad folder is reported at once.
        check_writable(path)
    with store.transaction() as session:
        conn = session.connection()
        # Built first: the role is checked before anything, even the row count, is read.
        manifest = build_manifest(conn, actor, kind, day, service=service)
        if on_total is not None:
            on_total(expected_rows(conn, kind, day, service=service))
        if path is None:
            export_to_stdout(manifest, progress)
        else:
            export_to_file(manifest, fmt, path, progress)
    return ExportedManifest(path, manifest.totals.rows, manifest.totals.billable_g)
