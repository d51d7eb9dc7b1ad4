"""Who acts: one PIN check for every face, and "act with a PIN" as one transaction after it.

A PIN is checked in its own transaction, so a wrong one is counted towards the lockout (and
recorded as an event sync carries, so the count is per operator across benches) even though
the action it was for then writes nothing. Screens and commands never call `verify_pin`
themselves: they hand a `Credentials` (or the logged-in `Actor`) to a use case.  A logged-in
actor is checked against the stored row before each action, so an operator put on hold or
given another role by sync since the login acts no more with the old role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from jpgb_terminal.services.context import Actor, operator_role
from jpgb_terminal.services.errors import AuthError
from jpgb_terminal.services.operators import LoginResult, verify_pin
from jpgb_terminal.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class Credentials:
    """An operator's name and the PIN they just typed, at one station."""

    station_id: str
    name: str
    pin: str = field(repr=False)


# A use case is told who acts either way: a bench's logged-in operator (checked at login),
# or a name and PIN to check now (a command line, or a dialog asking for the PIN again).
Who = Actor | Credentials


def login(store: Store, credentials: Credentials, *, at: datetime | None = None) -> LoginResult:
    """Check the PIN in its own transaction; a wrong one is counted even though it fails."""
    with store.transaction() as session:
        return verify_pin(session, credentials.station_id, credentials.name, credentials.pin, at=at)


def authenticate(store: Store, credentials: Credentials, *, at: datetime | None = None) -> Actor:
    """The operator as an actor with their stored role once the PIN is right; AuthError (with
    the lockout's words) when it is not."""
    result = login(store, credentials, at=at)
    if not result.ok or result.operator is None:
        raise AuthError(result.message)
    return Actor(credentials.station_id, result.operator.name, result.operator.role)


def acting(store: Store, who: Who, *, at: datetime | None = None) -> Actor:
    """The actor behind `who`: credentials once their PIN is right; a logged-in actor while
    the stored row still gives them that role (AuthError once it does not)."""
    if isinstance(who, Credentials):
        return authenticate(store, who, at=at)
    if who.operator is not None and who.role is not None:
        with store.transaction() as session:
            stored = operator_role(session, who.operator)
        if stored != who.role:
            now_is = f"is {stored} now" if stored else "is on hold or gone"
            raise AuthError(f"{who.operator} {now_is}: log in again")
    return who


def act_with_pin(
    store: Store,
    who: Who,
    act: Callable[[Session, Actor], T],
    *,
    at: datetime | None = None,
) -> T:
    """Check `who` (see `acting`), then run `act` in one transaction of its own."""
    actor = acting(store, who, at=at)
    with store.transaction() as session:
        return act(session, actor)
