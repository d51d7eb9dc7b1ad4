"""The sale id a projection gives a sale: the bench's own when the event carries it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from jpgb_terminal.events import Sale
from jpgb_terminal.projections.parcels import SALE_NAMESPACE, sale_id

DECISION = "01a241c9-0795-70c0-8b5a-b9931670d631"
DERIVED = str(uuid.uuid5(SALE_NAMESPACE, DECISION))


def _sale(sale_id: str | None) -> Sale:
    return Sale(
        sale_id=sale_id,
        currency="JPY",
        proceeds=5000,
        custody_fee=1000,
        disposal_fee=0,
        service_fee=500,
        balance=3500,
        shortfall=0,
        balance_fixed_on=date(2026, 5, 1),
    )


@pytest.mark.parametrize(
    ("sale", "expected"),
    [
        ("01a241c9-0795-70c1-a0a3-8990f4a99d05", "01a241c9-0795-70c1-a0a3-8990f4a99d05"),
        (None, DERIVED),  # written before the id travelled: the old derivation
        ("", DERIVED),
    ],
)
def test_sale_id(sale: str | None, expected: str) -> None:
    assert sale_id(DECISION, _sale(sale)) == expected


def test_the_old_derivation_is_unchanged() -> None:
    """Old chains must give their sales the ids they always had."""
    assert sale_id(DECISION, _sale(None)) == "b353a63f-5373-52e3-9343-4233298982ea"
