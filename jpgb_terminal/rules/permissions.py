"""Permissions as data: which roles may do each action (`data/permissions.toml`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jpgb_terminal.errors import NotAllowed
from jpgb_terminal.refdata import load_toml

ROLES = ("staff", "supervisor", "lead")
ROLE_REFUSAL = "role"  # the `article` of a refusal the permission table makes
# Every action the table must name; a table missing one is refused at load, not at the bench.
ACTIONS = (
    "receive",
    "inspect",
    "hold",
    "manual_weight",
    "review_holds",
    "review_receipts",
    "release",
    "return",
    "dispose",
    "sell",
    "report",
    "pack",
    "hand_over",
    "set_customer_status",
    "export_manifests",
    "manage_operators",
    "unlock_operator",
    "reveal_personal_data",
    "purge",
    "erase_customer",
)


@dataclass(frozen=True)
class Permission:
    """One row of the table: the roles allowed an action, and how a refusal names it."""

    action: str
    roles: frozenset[str]
    does: str


@cache
def permission_table() -> dict[str, Permission]:
    """The table, checked: every action present, only known roles."""
    raw = load_toml("permissions.toml").get("actions", {})
    table: dict[str, Permission] = {}
    for action, row in raw.items():
        roles = frozenset(row.get("roles", []))
        unknown = roles - set(ROLES)
        if unknown:
            raise ValueError(f"permissions.toml: {action} names unknown roles {sorted(unknown)}")
        table[action] = Permission(action, roles, str(row.get("does", action)))
    missing = [a for a in ACTIONS if a not in table]
    if missing:
        raise ValueError(f"permissions.toml: no row for {', '.join(missing)}")
    return table


def _permission(action: str) -> Permission:
    try:
        return permission_table()[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None


def allowed(role: str | None, action: str) -> bool:
    """True when `role` may do `action`; no role (unknown operator) may do nothing."""
    return role is not None and role in _permission(action).roles


def roles_for(action: str) -> tuple[str, ...]:
    """The roles allowed `action`, in rank order."""
    roles = _permission(action).roles
    return tuple(r for r in ROLES if r in roles)


def _who(roles: tuple[str, ...]) -> str:
    if not roles:
        return "nobody"
    if len(roles) == 1:
        return f"a {roles[0]}"
    return "a " + ", ".join(roles[:-1]) + f" or {roles[-1]}"


def refusal(role: str | None, action: str) -> str:
    """Why `role` may not do `action`: "only a supervisor or lead may ... (role: staff)"."""
    p = _permission(action)
    return f"only {_who(roles_for(action))} may {p.does} (role: {role or 'unknown'})"


def require(role: str | None, action: str) -> None:
    """Raise NotAllowed, naming the role and the action, unless `role` may do `action`."""
    if not allowed(role, action):
        raise NotAllowed(refusal(role, action))
