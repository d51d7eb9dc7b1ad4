"""A decision on a held parcel through its use case: the form first, then the PIN, then one
transaction; a refusal of any kind decides nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jpgb_terminal.services.decisions import DecisionRefused
from jpgb_terminal.services.errors import AuthError
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import Store
from jpgb_terminal.store.ledger import Decision
from jpgb_terminal.store.tables import Operator, Parcel
from jpgb_terminal.workflow.auth import Credentials
from jpgb_terminal.workflow.decisions import (
    IncompleteDecision,
    decide_held_parcel,
    refused_up_front,
)
from tests.factories import STAFF, populate, s10

HELD = s10(901)  # no pre-alert: held at the scan


@pytest.fixture
def held(sqlite_store: Store) -> Store:
    populate(sqlite_store)
    with sqlite_store.transaction() as s:
        receive(s, STAFF, HELD)
    return sqlite_store


def state(store: Store) -> tuple[str, int, int]:
    with store.transaction() as s:
        parcel = s.get(Parcel, HELD)
        kenji = s.get(Operator, "kenji")
        assert parcel is not None and kenji is not None
        return parcel.state, len(s.exec(select(Decision)).all()), kenji.failed_attempts


def test_a_supervisor_releases_with_their_pin(held: Store) -> None:
    done = decide_held_parcel(held, Credentials("ST01", "kenji", "2222"), HELD, "release", "late")
    assert (done.action, done.to_state) == ("release", "released")
    assert state(held) == ("released", 1, 0)


@pytest.mark.parametrize(
    ("name", "pin", "action", "note", "error", "failed"),
    [
        ("kenji", "0000", "release", "late", AuthError, 1),  # counted, decides nothing
        ("kenji", "0000", "release", "", IncompleteDecision, 0),  # the form before the PIN
        ("kenji", "2222", "burn", "late", DecisionRefused, 0),
        ("aiko", "1111", "release", "late", DecisionRefused, 0),  # staff may not
    ],
)
def test_refusals_decide_nothing(
    held: Store, name: str, pin: str, action: str, note: str, error: type, failed: int
) -> None:
    with pytest.raises(error):
        decide_held_parcel(held, Credentials("ST01", name, pin), HELD, action, note)
    assert state(held) == ("held", 0, failed)


def test_staff_is_refused_before_the_dialog_opens(held: Store) -> None:
    refusal = refused_up_front(held, "ST01", "aiko", HELD, "release")
    assert refusal is not None and refusal.article == "role"
    assert refused_up_front(held, "ST01", "kenji", HELD, "release") is None
