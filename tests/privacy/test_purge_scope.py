"""Retention reaches shipped recipients and customers with nothing in custody; erasure of one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jpgb_terminal.audit.verify import verify_store
from jpgb_terminal.privacy.erase import erase_customer
from jpgb_terminal.privacy.purge import purge_personal_data
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.errors import NotAllowed, NotFound, ServiceError
from jpgb_terminal.services.packing import hand_over
from jpgb_terminal.services.shipments import import_shipments
from jpgb_terminal.store import Store
from jpgb_terminal.store.outbound import Box, Shipment
from jpgb_terminal.store.tables import Customer, Event, Parcel, PreAlert, WeightRecord
from tests.factories import STAFF, jp12
from tests.manifests.test_outbound import pack
from tests.services.test_shipments import AT, csv_bytes, row, stock

LEAD = Actor("ST01", "yui", "lead")
LATER = AT + timedelta(days=800)


@pytest.fixture
def shipped_store(store: Store) -> Store:
    """C1's two parcels shipped in one box; C2's request waiting; C4 with no parcel ever;
    C5 with no parcel but a pre-alert sent just before the purge."""
    stock(store)  # C1..C3; jp12(1..5) cleared, owners C1, C2, C3, C1, C2
    data = csv_bytes(
        row(rid="SR-000001", parcels=f"{jp12(1)};{jp12(4)}"),
        row(rid="SR-000002", customer="C2", parcels=jp12(2)),
    )
    with store.transaction() as s:
        import_shipments(s, STAFF, data, at=AT)
    pack(store, "SR-000001", [jp12(1), jp12(4)], 2345, AT, 1)
    with store.transaction() as s:
        hand_over(s, LEAD, AT.date(), at=AT + timedelta(hours=1))
        add_customer(s, Actor("ST01"), "C4", name="Never Shipped", phone="03-1", at=AT)
        add_customer(s, Actor("ST01"), "C5", name="Coming Soon", at=AT)
        s.add(PreAlert(tracking_no=jp12(60), customer_id="C5", created_at=LATER))
    return store


def _names(store: Store) -> dict[str, str]:
    with store.transaction() as s:
        return {c.id: c.name for c in s.exec(select(Customer)).scalars()}


def test_purge_covers_recipients_and_custody_free_customers(shipped_store: Store) -> None:
    with shipped_store.transaction() as s:
        weights = s.execute(select(func.count()).select_from(WeightRecord)).scalar_one()
        report = purge_personal_data(s, LEAD, 30, at=LATER + timedelta(days=1))
    assert report.customers == ["C1", "C4"]  # C2, C3 have parcels here; C5 one announced
    assert report.shipments == 1
    names = _names(shipped_store)
    assert (names["C1"], names["C4"]) == ("anonymised", "anonymised")
    assert (names["C2"], names["C3"], names["C5"]) == ("Customer 2", "Customer 3", "Coming Soon")
    with shipped_store.transaction() as s:
        shipments = {x.id: x for x in s.execute(select(Shipment)).scalars()}
        done, waiting = shipments["SR-000001"], shipments["SR-000002"]
        assert (done.recipient_name, done.recipient_address, done.recipient_phone) == (
            None,
            None,
            None,
        )
        assert waiting.recipient_name is not None and waiting.recipient_address is not None
        # Billing, weights and the box stay.
        box = s.execute(select(Box)).scalars().one()
        assert (box.shipment_id, box.weight_g) == ("SR-000001", 2345)
        assert s.execute(select(func.count()).select_from(WeightRecord)).scalar_one() == weights
        assert s.get(Parcel, jp12(1)) is not None
        kinds = [e.kind for e in s.execute(select(Event).order_by(Event.seq)).scalars()]
        assert kinds[-3:] == ["customer.anonymised"] * 2 + ["customer.recipients_purged"]
        assert verify_store(s.connection()).ok
    with shipped_store.transaction() as s:  # a second run finds nothing left
        again = purge_personal_data(s, LEAD, 30, at=LATER + timedelta(days=1))
    assert (again.customers, again.shipments) == ([], 0)


def test_erase_one_customer_on_request(shipped_store: Store) -> None:
    with shipped_store.transaction() as s:
        assert erase_customer(s, LEAD, "C1") == ["name", "phone"]
        shipment = s.get(Shipment, "SR-000001")
        assert shipment is not None and shipment.recipient_name is None
        event = s.execute(select(Event).order_by(Event.seq.desc())).scalars().first()
        assert event is not None and event.kind == "customer.anonymised"
        assert verify_store(s.connection()).ok
    assert _names(shipped_store)["C1"] == "anonymised"


@pytest.mark.parametrize(
    ("actor", "customer", "error", "message"),
    [
        (LEAD, "C9", NotFound, "no customer C9"),
        (LEAD, "C2", ServiceError, r"customer C2 has 2 parcel\(s\) still in the warehouse"),
        (Actor("ST01", "kenji", "supervisor"), "C4", NotAllowed, "only a lead may erase"),
        (Actor("ST01"), "C4", NotAllowed, "only a lead may erase"),
    ],
)
def test_erase_refusals_change_nothing(
    shipped_store: Store, actor: Actor, customer: str, error: type[Exception], message: str
) -> None:
    before = _names(shipped_store)
    with pytest.raises(error, match=message), shipped_store.transaction() as s:
        erase_customer(s, actor, customer)
    assert _names(shipped_store) == before


def test_erase_twice_is_refused(shipped_store: Store) -> None:
    with shipped_store.transaction() as s:
        erase_customer(s, LEAD, "C4")
    with pytest.raises(ServiceError, match="already anonymised"), shipped_store.transaction() as s:
        erase_customer(s, LEAD, "C4")
