"""Central's limits enforced at the bench: text lengths, characters and integer ranges that
PostgreSQL refuses are refused before they reach the bench's SQLite file."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert, Update
from sqlmodel import SQLModel

from jpgb_terminal.services.errors import ServiceError

_RANGES = {
    SmallInteger: 2**15,
    BigInteger: 2**63,
    Integer: 2**31,
}


@cache
def text_limits() -> dict[tuple[str, str], int]:
    """(table, column) -> the longest text central stores there, from the String(n) columns."""
    limits: dict[tuple[str, str], int] = {}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if isinstance(length, int) and length > 0:
                limits[(table.name, column.key)] = int(length)
    return limits


@cache
def _int_bounds() -> dict[tuple[str, str], int]:
    bounds: dict[tuple[str, str], int] = {}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            for kind, bound in _RANGES.items():
                if isinstance(column.type, kind):
                    bounds[(table.name, column.key)] = bound
                    break
    return bounds


def text_problem(field: str, value: str, limit: int | None = None) -> str | None:
    """Why central would refuse this text (too long, NUL, invalid UTF-8), or None."""
    if "\x00" in value:
        return f"{field} contains a NUL character, which the central store refuses"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{field} contains a character that is not valid UTF-8"
    if limit is not None and len(value) > limit:
        return f"{field} is longer than {limit} characters (the central store's limit)"
    return None


def check_text(field: str, value: str | None, limit: int | None = None) -> None:
    """Raise ServiceError naming the field when central would refuse the text."""
    if value is not None:
        problem = text_problem(field, value, limit)
        if problem:
            raise ServiceError(problem)


def check_column(table: str, column: str, value: str | None) -> None:
    """Raise ServiceError when the value does not fit central's column table.column."""
    check_text(column, value, text_limits().get((table, column)))


def check_payload(value: Any, field: str = "event payload") -> None:
    """Raise ServiceError when any string in an event payload has characters central refuses."""
    if isinstance(value, str):
        check_text(field, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_payload(str(key), field)
            check_payload(item, f"{field} {key}")
    elif isinstance(value, list | tuple):
        for item in value:
            check_payload(item, field)


def _check_params(table: str, params: dict[str, Any]) -> None:
    limits, bounds = text_limits(), _int_bounds()
    for key, value in params.items():
        field = f"{table}.{key}"
        if isinstance(value, str):
            check_text(field, value, limits.get((table, key)))
        elif isinstance(value, dict | list):
            check_payload(value, field)
        elif isinstance(value, int) and not isinstance(value, bool):
            bound = bounds.get((table, key))
            if bound is not None and not -bound <= value < bound:
                raise ServiceError(f"{field} {value} is out of the central store's range")


# Execution option of a connection whose writes are not checked (jpgb_terminal.audit.replay).
UNCHECKED = "jpgb_unchecked_writes"


@event.listens_for(Engine, "before_execute")
def _refuse_what_central_refuses(
    conn: Connection, clause: Any, multiparams: Any, params: Any, execution_options: Any
) -> None:
    """Every insert and update into the project's tables, ORM or Core, is checked here."""
    if not isinstance(clause, Insert | Update) or conn.dialect.name == "postgresql":
        return  # PostgreSQL enforces its own limits
    if execution_options.get(UNCHECKED):
        return  # a throwaway store rebuilt from events that were checked when written
    table = getattr(clause.table, "name", None)
    if not isinstance(table, str) or table not in SQLModel.metadata.tables:
        return
    batches = multiparams if isinstance(multiparams, list | tuple) else [multiparams]
    for batch in [params, *batches]:
        rows = batch if isinstance(batch, list | tuple) else [batch]
        for row in rows:
            if isinstance(row, dict):
                _check_params(table, row)
