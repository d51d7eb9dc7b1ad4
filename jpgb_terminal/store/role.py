"""Which store this is: the central store takes events only through sync, never written directly.

A command pointed at the central store with `--db` that recorded something (a customer, a
decision, a price list) would write an event under a station's id and sequence number that
the station itself uses next, and central would then refuse that station's push.  So central
is marked when it is created or upgraded (`jpgb central init`) and when a station first
pushes to it, and appending an event there is refused.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jpgb_terminal.store.handles import STORE_INFO

CENTRAL = "central"
_CACHE_KEY = "jpgb_store_role"
NOT_HERE = (
    "this is the central store: record this at a bench, and sync brings it here "
    "(central takes events only from the benches' pushes)"
)


def store_role(conn: Connection) -> str | None:
    """The store's role (`central`), or None for a station's store; cached per connection."""
    cached = conn.info.get(_CACHE_KEY)
    if cached is None:
        value = conn.execute(select(STORE_INFO.c.value).where(STORE_INFO.c.key == "role")).scalar()
        # Only the answer "central" is kept: a store becomes central once and stays so.
        if value != CENTRAL:
            return value
        conn.info[_CACHE_KEY] = cached = value
    return str(cached)


def is_central(conn: Connection) -> bool:
    """True at the central store."""
    return store_role(conn) == CENTRAL


def mark_central(conn: Connection) -> None:
    """Mark the store as the central store (in the caller's transaction; idempotent)."""
    if store_role(conn) == CENTRAL:
        return
    # Several stations may make their first push at once: the last writer changes nothing.
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(STORE_INFO).values(key="role", value=CENTRAL)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": CENTRAL}))
    conn.info[_CACHE_KEY] = CENTRAL
