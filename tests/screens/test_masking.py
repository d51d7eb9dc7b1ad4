"""A customer's full name, address and phone never reach a screen, whatever the role: the bench's
parcel card, the held-parcel list and detail, the customer dialog, the packing screen and the
manifest screen each show the masked form (or nothing), read from what is actually drawn."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from textual.app import App
from textual.widget import Widget
from textual.widgets import DataTable

from jpgb_terminal.screens.customer_status import CustomerStatusDialog
from jpgb_terminal.screens.holds_review import HoldDetailScreen, HoldsReviewScreen
from jpgb_terminal.screens.manifests import ManifestScreen
from jpgb_terminal.screens.packing import PackingScreen
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.shipments import import_shipments
from jpgb_terminal.services.weighing import record_weight
from tests.factories import STAFF, add_prealert, jp12
from tests.rules.test_permissions import OPERATOR
from tests.screens.helpers import Bench, login, scan, until
from tests.services.test_shipments import csv_bytes, row

SIZE = (160, 50)
AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
NAME, MASKED = "Taro Yamada", "T*** Y***"
ADDRESS, PHONE = "4-5-6 Jingumae, Shibuya, Tokyo", "090-8765-4321"
# Any of these on a screen is the customer's data shown in full (the recipient's, on packing).
SECRETS = ("Taro", "Yamada", "Jingumae", "8765", "Jane Roe", "Main St", "0100")
CARD, HELD, PACKED = jp12(31), jp12(32), (jp12(33), jp12(34))
ALL_ROLES = ("staff", "supervisor", "lead")
REVIEWERS = ("supervisor", "lead")


def seed(bench: Bench) -> None:
    """Customer C9 with a full name, address and phone; pre-alerts for four of C9's parcels,
    two of them cleared and asked for in SR-000001, and HELD held (the customer refused it)."""
    admin = Actor("ST01")
    with bench.store.transaction() as s:
        add_customer(s, admin, "C9", name=NAME, address=ADDRESS, phone=PHONE)
        for number in (CARD, HELD, *PACKED):
            add_prealert(s, number, "C9")
    with bench.store.transaction() as s:
        for n in PACKED:
            receive(s, STAFF, n, at=AT)
            record_weight(s, STAFF, n, 700, raw_frame=b"S S 700 g\r\n", at=AT)
            inspect(s, STAFF, n, opened=False, findings=[], at=AT)
        shipment = row(customer="C9", parcels=";".join(PACKED))
        import_shipments(s, admin, csv_bytes(shipment), at=AT)
        receive(s, STAFF, HELD, at=AT)
        hold_by_operator(s, STAFF, HELD, "refused", "customer refused it")


def drawn(app: App[object]) -> str:
    """What the screen shows: the screenshot's text, every table row (scrolled off or not)
    and every widget's own rendering."""
    svg = app.export_screenshot()
    # The text the screenshot draws, not its markup: the SVG's ids and coordinates are numbers
    # that may hold any digits (a phone's "0100" among them) by chance.
    shown = "".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    parts = [shown.replace("\xa0", " ")]
    widget: Widget
    for widget in app.screen.walk_children(with_self=False):
        if isinstance(widget, DataTable):
            parts.extend(" ".join(map(str, widget.get_row(key))) for key in widget.rows)
        try:
            parts.append(str(widget.render()))
        except Exception:
            continue
    return "\n".join(parts)


def assert_masked(app: App[object], *, masked: str | None = MASKED) -> None:
    text = drawn(app)
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"{type(app.screen).__name__} shows {leaked}"
    if masked is not None:
        assert masked in text  # the check reads the screen: the masked form is there


@pytest.mark.parametrize("role", ALL_ROLES)
async def test_bench_parcel_card(bench: Bench, role: str) -> None:
    seed(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, *OPERATOR[role])
        await scan(pilot, CARD)
        parcel = app.screen.query_one("#parcel")
        await until(pilot, lambda: CARD in str(parcel.render()))
        assert_masked(app)


async def _review(pilot, app) -> HoldsReviewScreen:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+r")
    await until(pilot, lambda: isinstance(app.screen, HoldsReviewScreen))
    table = app.screen.query_one("#held", DataTable)
    await until(pilot, lambda: HELD in [key.value for key in table.rows])
    return app.screen


@pytest.mark.parametrize("role", REVIEWERS)
async def test_held_list_detail_and_customer_dialog(bench: Bench, role: str) -> None:
    seed(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, *OPERATOR[role])
        review = await _review(pilot, app)
        review.query_one("#held", DataTable).move_cursor(
            row=review.query_one("#held", DataTable).get_row_index(HELD)
        )
        assert_masked(app)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CustomerStatusDialog))
        found = app.screen.query_one("#customer-found")
        await until(pilot, lambda: "C9" in str(found.render()))
        assert_masked(app)
        await pilot.press("f2", *"suspended in a test", "enter")
        await until(pilot, lambda: isinstance(app.screen, HoldsReviewScreen))
        banner = app.screen.query_one("#review-banner")
        await until(pilot, lambda: "now SUSPENDED" in str(banner.render()))
        assert_masked(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HoldDetailScreen))
        detail = app.screen
        await until(pilot, lambda: detail.detail is not None)
        assert_masked(app)


async def test_staff_never_reach_the_held_list(bench: Bench) -> None:
    seed(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, *OPERATOR["staff"])
        bench_screen = app.screen
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.screen is bench_screen
        assert_masked(app, masked=None)


@pytest.mark.parametrize("role", ALL_ROLES)
async def test_packing_screen(bench: Bench, role: str) -> None:
    seed(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, *OPERATOR[role])
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, PackingScreen))
        screen = app.screen
        assert isinstance(screen, PackingScreen)
        await scan(pilot, "SR-000001")
        await until(pilot, lambda: screen.view is not None)
        for n in PACKED:
            await scan(pilot, n)
        await until(pilot, lambda: screen.view is not None and screen.view.all_confirmed)
        # The packing screen shows the customer id only: no name, masked or not.
        assert_masked(app, masked=None)
        assert "C9" in drawn(app)


async def test_manifest_screen(bench: Bench, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seed(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, *OPERATOR["lead"])
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, ManifestScreen))
        screen = app.screen
        screen.query_one("#folder").value = str(tmp_path)  # type: ignore[attr-defined]
        screen.query_one("#day").value = "2026-11-20"  # type: ignore[attr-defined]
        await pilot.press("f5")
        result = screen.query_one("#manifest-result")
        await until(pilot, lambda: "OK:" in str(result.render()))
        assert_masked(app, masked=None)
    [written] = tmp_path.glob("inbound-2026-11-20.csv")
    text = written.read_text(encoding="utf-8")
    assert "C9" in text and not [s for s in SECRETS if s in text]
