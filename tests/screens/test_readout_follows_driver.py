"""The bench's weight readout follows the driver across screen changes (Pilot, simulated scale)."""

from __future__ import annotations

from sqlmodel import select

from jpgb_terminal.screens.bench import BenchScreen
from jpgb_terminal.screens.note_dialog import NoteDialog
from jpgb_terminal.screens.packing import PackingScreen
from jpgb_terminal.store.tables import WeightRecord
from tests.factories import jp12
from tests.screens.helpers import Bench, login, scan, until

SIZE = (160, 50)


def digits(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#weight-digits").value)


def weight_state(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#weight-state").render())


def reason(app) -> str:  # type: ignore[no-untyped-def]
    hint = app.screen.query_one("#weight-reason")
    return str(hint.render()) if hint.display else ""


def stored_weights(bench: Bench) -> list[WeightRecord]:
    with bench.store.transaction() as s:
        return list(s.exec(select(WeightRecord)))


async def test_unreadable_while_packing_shows_on_return_and_captures_nothing(
    bench: Bench,
) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        bench.scale.place(1500, settle=0)
        await until(pilot, lambda: digits(app) == "1.500" and "STABLE" in weight_state(app))
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, PackingScreen))
        bench.scale.set_wrong_mode("unit")
        assert app.devices is not None and app.devices.scale is not None
        driver = app.devices.scale
        await until(pilot, lambda: driver.state.state == "unreadable")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen))
        await until(pilot, lambda: "UNREADABLE" in weight_state(app))
        assert digits(app) == "--.---"
        assert "unit and mode" in reason(app)
        status = str(app.screen.query_one("#status").render())
        assert "unreadable" in status and "cannot read" in status
        # A parcel scanned now gets no weight from a scale that cannot be read.
        await scan(pilot, jp12(1))
        screen = app.screen
        assert isinstance(screen, BenchScreen) and screen.current is not None
        errors = driver.frame_errors
        await until(pilot, lambda: driver.frame_errors >= errors + 10)
        assert screen.current.weight_g is None
        assert stored_weights(bench) == []
        # Set right again: readings and captures come back.
        bench.scale.set_wrong_mode(None)
        bench.scale.remove(settle=0)
        await until(pilot, lambda: digits(app) == "0.000")
        assert reason(app) == ""
        bench.scale.place(1500, settle=0)
        await until(pilot, lambda: screen.current is not None and screen.current.weight_g == 1500)


async def test_unplugged_behind_a_dialog_shows_offline_on_return(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        bench.scale.place(800, settle=0)
        await until(pilot, lambda: digits(app) == "0.800")
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        bench.scale.unplug()
        assert app.devices is not None and app.devices.scale is not None
        driver = app.devices.scale
        await until(pilot, lambda: driver.state.state == "offline")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen))
        await until(pilot, lambda: "OFFLINE" in weight_state(app))
        assert digits(app) == "--.---"


async def test_a_parcel_waiting_for_its_weight_is_told_why_the_scale_cannot_be_read(
    bench: Bench,
) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await scan(pilot, jp12(2))
        screen = app.screen
        assert isinstance(screen, BenchScreen) and screen.current is not None
        bench.scale.set_wrong_mode("unit")
        await until(pilot, lambda: "unreadable" in banner_text(app))
        text = banner_text(app)
        assert "cannot read" in text and "unit and mode" in text and "F5" in text
        assert screen.current.weight_g is None


def banner_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#banner").render())
