"""Operators as people handle them: add, new PIN, list, a lockout lifted, a conflict settled.

Adding and setting PINs is the station administrator's setup (no PIN asked); unlocking is a
supervisor's or lead's decision, their PIN checked first (the login screen's F2 and
`jpgb user unlock` both come here); settling a name two benches added with another role or
PIN is a lead's (`jpgb user resolve`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.operators import add_operator, list_operators, resolve_operator, set_pin
from jpgb_terminal.services.operators import unlock_operator as _unlock
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Operator
from jpgb_terminal.workflow.auth import Who, act_with_pin


def add_user(store: Store, actor: Actor, name: str, role: str, pin: str) -> None:
    """Add an operator with a role and a PIN."""
    with store.transaction() as session:
        add_operator(session, actor, name, role, pin)


def set_user_pin(store: Store, actor: Actor, name: str, pin: str) -> None:
    """Give an operator a new PIN."""
    with store.transaction() as session:
        set_pin(session, actor, name, pin)


def users(store: Store) -> list[Operator]:
    """Every operator, by name, as read in one transaction (detached rows)."""
    with store.transaction() as session:
        found = list_operators(session)
        session.expunge_all()
    return found


def unlock_user(store: Store, who: Who, locked: str, *, at: datetime | None = None) -> str:
    """Lift `locked`'s lockout once the supervisor's (or lead's) PIN is checked; the
    permission table decides who may. Returns the name of who unlocked."""

    def act(session: Session, actor: Actor) -> str:
        _unlock(session, actor, locked, at=at)
        return actor.operator or ""

    return act_with_pin(store, who, act, at=at)


def resolve_user(
    store: Store, who: Who, name: str, role: str, *, at: datetime | None = None
) -> str:
    """Settle `name`'s role (and PIN: the one it has here) everywhere once a lead's PIN is
    checked; returns the name of who settled it."""

    def act(session: Session, actor: Actor) -> str:
        resolve_operator(session, actor, name, role, at=at)
        return actor.operator or ""

    return act_with_pin(store, who, act, at=at)
