"""Typed reads of one field of a reference table, each failing with the table and key named."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from jpgb_terminal.refdata.model import LABEL_MAX, ProhibitedCategory, ReferenceDataError

T = TypeVar("T")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def get(table: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
    """The value at `key`, of type `kind` (a bool is not an int), or a ReferenceDataError."""
    value = table.get(key) if isinstance(table, Mapping) else None
    # bool is an int subclass; a true/false where a number belongs is a typo, not a value.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ReferenceDataError(f"{where}: {key} must be {kind.__name__}, got {value!r}")
    return value


def text(table: Mapping[str, Any], key: str, where: str) -> str:
    """A non-empty string."""
    value = get(table, key, str, where)
    if not value.strip():
        raise ReferenceDataError(f"{where}: {key} is empty")
    return value


def integer(table: Mapping[str, Any], key: str, where: str, minimum: int | None = None) -> int:
    """An integer, at least `minimum` when one is given."""
    value = get(table, key, int, where)
    if minimum is not None and value < minimum:
        raise ReferenceDataError(f"{where}: {key} must be >= {minimum}, got {value}")
    return value


def optional_integer(table: Mapping[str, Any], key: str, where: str) -> int | None:
    """A positive integer, or None when the key is absent."""
    if key not in table:
        return None
    return integer(table, key, where, minimum=1)


def choice(table: Mapping[str, Any], key: str, options: tuple[str, ...], where: str) -> str:
    """A string among `options`."""
    value = text(table, key, where)
    if value not in options:
        raise ReferenceDataError(
            f"{where}: {key} must be one of {', '.join(options)}, got {value!r}"
        )
    return value


def code(table: Mapping[str, Any], where: str) -> str:
    """The table's snake_case `code`."""
    value = text(table, "code", where)
    if not CODE_RE.match(value):
        raise ReferenceDataError(f"{where}: code {value!r} must be snake_case")
    return value


def label(table: Mapping[str, Any], where: str) -> str:
    """The table's `label`, short enough for the bench's screen."""
    value = text(table, "label", where)
    if len(value) > LABEL_MAX:
        raise ReferenceDataError(f"{where}: label {value!r} is over {LABEL_MAX} characters")
    return value


def version(raw: Mapping[str, Any], source: str) -> str:
    """The table's `version` string."""
    return text(raw, "version", source)


def list_of_tables(table: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """A list of TOML tables."""
    rows = get(table, key, list, where)
    if not all(isinstance(r, dict) for r in rows):
        raise ReferenceDataError(f"{where}: {key} must be a list of tables")
    return rows


def unique(items: list[ProhibitedCategory], field: str, source: str) -> None:
    """Refuse two items sharing `field`."""
    seen: set[str] = set()
    for item in items:
        value = getattr(item, field)
        if value in seen:
            raise ReferenceDataError(f"{source}: {field} {value!r} used twice")
        seen.add(value)
