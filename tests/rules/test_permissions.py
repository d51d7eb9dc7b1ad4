"""The permission table as the warehouse agreed it, checked for every action and role."""

from __future__ import annotations

import pytest

from jpgb_terminal.rules.permissions import (
    ACTIONS,
    ROLES,
    allowed,
    permission_table,
    require,
    roles_for,
)
from jpgb_terminal.services.errors import NotAllowed

S, V, L = "staff", "supervisor", "lead"
# The table as the warehouse agreed it; a change to data/permissions.toml must change this.
EXPECTED = {
    "receive": {S, V, L},
    "inspect": {S, V, L},
    "hold": {S, V, L},
    "manual_weight": {V, L},
    "review_holds": {V, L},
    "review_receipts": {V, L},
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
    "erase_customer": {L},
}
# The operator of each role in tests.factories.populate, with their PIN.
OPERATOR = {S: ("aiko", "1111"), V: ("kenji", "2222"), L: ("yui", "3333")}


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


# Through the services and the command line: tests/services/test_permission_table.py and
# tests/cli/test_permission_cli.py, case by case against EXPECTED.
