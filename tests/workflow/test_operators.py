"""Operators as people handle them, through the use cases: add, new PIN, list, unlock, resolve."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import AuthError, NotAllowed, NotFound, ServiceError
from jpgb_terminal.services.operators import hash_pin
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Event, Operator
from jpgb_terminal.workflow.auth import Credentials, authenticate, login
from jpgb_terminal.workflow.operators import (
    add_user,
    resolve_user,
    set_user_pin,
    unlock_user,
    users,
)
from tests.factories import event_count, populate

ADMIN = Actor("ST01")


def cred(name: str, pin: str) -> Credentials:
    return Credentials("ST01", name, pin)


def test_added_operators_log_in_with_their_pin_and_role(sqlite_store: Store) -> None:
    add_user(sqlite_store, ADMIN, "mio", "supervisor", "4321")
    assert authenticate(sqlite_store, cred("mio", "4321")) == Actor("ST01", "mio", "supervisor")
    set_user_pin(sqlite_store, ADMIN, "mio", "8765")
    assert not login(sqlite_store, cred("mio", "4321")).ok
    assert login(sqlite_store, cred("mio", "8765")).ok
    assert [(op.name, op.role) for op in users(sqlite_store)] == [("mio", "supervisor")]


def test_the_same_name_and_pin_hash_the_same_at_every_bench() -> None:
    assert hash_pin("ken", "1234") == hash_pin("ken", "1234")
    assert hash_pin("ken", "1234") != hash_pin("ken", "5678")
    assert hash_pin("ken", "1234") != hash_pin("kenji", "1234")


def test_unlock_is_a_supervisors_and_their_own_wrong_pin_counts(sqlite_store: Store) -> None:
    populate(sqlite_store)
    for _ in range(5):
        login(sqlite_store, cred("aiko", "0000"))
    with pytest.raises(AuthError, match="aiko is locked until"):
        unlock_user(sqlite_store, cred("aiko", "1111"), "aiko")  # not by oneself
    with pytest.raises(AuthError, match="wrong PIN"):
        unlock_user(sqlite_store, cred("kenji", "9999"), "aiko")
    with sqlite_store.transaction() as s:
        kenji = s.get(Operator, "kenji")
        assert kenji is not None and kenji.failed_attempts == 1
    assert unlock_user(sqlite_store, cred("kenji", "2222"), "aiko") == "kenji"
    assert login(sqlite_store, cred("aiko", "1111")).ok


def test_a_lead_resolves_a_held_operator_with_one_event(sqlite_store: Store) -> None:
    populate(sqlite_store)
    with sqlite_store.transaction() as s:
        held = s.get(Operator, "kenji")
        assert held is not None
        held.active = False
    assert not login(sqlite_store, cred("kenji", "2222")).ok
    with pytest.raises(ServiceError, match="kenji is on hold"):
        set_user_pin(sqlite_store, ADMIN, "kenji", "7777")
    assert resolve_user(sqlite_store, cred("yui", "3333"), "kenji", "staff") == "yui"
    assert authenticate(sqlite_store, cred("kenji", "2222")).role == "staff"
    with sqlite_store.transaction() as s:
        event = s.exec(select(Event).where(Event.kind == "operator.resolved")).one()
    assert event.payload == {"name": "kenji", "role": "staff"} and event.operator == "yui"


@pytest.mark.parametrize(
    ("by", "name", "role", "error", "words"),
    [
        (("kenji", "2222"), "aiko", "lead", NotAllowed, "only a lead may manage operators"),
        (("yui", "3333"), "yui", "staff", NotAllowed, "cannot settle their own role"),
        (("yui", "3333"), "aiko", "boss", ServiceError, "unknown role 'boss'"),
        (("yui", "3333"), "nobody", "staff", NotFound, "no operator 'nobody'"),
        (("yui", "0000"), "aiko", "lead", AuthError, "wrong PIN"),
    ],
)
def test_resolving_refuses_in_one_line_and_records_nothing(
    sqlite_store: Store,
    by: tuple[str, str],
    name: str,
    role: str,
    error: type[Exception],
    words: str,
) -> None:
    populate(sqlite_store)
    with sqlite_store.transaction() as s:
        before = event_count(s)
    with pytest.raises(error, match=words):
        resolve_user(sqlite_store, cred(*by), name, role)
    with sqlite_store.transaction() as s:
        kinds = [e.kind for e in s.exec(select(Event).order_by(Event.seq))][before:]
    assert kinds in ([], ["operator.pin_failed"])  # a wrong PIN is counted, nothing else
