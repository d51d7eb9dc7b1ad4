"""Who is acting, and where: stamped on every event, and checked against the permission table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session


@dataclass(frozen=True)
class Actor:
    """The station and operator behind a change.

    `role` is the logged-in operator's role. None is the station's administrator: the
    setup commands (db, user, prealert import, demo, central init, keys) and sync, which
    the permission table does not cover.
    """

    station_id: str
    operator: str | None = None
    role: str | None = None

    @property
    def is_administrator(self) -> bool:
        """No operator and no role: the station itself (setup commands, seeding, sync)."""
        return self.operator is None and self.role is None


def operator_role(db: Session | Connection, name: str | None) -> str | None:
    """The stored role of an active operator; None for no such operator (who may do nothing)."""
    from sqlalchemy import select
    from sqlmodel import Session

    from jpgb_terminal.store.handles import OPERATOR
    from jpgb_terminal.store.tables import Operator

    if not name:
        return None
    if isinstance(db, Session):
        # Through the session, so an operator added earlier in the transaction is seen.
        row = db.get(Operator, name)
        return row.role if row is not None and row.active else None
    found = db.execute(
        select(OPERATOR.c.role, OPERATOR.c.active).where(OPERATOR.c.name == name)
    ).first()
    return found.role if found is not None and found.active else None


def authorize(
    db: Session | Connection, actor: Actor, action: str, *, administrator: bool = True
) -> str | None:
    """Check `action` against the table for the actor's role, or the named operator's stored
    role when the caller did not give one; returns the role (None for the administrator).

    An actor naming an operator without a role is looked up, so leaving the role out never
    skips the check.  `administrator=False` refuses the station's own context as well.
    """
    from jpgb_terminal.rules.permissions import require

    if actor.is_administrator and administrator:
        return None
    role = actor.role if actor.role is not None else operator_role(db, actor.operator)
    require(role, action)
    return role
