"""Time in one place: aware UTC instants, and days counted in Japan time.

The bottom layer, with `errors`, `ids`, `stations`, `tracking` and `demo_operators`: these
import only the standard library, and every layer above may use them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# The service terms count days (deadlines, custody, manifests) in Japan time: not a setting.
WAREHOUSE_ZONE = "Asia/Tokyo"
WAREHOUSE_TZ = ZoneInfo(WAREHOUSE_ZONE)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """`at` converted to UTC; a naive value is refused because its zone would be a guess."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    return at.astimezone(UTC)


def local_date(at: datetime, tz: ZoneInfo = WAREHOUSE_TZ) -> date:
    """The calendar day of `at` in the warehouse's time zone."""
    return as_utc(at).astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo = WAREHOUSE_TZ) -> tuple[datetime, datetime]:
    """UTC start (inclusive) and end (exclusive) of a warehouse-local calendar day."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = datetime.fromordinal(day.toordinal() + 1).replace(tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)
