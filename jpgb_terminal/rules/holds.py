"""Holds: what a parcel is held for at the scan, and the custody deadline of Art. 15.2."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from jpgb_terminal.clock import WAREHOUSE_TZ, local_date

CUSTODY_DAYS = 60  # Art. 15.2: kept 60 days from the date of receipt

# Art. 14(10) for unpaid fees (Art. 8 suspension), 14(11) for a frozen account (Art. 18.1(9)).
STATUS_HOLD_REASON = {"suspended": "unpaid", "frozen": "terms_violation"}
CUSTOMER_STATUSES = ("active", "suspended", "frozen")


def hold_deadline(received_at: datetime, tz: ZoneInfo = WAREHOUSE_TZ) -> date:
    """The last day of custody: receipt date in Japan time plus 60 days."""
    return local_date(received_at, tz) + timedelta(days=CUSTODY_DAYS)


def days_left(deadline: date, today: date) -> int:
    """Days from `today` to the deadline (0 on the day itself, negative once overdue)."""
    return (deadline - today).days


def is_overdue(deadline: date, today: date) -> bool:
    """A hold is overdue once its deadline day has passed."""
    return today > deadline


@dataclass(frozen=True)
class ReceiptFacts:
    """What is known at the moment of the scan."""

    prealert_customer: str | None
    customer_status: str | None  # None when the customer id is unknown


def receipt_hold_reasons(facts: ReceiptFacts) -> list[str]:
    """The Art. 14 reasons that hold a parcel the moment it is scanned, in article order."""
    if facts.prealert_customer is None:
        return ["no_prealert"]  # Art. 14(7)
    if facts.customer_status is None:
        return ["unknown_address"]  # Art. 14(2): the user cannot be confirmed
    reason = STATUS_HOLD_REASON.get(facts.customer_status)
    return [reason] if reason else []
