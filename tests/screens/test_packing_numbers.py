"""At the packing screen a number already used, or one a range's block gives, is refused
before any label prints (Pilot, a real SQLite file, a simulated scale)."""

from __future__ import annotations

from sqlmodel import select

from jpgb_terminal.screens.dims_dialog import DimsDialog
from jpgb_terminal.services.packing import confirm_parcel, pack_box, record_box_weight
from jpgb_terminal.services.shipments import import_shipments
from jpgb_terminal.store.outbound import Box
from jpgb_terminal.tracking import make_s10
from tests.factories import STAFF, jp12
from tests.screens.helpers import Bench, login, scan, until
from tests.screens.test_packing_screen import AT, SIZE, banner, prepare, to_packing
from tests.services.test_shipments import csv_bytes, row

USED = make_s10("EJ", 424242, "JP")


def another_box_carries_used(bench: Bench) -> None:
    """SR-000002 (jp12(2) of C2) packed with the carrier label USED."""
    with bench.store.transaction() as s:
        import_shipments(s, STAFF, csv_bytes(row("SR-000002", "C2", jp12(2))), at=AT)
    with bench.store.transaction() as s:
        confirm_parcel(s, STAFF, "SR-000002", jp12(2), at=AT)
        record_box_weight(
            s,
            STAFF,
            "SR-000002",
            800,
            raw_frame=b"S S 800 g\r\n",
            scale_id="sim",
            protocol="mt-sics",
        )
    with bench.store.transaction() as s:
        pack_box(s, STAFF, "SR-000002", (20, 20, 10), scanned_label=USED, at=AT)


async def test_used_and_block_numbers_are_refused_before_the_label(bench: Bench) -> None:
    prepare(bench)  # range EE1000..1001, all of it this station's block
    another_box_carries_used(bench)
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
        for label, reason in [
            (USED, f"{USED} is already on the box of SR-000002"),
            (make_s10("EE", 1001, "JP"), "is in the ems block of station ST01"),
        ]:
            await scan(pilot, label)
            await pilot.press("f2")
            await until(pilot, lambda reason=reason: reason in banner(app))
            assert "Not packed" in banner(app)
            assert screen.view is not None and screen.view.state == "waiting"
            assert not any(bench.labels.iterdir())
    with bench.store.transaction() as s:
        assert [b.shipment_id for b in s.exec(select(Box))] == ["SR-000002"]
