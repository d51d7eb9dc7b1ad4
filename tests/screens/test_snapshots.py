"""Screenshots of the main screens, compared with the stored SVGs (blinking off, fixed clock)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from jpgb_terminal.app import JpgbApp
from jpgb_terminal.screens.bench import BenchScreen
from jpgb_terminal.screens.hold_dialog import HoldDialog
from jpgb_terminal.screens.widgets import ScanField
from jpgb_terminal.settings import Settings
from jpgb_terminal.store import open_store
from tests.factories import jp12, populate
from tests.screens.helpers import login, scan, until

SIZE = (160, 48)
FIXED = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)


@pytest.fixture
def snapshot_app(tmp_path: Path) -> JpgbApp:
    """A terminal without devices, on a populated store, with a clock that stands still."""
    url = f"sqlite:///{tmp_path / 'station.db'}"
    store = open_store(url)
    populate(store)
    store.dispose()
    settings = Settings(station_id="ST01", db=url, scanner="keyboard", printer=None, scale=None)
    return JpgbApp(settings, start_devices=False, clock=lambda: FIXED, cursor_blink=False)


def test_login(snap_compare, snapshot_app: JpgbApp) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await until(pilot, snapshot_app.ready.is_set)

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=ready)


def test_bench_with_a_parcel(snap_compare, snapshot_app: JpgbApp) -> None:  # type: ignore[no-untyped-def]
    async def parcel(pilot) -> None:  # type: ignore[no-untyped-def]
        await login(pilot)
        await scan(pilot, jp12(1))

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=parcel)


def test_checklist_ticked(snap_compare, snapshot_app: JpgbApp) -> None:  # type: ignore[no-untyped-def]
    async def ticked(pilot) -> None:  # type: ignore[no-untyped-def]
        await login(pilot)
        await scan(pilot, jp12(2))
        screen = snapshot_app.screen
        assert isinstance(screen, BenchScreen)
        # Weigh by hand so the checklist opens without a scale.
        from jpgb_terminal.screens.manual_weight import ManualWeightDialog

        await pilot.press("f5")
        await until(pilot, lambda: isinstance(snapshot_app.screen, ManualWeightDialog))
        await pilot.press(*"950", "enter", *"demo", "enter", *"kenji", "enter", *"2222", "enter")
        await until(pilot, lambda: screen.current is not None and screen.current.step == "inspect")
        # Keys from the test arrive faster than any person types: none of them is a scan.
        screen.query_one(ScanField).burst_gap = 0
        await pilot.press("o", "0", "e")

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=ticked)


def test_hold_dialog(snap_compare, snapshot_app: JpgbApp) -> None:  # type: ignore[no-untyped-def]
    async def dialog(pilot) -> None:  # type: ignore[no-untyped-def]
        await login(pilot)
        await scan(pilot, jp12(3))
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(snapshot_app.screen, HoldDialog))
        await pilot.press("down", "down")

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=dialog)
