"""Hold deadlines in Japan time (Art. 15.2) and the reasons a scan holds a parcel."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jpgb_terminal.rules.holds import (
    ReceiptFacts,
    days_left,
    hold_deadline,
    is_overdue,
    receipt_hold_reasons,
)

DEADLINES = [
    # received (UTC)                        deadline: JST date + 60
    (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), date(2026, 3, 2)),
    # 14:59 UTC is 23:59 JST the same day; 15:00 UTC is already the next day in Japan.
    (datetime(2026, 1, 31, 14, 59, tzinfo=UTC), date(2026, 4, 1)),
    (datetime(2026, 1, 31, 15, 0, tzinfo=UTC), date(2026, 4, 2)),
    (datetime(2026, 12, 31, 15, 30, tzinfo=UTC), date(2027, 3, 2)),
    # Leap year: 2028-02-29 exists.
    (datetime(2027, 12, 31, 3, 0, tzinfo=UTC), date(2028, 2, 29)),
    (datetime(2026, 4, 30, 20, 0, tzinfo=UTC), date(2026, 6, 30)),
]


@pytest.mark.parametrize(("received", "deadline"), DEADLINES)
def test_deadline_is_jst_receipt_date_plus_60(received: datetime, deadline: date) -> None:
    assert hold_deadline(received) == deadline


def test_naive_time_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        hold_deadline(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("deadline", "today", "left", "overdue"),
    [
        (date(2026, 3, 2), date(2026, 3, 1), 1, False),
        (date(2026, 3, 2), date(2026, 3, 2), 0, False),
        (date(2026, 3, 2), date(2026, 3, 3), -1, True),
        (date(2026, 3, 2), date(2026, 1, 1), 60, False),
    ],
)
def test_days_left_and_overdue(deadline: date, today: date, left: int, overdue: bool) -> None:
    assert days_left(deadline, today) == left
    assert is_overdue(deadline, today) is overdue


@pytest.mark.parametrize(
    ("facts", "reasons"),
    [
        (ReceiptFacts(None, None), ["no_prealert"]),
        (ReceiptFacts("C1", None), ["unknown_address"]),
        (ReceiptFacts("C1", "active"), []),
        (ReceiptFacts("C1", "suspended"), ["unpaid"]),
        (ReceiptFacts("C1", "frozen"), ["terms_violation"]),
    ],
)
def test_receipt_hold_reasons(facts: ReceiptFacts, reasons: list[str]) -> None:
    assert receipt_hold_reasons(facts) == reasons
