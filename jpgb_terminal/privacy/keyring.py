"""The sealed values of one store: counting them by key, and re-sealing them in short batches.

Every column that holds personal data sealed at rest is listed in `SEALED`.  Re-sealing walks
each table by primary key in batches, each its own short transaction, so a bench keeps working
while a rotation runs; a value already sealed with the current key is left alone, so a run that
stopped half-way is resumed by running it again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, and_, or_, select
from sqlmodel import Session

from jpgb_terminal.privacy.crypto import (
    ENCRYPTED_FIELDS,
    LEGACY,
    PREFIX,
    SHIPMENT_SEALED_FIELDS,
    Cipher,
    MissingKey,
    sealed_with,
)
from jpgb_terminal.rules.marker_names import is_marker_name
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import CUSTOMER, SHIPMENT

SEALED: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (CUSTOMER, ENCRYPTED_FIELDS),
    (SHIPMENT, SHIPMENT_SEALED_FIELDS),
)
BATCH = 200  # rows per transaction: a few milliseconds of Fernet work, well under a second
PLAINTEXT = "(in clear)"  # the status line of values stored before a key file existed


def _kept_in_clear(table: Table, row_id: Any, field: str, value: str | None) -> bool:
    """The clear marker names of customers holding no personal data (rules.marker_names): never
    sealed, so retention and sync still recognise them, and not counted as values in clear."""
    return table is CUSTOMER and field == "name" and is_marker_name(row_id, value)


def _rows(
    conn: Connection, table: Table, fields: tuple[str, ...], after: Any, limit: int | None
) -> list[Any]:
    query = select(table.c.id, *(table.c[f] for f in fields)).order_by(table.c.id)
    if limit is not None:
        query = query.limit(limit)
    if after is not None:
        query = query.where(table.c.id > after)
    return list(conn.execute(query).all())


def count_sealed(store: Store) -> int:
    """How many stored values are sealed (with any key)."""
    total = 0
    with store.engine.connect() as conn:
        for table, fields in SEALED:
            sealed = or_(*(table.c[f].startswith(PREFIX) for f in fields))
            for row in conn.execute(select(*(table.c[f] for f in fields)).where(sealed)):
                total += sum(1 for v in row if sealed_with(v) is not None)
    return total


def values_by_key(store: Store) -> Counter[str]:
    """How many stored values each key id sealed (LEGACY, PLAINTEXT for the others)."""
    counts: Counter[str] = Counter()
    with store.engine.connect() as conn:
        for table, fields in SEALED:
            for row in conn.execute(select(table.c.id, *(table.c[f] for f in fields))):
                for f in fields:
                    value = getattr(row, f)
                    if value is not None and not _kept_in_clear(table, row.id, f, value):
                        counts[sealed_with(value) or PLAINTEXT] += 1
    return counts


@dataclass(frozen=True)
class KeyUse:
    """One line of `jpgb keys status`: a key id, its role here, and the values it sealed."""

    key_id: str
    role: str  # current, retired, missing (values sealed with it, key not in the file), other
    values: int


def key_status(store: Store, cipher: Cipher) -> list[KeyUse]:
    """Every key of the file with its role and count, then keys the store needs but lacks."""
    counts = values_by_key(store)
    lines = [
        KeyUse(kid, "current" if i == 0 else "retired", counts.pop(kid, 0))
        for i, kid in enumerate(cipher.key_ids)
    ]
    for kid in sorted(counts):
        role = "other" if kid in (LEGACY, PLAINTEXT) else "missing"
        lines.append(KeyUse(kid, role, counts[kid]))
    return lines


def _resealed(cipher: Cipher, value: str | None) -> str | None:
    try:
        return cipher.reseal(value)
    except MissingKey:
        # Synced from a bench whose key is not imported yet: kept as it is, so a rotation
        # is not stopped by it; `jpgb keys status` counts it under its missing key.
        return value


def reseal_rows(
    conn: Connection, table: Table, fields: tuple[str, ...], rows: list[Any], cipher: Cipher
) -> int:
    """Seal these rows' values with the cipher's current key; returns how many rows changed.

    Each update names the values it read, so a value changed meanwhile by another process
    (already sealed with the current key) is not overwritten with an older one.
    """
    changed = 0
    for row in rows:
        values = {
            f: v if _kept_in_clear(table, row.id, f, v) else _resealed(cipher, v)
            for f, v in ((f, getattr(row, f)) for f in fields)
        }
        if all(values[f] == getattr(row, f) for f in fields):
            continue
        unchanged = and_(*(table.c[f] == getattr(row, f) for f in fields))
        done = conn.execute(table.update().where(table.c.id == row.id, unchanged).values(**values))
        changed += done.rowcount
    return changed


def reseal_store(
    store: Store,
    cipher: Callable[[], Cipher],
    *,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> Counter[str]:
    """Seal every sealed field with the current key, `batch` rows per transaction; returns the
    rows changed by table.  `cipher()` is asked again for each batch, so a key added meanwhile
    is used."""
    changed: Counter[str] = Counter()
    for table, fields in SEALED:
        after: Any = None
        while True:
            with store.transaction() as session:
                conn = session.connection()
                rows = _rows(conn, table, fields, after, batch)
                if not rows:
                    break
                changed[table.name] += reseal_rows(conn, table, fields, rows, cipher())
            after = rows[-1].id
            if progress is not None:
                progress(changed.total())
    return changed


def reseal_all(session: Session, cipher: Cipher) -> int:
    """Seal every sealed field with the cipher's current key in the session's one transaction
    (a store being set up); returns how many rows changed."""
    conn = session.connection()
    changed = 0
    for table, fields in SEALED:
        changed += reseal_rows(conn, table, fields, _rows(conn, table, fields, None, None), cipher)
    return changed
