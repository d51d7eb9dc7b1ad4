"""Which station a store belongs to: written into the store when it is made, used by every command.

A bench's events carry its station id and a sequence number of that station.  When the id came
from a setting alone, a bench seeded as `A` and later run with the default `ST01` pushed none of
its own events while reporting success, and wrote new ones under `ST01`, taking sequence numbers
of the real ST01.  So the id is a fact of the store (`store_info` key `station_id`): the first
command on a new store writes the one its settings name (or the default), and from then on that
is the station; a setting naming another id is refused.

A store made before this was kept (migration 0014d) takes the id from its own events.  Events
pulled from central are other stations' and do not count; what a store pulled is told by its
sync cursors (`sync_state`): it holds one row per id it synced as, and a pull brings only the
events of the *other* stations.  So:

- a store that never pulled anything wrote every event it holds: their stations are its own;
- a store that pulled wrote the events of the ids it synced as;
- when that leaves several ids, or none although there are events, nobody can tell which is
  this bench's without asking: the upgrade names them and wants `jpgb db upgrade --station ID`.

The central store has no station (it holds everyone's events) and is left alone.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from jpgb_terminal.stations import check_station_id
from jpgb_terminal.store.engine import Store, StoreError
from jpgb_terminal.store.handles import EVENT, STORE_INFO, SYNC_STATE
from jpgb_terminal.store.role import is_central

STATION_KEY = "station_id"
CHOOSE = "run `jpgb db upgrade --station ID` with this bench's own id"


class StationMismatch(StoreError):
    """A setting, flag or variable names another station than the store's own."""


class StationUnclear(StoreError):
    """The store holds events written here under several station ids (or under none it synced
    as); which one is this bench's must be said."""


def store_station(conn: Connection) -> str | None:
    """The station the store belongs to, or None (a new store, or the central store)."""
    value = conn.execute(select(STORE_INFO.c.value).where(STORE_INFO.c.key == STATION_KEY)).scalar()
    return None if value is None else str(value)


def own_stations(conn: Connection) -> list[str]:
    """The station ids of the events written in this store (not pulled into it), sorted.

    More than one, or ids none of which the store synced as, mean the events alone cannot say
    which station the store is (see the module's docstring).
    """
    written = {str(s) for s in conn.execute(select(EVENT.c.station_id).distinct()).scalars()}
    if not written:
        return []
    states = conn.execute(select(SYNC_STATE.c.station_id, SYNC_STATE.c.pulled_central_id)).all()
    pullers = {str(sid) for sid, pulled in states if pulled}
    if not pullers:
        return sorted(written)
    synced_as = written & {str(sid) for sid, _ in states}
    # It pulled, as ids that wrote nothing here: every id it holds could be its own.
    return sorted(synced_as or written | pullers)


def choose_station(
    conn: Connection,
    wanted: str | None,
    origin: str | None,
    *,
    candidates: list[str] | None = None,
) -> str | None:
    """The id a store without one takes: its own events' station, else `wanted`.

    `origin` says who named `wanted` (None: only the default, which the events outweigh).
    StationMismatch when an explicit `wanted` is not the events' station, StationUnclear when the
    events name several and nothing explicit picks one of them.  `candidates`: own_stations,
    when the caller has them already.
    """
    if candidates is None:
        candidates = own_stations(conn)
    explicit = origin is not None and wanted is not None
    if not candidates or (explicit and wanted in candidates):
        return wanted
    if len(candidates) == 1 and not explicit:
        return candidates[0]
    if len(candidates) == 1:
        raise StationMismatch(
            f"this store's own events are of station {candidates[0]}; {origin} says {wanted} "
            "(drop that setting, or name another bench's store)"
        )
    named = ", ".join(candidates)
    said = f" ({origin} says {wanted}, which is none of them)" if explicit else ""
    raise StationUnclear(
        f"this store holds events of several stations that may have been written here "
        f"({named}){said}: {CHOOSE}"
    )


def write_station(conn: Connection, station_id: str) -> str:
    """Record the store's station unless one is already recorded; return the recorded one."""
    check_station_id(station_id)
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    # Two commands may open a new store at once: the first one's id stands.
    conn.execute(
        insert(STORE_INFO).values(key=STATION_KEY, value=station_id).on_conflict_do_nothing()
    )
    recorded = store_station(conn)
    assert recorded is not None
    return recorded


def check_station(recorded: str, wanted: str, origin: str | None) -> None:
    """StationMismatch, naming both, when an explicit `wanted` is not the store's `recorded` id."""
    if origin is not None and wanted != recorded:
        raise StationMismatch(
            f"this store is station {recorded}; {origin} says {wanted} "
            "(a store keeps the id it was made with: drop that setting, or name that bench's store)"
        )


def claim_station(store: Store, wanted: str, *, origin: str | None) -> str:
    """The station to work as at `store`: its recorded one, written first on a new store.

    `wanted` is the settings' id and `origin` who named it (None for the default).  A store with
    no record but events of its own (one made by a library caller) is worked with as their
    station, as the upgrade would record it, and left as it is: only a store with nothing of its
    own yet is written to here.  A store that cannot be written (read-only media) keeps no
    record and is worked with as `wanted` says.  At the central store, which has no station,
    `wanted` is returned and nothing is written.
    """
    with store.engine.connect() as conn:
        if is_central(conn):
            return wanted
        recorded = store_station(conn)
        if recorded is not None:
            check_station(recorded, wanted, origin)
            return recorded
        own = own_stations(conn)
        derived = choose_station(conn, wanted, origin, candidates=own)
        new = not own
        conn.rollback()
    chosen = derived or wanted
    if not new:
        return chosen
    try:
        with store.engine.begin() as conn:
            recorded = write_station(conn, chosen)
    except OperationalError as exc:
        if "readonly" not in str(exc.orig).replace("-", "").replace(" ", ""):
            raise
        return chosen
    # Another command may have made the store at the same moment, under its own settings.
    check_station(recorded, wanted, origin)
    return recorded
