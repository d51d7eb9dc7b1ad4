"""Parcel state transitions, table-driven."""

from __future__ import annotations

import pytest

from jpgb_terminal.rules.states import (
    FINAL_STATES,
    IllegalTransition,
    ParcelState,
    can_transition,
    check_transition,
)

ALLOWED = [
    ("received", "weighed"),
    ("received", "held"),
    ("weighed", "cleared"),
    ("weighed", "held"),
    ("cleared", "held"),
    ("held", "released"),
    ("held", "returned"),
    ("held", "disposed"),
    ("held", "sold"),
    ("held", "reported"),
    ("released", "held"),
    ("cleared", "packed"),
    ("released", "packed"),
    ("packed", "shipped"),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed(current: str, target: str) -> None:
    assert can_transition(current, target)
    check_transition("X", current, target)


REFUSED = [
    (s.value, t.value)
    for s in ParcelState
    for t in ParcelState
    if (s.value, t.value) not in ALLOWED
]


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_refused(current: str, target: str) -> None:
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition) as err:
        check_transition("EE123456785JP", current, target)
    assert "EE123456785JP" in str(err.value)
    assert f"is {current}" in str(err.value)


def test_final_states() -> None:
    assert {"returned", "disposed", "sold", "reported", "shipped"} == FINAL_STATES


def test_unknown_state_rejected() -> None:
    with pytest.raises(ValueError):
        can_transition("lost", "held")
