"""Who is acting, and where: stamped on every event."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The station and operator behind a change."""

    station_id: str
    operator: str | None = None
