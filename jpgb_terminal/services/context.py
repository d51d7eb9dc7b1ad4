"""Who is acting, and where: stamped on every event, and checked against the permission table."""

from __future__ import annotations

from dataclasses import dataclass


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

    def authorize(self, action: str) -> None:
        """Refuse (NotAllowed) an operator whose role the permission table does not allow."""
        if self.role is not None:
            from jpgb_terminal.rules.permissions import require

            require(self.role, action)
