"""The permission table through the command line: every command that records an operator's
decision takes --operator and that operator's PIN (stdin here) and is refused, in the table's
words and with nothing changed, for a role the table does not allow; the administrator's
commands (user, manifest export) take no PIN."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from sqlmodel import select
from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app
from jpgb_terminal.rules.permissions import ROLES, refusal
from jpgb_terminal.services.operators import verify_pin
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.tables import Event
from tests.factories import STAFF, jp12
from tests.rules.test_permissions import EXPECTED, OPERATOR
from tests.services.test_permission_table import UNKNOWN, _packed, _received_twice, snapshot
from tests.services.test_shipments import stock

runner = CliRunner()
RECEIVED = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)
BEFORE = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)


def _held(store: Store) -> None:
    with store.transaction() as s:
        receive(s, STAFF, UNKNOWN, at=RECEIVED)


def _decide(action: str) -> list[str]:
    extra = {"report": ["--report-ref", "POL-1"], "sell": ["--proceeds", "5000"]}
    return ["holds", "decide", UNKNOWN, action, "--note", "test", *extra.get(action, [])]


# action -> (preparation, command words before --operator, the time it runs at)
CLI_CASES: dict[str, tuple[Callable[[Store], None] | None, list[str], datetime | None]] = {
    "manual_weight": (
        _held,
        ["parcel", "weigh", UNKNOWN, "--grams", "900", "--reason", "scale broken"],
        None,
    ),
    **{
        d: (_held, _decide(d), BEFORE if d == "release" else AFTER)
        for d in ("release", "return", "dispose", "sell", "report")
    },
    "set_customer_status": (None, ["customer", "set-status", "C1", "frozen"], None),
    "unlock_operator": (None, ["user", "unlock", "aiko"], None),
    "hand_over": (_packed, ["shipment", "handover", "--date", "2026-11-26"], None),
    "purge": (None, ["privacy", "purge", "--older-than", "365"], None),
    "review_receipts": (_received_twice, ["receipts", "review", jp12(2)], None),
    "erase_customer": (None, ["privacy", "erase", "C3"], None),
}


@pytest.fixture
def url(sqlite_url: str) -> str:
    store = open_store(sqlite_url)
    stock(store, cleared=1)
    store.dispose()
    return sqlite_url


def state(url: str) -> dict[str, list[str]]:
    store = open_store(url)
    try:
        return snapshot(store)
    finally:
        store.dispose()


def invoke(args: list[str], stdin: str, at: datetime | None) -> Result:
    if at is None:
        return runner.invoke(app, args, input=stdin)
    with time_machine.travel(at, tick=False):
        return runner.invoke(app, args, input=stdin)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(CLI_CASES))
def test_operator_command_by_role(url: str, action: str, role: str) -> None:
    prepare, words, at = CLI_CASES[action]
    if prepare is not None:
        store = open_store(url)
        prepare(store)
        store.dispose()
    name, pin = OPERATOR[role]
    before = state(url)
    r = invoke([*words, "--operator", name, "--db", url], pin + "\n", at)
    if role in EXPECTED[action]:
        assert r.exit_code == 0, (action, r.output)
        if action != "purge":  # nobody's data is old enough to purge
            assert state(url) != before
        return
    assert r.exit_code == 1, (action, r.output)
    assert refusal(role, action) in r.output, r.output
    assert state(url) == before


@pytest.mark.parametrize("action", sorted(CLI_CASES))
def test_a_wrong_pin_does_nothing_but_count(url: str, action: str) -> None:
    prepare, words, at = CLI_CASES[action]
    if prepare is not None:
        store = open_store(url)
        prepare(store)
        store.dispose()
    before = state(url)
    r = invoke([*words, "--operator", "yui", "--db", url], "0000\n", at)
    assert r.exit_code == 1 and "wrong PIN" in r.output
    after = state(url)
    # The failed attempt is counted, and recorded as the one event that syncs the count.
    new = sorted(set(after["event"]) - set(before["event"]))
    assert len(new) == 1 and "'operator.pin_failed'" in new[0], new
    assert set(before["event"]) <= set(after["event"])
    assert after["operator"] != before["operator"]


def test_every_operator_command_of_the_table_is_covered() -> None:
    # The table's other actions are the bench's own (receive, inspect, hold, pack, reveal) or
    # the administrator's commands (`holds list` among them), tested below.
    bench_only = {"receive", "inspect", "hold", "pack", "reveal_personal_data"}
    admin = {"manage_operators", "export_manifests", "review_holds"}
    assert set(CLI_CASES) | bench_only | admin == set(EXPECTED)


def test_user_commands_are_the_administrators(url: str) -> None:
    r = runner.invoke(
        app, ["user", "add", "newbie", "--role", "staff", "--db", url], input="4444\n"
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["user", "set-pin", "aiko", "--db", url], input="9876\n")
    assert r.exit_code == 0 and "aiko has a new PIN" in r.output
    store = open_store(url)
    try:
        with store.transaction() as s:
            assert not verify_pin(s, "ST01", "aiko", "1111").ok
            assert verify_pin(s, "ST01", "aiko", "9876").ok
            [changed] = s.exec(select(Event).where(Event.kind == "operator.pin_changed")).all()
        assert changed.payload == {"name": "aiko"} and changed.operator is None
    finally:
        store.dispose()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["user", "set-pin", "nobody"], "9876\n", "no operator 'nobody'"),
        (["user", "set-pin", "aiko"], "12\n", "4 to 12 digits"),
        (["user", "set-pin", "aiko"], "", "expected a PIN"),
    ],
)
def test_set_pin_refusals_change_nothing(
    url: str, args: list[str], stdin: str, message: str
) -> None:
    before = state(url)
    r = runner.invoke(app, [*args, "--db", url], input=stdin)
    assert r.exit_code == 1 and message in r.output
    assert state(url) == before


def test_manifest_export_is_the_administrators(url: str) -> None:
    r = runner.invoke(
        app, ["manifest", "export", "--date", "2026-11-26", "--kind", "inbound", "--db", url]
    )
    assert r.exit_code == 0, r.output
    assert jp12(1) in r.stdout
