"""`jpgb db upgrade` seals the names and phones an older program kept in clear at a bench."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.privacy import crypto
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.engine import alembic_config
from jpgb_terminal.store.handles import CUSTOMER

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_station_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing names a station or a key file unless a test says so."""
    for name in ("JPGB_STATION_ID", "JPGB_DB", "JPGB_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JPGB_CONFIG", str(tmp_path / "absent.toml"))


def stored(url: str) -> dict[str, tuple[str | None, str | None]]:
    store = open_store(url, ensure=False)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(CUSTOMER.c.id, CUSTOMER.c.name, CUSTOMER.c.phone)).all()
        return {r.id: (r.name, r.phone) for r in rows}
    finally:
        store.dispose()


def test_an_older_benchs_clear_names_and_phones_are_sealed_by_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Store(url)
    command.upgrade(alembic_config(old.engine), "0013")
    crypto.configure(None)  # as the older program stored them: in clear
    with old.transaction() as s:
        add_customer(s, Actor("A"), "C1", name="Tanaka Yuki", phone="090-1234-5678")
        add_customer(s, Actor("A"), "C2", name="Sato Ken")
    old.dispose()
    assert stored(url)["C1"] == ("Tanaka Yuki", "090-1234-5678")

    r = runner.invoke(app, ["db", "upgrade", "--db", url])

    assert r.exit_code == 0, r.output
    assert "sealed personal data" in r.stdout and "2 customer" in r.stdout
    rows = stored(url)
    for name, phone in rows.values():
        assert crypto.sealed_with(name) is not None
        assert phone is None or crypto.sealed_with(phone) is not None
    assert crypto.unseal(rows["C1"][0]) == "Tanaka Yuki"
    assert crypto.unseal(rows["C1"][1]) == "090-1234-5678"

    # A second upgrade finds nothing left to seal.
    again = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert again.exit_code == 0 and "sealed personal data" not in again.stdout
    assert stored(url) == rows


def test_the_central_store_is_not_sealed_with_a_key_of_its_own(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    assert runner.invoke(app, ["central", "init", "--db", url]).exit_code == 0
    r = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert r.exit_code == 0, r.output
    assert "sealed" not in r.stdout
