"""The bench's pull policy, called as the transport calls it: in the page's transaction, with
the events it applied, returning the parcels it held here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from jpgb_terminal.projections.events import SyncEvent
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.prealerts import import_prealerts
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import CUSTOMER, EVENT, HOLD
from jpgb_terminal.workflow.pull_policy import hold_for_pulled_statuses
from tests.factories import jp12
from tests.sync.helpers import seed_people, station


def _bench_with_a_parcel_of(tmp_path: Path, customer: str) -> Store:
    bench = station(tmp_path, "B")
    seed_people(bench, "B")
    with bench.transaction() as s:
        csv = f"tracking_no,customer_id,contents\n{jp12(1)},{customer},books\n"
        import_prealerts(s, Actor("B"), csv.encode())
    with bench.transaction() as s:
        assert not receive(s, Actor("B", "aiko"), jp12(1)).held
    return bench


def _pulled(kind: str, customer: str, status: str) -> SyncEvent:
    """An event from bench A as sync hands it over, already applied to the customer row."""
    payload = {"customer_id": customer, "status": status}
    return SyncEvent("e-1", "A", 7, kind, None, "kenji", datetime.now(UTC), payload)


@pytest.mark.parametrize(
    ("kind", "status", "held"),
    [
        ("customer.status_changed", "suspended", True),
        ("customer.status_changed", "frozen", True),
        ("customer.status_changed", "active", False),
        ("customer.updated", "suspended", False),  # only a status change holds anything
    ],
)
def test_a_status_changed_elsewhere_holds_the_parcels_received_here(
    tmp_path: Path, kind: str, status: str, held: bool
) -> None:
    bench = _bench_with_a_parcel_of(tmp_path, "C1")
    with bench.engine.begin() as conn:
        conn.execute(update(CUSTOMER).where(CUSTOMER.c.id == "C1").values(status=status))
        result = hold_for_pulled_statuses(conn, "B", [_pulled(kind, "C1", status)])
    assert result == ([jp12(1)] if held else [])
    with bench.engine.connect() as conn:
        holds = conn.execute(select(HOLD.c.tracking_no).where(HOLD.c.closed_at.is_(None))).all()
        kinds = [
            k for (k,) in conn.execute(select(EVENT.c.kind).where(EVENT.c.kind == "parcel.held"))
        ]
    assert len(holds) == (1 if held else 0) and len(kinds) == len(holds)


def test_a_second_pull_of_the_same_status_holds_nothing_twice(tmp_path: Path) -> None:
    bench = _bench_with_a_parcel_of(tmp_path, "C1")
    event = _pulled("customer.status_changed", "C1", "suspended")
    with bench.engine.begin() as conn:
        conn.execute(update(CUSTOMER).where(CUSTOMER.c.id == "C1").values(status="suspended"))
        assert hold_for_pulled_statuses(conn, "B", [event]) == [jp12(1)]
    with bench.engine.begin() as conn:
        assert hold_for_pulled_statuses(conn, "B", [event]) == []
