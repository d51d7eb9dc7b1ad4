"""The receiving flow through the real app (Pilot), a real SQLite file and a simulated scale."""

from __future__ import annotations

from sqlmodel import func, select

from jpgb_terminal.screens.bench import BenchScreen
from jpgb_terminal.screens.hold_dialog import HoldDialog
from jpgb_terminal.screens.login import LoginScreen
from jpgb_terminal.screens.manual_weight import ManualWeightDialog
from jpgb_terminal.screens.widgets import Checklist, ScanField
from jpgb_terminal.store.tables import Event, Hold, Inspection, Operator, Parcel, WeightRecord
from tests.factories import jp12, s10
from tests.screens.helpers import Bench, login, scan, until

SIZE = (160, 50)


class KeyClock:
    """A clock for key timing that moves `step` seconds per key."""

    def __init__(self) -> None:
        self.now = 0.0
        self.step = 1.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def banner(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#banner").render())


def parcel(bench: Bench, tracking_no: str) -> Parcel | None:
    with bench.store.transaction() as s:
        return s.get(Parcel, tracking_no)


def weights(bench: Bench, tracking_no: str) -> list[WeightRecord]:
    with bench.store.transaction() as s:
        return list(s.exec(select(WeightRecord).where(WeightRecord.tracking_no == tracking_no)))


def events(bench: Bench) -> int:
    with bench.store.transaction() as s:
        return s.exec(select(func.count()).select_from(Event)).one()


async def weigh(pilot, bench: Bench, grams: int) -> None:  # type: ignore[no-untyped-def]
    """Put a load on the simulated scale and wait until the bench has stored it."""
    screen = pilot.app.screen
    bench.scale.place(grams, settle=0)
    await until(pilot, lambda: screen.current is not None and screen.current.weight_g == grams)


async def test_clean_parcel_one_scan_and_f2(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        # The empty scale has been read: the first parcel may be captured.
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await scan(pilot, jp12(1))
        screen = app.screen
        assert isinstance(screen, BenchScreen)
        assert screen.current is not None and screen.current.tracking_no == jp12(1)
        assert "C1" in str(screen.query_one("#parcel").render())
        assert "C*** 1" in str(screen.query_one("#parcel").render())
        await weigh(pilot, bench, 1234)
        await pilot.press("f2")
        await until(pilot, lambda: screen.current.state == "cleared")
        await until(pilot, lambda: (bench.labels / f"{screen.current.parcel_id}.svg").exists())
        assert "cleared" in banner(app)
        table = screen.query_one("#history")
        assert table.get_row(jp12(1))[-1] == "cleared"
    stored = parcel(bench, jp12(1))
    assert stored is not None and stored.state == "cleared" and stored.weight_g == 1234
    [record] = weights(bench, jp12(1))
    assert record.source == "scale" and record.protocol == "mt-sics"
    assert record.raw_frame is not None and b"1234" in record.raw_frame
    assert record.raw_frame.startswith(b"S S") and record.operator == "aiko"
    assert record.scale_id


async def test_unknown_parcel_is_held_no_prealert(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await scan(pilot, s10(777))
        assert "HELD" in banner(app) and "no_prealert" in banner(app)
        assert app.screen.current.held
    stored = parcel(bench, s10(777))
    assert stored is not None and stored.state == "held" and stored.customer_id is None
    with bench.store.transaction() as s:
        assert [h.reason for h in s.exec(select(Hold))] == ["no_prealert"]


async def test_prohibited_item_ticked_holds(bench: Bench) -> None:
    # Every key counts as typed by a person, so each one ticks a box.
    bench.settings.wedge_burst_ms = 0
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await scan(pilot, jp12(2))
        await weigh(pilot, bench, 640)
        checklist = app.screen.query_one(Checklist)
        weapons = next(c for c in checklist.categories if c.code == "weapons_hazmat")
        await pilot.press(weapons.key, "o")
        assert checklist.ticked == {"weapons_hazmat"} and checklist.opened
        await pilot.press("f2")
        await until(pilot, lambda: app.screen.current.state == "held")
        assert "prohibited_item" in banner(app)
    with bench.store.transaction() as s:
        inspection = s.exec(select(Inspection)).one()
        hold = s.exec(select(Hold)).one()
    assert inspection.findings == ["weapons_hazmat"] and inspection.opened
    assert hold.reason == "prohibited_item"


async def test_checklist_keys_inside_a_scan_are_undone(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await scan(pilot, jp12(1))
        await weigh(pilot, bench, 500)
        checklist = app.screen.query_one(Checklist)
        field = app.screen.query_one(ScanField)
        clock = KeyClock()
        field.clock = clock
        clock.step = 1.0  # a person types: each key ticks a box
        await pilot.press("3", "5")
        assert len(checklist.ticked) == 2 and field.buffer == ""
        await pilot.press("3")
        assert len(checklist.ticked) == 1
        bench.scale.remove(settle=0)
        clock.now += 10  # a pause, then a scanner's burst: the first digit's tick is taken back
        clock.step = 0.002
        await scan(pilot, jp12(3))
        assert app.screen.current.tracking_no == jp12(3)
        assert checklist.ticked == set()  # the new parcel starts with a clean list
        table = app.screen.query_one("#history")
        assert table.get_row(jp12(1))[-1] == "waiting (inspect)"


async def test_stale_weight_is_refused_until_the_scale_is_emptied(bench: Bench) -> None:
    bench.scale.place(900, settle=0)  # the previous parcel was never taken off
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await scan(pilot, jp12(1))
        await until(pilot, lambda: "Remove the previous parcel" in banner(app))
        assert app.screen.current.weight_g is None
        assert weights(bench, jp12(1)) == []
        bench.scale.remove(settle=0)
        digits = app.screen.query_one("#weight-digits")
        await until(pilot, lambda: digits.value == "0.000")
        # The banner no longer asks for what has been done.
        await until(pilot, lambda: f"Scale empty: put {jp12(1)} on the scale" in banner(app))
        await weigh(pilot, bench, 1500)
    [record] = weights(bench, jp12(1))
    assert record.grams == 1500


async def test_scale_unplugged_mid_parcel(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await scan(pilot, jp12(4))
        bench.scale.unplug()
        await until(pilot, lambda: app.device_states["scale"].startswith("offline"))
        state = app.screen.query_one("#weight-state")
        await until(pilot, lambda: "OFFLINE" in str(state.render()))
        assert app.screen.query_one("#weight-digits").value == "--.---"
        bench.scale.place(700, settle=0)  # put on while the cable is out: not captured
        assert weights(bench, jp12(4)) == []
        assert "waiting for it to return" in banner(app)
        bench.scale.replug()
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await until(pilot, lambda: app.screen.current.weight_g == 700)
        assert "STABLE" in str(state.render())
    [record] = weights(bench, jp12(4))
    assert record.grams == 700


async def test_duplicate_scan_records_nothing(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await scan(pilot, jp12(1))
        before = events(bench)
        await scan(pilot, jp12(1))
        assert "Duplicate scan" in banner(app)
        assert events(bench) == before
    with bench.store.transaction() as s:
        assert s.exec(select(func.count()).select_from(Parcel)).one() == 1


async def test_bad_check_digit_says_so(bench: Bench) -> None:
    app = bench.app()
    good = jp12(1)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await scan(pilot, bad)
        assert "check digit" in banner(app)
        assert app.screen.current is None
    assert parcel(bench, bad) is None
    with bench.store.transaction() as s:
        assert s.exec(select(func.count()).select_from(Parcel)).one() == 0


async def _manual(pilot, grams: str, reason: str, who: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f5")
    await until(pilot, lambda: isinstance(pilot.app.screen, ManualWeightDialog))
    await pilot.press(*grams, "enter", *reason, "enter", *who, "enter", *pin, "enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, BenchScreen))


async def test_manual_weight_needs_a_supervisor_pin(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await scan(pilot, jp12(5))
        await _manual(pilot, "820", "broken", "aiko", "1111")
        await until(
            pilot,
            lambda: (
                "only a supervisor or lead may approve a manual weight (role: staff)" in banner(app)
            ),
        )
        assert weights(bench, jp12(5)) == []
        # A wrong PIN keeps the dialog and what was typed in it; the right one records.
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, ManualWeightDialog))
        dialog = app.screen
        await pilot.press(*"820", "enter", *"broken", "enter", *"kenji", "enter")
        await pilot.press(*"9999", "enter")
        await until(pilot, lambda: "PIN refused" in str(dialog.query_one("#manual-error").render()))
        assert app.screen is dialog and dialog.query_one("#grams").value == "820"
        assert weights(bench, jp12(5)) == []
        await pilot.press(*"2222", "enter")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen))
        await until(pilot, lambda: app.screen.current.weight_g == 820)
        assert app.screen.current.step == "inspect"
    [record] = weights(bench, jp12(5))
    assert record.source == "manual" and record.approved_by == "kenji"
    assert record.reason == "broken" and record.raw_frame is None


async def test_hold_dialog_holds_with_reason(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await scan(pilot, jp12(2))
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, HoldDialog))
        dialog = app.screen
        await pilot.press("tab", "enter")  # on the note with no reason chosen: says so
        await until(
            pilot,
            lambda: "Choose the reason first" in str(dialog.query_one("#hold-error").render()),
        )
        assert app.screen is dialog
        await pilot.press("down", "down", "enter")  # third reason: address mismatch
        await pilot.press(*"label says other warehouse", "enter")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen) and app.screen.current.held)
    with bench.store.transaction() as s:
        hold = s.exec(select(Hold)).one()
    assert hold.reason == "address_mismatch" and hold.note == "label says other warehouse"


async def test_five_wrong_pins_lock_the_operator(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, app.ready.is_set)
        message = app.screen.query_one("#login-message")
        await pilot.press(*"aiko", "enter")
        for attempt in range(5):
            await pilot.press(*"0000", "enter")
            await app.workers.wait_for_complete()
            if attempt < 4:
                assert f"{4 - attempt} attempts left" in str(message.render())
        assert "locked for 15 minutes" in str(message.render())
        await pilot.press(*"1111", "enter")
        await app.workers.wait_for_complete()
        assert "locked until" in str(message.render())
        assert isinstance(app.screen, LoginScreen)
    with bench.store.transaction() as s:
        operator = s.get(Operator, "aiko")
    assert operator is not None and operator.locked_until is not None


async def test_escape_sets_the_parcel_aside(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await scan(pilot, jp12(3))
        await pilot.press("escape")
        assert app.screen.current is None
        assert app.screen.query_one("#history").get_row(jp12(3))[-1] == "waiting (weight)"
    stored = parcel(bench, jp12(3))
    assert stored is not None and stored.state == "received"


async def test_background_sync_reaches_central_and_shows_in_status(bench: Bench, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jpgb_terminal.store import open_store

    central_url = f"sqlite:///{tmp_path / 'central.db'}"
    open_store(central_url).dispose()
    bench.settings.central = central_url
    bench.settings.sync_interval_s = 0.2
    central = open_store(central_url)

    def on_central() -> bool:
        with central.transaction() as s:
            return s.get(Parcel, jp12(1)) is not None

    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await scan(pilot, jp12(1))
        status = app.screen.query_one("#status")
        await until(pilot, on_central, timeout=30)
        await until(pilot, lambda: "synced" in str(status.render()), timeout=30)
    with central.transaction() as s:
        stored = s.get(Parcel, jp12(1))
    central.dispose()
    assert stored is not None and stored.station_id == "ST01"
