"""One lockout everywhere: wrong PINs are counted where the PIN is checked, central included,
and travel with sync, so five wrong PINs lock an operator whichever benches they were typed at."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.services.errors import AuthError
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.tables import Operator
from jpgb_terminal.sync import sync_once
from jpgb_terminal.workflow.auth import Credentials, authenticate, login
from tests.sync.helpers import seed_people, station

runner = CliRunner()
WRONG = "0000"


def wrong_pins(store: Store, station_id: str, name: str, times: int) -> None:
    for _ in range(times):
        assert not login(store, Credentials(station_id, name, WRONG)).ok


def locked(store: Store, name: str) -> bool:
    with store.transaction() as s:
        row = s.get(Operator, name)
        assert row is not None
        return row.locked_until is not None


def two_benches(tmp_path: Path, central: str) -> tuple[Store, Store]:
    """Benches A and B that both know aiko (1111) and kenji (2222), added at A."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    assert sync_once(a, central, "A").ok
    assert sync_once(b, central, "B").ok
    return a, b


def purge(central: str, pin: str) -> str:
    args = ["privacy", "purge", "--older-than", "365", "--dry-run", "--operator", "kenji"]
    result = runner.invoke(app, [*args, "--pin-stdin", "--db", central], input=pin + "\n")
    return result.output


@pytest.mark.postgres
def test_five_wrong_pins_at_central_lock_there(tmp_path: Path, pg_central: str) -> None:
    two_benches(tmp_path, pg_central)
    # kenji may not purge (a lead's job): the PIN is still checked, and counted, first.
    assert "wrong PIN (4 attempts left)" in purge(pg_central, WRONG)
    for _ in range(3):
        assert "attempts left" in purge(pg_central, WRONG)
    assert "locked for 15 minutes" in purge(pg_central, WRONG)
    refused = purge(pg_central, "2222")
    assert "kenji is locked until" in refused and "jpgb user unlock kenji" in refused
    central = open_store(pg_central, ensure=False)
    try:
        assert locked(central, "kenji")
    finally:
        central.dispose()


@pytest.mark.postgres
def test_wrong_pins_at_central_add_to_those_the_benches_pushed(
    tmp_path: Path, pg_central: str
) -> None:
    a, _ = two_benches(tmp_path, pg_central)
    wrong_pins(a, "A", "kenji", 3)
    assert sync_once(a, pg_central, "A").ok
    assert "wrong PIN (1 attempts left)" in purge(pg_central, WRONG)
    assert "locked for 15 minutes" in purge(pg_central, WRONG)


@pytest.mark.postgres
def test_four_at_one_bench_and_one_at_another_lock_everywhere(
    tmp_path: Path, pg_central: str
) -> None:
    a, b = two_benches(tmp_path, pg_central)
    wrong_pins(a, "A", "aiko", 4)
    assert sync_once(a, pg_central, "A").ok
    assert sync_once(b, pg_central, "B").ok  # B pulls A's four
    result = login(b, Credentials("B", "aiko", WRONG))
    assert not result.ok and "locked for 15 minutes" in result.message
    with pytest.raises(AuthError, match="aiko is locked until"):
        authenticate(b, Credentials("B", "aiko", "1111"))
    assert sync_once(b, pg_central, "B").ok
    assert sync_once(a, pg_central, "A").ok  # A pulls B's lock
    for store in (a, b):
        with pytest.raises(AuthError, match="locked until"):
            authenticate(store, Credentials("A", "aiko", "1111"))
    central = open_store(pg_central, ensure=False)
    try:
        assert locked(central, "aiko")
    finally:
        central.dispose()


@pytest.mark.postgres
def test_four_wrong_at_each_of_two_offline_benches_are_not_eight(
    tmp_path: Path, pg_central: str
) -> None:
    a, b = two_benches(tmp_path, pg_central)
    wrong_pins(a, "A", "aiko", 4)
    wrong_pins(b, "B", "aiko", 4)  # offline: each bench alone has seen four
    assert sync_once(a, pg_central, "A").ok
    assert sync_once(b, pg_central, "B").ok
    assert sync_once(a, pg_central, "A").ok
    central = open_store(pg_central, ensure=False)
    try:
        for store in (a, b, central):
            assert locked(store, "aiko")
    finally:
        central.dispose()
    with pytest.raises(AuthError, match="aiko is locked until"):
        authenticate(a, Credentials("A", "aiko", "1111"))


@pytest.mark.postgres
def test_a_right_pin_ends_the_run_everywhere_it_reaches(tmp_path: Path, pg_central: str) -> None:
    a, b = two_benches(tmp_path, pg_central)
    wrong_pins(a, "A", "aiko", 3)
    assert authenticate(a, Credentials("A", "aiko", "1111")).operator == "aiko"
    assert sync_once(a, pg_central, "A").ok
    assert sync_once(b, pg_central, "B").ok  # B pulls the three and the right PIN after them
    wrong_pins(b, "B", "aiko", 2)
    assert sync_once(b, pg_central, "B").ok
    # Three, the right PIN, two: never five in a row, so nobody is locked.
    central = open_store(pg_central, ensure=False)
    try:
        for store in (b, central):
            with store.transaction() as s:
                row = s.get(Operator, "aiko")
                assert row is not None and row.locked_until is None and row.failed_attempts == 2
    finally:
        central.dispose()
