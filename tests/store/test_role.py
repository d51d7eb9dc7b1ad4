"""The central store marks itself and takes events only through sync, never written directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.engine import alembic_config
from jpgb_terminal.store.handles import EVENT_ORDER
from jpgb_terminal.store.role import is_central
from jpgb_terminal.store.tables import Customer, Event
from jpgb_terminal.sync import sync_once
from tests.sync.helpers import seed_people, station

runner = CliRunner()


def _central(store: Store) -> bool:
    with store.engine.connect() as conn:
        return is_central(conn)


def _counts(store: Store) -> tuple[int, int]:
    with store.transaction() as s:
        events = s.exec(select(func.count()).select_from(Event)).one()
        customers = s.exec(select(func.count()).select_from(Customer)).one()
    return int(events[0]), int(customers[0])


def test_central_init_marks_the_store_and_direct_writes_are_refused(store_url: str) -> None:
    r = runner.invoke(app, ["central", "init", "--db", store_url])
    assert r.exit_code == 0, r.output
    store = open_store(store_url)
    try:
        assert _central(store)
        before = _counts(store)
        r = runner.invoke(
            app, ["customer", "add", "C9", "--name", "Taro Yamada", "--db", store_url]
        )
        assert r.exit_code == 1
        assert "central store" in r.stderr and "sync brings it here" in r.stderr
        with pytest.raises(ServiceError, match="central store"), store.transaction() as s:
            add_customer(s, Actor("ST01"), "C8", name="Hanako Sato")
        assert _counts(store) == before
        # Reading is what central is for.
        assert runner.invoke(app, ["holds", "list", "--db", store_url]).exit_code == 0
    finally:
        store.dispose()


def test_a_station_store_is_not_central(store_url: str) -> None:
    store = open_store(store_url)
    try:
        assert not _central(store)
        with store.transaction() as s:
            add_customer(s, Actor("ST01"), "C1", name="Taro Yamada")
        assert _counts(store) == (1, 1)
    finally:
        store.dispose()


def test_the_store_a_station_syncs_to_becomes_central(tmp_path: Path, store_url: str) -> None:
    """A central store made without `central init` is marked by the first sync."""
    central = open_store(store_url)
    a = station(tmp_path, "A")
    try:
        assert not _central(central)
        seed_people(a, "A")
        assert sync_once(a, store_url, "A").ok
        assert _central(central) and not _central(a)
        with pytest.raises(ServiceError, match="central store"), central.transaction() as s:
            add_customer(s, Actor("A"), "C7", name="Jiro Suzuki")
    finally:
        central.dispose()
        a.dispose()


@pytest.mark.parametrize(("ordered", "central"), [(True, True), (False, False)])
def test_the_upgrade_marks_a_store_that_already_ordered_events(
    store_url: str, ordered: bool, central: bool
) -> None:
    """A central store from before the mark existed is recognised by its event order."""
    store = Store(store_url)
    try:
        command.upgrade(alembic_config(store.engine), "0007")
        if ordered:
            with store.engine.begin() as conn:
                conn.execute(EVENT_ORDER.insert().values(event_id="e1", station_id="ST02"))
        store.upgrade()
        assert _central(store) is central
    finally:
        store.dispose()


def test_looking_at_a_store_as_central_does_not_make_it_central(store_url: str) -> None:
    """`central status` pointed at a bench's own store by mistake leaves the bench working."""
    store = open_store(store_url)
    try:
        with store.transaction() as s:
            add_customer(s, Actor("ST01"), "C1", name="Taro Yamada")
        assert runner.invoke(app, ["central", "status", "--db", store_url]).exit_code == 0
        assert not _central(store)
        with store.transaction() as s:
            add_customer(s, Actor("ST01"), "C2", name="Hanako Sato")
        assert _counts(store) == (2, 2)
    finally:
        store.dispose()
