"""The hold queue listed directly by the use case `jpgb holds list` calls, with its filters."""

from __future__ import annotations

import pytest

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.holds import held_list
from tests.factories import STAFF, jp12, populate, s10

ADMIN = Actor("ST01")


@pytest.fixture
def held(sqlite_store: Store) -> Store:
    """Two parcels with no pre-alert (held), one pre-alerted (not held)."""
    populate(sqlite_store)
    with sqlite_store.transaction() as s:
        receive(s, STAFF, jp12(1))
        receive(s, STAFF, s10(300))
        receive(s, STAFF, s10(301))
    return sqlite_store


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {s10(300), s10(301)}),
        ({"reason": "no_prealert"}, {s10(300), s10(301)}),
        ({"reason": "dangerous_goods"}, set()),
        ({"station_id": "ST01"}, {s10(300), s10(301)}),
        ({"station_id": "B2"}, set()),
        ({"overdue_only": True}, set()),
    ],
)
def test_filters(held: Store, filters: dict[str, object], expected: set[str]) -> None:
    rows = held_list(held, ADMIN, **filters)  # type: ignore[arg-type]
    assert {h.tracking_no for h in rows} == expected
    assert all("no_prealert" in h.reasons for h in rows)
