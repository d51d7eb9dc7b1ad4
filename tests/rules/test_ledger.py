"""Sale ledger arithmetic (Art. 15.5-15.7): whole yen, balance never negative, no interest."""

from __future__ import annotations

from datetime import date

import pytest

from jpgb_terminal.rules.ledger import LedgerError, remittance_due, settle_sale

FIXED = date(2027, 2, 10)

CASES = [
    # proceeds, custody, disposal, service, balance, shortfall, due
    (10_000, 3_000, 500, 1_000, 5_500, 0, date(2027, 3, 2)),
    (10_000, 0, 0, 0, 10_000, 0, date(2027, 3, 2)),
    (4_500, 3_000, 500, 1_000, 0, 0, None),  # exactly used up: nothing to remit
    (2_000, 3_000, 500, 1_000, 0, 2_500, None),  # fees beyond proceeds: shortfall, not negative
    (0, 0, 0, 0, 0, 0, None),
    (0, 1_200, 0, 0, 0, 1_200, None),
    (1, 0, 0, 0, 1, 0, date(2027, 3, 2)),
    (10**12, 0, 0, 0, 10**12, 0, date(2027, 3, 2)),
]


@pytest.mark.parametrize(
    ("proceeds", "custody", "disposal", "service", "balance", "shortfall", "due"), CASES
)
def test_settle_sale(
    proceeds: int,
    custody: int,
    disposal: int,
    service: int,
    balance: int,
    shortfall: int,
    due: date | None,
) -> None:
    ledger = settle_sale(
        proceeds,
        custody_fee=custody,
        disposal_fee=disposal,
        service_fee=service,
        fixed_on=FIXED,
    )
    assert ledger.balance == balance
    assert ledger.shortfall == shortfall
    assert ledger.remittance_due == due
    assert ledger.fees == custody + disposal + service
    assert ledger.balance - ledger.shortfall == proceeds - ledger.fees
    assert ledger.interest == 0
    assert ledger.currency == "JPY"
    assert ledger.balance_fixed_on == FIXED
    payload = ledger.as_dict()
    assert payload["interest"] == 0
    assert all(isinstance(payload[k], int) for k in ("proceeds", "balance", "shortfall", "fees"))


@pytest.mark.parametrize(
    ("fixed_on", "due"),
    [
        (date(2027, 1, 1), date(2027, 1, 21)),
        (date(2027, 2, 10), date(2027, 3, 2)),  # across February's end
        (date(2028, 2, 10), date(2028, 3, 1)),  # leap February
        (date(2027, 12, 20), date(2028, 1, 9)),  # across the year
    ],
)
def test_remittance_due_is_twenty_days_later(fixed_on: date, due: date) -> None:
    assert remittance_due(fixed_on) == due


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"proceeds": -1}, "proceeds cannot be negative"),
        ({"proceeds": 100, "custody_fee": -5}, "custody fee cannot be negative"),
        ({"proceeds": 100.5}, "whole yen"),
        ({"proceeds": True}, "whole yen"),
        ({"proceeds": 100, "service_fee": 1.0}, "service fee must be whole yen"),
        ({"proceeds": 10**12 + 1}, "beyond any parcel"),
    ],
)
def test_bad_amounts_are_refused(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(LedgerError, match=words):
        settle_sale(fixed_on=FIXED, **kwargs)  # type: ignore[arg-type]
