"""An anonymisation is final at every store: a stale bench's customer events cannot undo it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jpgb_terminal.audit.verify import verify_store
from jpgb_terminal.clock import now
from jpgb_terminal.privacy.erase import erase_customer
from jpgb_terminal.privacy.purge import purge_personal_data
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import set_customer_status, update_customer
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.sync_tables import SyncIssue
from jpgb_terminal.store.tables import Customer
from jpgb_terminal.sync import sync_once
from tests.factories import RawEvent
from tests.sync.helpers import FAST, seed_people, station

pytestmark = pytest.mark.postgres


def _benches(tmp_path: Path, central: str) -> tuple[Store, Store]:
    a, b = station(tmp_path, "ST01"), station(tmp_path, "ST02")
    seed_people(a, "ST01")
    with a.transaction() as s:
        add_operator(s, Actor("ST01"), "yui", "lead", "3333")
    assert sync_once(a, central, "ST01", deadlines=FAST).ok
    assert sync_once(b, central, "ST02", deadlines=FAST).ok  # B knows C1, C2 as they were
    return a, b


def _stale_changes_at_b(b: Store, cid: str) -> None:
    """B, not yet told, changes the customer: new events and one written the old way."""
    with b.transaction() as s:
        update_customer(s, Actor("ST02", "kenji"), cid, {"name": "Back Again", "phone": "090-1"})
        set_customer_status(s, Actor("ST02", "kenji"), cid, "suspended")
        # A status change as benches wrote it before changes named their fields: the whole
        # row travelled with it and was applied.
        append_event(
            s,
            Actor("ST02"),
            RawEvent(
                "customer.status_changed",
                {"customer_id": cid, "from": "suspended", "to": "active", "note": None},
            ),
        )


def _row(url_or_store: str | Store, cid: str) -> Customer:
    store = open_store(url_or_store) if isinstance(url_or_store, str) else url_or_store
    with store.transaction() as s:
        row = s.get(Customer, cid)
        assert row is not None
        s.expunge(row)
    return row


def _assert_final_everywhere(central: str, a: Store, b: Store, cid: str) -> None:
    assert sync_once(b, central, "ST02", deadlines=FAST).ok  # pushes B's stale events, pulls A's
    assert sync_once(a, central, "ST01", deadlines=FAST).ok  # A pulls B's events
    for where in (central, a, b):
        row = _row(where, cid)
        assert (row.name, row.address, row.phone, row.id_doc_no) == ("anonymised", None, None, None)
    assert _row(central, cid).status == "active"  # status is not personal: it still applies
    centre = open_store(central)
    with centre.transaction() as s:
        issues = s.execute(select(SyncIssue).where(SyncIssue.station_id == "ST02")).scalars()
        problems = sorted((i.kind, i.problem) for i in issues)
        assert verify_store(s.connection()).ok
    centre.dispose()
    assert problems == [
        (
            "customer.status_changed",
            f"customer {cid} is anonymised here: name, address, "
            "phone not restored from station ST02",
        ),
        (
            "customer.updated",
            f"customer {cid} is anonymised here: name, phone not restored from station ST02",
        ),
    ]
    for bench in (a, b):
        with bench.transaction() as s:
            assert verify_store(s.connection()).ok


def test_purge_at_a_is_not_undone_by_a_stale_bench(tmp_path: Path, pg_central: str) -> None:
    a, b = _benches(tmp_path, pg_central)
    with a.transaction() as s:
        report = purge_personal_data(s, Actor("ST01", "yui"), 30, at=now() + timedelta(days=60))
    assert report.customers == ["C1", "C2"]  # no parcel at all: nothing in custody
    assert sync_once(a, pg_central, "ST01", deadlines=FAST).ok
    _stale_changes_at_b(b, "C1")
    _assert_final_everywhere(pg_central, a, b, "C1")


def test_erasure_at_a_is_not_undone_by_a_stale_bench(tmp_path: Path, pg_central: str) -> None:
    a, b = _benches(tmp_path, pg_central)
    with a.transaction() as s:
        assert erase_customer(s, Actor("ST01", "yui"), "C2") == ["name", "address"]
    assert sync_once(a, pg_central, "ST01", deadlines=FAST).ok
    _stale_changes_at_b(b, "C2")
    _assert_final_everywhere(pg_central, a, b, "C2")
    assert _row(pg_central, "C1").name == "Customer 1"  # the others untouched
    with b.transaction() as s, pytest.raises(ServiceError, match="anonymised"):
        update_customer(s, Actor("ST02", "kenji"), "C2", {"name": "Again"})


def test_an_update_travels_as_the_fields_it_changes(tmp_path: Path, pg_central: str) -> None:
    a, b = _benches(tmp_path, pg_central)
    with a.transaction() as s:
        assert update_customer(s, Actor("ST01"), "C1", {"phone": "03-1234"}) == ["phone"]
    with b.transaction() as s:
        assert update_customer(s, Actor("ST02"), "C1", {"name": "Renamed at B"}) == ["name"]
    for bench, sid in ((a, "ST01"), (b, "ST02"), (a, "ST01")):
        assert sync_once(bench, pg_central, sid, deadlines=FAST).ok
    for where in (pg_central, a, b):
        row = _row(where, "C1")
        # Each bench's change lands; neither bench's whole row overwrites the other's field.
        assert (row.name, row.phone, row.address) == ("Renamed at B", "03-1234", "Tokyo")


def test_a_whole_row_event_from_before_still_applies(tmp_path: Path, pg_central: str) -> None:
    a, b = _benches(tmp_path, pg_central)
    at = now()
    with b.transaction() as s:
        # A customer added the way benches did before changes named their fields.
        s.add(
            Customer(
                id="C9",
                name="Old Style",
                address="Osaka",
                phone="06-1",
                status="active",
                created_at=at,
                updated_at=at,
            )
        )
        append_event(s, Actor("ST02"), RawEvent("customer.added", {"customer_id": "C9"}), at=at)
        s.get(Customer, "C1").phone = "090-9"  # type: ignore[union-attr]
        append_event(
            s,
            Actor("ST02"),
            RawEvent(
                "customer.status_changed",
                {"customer_id": "C1", "from": "active", "to": "active", "note": None},
            ),
        )
    assert sync_once(b, pg_central, "ST02", deadlines=FAST).ok
    assert sync_once(a, pg_central, "ST01", deadlines=FAST).ok
    for where in (pg_central, a):
        assert (_row(where, "C9").name, _row(where, "C9").address) == ("Old Style", "Osaka")
        assert _row(where, "C1").phone == "090-9"
    for where in (open_store(pg_central), a, b):
        with where.transaction() as s:
            assert verify_store(s.connection()).ok
            assert list(s.exec(select(SyncIssue))) == []
