"""Who is logged in at the bench: one object holding the operator's name and role.

Light on purpose: the terminal makes one before its first frame, so nothing heavy is
imported here until an actor is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jpgb_terminal.services.context import Actor


@dataclass
class OperatorSession:
    """The logged-in operator (both None before anyone logs in, and after a log-out)."""

    name: str | None = None
    role: str | None = None

    def log_in(self, name: str, role: str | None) -> None:
        """Become the session of `name` with `role`."""
        self.name, self.role = name, role

    def log_out(self) -> None:
        """Nobody is logged in any more."""
        self.name = self.role = None

    def actor(self, station_id: str) -> Actor:
        """The actor events are stamped with at `station_id`, carrying the role to check."""
        from jpgb_terminal.services.context import Actor

        return Actor(station_id, self.name, self.role)
