"""Proving a store's state: every derived table compared, row by row, with what its events make.

`verify_state` replays the store's events into a fresh projection (`jpgb_terminal.audit.replay`)
and compares each derived table with the stored one; `compare_states` compares two stores'
tables the same way.  Each table is read in key order on both sides and walked once, so a
million rows never sit in memory; the first difference of each table is named: table, key,
column, the value on each side.

What is compared is what events decide.  Left out, because they are legitimately local or never
travel in events:

- customer `name`, `address`, `phone`, `id_doc_no`: personal data travels beside events as
  snapshots, never in them; whether the customer is anonymised (name replaced and every
  personal field empty) is compared instead, as the column `anonymised`;
- operator `pin_hash` (a credential: it travels beside `operator.pin_changed`, not in it),
  `failed_attempts` and `locked_until` (a login counter and a lockout, kept in the row alone at
  central: `jpgb_terminal.services.operators`);
- shipment `recipient_*`: personal data that never travels (README, "Outbound");
- tracking range `next_serial`: the bench's own counter, advanced as it labels boxes;
- sync bookkeeping (`sync_state`, `station_sequence`, `event_order`, `sync_issue`,
  `quarantine`, `store_info`): local marks of what was sent, accepted and noted;
- pre-alerts: customers' announcements, recorded where they arrive and not from the chains.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, String, Table, and_, select

from jpgb_terminal.audit.replay import ReplayOutcome, replayed
from jpgb_terminal.privacy.fields import ANONYMISED_NAME
from jpgb_terminal.store import handles as h

FETCH = 5_000  # rows per round trip on each side
MAX_SHOWN = 80  # characters of a value in a report line

# Derived tables, parents first, with the columns left out (module docstring says why).
TABLES: tuple[tuple[Table, frozenset[str]], ...] = (
    (h.CUSTOMER, frozenset({"name", "address", "phone", "id_doc_no"})),
    (h.OPERATOR, frozenset({"pin_hash", "failed_attempts", "locked_until"})),
    (h.PARCEL, frozenset()),
    (h.WEIGHT_RECORD, frozenset()),
    (h.INSPECTION, frozenset()),
    (h.HOLD, frozenset()),
    (h.DECISION, frozenset()),
    (h.SALE, frozenset()),
    (h.RECEIPT, frozenset()),
    (h.SHIPMENT, frozenset({"recipient_name", "recipient_address", "recipient_phone"})),
    (h.SHIPMENT_PARCEL, frozenset()),
    (h.CUSTOMS_LINE, frozenset()),
    (h.BOX_WEIGHT, frozenset()),
    (h.BOX, frozenset()),
    (h.TRACKING_RANGE, frozenset({"next_serial"})),
    (h.PRICE_LIST, frozenset()),
)


def _anonymised(table: Table) -> ColumnElement[bool]:
    c = table.c
    return and_(
        c.name == ANONYMISED_NAME, c.address.is_(None), c.phone.is_(None), c.id_doc_no.is_(None)
    ).label("anonymised")


@dataclass(frozen=True)
class Difference:
    """The first row where two sides of one table disagree."""

    table: str
    key: str
    problem: str
    column: str | None = None
    left: Any = None
    right: Any = None

    def line(self) -> str:
        """One line naming the table, the row's key and what differs."""
        return f"{self.table} {self.key}: {self.problem}"


@dataclass
class TableCheck:
    """One table compared: rows on each side and its first difference."""

    table: str
    left_rows: int = 0
    right_rows: int = 0
    differences: int = 0
    first: Difference | None = None


@dataclass(frozen=True)
class Sides:
    """How a report speaks of the two sides of a comparison."""

    left: str  # "stored"
    right: str  # "replayed from the events"
    only_left: str  # "stored, but no event makes it"
    only_right: str  # "made by the events, but not stored"


REPLAY_SIDES = Sides(
    "stored", "replayed", "stored, but no event makes it", "made by the events, but not stored"
)


def store_sides(first: str, second: str) -> Sides:
    """The sides of a comparison of two stores, by their names."""
    return Sides(f"in {first}", f"in {second}", f"only in {first}", f"only in {second}")


@dataclass
class StateReport:
    """Every derived table compared between two sides."""

    sides: Sides
    tables: list[TableCheck] = field(default_factory=list)
    replay: ReplayOutcome | None = None

    @property
    def ok(self) -> bool:
        """True when every table agrees row for row."""
        return all(t.first is None for t in self.tables)

    @property
    def rows(self) -> int:
        """How many rows were compared on the left side."""
        return sum(t.left_rows for t in self.tables)

    def differences(self) -> list[Difference]:
        """The first difference of each table that has one, in table order."""
        return [t.first for t in self.tables if t.first is not None]


def _shown(value: Any) -> str:
    if isinstance(value, bytes):
        text = value.hex()
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def _same(a: Any, b: Any) -> bool:
    """Equal values, whatever the driver gave back (memoryview, naive UTC, int for bool)."""
    if isinstance(a, memoryview):
        a = bytes(a)
    if isinstance(b, memoryview):
        b = bytes(b)
    if isinstance(a, datetime) and isinstance(b, datetime):
        a = a if a.tzinfo else a.replace(tzinfo=UTC)
        b = b if b.tzinfo else b.replace(tzinfo=UTC)
    return bool(a == b)


def _columns(table: Table, left_out: frozenset[str]) -> list[ColumnElement[Any]]:
    cols: list[ColumnElement[Any]] = [c for c in table.columns if c.name not in left_out]
    if table is h.CUSTOMER:
        cols.append(_anonymised(table))
    return cols


def _select(conn: Connection, table: Table, left_out: frozenset[str]) -> Select[Any]:
    """The table's compared columns, key columns first, in key order."""
    keys = list(table.primary_key.columns)
    rest = [c for c in _columns(table, left_out) if c.name not in {k.name for k in keys}]
    # Byte order on both sides (SQLite's default; "C" on PostgreSQL), which is Python's order
    # of str, so the two sides can be walked together.
    postgres = conn.dialect.name == "postgresql"
    order = [k.collate("C") if postgres and isinstance(k.type, String) else k for k in keys]
    return select(*keys, *rest).order_by(*order)


def _rows(conn: Connection, table: Table, left_out: frozenset[str]) -> Iterator[tuple[Any, ...]]:
    """The table's compared values as Python values, read in batches."""
    stmt = _select(conn, table, left_out)
    result = conn.execute(stmt, execution_options={"stream_results": True, "yield_per": FETCH})
    for partition in result.partitions(FETCH):
        for row in partition:
            yield tuple(row)


def _raw_rows(
    conn: Connection, table: Table, left_out: frozenset[str]
) -> Iterator[tuple[Any, ...]]:
    """The same rows as sqlite3 stores them, with no per-value conversion (the fast path)."""
    stmt = _select(conn, table, left_out)
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    raw: Any = conn.connection.dbapi_connection
    cur = raw.cursor()
    try:
        cur.execute(sql)
        while rows := cur.fetchmany(FETCH):
            yield from rows
    finally:
        cur.close()


def _typed_row(
    conn: Connection, table: Table, left_out: frozenset[str], key: tuple[Any, ...]
) -> tuple[Any, ...] | None:
    """One row by its key, as Python values."""
    keys = list(table.primary_key.columns)
    stmt = _select(conn, table, left_out).where(*(k == v for k, v in zip(keys, key, strict=True)))
    row = conn.execute(stmt).first()
    return tuple(row) if row is not None else None


def _column_names(table: Table, left_out: frozenset[str]) -> list[str]:
    keys = [k.name for k in table.primary_key.columns]
    rest = [c.name for c in _columns(table, left_out) if c.name not in keys]
    return keys + rest


def _first_column(names: Sequence[str], a: tuple[Any, ...], b: tuple[Any, ...]) -> int | None:
    for i in range(len(names)):
        if not _same(a[i], b[i]):
            return i
    return None


def compare_table(
    left: Connection,
    right: Connection,
    table: Table,
    left_out: frozenset[str],
    sides: Sides,
) -> TableCheck:
    """Walk one table on both sides in key order; count rows and differences, keep the first."""
    check = TableCheck(table.name)
    columns = _column_names(table, left_out)
    nkeys = len(table.primary_key.columns)
    # Two SQLite files written through the same column types hold the same bytes for the
    # same values: their rows are compared as stored, and only a row that differs there is
    # read again as Python values to decide (this can cost time, never a verdict).
    raw = left.dialect.name == right.dialect.name == "sqlite"
    read = _raw_rows if raw else _rows
    left_rows, right_rows = read(left, table, left_out), read(right, table, left_out)
    a, b = next(left_rows, None), next(right_rows, None)

    def found(row: tuple[Any, ...], problem: str, column: str | None = None, **sides: Any) -> None:
        check.differences += 1
        if check.first is None:
            key = "/".join(str(v) for v in row[:nkeys])
            check.first = Difference(table.name, key, problem, column, **sides)

    while a is not None or b is not None:
        if b is None or (a is not None and a[:nkeys] < b[:nkeys]):
            check.left_rows += 1
            found(a, sides.only_left)  # type: ignore[arg-type]
            a = next(left_rows, None)
            continue
        if a is None or b[:nkeys] < a[:nkeys]:
            check.right_rows += 1
            found(b, sides.only_right)
            b = next(right_rows, None)
            continue
        check.left_rows += 1
        check.right_rows += 1
        if a != b:
            if raw:
                a = _typed_row(left, table, left_out, a[:nkeys]) or a
                b = _typed_row(right, table, left_out, b[:nkeys]) or b
            i = _first_column(columns, a, b)
            if i is not None:
                found(
                    a,
                    f"{columns[i]} {_shown(a[i])} {sides.left}, {_shown(b[i])} {sides.right}",
                    columns[i],
                    left=a[i],
                    right=b[i],
                )
        a, b = next(left_rows, None), next(right_rows, None)
    return check


def compare_tables(left: Connection, right: Connection, sides: Sides) -> StateReport:
    """Every derived table of two stores compared row by row."""
    report = StateReport(sides)
    for table, left_out in TABLES:
        report.tables.append(compare_table(left, right, table, left_out, sides))
    return report


def verify_state(conn: Connection) -> StateReport:
    """Replay the store's events into a fresh projection and compare every derived table."""
    with replayed(conn) as (target, outcome):
        report = compare_tables(conn, target, REPLAY_SIDES)
    report.replay = outcome
    return report


def compare_states(first: tuple[str, Connection], second: tuple[str, Connection]) -> StateReport:
    """Where two stores' derived tables disagree (named `first[0]` and `second[0]`)."""
    return compare_tables(first[1], second[1], store_sides(first[0], second[0]))
