"""Pre-alert import (Art. 12): the whole CSV is checked first; one bad row imports nothing."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from jpgb_terminal.clock import now
from jpgb_terminal.events import PrealertRecorded
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.csv_files import ImportRejected, decode_csv_bytes, open_table
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.limits import text_limits, text_problem
from jpgb_terminal.store.tables import Customer, PreAlert
from jpgb_terminal.tracking import InvalidTrackingNumber, parse_tracking

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
        problems.append(f"{source}:{line + 1}: {exc}")
    if not rows and not problems:
        problems.append(f"{source}: the file has a header but no rows")
    return rows, problems


@dataclass(frozen=True)
class ImportSummary:
    """How many pre-alerts an import added and updated."""

    added: int
    updated: int


def import_prealerts(
    session: Session, actor: Actor, data: bytes, *, source: str = "file", at: datetime | None = None
) -> ImportSummary:
    """Import a pre-alert CSV all or nothing; raises ImportRejected naming every bad line."""
    rows, problems = parse_prealert_csv(decode_csv_bytes(data), source)
    customer_ids = {r.customer_id for r in rows}
    known: set[str] = set()
    existing: dict[str, PreAlert] = {}
    tracking_nos = [r.tracking_no for r in rows]
    for i in range(0, len(customer_ids), 500):
        chunk = sorted(customer_ids)[i : i + 500]
        known |= set(session.exec(select(Customer.id).where(Customer.id.in_(chunk))))  # type: ignore[attr-defined]
    for i in range(0, len(tracking_nos), 500):
        chunk = tracking_nos[i : i + 500]
        for pa in session.exec(select(PreAlert).where(PreAlert.tracking_no.in_(chunk))):  # type: ignore[attr-defined]
            existing[pa.tracking_no] = pa
    for row in rows:
        where = f"{source}:{row.line}"
        if row.customer_id not in known:
            problems.append(f"{where}: unknown customer {row.customer_id!r}")
        old = existing.get(row.tracking_no)
        if old is not None and old.customer_id != row.customer_id:
            problems.append(
                f"{where}: {row.tracking_no} is already pre-alerted for customer {old.customer_id}"
            )
    if problems:
        problems.sort(key=_line_of)
        raise ImportRejected(problems)
    at = at or now()
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


def _line_of(problem: str) -> int:
    match = re.match(r"^[^:]*:(\d+):", problem)
    return int(match.group(1)) if match else 0
