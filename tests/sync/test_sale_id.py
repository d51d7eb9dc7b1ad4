"""A sale keeps the id its bench gave it: on central and on every bench that pulls it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import SaleAmounts, decide
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.handles import SALE
from jpgb_terminal.sync import sync_once
from tests.factories import jp12
from tests.sync.helpers import assert_central_is_union, seed_people, station, write_parcels

pytestmark = pytest.mark.postgres

RECEIVED = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)  # past the custody deadline of 31 Dec 2026


def _sales(store: Store) -> list[tuple[str, str, int]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(SALE.c.id, SALE.c.decision_id, SALE.c.balance))
        return sorted((r[0], r[1], int(r[2])) for r in rows)


def test_a_sale_has_the_same_id_at_the_bench_central_and_another_bench(
    tmp_path: Path, pg_central: str
) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    write_parcels(a, "A", [1], at=RECEIVED)  # no pre-alert: held at the scan
    amounts = SaleAmounts(proceeds=12_000, custody_fee=3_000, disposal_fee=800, service_fee=1_200)
    with a.transaction() as s:
        result = decide(
            s, Actor("A", "kenji"), jp12(1), "sell", "auction lot 4", sale=amounts, at=AFTER
        )
    made = _sales(a)
    assert len(made) == 1 and made[0][1] == result.decision_id and made[0][2] == 7_000

    assert sync_once(a, pg_central, "A").ok
    assert sync_once(b, pg_central, "B").ok
    central = open_store(pg_central)
    try:
        assert _sales(central) == made
    finally:
        central.dispose()
    assert _sales(b) == made
    assert_central_is_union(pg_central, {"A": a, "B": b})
