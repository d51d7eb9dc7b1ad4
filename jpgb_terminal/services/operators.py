"""Operators: PIN hashes, login with lockout after repeated wrong PINs (Art. 8).

Every wrong PIN at a bench is an event (`operator.pin_failed`, the fifth `operator.locked`), and
so is a right PIN that ends a run of wrong ones (`operator.failures_cleared`): sync carries them,
so the count is per operator across benches and central, not per bench.  Central writes no
events: its own wrong PINs are counted in its row, which every bench's wrong PINs reach too.
The same name added at two benches with another role or PIN is a conflict a lead resolves
(`resolve_operator`; the projection in jpgb_terminal.projections.people holds it meanwhile).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from jpgb_terminal.clock import WAREHOUSE_TZ, now
from jpgb_terminal.events import (
    OperatorAdded,
    OperatorFailuresCleared,
    OperatorLocked,
    OperatorPinChanged,
    OperatorPinFailed,
    OperatorResolved,
    OperatorUnlocked,
)
from jpgb_terminal.rules.lockout import LOCKOUT, MAX_ATTEMPTS, ON_HOLD, RESOLVE_HINT
from jpgb_terminal.rules.permissions import ROLES
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import NotAllowed, NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store.role import is_central
from jpgb_terminal.store.tables import Operator

PIN_LENGTHS = range(4, 13)

# Light parameters: a PIN is checked at the bench many times a day and must answer at once.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_pin(name: str, pin: str) -> str:
    """An argon2 hash of an operator's PIN, salted by the operator's name.

    The salt is unique per name (no precomputation serves two operators), and the same at every
    bench, so that the same name added at two benches with the same PIN hashes the same and
    another PIN shows as another hash (a conflict at sync).  A 4-to-12-digit PIN is not kept
    secret by its salt either way: the lockout is what protects it.
    """
    salt = hashlib.sha256(b"jpgb operator pin\x00" + name.encode()).digest()[:16]
    return _hasher.hash(pin, salt=salt)


# Names are typed at the login screen and printed everywhere: no brackets, no control codes.
OPERATOR_NAME = re.compile(r"\w[\w .'\-]*")


def check_pin_format(pin: str) -> None:
    """A PIN is 4 to 12 digits."""
    if not pin.isdigit() or not pin.isascii() or len(pin) not in PIN_LENGTHS:
        raise ServiceError("a PIN must be 4 to 12 digits")


def add_operator(
    session: Session, actor: Actor, name: str, role: str, pin: str, *, at: datetime | None = None
) -> Operator:
    """Create an operator with an argon2 hash of the PIN (a lead's or the administrator's job)."""
    authorize(session, actor, "manage_operators")
    name = name.strip()
    if len(name) > 80 or not OPERATOR_NAME.fullmatch(name):
        raise ServiceError(
            f"operator name {name!r} must be 1 to 80 characters: "
            "letters, digits, spaces, '.', \"'\", '-' or '_'"
        )
    if role not in ROLES:
        raise ServiceError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    check_pin_format(pin)
    if session.get(Operator, name) is not None:
        raise ServiceError(f"operator {name} already exists")
    at = at or now()
    operator = Operator(name=name, role=role, pin_hash=hash_pin(name, pin), created_at=at)
    session.add(operator)
    append_event(session, actor, OperatorAdded(name=name, role=role), at=at)
    return operator


def set_pin(
    session: Session, actor: Actor, name: str, pin: str, *, at: datetime | None = None
) -> Operator:
    """Give an operator a new PIN (a lead's or the administrator's job); records
    `operator.pin_changed` naming the operator only."""
    authorize(session, actor, "manage_operators")
    check_pin_format(pin)
    operator = session.get(Operator, name.strip())
    if operator is None:
        raise NotFound(f"no operator {name.strip()!r}")
    if not operator.active:
        # A PIN set now would travel as the held name's PIN before a lead has settled it.
        hold = ON_HOLD.format(name=operator.name)
        raise ServiceError(f"{hold}; {RESOLVE_HINT.format(name=operator.name)}")
    operator.pin_hash = hash_pin(operator.name, pin)
    session.add(operator)
    # No hash in the payload: the operator row travels beside the event as a snapshot in sync,
    # and an event is kept for ever while a hash should go when the PIN changes again.
    append_event(session, actor, OperatorPinChanged(name=operator.name), at=at)
    return operator


def list_operators(session: Session) -> list[Operator]:
    """Every operator, by name."""
    return list(session.exec(select(Operator).order_by(Operator.name)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a PIN check; failed attempts are written even when the login fails."""

    ok: bool
    message: str
    operator: Operator | None = None
    locked_until: datetime | None = None


def verify_pin(
    session: Session, station_id: str, name: str, pin: str, *, at: datetime | None = None
) -> LoginResult:
    """Check a PIN; five wrong PINs in a row, counted across benches, lock for 15 minutes."""
    at = at or now()
    operator = session.get(Operator, name.strip())
    if operator is None:
        return LoginResult(False, f"unknown operator {name!r}")
    if not operator.active:
        hold = ON_HOLD.format(name=operator.name)
        return LoginResult(False, f"{hold}; {RESOLVE_HINT.format(name=operator.name)}")
    if operator.locked_until is not None and operator.locked_until > at:
        until = operator.locked_until
        local = until.astimezone(WAREHOUSE_TZ)
        return LoginResult(
            False,
            f"{operator.name} is locked until {local:%H:%M}; {unlock_hint(operator.name)}",
            None,
            until,
        )
    try:
        _hasher.verify(operator.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return _wrong_pin(session, station_id, operator, at)
    if operator.failed_attempts and not is_central(session.connection()):
        # The run of wrong PINs ends here, and at every store this reaches.
        cleared = OperatorFailuresCleared(name=operator.name)
        append_event(session, Actor(station_id, operator.name), cleared, at=at)
    operator.failed_attempts = 0
    operator.locked_until = None
    session.add(operator)
    return LoginResult(True, f"welcome, {operator.name}", operator)


def _wrong_pin(session: Session, station_id: str, operator: Operator, at: datetime) -> LoginResult:
    """Count a wrong PIN here and, as an event, everywhere sync takes it; the fifth locks."""
    operator.failed_attempts += 1
    locks = operator.failed_attempts >= MAX_ATTEMPTS
    if locks:
        operator.locked_until = at + LOCKOUT
        operator.failed_attempts = 0
    session.add(operator)
    # Central takes events only from the benches' pushes: its own wrong PINs stay in its row
    # (so the fifth at central still locks there instead of rolling back).
    if not is_central(session.connection()):
        actor = Actor(station_id, operator.name)
        if locks:
            append_event(session, actor, OperatorLocked(until=operator.locked_until), at=at)
        else:
            append_event(session, actor, OperatorPinFailed(name=operator.name), at=at)
    if locks:
        return LoginResult(
            False,
            f"wrong PIN: {operator.name} is locked for 15 minutes; " + unlock_hint(operator.name),
            None,
            operator.locked_until,
        )
    left = MAX_ATTEMPTS - operator.failed_attempts
    return LoginResult(False, f"wrong PIN ({left} attempts left)")


def unlock_hint(name: str) -> str:
    """How a locked operator gets back in before the lockout ends."""
    return (
        "a supervisor or lead can unlock sooner: F2 on the terminal's login screen, "
        f"or jpgb user unlock {name} --operator THEIR_NAME"
    )


def unlock_operator(
    session: Session, actor: Actor, name: str, *, at: datetime | None = None
) -> None:
    """Lift a lockout (a supervisor's or lead's decision; never the administrator's alone)."""
    authorize(session, actor, "unlock_operator", administrator=False)
    operator = session.get(Operator, name)
    if operator is None:
        raise NotFound(f"no operator {name}")
    operator.locked_until = None
    operator.failed_attempts = 0
    session.add(operator)
    append_event(session, actor, OperatorUnlocked(name=name), at=at)


def resolve_operator(
    session: Session, actor: Actor, name: str, role: str, *, at: datetime | None = None
) -> Operator:
    """Settle an operator added at two benches (a lead's decision, never the administrator's):
    the role given and the PIN the operator has at this bench hold at every store sync reaches.
    Records `operator.resolved`; the operator's row travels beside it."""
    authorize(session, actor, "manage_operators", administrator=False)
    if role not in ROLES:
        raise ServiceError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    operator = session.get(Operator, name.strip())
    if operator is None:
        raise NotFound(f"no operator {name.strip()!r}")
    if operator.name == actor.operator:
        raise NotAllowed(f"{operator.name} cannot settle their own role: another lead does")
    operator.role = role
    operator.active = True
    operator.failed_attempts = 0
    operator.locked_until = None
    session.add(operator)
    append_event(session, actor, OperatorResolved(name=operator.name, role=role), at=at)
    return operator
