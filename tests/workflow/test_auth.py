"""Who acts: one PIN check for every face, each wrong PIN an event sync carries, and a
logged-in actor checked against the stored row before each action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import AuthError
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Event, Operator
from jpgb_terminal.workflow.auth import Credentials, act_with_pin, acting, authenticate, login
from tests.factories import populate

T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
WRONG = "0000"
FAILED, LOCKED, CLEARED = "operator.pin_failed", "operator.locked", "operator.failures_cleared"


def aiko(pin: str) -> Credentials:
    return Credentials("ST01", "aiko", pin)


def operator_events(store: Store) -> list[str]:
    """The kinds of the operator events after the operators were added, in order."""
    with store.transaction() as s:
        rows = s.exec(select(Event).where(Event.kind != "operator.added").order_by(Event.seq))
        return [e.kind for e in rows if e.kind.startswith("operator.")]


def row(store: Store, name: str = "aiko") -> Operator:
    with store.transaction() as s:
        found = s.get(Operator, name)
        assert found is not None
        s.expunge(found)
        return found


# PINs typed in a row at one bench -> which were let in, the count left, the events recorded.
CASES = {
    "right PIN": (["1111"], [True], 0, []),
    "one wrong": ([WRONG], [False], 1, [FAILED]),
    "wrong then right": ([WRONG, "1111"], [False, True], 0, [FAILED, CLEARED]),
    "right twice records nothing": (["1111", "1111"], [True, True], 0, []),
    "four wrong": ([WRONG] * 4, [False] * 4, 4, [FAILED] * 4),
    "the fifth locks": ([WRONG] * 5, [False] * 5, 0, [FAILED] * 4 + [LOCKED]),
    "locked refuses the right PIN": (
        [WRONG] * 5 + ["1111"],
        [False] * 6,
        0,
        [FAILED] * 4 + [LOCKED],
    ),
}


@pytest.mark.parametrize(("pins", "let_in", "count", "events"), CASES.values(), ids=CASES.keys())
def test_each_pin_check_counts_and_records(
    sqlite_store: Store, pins: list[str], let_in: list[bool], count: int, events: list[str]
) -> None:
    populate(sqlite_store)
    results = [
        login(sqlite_store, aiko(pin), at=T0 + timedelta(seconds=i)) for i, pin in enumerate(pins)
    ]
    assert [r.ok for r in results] == let_in
    assert row(sqlite_store).failed_attempts == count
    assert operator_events(sqlite_store) == events


def test_the_lock_lasts_fifteen_minutes_from_the_fifth_wrong_pin(sqlite_store: Store) -> None:
    populate(sqlite_store)
    for i in range(5):
        login(sqlite_store, aiko(WRONG), at=T0 + timedelta(seconds=i))
    assert row(sqlite_store).locked_until == T0 + timedelta(seconds=4, minutes=15)
    with sqlite_store.transaction() as s:
        locked = s.exec(select(Event).where(Event.kind == LOCKED)).one()
    assert locked.operator == "aiko" and locked.station_id == "ST01"
    assert login(sqlite_store, aiko("1111"), at=T0 + timedelta(minutes=16)).ok


def test_authenticate_gives_the_stored_role(sqlite_store: Store) -> None:
    populate(sqlite_store)
    actor = authenticate(sqlite_store, Credentials("ST01", "kenji", "2222"), at=T0)
    assert actor == Actor("ST01", "kenji", "supervisor")


@pytest.mark.parametrize(
    ("name", "pin", "words"),
    [
        ("aiko", WRONG, "wrong PIN (4 attempts left)"),
        ("nobody", "1111", "unknown operator 'nobody'"),
    ],
)
def test_authenticate_refuses_in_one_line(
    sqlite_store: Store, name: str, pin: str, words: str
) -> None:
    populate(sqlite_store)
    with pytest.raises(AuthError, match=words.replace("(", r"\(").replace(")", r"\)")):
        authenticate(sqlite_store, Credentials("ST01", name, pin), at=T0)


def test_an_unknown_name_is_not_counted_or_recorded(sqlite_store: Store) -> None:
    populate(sqlite_store)
    assert not login(sqlite_store, Credentials("ST01", "nobody", WRONG), at=T0).ok
    assert operator_events(sqlite_store) == []


def test_a_wrong_pin_runs_nothing_but_is_counted(sqlite_store: Store) -> None:
    populate(sqlite_store)
    ran: list[Actor] = []
    with pytest.raises(AuthError):
        act_with_pin(sqlite_store, aiko(WRONG), lambda s, actor: ran.append(actor), at=T0)
    assert ran == [] and row(sqlite_store).failed_attempts == 1
    act_with_pin(sqlite_store, aiko("1111"), lambda s, actor: ran.append(actor), at=T0)
    assert ran == [Actor("ST01", "aiko", "staff")]


def test_a_logged_in_actor_acts_while_the_row_gives_that_role(sqlite_store: Store) -> None:
    populate(sqlite_store)
    kenji = Actor("ST01", "kenji", "supervisor")
    assert acting(sqlite_store, kenji) is kenji
    with sqlite_store.transaction() as s:
        operator = s.get(Operator, "kenji")
        assert operator is not None
        operator.role = "staff"  # as `operator.resolved` from another bench leaves it
    with pytest.raises(AuthError, match="kenji is staff now: log in again"):
        acting(sqlite_store, kenji)
    with sqlite_store.transaction() as s:
        operator = s.get(Operator, "kenji")
        assert operator is not None
        operator.active = False  # on hold: added at two benches differently
    with pytest.raises(AuthError, match="kenji is on hold or gone"):
        acting(sqlite_store, Actor("ST01", "kenji", "staff"))
    # The station's own context has no row to check.
    assert acting(sqlite_store, Actor("ST01")) == Actor("ST01")


def test_an_operator_on_hold_is_told_who_resolves(sqlite_store: Store) -> None:
    populate(sqlite_store)
    with sqlite_store.transaction() as s:
        operator = s.get(Operator, "aiko")
        assert operator is not None
        operator.active = False
    result = login(sqlite_store, aiko("1111"), at=T0)
    assert not result.ok
    assert "aiko is on hold: two benches added this name" in result.message
    assert "jpgb user resolve aiko --role ROLE --operator LEAD_NAME" in result.message
    assert operator_events(sqlite_store) == []
