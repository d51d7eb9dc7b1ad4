"""The store knows its station: recorded when made, taken from its own events on upgrade,
used by every command, and a setting naming another id refused in one line naming both."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.store import Store, StoreNotUpgraded, open_store
from jpgb_terminal.store.engine import alembic_config
from jpgb_terminal.store.handles import EVENT, STORE_INFO, SYNC_STATE
from jpgb_terminal.store.identity import store_station
from tests.factories import jp12
from tests.services.test_price_lists import price_list_text

runner = CliRunner()
BEFORE = "0013"


@pytest.fixture(autouse=True)
def no_station_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing names a station unless a test says so."""
    monkeypatch.delenv("JPGB_STATION_ID", raising=False)
    monkeypatch.delenv("JPGB_DB", raising=False)
    monkeypatch.setenv("JPGB_CONFIG", str(tmp_path / "absent.toml"))


def jpgb(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, list(args), input=input, env=env)


def station_of(url: str) -> str | None:
    store = open_store(url, ensure=False)
    try:
        with store.engine.connect() as conn:
            return store_station(conn)
    finally:
        store.dispose()


def event_stations(url: str) -> dict[str, int]:
    store = open_store(url, ensure=False)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(EVENT.c.station_id, func.count()).group_by(EVENT.c.station_id)
            ).all()
        return {str(s): int(n) for s, n in rows}
    finally:
        store.dispose()


def old_store(url: str, events: dict[str, int], *, pulled_as: str | None = None) -> Store:
    """A store as the program before 0014d left it: schema 0013, `events[station]` customer
    events written under each station id, and (`pulled_as`) a pull cursor of that id."""
    store = Store(url)
    command.upgrade(alembic_config(store.engine), BEFORE)
    with store.transaction() as s:
        for station_id, n in events.items():
            for i in range(n):
                add_customer(s, Actor(station_id), f"{station_id}-C{i}", name=f"Customer {i}")
    if pulled_as is not None:
        with store.engine.begin() as conn:
            conn.execute(
                SYNC_STATE.insert(),
                {"station_id": pulled_as, "pushed_seq": 0, "pulled_central_id": 42},
            )
    return store


# -- new stores ---------------------------------------------------------------------------


def test_a_new_store_records_the_station_its_first_command_names(sqlite_url: str) -> None:
    r = jpgb("user", "add", "aiko", "--role", "staff", "--pin-stdin", "--db", sqlite_url,
             input="1111\n", env={"JPGB_STATION_ID": "A"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert station_of(sqlite_url) == "A"
    # No flag afterwards: the store says A, whatever the default says.
    r = jpgb("customer", "add", "C1", "--name", "Taro", "--db", sqlite_url)
    assert r.exit_code == 0, r.output
    assert event_stations(sqlite_url) == {"A": 2}


def test_the_default_station_only_when_nothing_says_otherwise(sqlite_url: str) -> None:
    r = jpgb("user", "list", "--db", sqlite_url)
    assert r.exit_code == 0, r.output
    assert station_of(sqlite_url) == "ST01"


def test_db_upgrade_of_a_new_store_records_the_flag(store_url: str) -> None:
    r = jpgb("db", "upgrade", "--station", "osaka-2", "--db", store_url)
    assert r.exit_code == 0, r.output
    assert "(station osaka-2)" in r.output
    assert station_of(store_url) == "osaka-2"


def test_every_writing_command_works_as_the_stores_station(sqlite_url: str, tmp_path: Path) -> None:
    """The commands without a --station of their own write under the store's id, not ST01."""
    assert (
        jpgb("demo", "seed", "--parcels", "3", "--station", "A", "--db", sqlite_url).exit_code == 0
    )
    before = event_stations(sqlite_url)
    csv_file = tmp_path / "pa.csv"
    csv_file.write_text(f"tracking_no,customer_id,contents\n{jp12(900)},C-NEW,books\n")
    prices = tmp_path / "2027-04.toml"
    prices.write_text(price_list_text(), encoding="utf-8")
    steps: list[tuple[list[str], str | None]] = [
        (["customer", "add", "C-NEW", "--name", "Hanako"], None),
        (["prealert", "import", str(csv_file)], None),
        (["user", "add", "mio", "--role", "staff", "--pin-stdin"], "4444\n"),
        (["user", "set-pin", "mio", "--pin-stdin"], "5555\n"),
        (["prices", "publish", str(prices)], None),
        (["keys", "init", "--key-file", str(tmp_path / "jpgb.key")], None),
    ]
    for words, stdin in steps:
        r = jpgb(*words, "--db", sqlite_url, input=stdin)
        assert r.exit_code == 0, (words, r.output)
    after = event_stations(sqlite_url)
    assert set(after) == {"A"} and after["A"] > before["A"]


# -- a setting naming another id -----------------------------------------------------------


@pytest.mark.parametrize("named_by", ["flag", "variable", "file"])
def test_a_setting_naming_another_station_is_refused_naming_both(
    sqlite_url: str, tmp_path: Path, named_by: str
) -> None:
    assert jpgb("customer", "add", "C1", "--name", "Taro", "--db", sqlite_url,
                env={"JPGB_STATION_ID": "A"}).exit_code == 0  # fmt: skip
    before = event_stations(sqlite_url)
    config = tmp_path / "config.toml"
    config.write_text('station_id = "ST01"\n')
    extra, env, says = {
        "flag": (["--station", "ST01"], None, "--station says ST01"),
        "variable": ([], {"JPGB_STATION_ID": "ST01"}, "JPGB_STATION_ID says ST01"),
        "file": ([], {"JPGB_CONFIG": str(config)}, f"the settings file {config} says ST01"),
    }[named_by]
    for words in (
        ["customer", "set-status", "C1", "frozen", "--operator", "kenji", *extra],
        ["sync", "status", *extra],
        ["customer", "add", "C2", "--name", "Jiro"],
        ["keys", "init", "--key-file", str(tmp_path / "k.key")],
    ):
        if named_by == "flag" and "--station" not in words:
            continue  # these take no --station: the store's id is all they know
        r = jpgb(*words, "--db", sqlite_url, env=env)
        assert r.exit_code == 1, (words, r.output)
        line = r.stderr.strip()
        assert f"this store is station A; {says}" in line and "\n" not in line, line
    assert event_stations(sqlite_url) == before
    assert not (tmp_path / "k.key").exists()


def test_the_same_id_named_explicitly_is_fine(sqlite_url: str) -> None:
    assert jpgb("db", "upgrade", "--station", "A", "--db", sqlite_url).exit_code == 0
    assert jpgb("customer", "add", "C1", "--name", "T", "--db", sqlite_url).exit_code == 0
    r = jpgb("customer", "add", "C2", "--name", "J", "--db", sqlite_url,
             env={"JPGB_STATION_ID": "A"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert event_stations(sqlite_url) == {"A": 2}


@pytest.mark.parametrize("bad", ["ST 01", "x" * 41, "A\x1b[2J", "=HYPERLINK(1)"])
def test_an_invalid_station_id_is_refused_and_makes_no_store(tmp_path: Path, bad: str) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    for env, extra in (({}, ["--station", bad]), ({"JPGB_STATION_ID": bad}, [])):
        r = jpgb("sync", "status", *extra, "--db", url, env=env)
        assert r.exit_code == 1
        line = r.stderr.strip()
        assert line.startswith("error: bad setting: station_id: ") and "\n" not in line
        assert "at most 40" in line and "\x1b" not in line
    assert not (tmp_path / "new.db").exists()


# -- stores from before the change ---------------------------------------------------------


def test_an_old_store_takes_the_station_of_its_own_events(store_url: str) -> None:
    old_store(store_url, {"A": 3}).dispose()
    with pytest.raises(StoreNotUpgraded, match="jpgb db upgrade"):
        open_store(store_url)
    r = jpgb("db", "upgrade", "--db", store_url)
    assert r.exit_code == 0, r.output
    assert "upgraded from 0013" in r.output and "(station A)" in r.output
    assert station_of(store_url) == "A"
    # And the default ST01 no longer decides anything there.
    assert jpgb("customer", "add", "C9", "--name", "T", "--db", store_url).exit_code == 0
    assert event_stations(store_url) == {"A": 4}


def test_pulled_events_do_not_count_as_the_stores_own(sqlite_url: str) -> None:
    # Synced as ST07 and pulled B's events: ST07 is the bench, B is another one.
    old_store(sqlite_url, {"ST07": 2, "B": 5}, pulled_as="ST07").dispose()
    r = jpgb("db", "upgrade", "--db", sqlite_url)
    assert r.exit_code == 0, r.output
    assert station_of(sqlite_url) == "ST07"


def test_an_old_store_with_events_of_several_local_stations_is_refused(store_url: str) -> None:
    old_store(store_url, {"A": 2, "B": 1}).dispose()
    r = jpgb("db", "upgrade", "--db", store_url)
    assert r.exit_code == 1
    line = r.stderr.strip()
    assert "several stations" in line and "(A, B)" in line and "\n" not in line
    assert "jpgb db upgrade --station ID" in line
    store = Store(store_url)
    try:
        assert store.current_revision() == BEFORE  # refused before anything was written
    finally:
        store.dispose()
    assert station_of(store_url) is None
    # Saying which one settles it, and from then on that is the station.
    r = jpgb("db", "upgrade", "--station", "B", "--db", store_url)
    assert r.exit_code == 0, r.output
    assert station_of(store_url) == "B"
    assert jpgb("customer", "add", "C9", "--name", "T", "--db", store_url).exit_code == 0
    assert event_stations(store_url) == {"A": 2, "B": 2}
    r = jpgb("sync", "status", "--station", "A", "--db", store_url)
    assert r.exit_code == 1 and "this store is station B; --station says A" in r.stderr


def test_a_store_that_pulled_as_an_id_that_wrote_nothing_is_refused(sqlite_url: str) -> None:
    # The failure of old: seeded as A, synced as ST01, which pulled B's events.  Whether A or
    # B is this bench cannot be told from the store: it asks.
    old_store(sqlite_url, {"A": 2, "B": 2}, pulled_as="ST01").dispose()
    r = jpgb("db", "upgrade", "--db", sqlite_url)
    assert r.exit_code == 1
    assert "(A, B, ST01)" in r.stderr and "--station ID" in r.stderr
    r = jpgb("db", "upgrade", "--station", "A", "--db", sqlite_url)
    assert r.exit_code == 0, r.output
    assert station_of(sqlite_url) == "A"


def test_an_upgrade_naming_another_station_than_the_events_is_refused(sqlite_url: str) -> None:
    old_store(sqlite_url, {"A": 1}).dispose()
    r = jpgb("db", "upgrade", "--station", "ST09", "--db", sqlite_url)
    assert r.exit_code == 1
    line = r.stderr.strip()
    assert "own events are of station A; --station says ST09" in line and "\n" not in line
    store = Store(sqlite_url)
    try:
        assert store.current_revision() == BEFORE
    finally:
        store.dispose()


def test_an_old_store_without_events_takes_the_id_of_its_first_command(sqlite_url: str) -> None:
    old_store(sqlite_url, {}).dispose()
    assert jpgb("db", "upgrade", "--station", "C", "--db", sqlite_url).exit_code == 0
    assert station_of(sqlite_url) == "C"


def test_the_central_store_takes_no_station(store_url: str) -> None:
    store = old_store(store_url, {"A": 1, "B": 1})
    with store.engine.begin() as conn:
        conn.execute(STORE_INFO.insert(), {"key": "role", "value": "central"})
    store.dispose()
    r = jpgb("db", "upgrade", "--db", store_url)
    assert r.exit_code == 0, r.output
    assert station_of(store_url) is None
    # Reading it with any station setting is fine: central belongs to no bench.
    r = jpgb("sync", "status", "--station", "Q", "--db", store_url)
    assert r.exit_code == 0, r.output
    assert station_of(store_url) is None
