"""Benches with small screens: what the bench needs stays on the screen, whole."""

from __future__ import annotations

import pytest
from textual.widget import Widget

from jpgb_terminal.screens.bench import BenchScreen
from jpgb_terminal.screens.manual_weight import ManualWeightDialog
from jpgb_terminal.screens.widgets import Checklist
from tests.factories import jp12
from tests.screens.helpers import Bench, login, scan, until

SIZES = [(80, 24), (100, 30), (120, 40), (160, 50)]


def on_screen(widget: Widget, size: tuple[int, int]) -> bool:
    """The widget's whole box lies inside the terminal."""
    region = widget.region
    width, height = size
    return region.x >= 0 and region.y >= 0 and region.right <= width and region.bottom <= height


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_checklist_card_and_scan_field_fit(bench: Bench, size: tuple[int, int]) -> None:
    app = bench.app()
    async with app.run_test(size=size) as pilot:
        await login(pilot)
        await scan(pilot, jp12(2))
        screen = app.screen
        assert isinstance(screen, BenchScreen)
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, ManualWeightDialog))
        await pilot.press(*"950", "enter", *"demo", "enter", *"kenji", "enter", *"2222", "enter")
        await until(pilot, lambda: screen.current is not None and screen.current.step == "inspect")
        await pilot.pause()
        checklist = screen.query_one(Checklist)
        # Title, opened, 8 rows of two categories and the note: every line, none cut.
        assert on_screen(checklist, size)
        assert checklist.content_region.height >= 11
        assert checklist.content_region.width >= 74
        for name in ("#parcel", "#weight", "#banner", "#scan", "#status"):
            widget = screen.query_one(name)
            assert widget.region.height > 0, name
            assert on_screen(widget, size), name
        # The card shows whose parcel it is and its state.
        card = screen.query_one("#parcel")
        assert card.content_region.height >= 6


async def test_held_parcels_footer_shows_every_decision_key(bench: Bench) -> None:
    from textual.widgets._footer import FooterKey

    from jpgb_terminal.screens.holds_review import HoldsReviewScreen

    size = (120, 40)
    app = bench.app()
    async with app.run_test(size=size) as pilot:
        await login(pilot, "kenji", "2222")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, HoldsReviewScreen))
        await pilot.pause()
        shown = {
            key.key_display or key.key
            for key in app.screen.query(FooterKey)
            if key.region.width > 0 and key.region.right <= size[0]
        }
        for key in ("f2", "f3", "f4", "f5", "f6"):
            assert any(key in shown_key.lower() for shown_key in shown), (key, shown)
