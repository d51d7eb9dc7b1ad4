"""A bench syncs as the station its store records, on a real PostgreSQL central: a seeded store
pushes its events, a flag naming another id pushes and marks nothing, and a store from before
the station was recorded is upgraded and synced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.engine import alembic_config
from jpgb_terminal.store.handles import EVENT, SYNC_STATE

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_station_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing names a station unless a test says so."""
    monkeypatch.delenv("JPGB_STATION_ID", raising=False)
    monkeypatch.delenv("JPGB_DB", raising=False)
    monkeypatch.delenv("JPGB_CENTRAL_URL", raising=False)
    monkeypatch.setenv("JPGB_CONFIG", str(tmp_path / "absent.toml"))


def jpgb(*args: str) -> Result:
    return runner.invoke(app, list(args))


def events_by_station(url: str) -> dict[str, int]:
    store = open_store(url, ensure=False)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(EVENT.c.station_id, func.count()).group_by(EVENT.c.station_id)
            ).all()
        return {str(s): int(n) for s, n in rows}
    finally:
        store.dispose()


def push_marks(url: str) -> dict[str, int]:
    store = open_store(url, ensure=False)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(SYNC_STATE.c.station_id, SYNC_STATE.c.pushed_seq)).all()
        return {str(s): int(n or 0) for s, n in rows}
    finally:
        store.dispose()


def local_status(db: str) -> dict[str, object]:
    r = jpgb("sync", "status", "--db", db, "--json")
    assert r.exit_code == 0, r.output
    local: dict[str, object] = json.loads(r.stdout)["local"]
    return local


def test_a_store_seeded_as_a_station_pushes_its_events(pg_url: str, tmp_path: Path) -> None:
    bench = f"sqlite:///{tmp_path / 'a.db'}"
    seeded = jpgb("demo", "seed", "--parcels", "12", "--station", "A", "--db", bench)
    assert seeded.exit_code == 0, seeded.output
    written = events_by_station(bench)
    assert set(written) == {"A"} and written["A"] > 12
    before = local_status(bench)
    assert before["station_id"] == "A" and before["queued"] == written["A"]

    assert jpgb("central", "init", "--db", pg_url).exit_code == 0
    # No --station: the store says who it is.
    synced = jpgb("sync", "--once", "--central", pg_url, "--db", bench)
    assert synced.exit_code == 0, synced.output
    assert f"{written['A']} up" in synced.stdout

    assert events_by_station(pg_url) == written
    after = local_status(bench)
    assert after["station_id"] == "A" and after["queued"] == 0


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_another_station_id_pushes_and_marks_nothing(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    bench = f"sqlite:///{tmp_path / 'a.db'}"
    assert jpgb("demo", "seed", "--parcels", "3", "--station", "A", "--db", bench).exit_code == 0
    assert jpgb("central", "init", "--db", pg_url).exit_code == 0
    marks = push_marks(bench)
    words = ["sync", "--once", "--central", pg_url, "--db", bench]
    if how == "flag":
        words += ["--station", "B"]
    else:
        monkeypatch.setenv("JPGB_STATION_ID", "B")

    r = jpgb(*words)

    assert r.exit_code == 1
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "A" in line and "B" in line, line
    assert events_by_station(pg_url) == {}
    assert push_marks(bench) == marks
    monkeypatch.delenv("JPGB_STATION_ID", raising=False)
    assert local_status(bench)["queued"] == events_by_station(bench)["A"]


def test_a_store_from_before_the_station_was_recorded_upgrades_and_syncs(
    pg_url: str, tmp_path: Path
) -> None:
    bench = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(bench)
    command.upgrade(alembic_config(store.engine), "0013")
    with store.transaction() as s:
        for i in range(5):
            add_customer(s, Actor("OSAKA-2"), f"C{i}", name=f"Customer {i}")
    store.dispose()

    upgraded = jpgb("db", "upgrade", "--db", bench)
    assert upgraded.exit_code == 0, upgraded.output
    assert jpgb("central", "init", "--db", pg_url).exit_code == 0
    synced = jpgb("sync", "--once", "--central", pg_url, "--db", bench)
    assert synced.exit_code == 0, synced.output

    assert events_by_station(pg_url) == {"OSAKA-2": 5}
    status = local_status(bench)
    assert status["station_id"] == "OSAKA-2" and status["queued"] == 0
