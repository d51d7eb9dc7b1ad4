"""The packing flow through the real app (Pilot), a real SQLite file and a simulated scale."""

from __future__ import annotations

from datetime import UTC, datetime

from pypdf import PdfReader
from sqlmodel import select

from jpgb_terminal.rules.pricing import quote
from jpgb_terminal.screens.dims_dialog import DimsDialog
from jpgb_terminal.screens.packing import PackingScreen
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.shipments import add_range, import_shipments
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store.outbound import Box, BoxWeight, Shipment
from jpgb_terminal.store.tables import Parcel
from jpgb_terminal.tracking import make_s10
from tests.factories import STAFF, jp12
from tests.screens.helpers import Bench, login, scan, until
from tests.services.test_shipments import csv_bytes, row

SIZE = (160, 50)
AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def prepare(bench: Bench, *, ranges: bool = True) -> None:
    """Parcels jp12(1) and jp12(4) of C1 cleared, jp12(2) of C2 cleared; request SR-000001."""
    with bench.store.transaction() as s:
        for n in (1, 2, 4):
            receive(s, STAFF, jp12(n), at=AT)
            record_weight(s, STAFF, jp12(n), 700, raw_frame=b"S S 700 g\r\n", at=AT)
            inspect(s, STAFF, jp12(n), opened=False, findings=[], at=AT)
        import_shipments(s, STAFF, csv_bytes(row(parcels=f"{jp12(1)};{jp12(4)}")), at=AT)
        if ranges:
            add_range(s, STAFF, "ems", "EE", 1000, 1001)


def banner(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#banner").render())


def parcel_state(bench: Bench, tracking_no: str) -> str:
    with bench.store.transaction() as s:
        parcel = s.get(Parcel, tracking_no)
        assert parcel is not None
        return parcel.state


async def to_packing(pilot, app) -> PackingScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: app.device_states["scale"] == "connected")
    await pilot.press("f6")
    await until(pilot, lambda: isinstance(app.screen, PackingScreen))
    screen = app.screen
    assert isinstance(screen, PackingScreen)
    return screen


async def test_scan_to_labelled_declared_priced_box(bench: Bench) -> None:
    prepare(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await to_packing(pilot, app)
        assert app.bench is screen
        assert "scan a request sheet (SR-...)" in str(screen.query_one("#scan").render())
        await scan(pilot, "SR-000001")
        await until(pilot, lambda: screen.view is not None)
        assert "pick 2 parcel(s)" in banner(app)
        # A parcel of another customer is refused with the reason, and nothing changes.
        await scan(pilot, jp12(2))
        await until(pilot, lambda: "not in SR-000001" in banner(app))
        await scan(pilot, jp12(1))
        await until(pilot, lambda: "Still to scan" in banner(app))
        await scan(pilot, jp12(4))
        await until(pilot, lambda: "put it on the scale" in banner(app))
        bench.scale.place(2345, settle=0)
        await until(pilot, lambda: isinstance(app.screen, DimsDialog))
        await pilot.press(*"40x30x20", "enter")
        await until(pilot, lambda: screen.preview is not None)
        expected = quote("ems", 2345, (40, 30, 20), "US")
        price = str(screen.query_one("#price").render())
        assert f"fee: {expected.fee:,} JPY" in price and "chargeable: 2500 g" in price
        assert "CN22" in price
        await pilot.press("f2")
        await until(pilot, lambda: screen.view is not None and screen.view.state == "packed")
        number = make_s10("EE", 1000, "JP")
        await until(pilot, lambda: (bench.labels / f"{number}-CN22.pdf").exists())
        assert (bench.labels / f"{number}.svg").exists()
        assert f"Packed {number}" in banner(app)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PackingScreen))
        assert app.bench is not screen
    with bench.store.transaction() as s:
        box = s.exec(select(Box)).one()
        weight = s.exec(select(BoxWeight)).one()
        shipment = s.get(Shipment, "SR-000001")
    assert box.outbound_tracking_no == number and box.fee == expected.fee
    assert (box.length_cm, box.width_cm, box.height_cm) == (40, 30, 20)
    assert weight.grams == 2345 and weight.raw_frame is not None and b"2345" in weight.raw_frame
    assert weight.protocol == "mt-sics" and weight.operator == "aiko"
    assert shipment is not None and shipment.state == "packed"
    assert parcel_state(bench, jp12(1)) == parcel_state(bench, jp12(4)) == "packed"
    assert parcel_state(bench, jp12(2)) == "cleared"
    form = PdfReader(str(bench.labels / f"{number}-CN22.pdf")).pages[0].extract_text()
    assert "CN 22" in form and "anime figures" in form and number in form


async def test_scanned_carrier_label_and_bad_label(bench: Bench) -> None:
    prepare(bench, ranges=False)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await to_packing(pilot, app)
        await scan(pilot, "SR-000001")
        await scan(pilot, jp12(1))
        await scan(pilot, jp12(4))
        await until(pilot, lambda: "put it on the scale" in banner(app))
        # No weight yet: F2 says so.
        await pilot.press("f2")
        assert "has not settled" in banner(app)
        bench.scale.place(900, settle=0)
        await until(pilot, lambda: isinstance(app.screen, DimsDialog))
        await pilot.press(*"20x20x10", "enter")
        await until(pilot, lambda: screen.preview is not None)
        await scan(pilot, "EE123456789JP")
        assert "not a valid S10" in banner(app)
        label = make_s10("EJ", 424242, "JP")
        await scan(pilot, label)
        assert f"Carrier label {label}" in banner(app)
        await pilot.press("f2")
        await until(pilot, lambda: screen.view is not None and screen.view.state == "packed")
        assert screen.view.box is not None and screen.view.box.outbound_tracking_no == label


async def test_exhausted_range_is_a_clear_error(bench: Bench) -> None:
    prepare(bench, ranges=False)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await to_packing(pilot, app)
        await scan(pilot, "SR-000001")
        await scan(pilot, jp12(1))
        await scan(pilot, jp12(4))
        bench.scale.place(900, settle=0)
        await until(pilot, lambda: isinstance(app.screen, DimsDialog))
        await pilot.press(*"20x20x10", "enter")
        await until(pilot, lambda: screen.preview is not None)
        await pilot.press("f2")
        await until(pilot, lambda: "Not packed" in banner(app))
        assert "no tracking-number range for ems" in banner(app)
        assert screen.view is not None and screen.view.state == "waiting"
    assert parcel_state(bench, jp12(1)) == "cleared"


async def test_lead_hands_over_with_f7(bench: Bench) -> None:
    prepare(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "yui", "3333")
        screen = await to_packing(pilot, app)
        await scan(pilot, "SR-000001")
        await scan(pilot, jp12(1))
        await scan(pilot, jp12(4))
        bench.scale.place(1500, settle=0)
        await until(pilot, lambda: isinstance(app.screen, DimsDialog))
        await pilot.press(*"30x20x10", "enter")
        await until(pilot, lambda: screen.preview is not None)
        await pilot.press("f2")
        await until(pilot, lambda: screen.view is not None and screen.view.state == "packed")
        await pilot.press("f7")
        await until(pilot, lambda: "Handed over 1 box(es)" in banner(app))
        assert screen.view is not None and screen.view.state == "shipped"
    assert parcel_state(bench, jp12(1)) == "shipped"


async def test_f7_is_not_for_staff(bench: Bench) -> None:
    prepare(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await to_packing(pilot, app)
        assert screen.check_action("handover", ()) is False
        assert screen.check_action("pack", ()) is True
