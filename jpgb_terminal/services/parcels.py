"""Reading a parcel back as plain data: `parcel_view` is the JSON of `jpgb parcel show`, taken
from the typed view in services/parcel_views.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from jpgb_terminal.services.parcel_views import read_parcel, resolve_tracking

__all__ = ["parcel_view", "resolve_tracking"]


def parcel_view(session: Session, tracking_no: str, *, today: date | None = None) -> dict[str, Any]:
    """Everything `jpgb parcel show --json` prints for one parcel."""
    return read_parcel(session, tracking_no, today=today).as_dict()
