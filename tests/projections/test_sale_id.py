"""The sale id a projection gives a sale: the bench's own when the event carries it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from jpgb_terminal.projections.parcels import SALE_NAMESPACE, sale_id

DECISION = "01a241c9-0795-70c0-8b5a-b9931670d631"
DERIVED = str(uuid.uuid5(SALE_NAMESPACE, DECISION))


@pytest.mark.parametrize(
    ("sale", "expected"),
    [
        (
            {"sale_id": "01a241c9-0795-70c1-a0a3-8990f4a99d05"},
            "01a241c9-0795-70c1-a0a3-8990f4a99d05",
        ),
        ({}, DERIVED),  # written before the id travelled: the old derivation
        ({"sale_id": None}, DERIVED),
        ({"sale_id": ""}, DERIVED),
    ],
)
def test_sale_id(sale: dict[str, Any], expected: str) -> None:
    assert sale_id(DECISION, sale) == expected


def test_the_old_derivation_is_unchanged() -> None:
    """Old chains must give their sales the ids they always had."""
    assert sale_id(DECISION, {}) == "b353a63f-5373-52e3-9343-4233298982ea"
