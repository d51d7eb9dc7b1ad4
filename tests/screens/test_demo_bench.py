"""`jpgb demo`: every screen can be walked from the keyboard on the demo's own data and devices."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from jpgb_terminal.app import JpgbApp
from jpgb_terminal.screens.dims_dialog import DimsDialog
from jpgb_terminal.screens.packing import PackingScreen
from jpgb_terminal.settings import Settings
from tests.screens.helpers import login, until

SIZE = (120, 40)


@pytest.fixture
def demo_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> JpgbApp:
    """The demo terminal, its store and label folder under the test's own folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return JpgbApp(Settings(station_id="ST01"), demo=True, demo_parcels=40)


async def test_demo_packs_a_whole_shipment_from_the_keyboard(demo_app: JpgbApp) -> None:
    app = demo_app
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, PackingScreen))
        screen = app.screen
        assert isinstance(screen, PackingScreen)
        # F12 scans a request sheet that waits for the packer...
        await pilot.press("f12")
        await until(pilot, lambda: screen.view is not None)
        assert screen.view is not None and screen.view.state == "waiting"
        # ...then, one key each, the parcels it lists.
        for _ in range(len(screen.view.parcels)):
            left = len(screen.view.to_pick)
            await pilot.press("f12")
            await until(pilot, lambda left=left: len(screen.view.to_pick) < left)  # type: ignore[misc,union-attr]
        assert screen.view.all_confirmed
        # F8 puts the closed box on the scale: its stable weight opens the size dialog.
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, DimsDialog), timeout=15)
        await pilot.press(*"40 30 20", "enter")
        await until(pilot, lambda: screen.preview is not None)
        await pilot.press("f2")
        await until(pilot, lambda: screen.view is not None and screen.view.state == "packed")
        box = screen.view.box
        assert box is not None
        assert box.outbound_tracking_no in str(screen.query_one("#price").render())
        assert app.rig is not None
        await until(
            pilot, lambda: (app.rig.folder / "labels" / f"{box.outbound_tracking_no}.svg").exists()
        )  # type: ignore[union-attr]
