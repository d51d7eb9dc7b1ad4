"""Packing a box: confirm by scan, weigh with evidence, price, number, declare, hand over."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from jpgb_terminal.rules.pricing import quote
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotAllowed, ServiceError
from jpgb_terminal.services.holds import hold_parcel
from jpgb_terminal.services.packing import (
    PackingRefused,
    confirm_parcel,
    hand_over,
    pack_box,
    record_box_weight,
)
from jpgb_terminal.services.records import load_parcel
from jpgb_terminal.services.shipments import add_range, import_shipments, load_shipment
from jpgb_terminal.services.tracking_blocks import list_blocks, take_block_number
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.outbound import Box, BoxWeight, Shipment
from jpgb_terminal.store.tables import Event, Parcel
from jpgb_terminal.sync.apply import apply_events
from jpgb_terminal.sync.wire import read_station_events
from jpgb_terminal.tracking import make_s10, parse_tracking
from tests.factories import STAFF, jp12
from tests.services.test_shipments import AT, csv_bytes, row, stock

FRAME = b"S S       2345 g\r\n"
DAY = date(2026, 11, 26)
LEAD = Actor("ST01", "yui")  # a lead in tests.factories.populate


def requested(store: Store, *rows: str) -> None:
    stock(store)
    with store.transaction() as s:
        import_shipments(s, STAFF, csv_bytes(*rows), at=AT)


def weighed(store: Store, rid: str = "SR-000001", grams: int = 2345) -> None:
    with store.transaction() as s:
        for p in load_shipment(s.connection(), rid).parcels:
            confirm_parcel(s, STAFF, rid, p.tracking_no, at=AT)
        record_box_weight(
            s, STAFF, rid, grams, raw_frame=FRAME, scale_id="sim-1", protocol="mt-sics", at=AT
        )


def state_of(store: Store, tracking_no: str) -> str:
    with store.transaction() as s:
        parcel = s.get(Parcel, tracking_no)
        assert parcel is not None
        return parcel.state


def test_pack_from_range_then_hand_over(store: Store) -> None:
    requested(store, row(parcels=f"{jp12(1)};{jp12(4)}"))
    with store.transaction() as s:
        add_range(s, STAFF, "ems", "EE", 500, 599)
    weighed(store)
    at = AT + timedelta(minutes=5)
    with store.transaction() as s:
        packed = pack_box(s, STAFF, "SR-000001", (40, 30, 20), at=at)
    expected = quote("ems", 2345, (40, 30, 20), "US", at)
    assert packed.quote == expected
    assert packed.declaration.form == "CN22" and not packed.declaration.export_declaration
    box = packed.view.box
    assert box is not None and box.outbound_tracking_no == make_s10("EE", 500, "JP")
    assert box.chargeable_g == 2500 and box.fee == expected.fee
    assert box.price_list_version == expected.price_list_version
    assert packed.view.state == "packed"
    assert {state_of(store, jp12(1)), state_of(store, jp12(4))} == {"packed"}
    with store.transaction() as s:
        [weight] = list(s.exec(select(BoxWeight)))
        [block] = list_blocks(s.connection())
        kinds = [e.kind for e in s.exec(select(Event).order_by(Event.seq))]  # type: ignore[arg-type]
    # The box weight carries the same evidence as a receipt weight.
    assert weight.raw_frame == FRAME and weight.scale_id == "sim-1"
    assert weight.protocol == "mt-sics" and weight.operator == "aiko"
    assert weight.station_id == "ST01" and weight.measured_at == AT
    assert block.next_serial == 501 and block.station_id == "ST01"
    assert kinds[-5:] == [
        "shipment.parcel_confirmed",
        "box.weighed",
        "box.packed",
        "parcel.packed",
        "parcel.packed",
    ]
    with store.transaction() as s:
        done = hand_over(s, LEAD, DAY)
    assert done.shipments == ("SR-000001",)
    assert state_of(store, jp12(1)) == "shipped"
    with store.transaction() as s:
        view = load_shipment(s.connection(), "SR-000001")
        again = hand_over(s, LEAD, DAY)
    assert view.state == "shipped" and view.box is not None and view.box.handed_over_at
    assert again.shipments == ()


def test_scanned_label_must_be_s10(store: Store) -> None:
    requested(store, row(parcels=jp12(1)))
    weighed(store)
    with store.transaction() as s, pytest.raises(PackingRefused, match="not a valid S10"):
        pack_box(s, STAFF, "SR-000001", (30, 20, 10), scanned_label="EE123456789JP", at=AT)
    with store.transaction() as s, pytest.raises(PackingRefused, match="needs an S10"):
        pack_box(s, STAFF, "SR-000001", (30, 20, 10), scanned_label=jp12(40), at=AT)
    label = make_s10("EJ", 12345678, "JP")
    with store.transaction() as s:
        packed = pack_box(s, STAFF, "SR-000001", (30, 20, 10), scanned_label=label, at=AT)
    assert packed.view.box is not None and packed.view.box.tracking_source == "scanned"
    assert parse_tracking(packed.view.box.outbound_tracking_no).normalized == label


def test_exhausted_range_changes_nothing(store: Store) -> None:
    requested(store, row(parcels=jp12(1)))
    with store.transaction() as s:
        add_range(s, STAFF, "ems", "EE", 1, 1)
        add_range(s, STAFF, "air", "RR", 1, 5)
    weighed(store)
    with store.transaction() as s:
        # Use up the only EMS number through another box's packing path.
        take_block_number(s, STAFF, "ems")
    with store.transaction() as s, pytest.raises(ServiceError, match="used up"):
        pack_box(s, STAFF, "SR-000001", (30, 20, 10), at=AT)
    assert state_of(store, jp12(1)) == "cleared"
    with store.transaction() as s:
        assert s.exec(select(Box)).first() is None
        assert s.get(Shipment, "SR-000001").state == "waiting"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("grams", "dims", "rule"),
    [
        (31_000, (40, 30, 20), "max_weight"),
        (2000, (160, 20, 20), "longest_side"),
        (2000, (140, 50, 60), "length_girth"),
    ],
)
def test_box_over_the_limits_is_refused(
    store: Store, grams: int, dims: tuple[int, int, int], rule: str
) -> None:
    requested(store, row(parcels=jp12(1)))
    weighed(store, grams=grams)
    with store.transaction() as s, pytest.raises(PackingRefused) as err:
        pack_box(s, STAFF, "SR-000001", dims, scanned_label=make_s10("EE", 1, "JP"), at=AT)
    assert err.value.rule == rule
    assert state_of(store, jp12(1)) == "cleared"


def test_courier_prices_volumetric_weight(store: Store) -> None:
    requested(store, row(parcels=jp12(1), service="dhl", country="US"))
    weighed(store, grams=1200)
    label = make_s10("EJ", 7, "JP")
    with store.transaction() as s:
        packed = pack_box(s, STAFF, "SR-000001", (50, 40, 30), scanned_label=label, at=AT)
    # 50 x 40 x 30 / 5000 = 12 kg beats the 1.2 kg actual weight.
    assert packed.quote.chargeable_g == 12_000 and packed.quote.volumetric_g == 12_000


def test_confirm_refusals_name_the_reason(store: Store) -> None:
    requested(store, row(parcels=f"{jp12(1)};{jp12(4)}"))
    with store.transaction() as s, pytest.raises(PackingRefused, match="not in SR-000001"):
        confirm_parcel(s, STAFF, "SR-000001", jp12(2), at=AT)
    with store.transaction() as s:
        parcel = load_parcel(s.connection(), jp12(4))
        assert parcel is not None
        hold_parcel(s, STAFF, parcel, "customs_detention", at=AT)
    with store.transaction() as s, pytest.raises(PackingRefused, match="held"):
        confirm_parcel(s, STAFF, "SR-000001", jp12(4), at=AT)
    with store.transaction() as s:
        confirm_parcel(s, STAFF, "SR-000001", jp12(1), at=AT)
    with store.transaction() as s, pytest.raises(PackingRefused, match="already in the box"):
        confirm_parcel(s, STAFF, "SR-000001", jp12(1), at=AT)
    # The box cannot be weighed (nor packed) until every parcel is in it.
    with store.transaction() as s, pytest.raises(PackingRefused, match="scan every parcel"):
        record_box_weight(s, STAFF, "SR-000001", 900, raw_frame=FRAME, scale_id="x", protocol="p")


def test_no_weight_no_pack_and_weight_needs_frame(store: Store) -> None:
    requested(store, row(parcels=jp12(1)))
    with store.transaction() as s:
        confirm_parcel(s, STAFF, "SR-000001", jp12(1), at=AT)
    with store.transaction() as s, pytest.raises(PackingRefused, match="settles"):
        pack_box(s, STAFF, "SR-000001", (10, 10, 10), scanned_label=make_s10("EE", 2, "JP"))
    with store.transaction() as s, pytest.raises(ServiceError, match="raw scale frame"):
        record_box_weight(s, STAFF, "SR-000001", 900, raw_frame=None, scale_id="x", protocol="p")


def test_export_declaration_flag_and_cn23(store: Store) -> None:
    requested(store, row(parcels=jp12(1), quantity="3", unit_value="70000"))
    weighed(store)
    with store.transaction() as s:
        packed = pack_box(
            s, STAFF, "SR-000001", (30, 20, 10), scanned_label=make_s10("EE", 3, "JP"), at=AT
        )
    assert packed.declaration.form == "CN23"
    assert packed.declaration.export_declaration
    assert "export declaration" in packed.declaration.warnings[0]
    assert packed.view.box is not None and packed.view.box.export_declaration


def test_handover_is_for_leads(store: Store) -> None:
    requested(store, row(parcels=jp12(1)))
    refused = pytest.raises(NotAllowed, match=r"only a lead may hand boxes over .*role: staff")
    with store.transaction() as s, refused:
        hand_over(s, STAFF, DAY)


def test_events_project_onto_another_store(store: Store, tmp_path: Path) -> None:
    requested(store, row(parcels=f"{jp12(1)};{jp12(4)}"))
    weighed(store)
    with store.transaction() as s:
        pack_box(s, STAFF, "SR-000001", (30, 20, 10), scanned_label=make_s10("EE", 4, "JP"))
        hand_over(s, LEAD, date.today())
    central = open_store(f"sqlite:///{tmp_path / 'central.db'}")
    try:
        with store.transaction() as s:
            events = read_station_events(s.connection(), "ST01", 1, 10_000)
        with central.transaction() as c:
            outcome = apply_events(c.connection(), events)
        assert not outcome.unknown and not outcome.issues
        with central.transaction() as c:
            view = load_shipment(c.connection(), "SR-000001")
            weight = c.exec(select(BoxWeight)).one()
        assert view.state in ("packed", "shipped")
        assert view.box is not None and view.box.outbound_tracking_no == make_s10("EE", 4, "JP")
        assert view.recipient_name is None  # personal data never travels in events
        assert weight.raw_frame == FRAME
        assert state_of(central, jp12(1)) == state_of(store, jp12(1))
        # Applying the same events again changes nothing.
        with central.transaction() as c:
            apply_events(c.connection(), [e for e in events if not e.kind.startswith("parcel.")])
    finally:
        central.dispose()


def test_handover_by_tokyo_day(store: Store) -> None:
    requested(store, row(parcels=jp12(1)))
    weighed(store)
    late = datetime(2026, 11, 26, 14, 59, tzinfo=UTC)  # 23:59 in Tokyo
    with store.transaction() as s:
        pack_box(
            s, STAFF, "SR-000001", (30, 20, 10), scanned_label=make_s10("EE", 5, "JP"), at=late
        )
    with store.transaction() as s:
        assert hand_over(s, LEAD, date(2026, 11, 27)).shipments == ()
        assert hand_over(s, LEAD, DAY).shipments == ("SR-000001",)
