"""Operators: PIN hashing, five wrong PINs lock for 15 minutes, a supervisor unlocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.operators import add_operator, unlock_operator, verify_pin
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Operator
from tests.factories import populate

T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def _login(store: Store, name: str, pin: str, at: datetime):  # type: ignore[no-untyped-def]
    with store.transaction() as s:
        return verify_pin(s, "ST01", name, pin, at=at)


def test_pin_is_hashed_and_checked(store: Store) -> None:
    populate(store)
    with store.transaction() as s:
        op = s.get(Operator, "aiko")
        assert op is not None and "1111" not in op.pin_hash and op.pin_hash.startswith("$argon2")
    assert _login(store, "aiko", "1111", T0).ok
    result = _login(store, "aiko", "9999", T0)
    assert not result.ok and "4 attempts left" in result.message
    assert not _login(store, "nobody", "1111", T0).ok


def test_five_wrong_pins_lock_for_fifteen_minutes(store: Store) -> None:
    populate(store)
    for i in range(4):
        assert "attempts left" in _login(store, "aiko", "0000", T0 + timedelta(seconds=i)).message
    locked = _login(store, "aiko", "0000", T0 + timedelta(seconds=5))
    assert not locked.ok and locked.locked_until == T0 + timedelta(seconds=5, minutes=15)
    # Where to go for an unlock, in words a person at the bench can act on.
    assert "can unlock sooner: F2 on the terminal's login screen" in locked.message
    assert "jpgb user unlock aiko --operator" in locked.message
    # Even the right PIN is refused while locked.
    refused = _login(store, "aiko", "1111", T0 + timedelta(minutes=10)).message
    assert "locked until" in refused and "jpgb user unlock aiko" in refused
    assert _login(store, "aiko", "1111", T0 + timedelta(minutes=16)).ok


def test_supervisor_unlocks(store: Store) -> None:
    populate(store)
    for i in range(5):
        _login(store, "aiko", "0000", T0 + timedelta(seconds=i))
    with pytest.raises(ServiceError, match="supervisor"), store.transaction() as s:
        unlock_operator(s, Actor("ST01", "aiko"), "aiko")
    with store.transaction() as s:
        unlock_operator(s, Actor("ST01", "kenji"), "aiko", at=T0)
    assert _login(store, "aiko", "1111", T0 + timedelta(minutes=1)).ok


@pytest.mark.parametrize(
    ("name", "role", "pin", "message"),
    [
        ("x", "boss", "1234", "unknown role"),
        ("x", "staff", "12", "4 to 12 digits"),
        ("x", "staff", "12ab", "4 to 12 digits"),
        ("", "staff", "1234", "1 to 80"),
        ("[/x]", "staff", "1234", "letters, digits, spaces"),
        ("ai\x1b[2Jko", "staff", "1234", "letters, digits, spaces"),
        ("aiko", "staff", "1234", "already exists"),
    ],
)
def test_bad_operators_refused(store: Store, name: str, role: str, pin: str, message: str) -> None:
    populate(store)
    with pytest.raises(ServiceError, match=message), store.transaction() as s:
        add_operator(s, Actor("ST01"), name, role, pin)


def test_names_as_people_write_them_are_accepted(store: Store) -> None:
    populate(store)
    with store.transaction() as s:
        for name in ("山田 太郎", "o'brien", "mary-jane", "j.smith_2"):
            assert add_operator(s, Actor("ST01"), name, "staff", "1234").name == name
