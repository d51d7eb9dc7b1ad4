"""Table handles and the bulk reads and writes every projection uses: IN lists, COPY, executemany.

A batch of thousands of events must cost a few round trips, not thousands: reads go through
`where_in`, writes through `insert_many` and `update_many`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, String, Table, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from jpgb_terminal.projections.events import Snapshots
from jpgb_terminal.store.handles import (
    CUSTOMER,
    DECISION,
    EVENT,
    HOLD,
    INSPECTION,
    OPERATOR,
    PARCEL,
    PREALERT,
    PRICE_LIST,
    QUARANTINE,
    RECEIPT,
    SALE,
)
from jpgb_terminal.store.handles import SYNC_ISSUE as ISSUE
from jpgb_terminal.store.handles import WEIGHT_RECORD as WEIGHT

# The projections take their table handles from here, under the names they have always used.
__all__ = [
    "CUSTOMER",
    "DECISION",
    "EVENT",
    "HOLD",
    "INSPECTION",
    "ISSUE",
    "OPERATOR",
    "PARCEL",
    "PREALERT",
    "PRICE_LIST",
    "QUARANTINE",
    "RECEIPT",
    "SALE",
    "WEIGHT",
]


# The execution option of a store rebuilt from checked events (jpgb_terminal.services.limits
# names it too; sync, which uses this module, may not import the services).
UNCHECKED = "jpgb_unchecked_writes"
CHUNK = 500  # IN-list size: well under SQLite's bound-parameter limit


def where_in(
    conn: Connection, column: ColumnElement[Any], values: Sequence[str]
) -> Iterable[ColumnElement[bool]]:
    """Conditions `column IN values` that together cover `values`: one `= ANY(array)` on
    PostgreSQL (one plan whatever the count, several times faster than a long IN list),
    IN lists of at most CHUNK on SQLite (its bound-parameter limit)."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(String)))
        return
    for i in range(0, len(values), CHUNK):
        yield column.in_(list(values[i : i + CHUNK]))


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows; on PostgreSQL through COPY, several times faster than executemany."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        if not (conn.get_execution_options().get(UNCHECKED) and _insert_raw(conn, table, rows)):
            conn.execute(table.insert(), rows)
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    json_cols = {c.name for c in columns if isinstance(c.type, JSON)}
    names = [c.name for c in columns]
    raw: Any = conn.connection.dbapi_connection
    quoted = ", ".join(f'"{n}"' for n in names)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(json.dumps(row[n]) if n in json_cols else row[n] for n in names))


def _insert_raw(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> bool:
    """Into a store rebuilt from checked events (UNCHECKED): the values SQLAlchemy would bind,
    by the columns' own bind processors, in one executemany without its per-row work.  False
    (nothing written) when a row has other keys or a left-out column has a Python default."""
    names = list(rows[0])
    if any(n not in table.c for n in names):
        return False
    keys = rows[0].keys()
    left_out = [c for c in table.columns if c.name not in keys]
    if any(c.default is not None for c in left_out):
        return False
    dialect = conn.dialect
    procs = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    # Most columns (text, integers) bind as they are: only the others are processed.
    processed = [(i, p) for i, p in enumerate(procs) if p is not None]
    params = []
    for row in rows:
        if row.keys() != keys:
            return False
        values = [row[n] for n in names]
        for i, p in processed:
            values[i] = p(values[i])
        params.append(tuple(values))
    quoted = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" * len(names))
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', params)
    return True


def update_many(
    conn: Connection, table: Table, key: str, updates: dict[str, dict[str, Any]]
) -> None:
    """One executemany per set of columns: UPDATE table SET ... WHERE key = ..."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for ident, values in updates.items():
        if not values:
            continue
        cols = tuple(sorted(values))
        groups[cols].append({"b_key": ident, **{f"b_{c}": values[c] for c in cols}})
    for cols, rows in groups.items():
        stmt = (
            table.update()
            .where(table.c[key] == bindparam("b_key"))
            .values({c: bindparam(f"b_{c}") for c in cols})
        )
        conn.execute(stmt, rows)


def read_snapshots(conn: Connection, customers: set[str], operators: set[str]) -> Snapshots:
    """The current customer and operator rows with these ids, from `conn`'s store."""
    snaps = Snapshots()
    for match in where_in(conn, CUSTOMER.c.id, sorted(customers)):
        for row in conn.execute(select(CUSTOMER).where(match)).mappings():
            snaps.customers[row["id"]] = dict(row)
    for match in where_in(conn, OPERATOR.c.name, sorted(operators)):
        for row in conn.execute(select(OPERATOR).where(match)).mappings():
            snaps.operators[row["name"]] = dict(row)
    return snaps
