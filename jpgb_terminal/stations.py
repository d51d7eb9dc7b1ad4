"""Station ids: what a bench may be called (it is printed on labels, manifests and every event)."""

from __future__ import annotations

import re

MAX_LENGTH = 40
_ALLOWED = re.compile(r"[A-Za-z0-9_-]+")
RULE = f"letters, digits, '-' and '_' only, at most {MAX_LENGTH}"


def station_id_problem(value: str) -> str | None:
    """Why `value` cannot be a station id (one line), or None when it can."""
    if not value:
        return f"a station id cannot be empty ({RULE})"
    if len(value) > MAX_LENGTH:
        return f"station id {value[:MAX_LENGTH]!r}... is {len(value)} characters long ({RULE})"
    # ASCII only: the id goes into barcodes, file names and carrier manifests.
    if not value.isascii() or _ALLOWED.fullmatch(value) is None:
        return f"station id {value!r} is not allowed ({RULE})"
    return None


def check_station_id(value: str) -> str:
    """`value` when it is a valid station id; ValueError with one line saying why not."""
    problem = station_id_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value
