"""The permission table, exercised for every action and role: directly, through the services,
and through the CLI commands that record decisions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.rules.permissions import (
    ACTIONS,
    ROLES,
    allowed,
    permission_table,
    require,
    roles_for,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import set_customer_status
from jpgb_terminal.services.decisions import DecisionRefused, SaleAmounts, decide
from jpgb_terminal.services.errors import NotAllowed
from jpgb_terminal.services.operators import unlock_operator
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store, open_store
from tests.factories import STAFF, STATION, jp12, populate

S, V, L = "staff", "supervisor", "lead"
# The table as the warehouse agreed it; a change to data/permissions.toml must change this.
EXPECTED = {
    "receive": {S, V, L},
    "inspect": {S, V, L},
    "hold": {S, V, L},
    "manual_weight": {V, L},
    "release": {V, L},
    "return": {V, L},
    "dispose": {V, L},
    "sell": {V, L},
    "report": {V, L},
    "pack": {S, V, L},
    "hand_over": {L},
    "set_customer_status": {V, L},
    "export_manifests": {L},
    "manage_operators": {L},
    "unlock_operator": {V, L},
    "reveal_personal_data": {V, L},
    "purge": {L},
}
OPERATOR = {S: ("aiko", "1111"), V: ("kenji", "2222"), L: ("yui", "3333")}
DECISIONS = ("release", "return", "dispose", "sell", "report")
AFTER = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)  # past the 60-day custody deadline
BEFORE = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)  # a release must come within it


def when(action: str) -> datetime:
    """A time at which the action's other rules (Art. 15) let it through."""
    return BEFORE if action == "release" else AFTER


RECEIVED = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
runner = CliRunner()


def test_the_table_names_every_action_once() -> None:
    assert set(permission_table()) == set(ACTIONS) == set(EXPECTED)


@pytest.mark.parametrize("role", [*ROLES, None, "king"])
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_and_role_through_require(action: str, role: str | None) -> None:
    may = role in EXPECTED[action]
    assert allowed(role, action) is may
    if may:
        require(role, action)
        assert role in roles_for(action)
    else:
        with pytest.raises(NotAllowed) as info:
            require(role, action)
        message = str(info.value)
        assert f"(role: {role or 'unknown'})" in message
        assert permission_table()[action].does in message


def test_an_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        allowed("lead", "fly")


# Through the services: the same table decides, whoever calls.


@pytest.fixture
def seeded(store: Store) -> Store:
    populate(store)
    return store


@pytest.mark.parametrize("role", ROLES)
def test_manual_weight_approver(seeded: Store, role: str) -> None:
    with seeded.transaction() as s:
        receive(s, STAFF, jp12(1))
    name = OPERATOR[role][0]
    call = lambda s: record_weight(  # noqa: E731
        s, STAFF, jp12(1), 900, source="manual", reason="scale broken", approved_by=name
    )
    if role in EXPECTED["manual_weight"]:
        with seeded.transaction() as s:
            assert call(s)
    else:
        refused = pytest.raises(NotAllowed, match=f"approve a manual weight \\(role: {role}\\)")
        with refused, seeded.transaction() as s:
            call(s)


def _decide(store: Store, role: str, action: str, n: int) -> None:
    number = jp12(n)
    with store.transaction() as s:
        receive(s, STAFF, number, at=RECEIVED)
    with store.transaction() as s:
        decide(
            s,
            Actor(STATION, OPERATOR[role][0]),
            number,
            action,
            "decided in a test",
            report_reference="POL-1" if action == "report" else None,
            sale=SaleAmounts(5000) if action == "sell" else None,
            at=when(action),
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", DECISIONS)
def test_hold_decisions(seeded: Store, role: str, action: str) -> None:
    if role in EXPECTED[action]:
        _decide(seeded, role, action, 10)
    else:
        with pytest.raises(DecisionRefused) as info:
            _decide(seeded, role, action, 10)
        assert info.value.article == "role" and f"(role: {role})" in str(info.value)


@pytest.mark.parametrize("role", ROLES)
def test_customer_status(seeded: Store, role: str) -> None:
    actor = Actor(STATION, OPERATOR[role][0])
    if role in EXPECTED["set_customer_status"]:
        with seeded.transaction() as s:
            set_customer_status(s, actor, "C1", "suspended")
    else:
        refused = pytest.raises(NotAllowed, match="change a customer's status")
        with refused, seeded.transaction() as s:
            set_customer_status(s, actor, "C1", "suspended")
    with pytest.raises(NotAllowed, match=r"role: staff"), seeded.transaction() as s:
        set_customer_status(s, Actor(STATION), "C1", "frozen", operator_role="staff")


@pytest.mark.parametrize("role", ROLES)
def test_unlock_operator(seeded: Store, role: str) -> None:
    actor = Actor(STATION, OPERATOR[role][0])
    if role in EXPECTED["unlock_operator"]:
        with seeded.transaction() as s:
            unlock_operator(s, actor, "aiko")
    else:
        with pytest.raises(NotAllowed, match="unlock an operator"), seeded.transaction() as s:
            unlock_operator(s, actor, "aiko")


# Through the CLI: the commands that record a decision take --operator and a PIN.


@pytest.fixture
def cli_url(sqlite_url: str) -> str:
    store = open_store(sqlite_url)
    populate(store)
    with store.transaction() as s:
        for n in range(20, 25):
            receive(s, STAFF, jp12(n), at=RECEIVED)
    store.dispose()
    return sqlite_url


@pytest.mark.parametrize("role", ROLES)
def test_cli_holds_decide_for_every_decision(cli_url: str, role: str) -> None:
    name, pin = OPERATOR[role]
    for n, action in zip(range(20, 25), DECISIONS, strict=True):
        extra = {"report": ["--report-ref", "POL-1"], "sell": ["--proceeds", "5000"]}
        args = ["holds", "decide", jp12(n), action, "--note", "test", *extra.get(action, [])]
        with time_machine.travel(when(action), tick=False):
            r = runner.invoke(app, [*args, "--operator", name, "--db", cli_url], input=pin + "\n")
        if role in EXPECTED[action]:
            assert r.exit_code == 0, (action, r.output)
        else:
            assert r.exit_code == 1 and f"(role: {role})" in r.output, (action, r.output)


@pytest.mark.parametrize("role", ROLES)
def test_cli_customer_set_status(cli_url: str, role: str) -> None:
    name, pin = OPERATOR[role]
    r = runner.invoke(
        app,
        ["customer", "set-status", "C1", "frozen", "--operator", name, "--db", cli_url],
        input=pin + "\n",
    )
    if role in EXPECTED["set_customer_status"]:
        assert r.exit_code == 0 and f"now frozen (by {name})" in r.output
    else:
        assert r.exit_code == 1 and "(role: staff)" in r.output
    wrong = runner.invoke(
        app,
        ["customer", "set-status", "C1", "active", "--operator", name, "--db", cli_url],
        input="0000\n",
    )
    assert wrong.exit_code == 1 and "wrong PIN" in wrong.output
