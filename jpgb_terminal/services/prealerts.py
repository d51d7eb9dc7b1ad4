"""Pre-alert import (Art. 12): the whole CSV is checked first; one bad row imports nothing."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from jpgb_terminal.clock import now
from jpgb_terminal.events import PrealertRecorded
from jpgb_terminal.services.batched_import import (
    BATCH_ROWS,
    pending_import,
    reading,
    resumes,
    settle_pending,
    write_in_batches,
    written_since,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.csv_files import (
    ImportRejected,
    csv_problem,
    decode_csv_bytes,
    open_table,
    problem_line,
)
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.limits import text_limits, text_problem
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Customer, PreAlert
from jpgb_terminal.tracking import InvalidTrackingNumber, parse_tracking

RECORDED = PrealertRecorded.kind
REQUIRED = ("tracking_no", "customer_id")
OPTIONAL = ("carrier", "contents", "declared_value", "currency")
MAX_DECLARED = Decimal("10000000")  # above this a declared value is a typo, whatever the currency
CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class PreAlertRow:
    """One checked row, ready to store."""

    line: int
    tracking_no: str
    customer_id: str
    carrier: str | None
    contents: str | None
    declared_value: Decimal | None
    currency: str | None


def _declared(raw: str, where: str, problems: list[str]) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        problems.append(f"{where}: declared_value {raw!r} is not a number")
        return None
    if not value.is_finite():
        problems.append(f"{where}: declared_value {raw!r} is not a number")
    elif value < 0:
        problems.append(f"{where}: declared_value {raw} is negative")
    elif value > MAX_DECLARED:
        problems.append(f"{where}: declared_value {raw} is absurd (over {MAX_DECLARED:,})")
    elif value.as_tuple().exponent < -2:  # type: ignore[operator]
        problems.append(f"{where}: declared_value {raw} has more than 2 decimals")
    else:
        return value.quantize(Decimal("0.01"))
    return None


def parse_prealert_csv(text: str, source: str = "file") -> tuple[list[PreAlertRow], list[str]]:
    """Check every row of the CSV text; return the good rows and every problem found."""
    reader, columns, problems = open_table(text, source, REQUIRED, REQUIRED + OPTIONAL)
    if reader is None:
        return [], problems
    rows: list[PreAlertRow] = []
    seen: dict[str, int] = {}
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
            row_problems: list[str] = []
            tracking_no = ""
            try:
                tracking_no = parse_tracking(values["tracking_no"]).normalized
            except InvalidTrackingNumber as exc:
                row_problems.append(f"{where}: tracking_no {values['tracking_no']!r}: {exc}")
            customer_id = values["customer_id"]
            if not customer_id:
                row_problems.append(f"{where}: customer_id is empty")
            if tracking_no and tracking_no in seen:
                row_problems.append(
                    f"{where}: tracking_no {tracking_no} repeats line {seen[tracking_no]}"
                )
            declared = _declared(values.get("declared_value", ""), where, row_problems)
            # Full-width letters, as a Japanese keyboard may type them, are the same code.
            currency = unicodedata.normalize("NFKC", values.get("currency", "")).upper() or None
            if currency is not None and not CURRENCY.match(currency):
                row_problems.append(f"{where}: currency {currency!r} is not a 3-letter code")
            if declared is not None and currency is None:
                currency = "JPY"
            for name, value in values.items():
                problem = text_problem(name, value, text_limits().get(("prealert", name)))
                if problem:
                    row_problems.append(f"{where}: {problem}")
            if row_problems:
                problems.extend(row_problems)
                continue
            seen[tracking_no] = line
            rows.append(
                PreAlertRow(
                    line=line,
                    tracking_no=tracking_no,
                    customer_id=customer_id,
                    carrier=values.get("carrier") or None,
                    contents=values.get("contents") or None,
                    declared_value=declared,
                    currency=currency,
                )
            )
    except csv.Error as exc:
        problems.append(csv_problem(source, line + 1, exc))
    if not rows and not problems:
        problems.append(f"{source}: the file has a header but no rows")
    return rows, problems


@dataclass(frozen=True)
class ImportSummary:
    """How many pre-alerts an import added and updated (and, resumed, had already written)."""

    added: int
    updated: int
    already: int = 0


WHAT = "prealerts"


def check_prealerts(session: Session, data: bytes, source: str = "file") -> list[PreAlertRow]:
    """The file's rows once every one is good, read and checked against the store.

    Raises ImportRejected naming every bad line; reads only, so `session` may be read-only.
    """
    rows, problems = parse_prealert_csv(decode_csv_bytes(data), source)
    known: set[str] = set()
    customer_ids = sorted({r.customer_id for r in rows})
    for i in range(0, len(customer_ids), 500):
        chunk = customer_ids[i : i + 500]
        known |= set(session.exec(select(Customer.id).where(Customer.id.in_(chunk))))  # type: ignore[attr-defined]
    existing = _existing(session, [r.tracking_no for r in rows])
    for row in rows:
        if row.customer_id not in known:
            problems.append(f"{source}:{row.line}: unknown customer {row.customer_id!r}")
    problems += _conflicts(rows, existing, source)
    if problems:
        problems.sort(key=problem_line)
        raise ImportRejected(problems)
    return rows


def _existing(session: Session, tracking_nos: list[str]) -> dict[str, PreAlert]:
    """The stored pre-alerts among these tracking numbers."""
    existing: dict[str, PreAlert] = {}
    for i in range(0, len(tracking_nos), 500):
        chunk = tracking_nos[i : i + 500]
        for pa in session.exec(select(PreAlert).where(PreAlert.tracking_no.in_(chunk))):  # type: ignore[attr-defined]
            existing[pa.tracking_no] = pa
    return existing


def _conflicts(rows: list[PreAlertRow], existing: dict[str, PreAlert], source: str) -> list[str]:
    """Rows whose parcel is already pre-alerted for another customer."""
    problems = []
    for row in rows:
        old = existing.get(row.tracking_no)
        if old is not None and old.customer_id != row.customer_id:
            problems.append(
                f"{source}:{row.line}: {row.tracking_no} is already pre-alerted for customer "
                f"{old.customer_id}"
            )
    return problems


def _write(
    session: Session, actor: Actor, rows: list[PreAlertRow], at: datetime, source: str
) -> ImportSummary:
    """Store checked rows and their events; the conflict check is repeated under the lock."""
    existing = _existing(session, [r.tracking_no for r in rows])
    problems = _conflicts(rows, existing, source)
    if problems:
        raise ImportRejected(problems)
    added = updated = 0
    for row in rows:
        found = existing.get(row.tracking_no)
        if found is None:
            pa = PreAlert(tracking_no=row.tracking_no, customer_id=row.customer_id, created_at=at)
            added += 1
        else:
            pa = found
            updated += 1
        pa.carrier, pa.contents = row.carrier, row.contents
        pa.declared_value, pa.currency = row.declared_value, row.currency
        session.add(pa)
        append_event(
            session,
            actor,
            PrealertRecorded(
                customer_id=row.customer_id,
                carrier=row.carrier,
                contents=row.contents,
                declared_value=row.declared_value,
                currency=row.currency,
            ),
            tracking_no=row.tracking_no,
            at=at,
        )
    return ImportSummary(added, updated)


def import_prealerts(
    session: Session, actor: Actor, data: bytes, *, source: str = "file", at: datetime | None = None
) -> ImportSummary:
    """Import a pre-alert CSV all or nothing in the caller's one transaction (a small file).

    Raises ImportRejected naming every bad line. A long file goes through
    `import_prealert_file`, which does not hold the write lock throughout.
    """
    rows = check_prealerts(session, data, source)
    return _write(session, actor, rows, at or now(), source)


def import_prealert_file(
    store: Store,
    actor: Actor,
    data: bytes,
    *,
    source: str = "file",
    at: datetime | None = None,
    abandon: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> ImportSummary:
    """Import a pre-alert CSV checked whole, then written in short batches (batched_import).

    Raises ImportRejected naming every bad line, with nothing written; the same file after a
    crash finishes the unfinished import, skipping the rows it had written.
    """
    pending = pending_import(store, actor.station_id, WHAT)
    with reading(store) as session:
        rows = check_prealerts(session, data, source)
        written: set[str] = set()
        if pending is not None and resumes(pending, data, abandon=abandon):
            found = written_since(session, actor.station_id, pending.started_seq, RECORDED)
            written = {tracking_no for tracking_no, _ in found}
    resumed = settle_pending(store, actor, pending, data, source, abandon=abandon)
    todo = [r for r in rows if r.tracking_no not in written]
    totals = [0, 0]
    at_ = at or now()

    def write(session: Session, batch: Sequence[PreAlertRow]) -> None:
        done = _write(session, actor, list(batch), at_, source)
        totals[0] += done.added
        totals[1] += done.updated

    write_in_batches(
        store,
        actor,
        what=WHAT,
        data=data,
        source=source,
        items=todo,
        write=write,
        resumed=resumed,
        batch_rows=batch_rows,
        at=at_,
    )
    return ImportSummary(totals[0], totals[1], len(rows) - len(todo))
