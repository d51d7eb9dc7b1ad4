"""Retention and reveals travel to central like every other event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from jpgb_terminal.privacy.purge import purge_personal_data
from jpgb_terminal.privacy.reveal import reveal_customer
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import decide
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import open_store
from jpgb_terminal.store.sync_tables import SyncIssue
from jpgb_terminal.store.tables import Customer
from jpgb_terminal.sync import sync_once
from tests.factories import jp12
from tests.sync.helpers import FAST, seed_people, station

T0 = datetime(2025, 1, 10, 3, 0, tzinfo=UTC)


def test_anonymised_customer_is_anonymised_on_central(tmp_path: Path, central_url: str) -> None:
    local = station(tmp_path, "ST01")
    seed_people(local, "ST01")
    with local.transaction() as s:
        add_operator(s, Actor("ST01"), "yui", "lead", "3333")
        receipt = receive(s, Actor("ST01", "aiko"), jp12(1), at=T0)  # no pre-alert: held
    assert receipt.held
    with local.transaction() as s:
        # Put the parcel on C1's account, as a supervisor would after finding the owner.
        s.connection().exec_driver_sql(
            "UPDATE parcel SET customer_id = 'C1' WHERE tracking_no = ?", (jp12(1),)
        )
        decide(s, Actor("ST01", "kenji"), jp12(1), "return", "sender asked", at=T0)
    assert sync_once(local, central_url, "ST01", deadlines=FAST).ok
    with local.transaction() as s:
        revealed = reveal_customer(s, Actor("ST01", "kenji"), jp12(1))
        report = purge_personal_data(s, Actor("ST01", "yui"), 365, at=T0 + timedelta(days=400))
    assert revealed is not None and report.customers == ["C1"]
    assert sync_once(local, central_url, "ST01", deadlines=FAST).ok
    central = open_store(central_url)
    with central.transaction() as s:
        c1 = s.get(Customer, "C1")
        c2 = s.get(Customer, "C2")
        issues = list(s.exec(select(SyncIssue)))
    central.dispose()
    assert c1 is not None and c1.name == "anonymised" and c1.address is None
    assert c2 is not None and c2.name == "Customer 2"
    assert issues == []
