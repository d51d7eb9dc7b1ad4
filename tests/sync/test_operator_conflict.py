"""One operator name, one role and one PIN: the same name added at two benches with another
role or PIN is refused at sync as a conflict, and acts with the refused role nowhere until a
lead resolves it with `jpgb user resolve`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import AuthError
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.sync_tables import Quarantine, SyncIssue
from jpgb_terminal.store.tables import Operator
from jpgb_terminal.sync import sync_once
from jpgb_terminal.workflow.auth import Credentials, acting, authenticate
from tests.sync.helpers import station

runner = CliRunner()


def add(store: Store, station_id: str, name: str, role: str, pin: str) -> None:
    with store.transaction() as s:
        add_operator(s, Actor(station_id), name, role, pin)


def ken(store: Store) -> Operator:
    with store.transaction() as s:
        row = s.get(Operator, "ken")
        assert row is not None
        s.expunge(row)
        return row


def offline_twice(tmp_path: Path, central: str) -> tuple[Store, Store]:
    """A lead yui known to both benches; then ken added at A as staff and at B as lead."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    add(a, "A", "yui", "lead", "3333")
    assert sync_once(a, central, "A").ok and sync_once(b, central, "B").ok
    add(a, "A", "ken", "staff", "1234")
    add(b, "B", "ken", "lead", "5678")
    assert sync_once(a, central, "A").ok
    return a, b


@pytest.mark.postgres
def test_the_second_add_is_refused_and_held_until_a_lead_resolves(
    tmp_path: Path, pg_central: str
) -> None:
    a, b = offline_twice(tmp_path, pg_central)
    report = sync_once(b, pg_central, "B")
    assert report.ok
    [refused] = report.quarantined
    assert "B seq" in refused and "operator.added" in refused
    assert "operator ken was added twice: staff here, lead at station B" in refused
    assert "jpgb user resolve ken --role ROLE --operator LEAD_NAME" in refused
    central = open_store(pg_central, ensure=False)
    try:
        assert ken(central).role == "staff" and ken(central).active  # the first add stands
        with central.transaction() as s:
            [entry] = s.exec(select(Quarantine)).all()
            assert entry.state == "open" and entry.kind == "operator.added"
    finally:
        central.dispose()
    # At B, ken is on hold: no login, and a session logged in as lead acts no more.
    assert not ken(b).active
    with b.transaction() as s:
        [issue] = s.exec(select(SyncIssue).where(SyncIssue.kind == "operator.added")).all()
    assert "ken is on hold here" in issue.problem
    with pytest.raises(AuthError, match="ken is on hold"):
        authenticate(b, Credentials("B", "ken", "5678"))
    with pytest.raises(AuthError, match="ken is on hold or gone: log in again"):
        acting(b, Actor("B", "ken", "lead"))
    # A never took B's add (quarantined at central): ken is staff there, and acts as staff.
    assert sync_once(a, pg_central, "A").ok
    assert authenticate(a, Credentials("A", "ken", "1234")) == Actor("A", "ken", "staff")

    # A lead settles it at B: ken is lead with the PIN he has at B, everywhere.
    b_url = f"sqlite:///{tmp_path / 'B.db'}"
    args = ["user", "resolve", "ken", "--role", "lead", "--operator", "yui", "--pin-stdin"]
    done = runner.invoke(app, [*args, "--db", b_url], input="3333\n")
    assert done.exit_code == 0, done.output
    assert "operator ken settled as lead by yui" in done.output
    assert sync_once(b, pg_central, "B").ok and sync_once(a, pg_central, "A").ok
    for store in (a, b):
        assert authenticate(store, Credentials("X", "ken", "5678")).role == "lead"
    central = open_store(pg_central, ensure=False)
    try:
        assert ken(central).role == "lead" and ken(central).active
        with central.transaction() as s:
            [entry] = s.exec(select(Quarantine)).all()
        assert entry.state == "resolved" and entry.resolved_by == "yui"
        assert entry.resolved_note == "operator ken settled as lead"
    finally:
        central.dispose()


@pytest.mark.postgres
def test_the_same_name_role_and_pin_at_two_benches_is_one_operator(
    tmp_path: Path, pg_central: str
) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    add(a, "A", "ken", "staff", "1234")
    add(b, "B", "ken", "staff", "1234")
    assert sync_once(a, pg_central, "A").ok
    report = sync_once(b, pg_central, "B")
    assert report.ok and report.quarantined == [] and report.issues == []
    assert sync_once(a, pg_central, "A").ok
    for store in (a, b):
        assert ken(store).active and ken(store).role == "staff"


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("role_b", "words"),
    [("staff", "another PIN at station B"), ("supervisor", "staff here, supervisor at station B")],
)
def test_another_pin_or_role_is_a_conflict(
    tmp_path: Path, pg_central: str, role_b: str, words: str
) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    add(a, "A", "ken", "staff", "1234")
    add(b, "B", "ken", role_b, "9876")
    assert sync_once(a, pg_central, "A").ok
    [refused] = sync_once(b, pg_central, "B").quarantined
    assert words in refused
    assert not ken(b).active


def test_resolving_is_a_leads_decision_and_not_ones_own(tmp_path: Path) -> None:
    b = station(tmp_path, "B")
    add(b, "B", "yui", "lead", "3333")
    add(b, "B", "kenji", "supervisor", "2222")
    add(b, "B", "ken", "lead", "5678")
    url = f"sqlite:///{tmp_path / 'B.db'}"

    def resolve(by: str, pin: str, role: str = "staff") -> str:
        args = ["user", "resolve", "ken", "--role", role, "--operator", by, "--pin-stdin"]
        result = runner.invoke(app, [*args, "--db", url], input=pin + "\n")
        assert result.exit_code == 1
        return result.output

    assert "only a lead may manage operators (role: supervisor)" in resolve("kenji", "2222")
    assert "ken cannot settle their own role: another lead does" in resolve("ken", "5678")
    assert "unknown role 'boss'" in resolve("yui", "3333", "boss")
    assert ken(b).role == "lead"
