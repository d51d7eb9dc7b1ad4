"""Stations, parcels and the central-equals-union check shared by the sync tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.handles import EVENT, EVENT_ORDER, PARCEL, STATION_SEQUENCE
from jpgb_terminal.sync import Deadlines
from tests.factories import jp12

FRAME = b"S S      1234 g\r\n"

# Short deadlines so fault tests end in seconds; the server-side limits are short too, so a
# session stranded behind a black hole lets go of the push lock quickly.
FAST = Deadlines(
    connect_s=2,
    step_s=4,
    overall_s=30,
    statement_ms=3000,
    lock_ms=15000,
    idle_in_transaction_ms=3000,
    tcp_user_timeout_ms=3000,
)


def station(folder: Path, station_id: str) -> Store:
    """A fresh station store."""
    return open_store(f"sqlite:///{folder / (station_id + '.db')}")


def seed_people(store: Store, station_id: str, *, customers: int = 2) -> None:
    """Operators aiko (staff) and kenji (supervisor), customers C1..Cn, as events."""
    admin = Actor(station_id)
    with store.transaction() as s:
        add_operator(s, admin, "aiko", "staff", "1111")
        add_operator(s, admin, "kenji", "supervisor", "2222")
        for i in range(1, customers + 1):
            add_customer(s, admin, f"C{i}", name=f"Customer {i}", address="Tokyo")


def write_parcels(
    store: Store,
    station_id: str,
    numbers: Iterable[int],
    *,
    weigh: bool = True,
    grams: int = 1000,
    at: datetime | None = None,
) -> None:
    """Receive (and weigh) parcels jp12(n) in one transaction."""
    actor = Actor(station_id, "aiko", "staff")
    with store.transaction() as s:
        for n in numbers:
            receive(s, actor, jp12(n), at=at)
            if weigh:
                record_weight(s, actor, jp12(n), grams + n, raw_frame=FRAME, at=at)


def own_events(store: Store, station_id: str) -> dict[int, str]:
    """seq -> event_id of the station's own events."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(EVENT.c.seq, EVENT.c.event_id).where(EVENT.c.station_id == station_id)
        )
        return {int(seq): eid for seq, eid in rows}


def assert_central_is_union(central_url: str, stations: dict[str, Store]) -> None:
    """Central holds exactly each station's events once, sequences contiguous, no gap."""
    central = open_store(central_url, ensure=False)
    try:
        with central.engine.connect() as conn:
            for station_id, store in stations.items():
                local = own_events(store, station_id)
                rows = conn.execute(
                    select(EVENT.c.seq, EVENT.c.event_id).where(EVENT.c.station_id == station_id)
                ).all()
                remote = {int(seq): eid for seq, eid in rows}
                assert len(rows) == len(remote)
                assert remote == local, f"{station_id}: central differs from the station"
                assert sorted(remote) == list(range(1, len(remote) + 1))
                ordered = conn.execute(
                    select(func.count(), func.count(func.distinct(EVENT_ORDER.c.event_id))).where(
                        EVENT_ORDER.c.station_id == station_id
                    )
                ).one()
                assert tuple(ordered) == (len(local), len(local))
                seq = conn.execute(
                    select(STATION_SEQUENCE).where(STATION_SEQUENCE.c.station_id == station_id)
                ).first()
                if local:
                    assert seq is not None
                    assert seq.max_contiguous_seq == len(local)
                    assert seq.max_seen_seq == len(local)
                    assert seq.gap_from is None
    finally:
        central.dispose()


def parcel_count(url_or_store: str | Store) -> int:
    """How many parcel rows a store holds."""
    store = (
        open_store(url_or_store, ensure=False) if isinstance(url_or_store, str) else url_or_store
    )
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(PARCEL)).scalar_one())
    finally:
        if isinstance(url_or_store, str):
            store.dispose()
