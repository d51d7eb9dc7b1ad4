"""The Textual app: wires settings, store, devices and screens together.

Heavy modules (the store, the services, the drivers) are imported on the station's
start-up worker, after the first frame is painted, so the terminal opens at once.

A face beside the screens (they import each other); with them the only module that imports
Textual.  May import everything below the CLI; nothing below imports it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App

from jpgb_terminal.screens.login import LoginScreen
from jpgb_terminal.screens.messages import (
    CaptureRefused,
    DeviceStateChanged,
    ReadingChanged,
    ScanRead,
    StationFailed,
    StationReady,
    SyncReported,
    WeightCaptured,
)
from jpgb_terminal.workflow.session import OperatorSession

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from jpgb_terminal.devices.capture import Capture, Refusal
    from jpgb_terminal.devices.reading import ScaleReading
    from jpgb_terminal.devices.scale import DriverState
    from jpgb_terminal.devices.scanner import Scan
    from jpgb_terminal.screens.context import BenchContext
    from jpgb_terminal.settings import Settings
    from jpgb_terminal.store import Store
    from jpgb_terminal.workflow.demo import DemoRig
    from jpgb_terminal.workflow.devices import BenchDevices
    from jpgb_terminal.workflow.receiving import ReceivingFlow

T = TypeVar("T")


class JpgbApp(App[None]):
    """The bench terminal; screens see it as a `BenchContext` (jpgb_terminal.screens.context)."""

    TITLE = "JPGB Terminal"
    # Absolute, so that subclasses defined elsewhere (tests, benchmarks) find it too.
    CSS_PATH = Path(__file__).parent / "screens" / "app.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        settings: Settings | Callable[[], Settings],
        *,
        demo: bool = False,
        demo_parcels: int = 40,
        start_devices: bool = True,
        clock: Callable[[], datetime] | None = None,
        cursor_blink: bool = True,
    ) -> None:
        """`demo` seeds a fresh store and serves simulated devices in-process.

        `settings` may be a callable that reads them, called once on the start-up worker.

        `clock` and `cursor_blink` exist so screenshots of the app come out the same each time.
        """
        super().__init__()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.cursor_blink = cursor_blink
        # A callable is called on the start-up worker: reading settings imports pydantic,
        # which would otherwise hold back the first frame.
        self._settings_source = settings
        self.settings: Settings = settings if not callable(settings) else None  # type: ignore[assignment]
        self.demo = demo
        self.demo_parcels = demo_parcels
        self.start_devices = start_devices
        self.store: Store | None = None
        self.flow: ReceivingFlow | None = None
        self.devices: BenchDevices | None = None
        self.rig: DemoRig | None = None
        # Who is logged in: the receiving flow stamps events with it, screens check its role.
        self.operator = OperatorSession()
        self.bench: MessagePump | None = None
        self.device_states: dict[str, str] = {
            "scale": "not configured",
            "scanner": "keyboard",
            "printer": "not configured",
            "store": "opening",
            "sync": "off (no central store set)",
        }
        self._sync_stop = threading.Event()
        self._sync_thread: threading.Thread | None = None
        self.ready = asyncio.Event()
        self.failure: str | None = None
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jpgb-db")
        self._reading_lock = threading.Lock()
        self._latest_reading: ScaleReading | None = None
        self._reading_posted = False

    # -- start and stop -----------------------------------------------------------

    def on_mount(self) -> None:
        """Paint the login screen at once; open the store and devices behind it."""
        self.push_screen(LoginScreen())
        if os.environ.get("JPGB_FIRST_PAINT_FILE"):
            # Start-up timing: note when the first frame is on screen, then leave.
            self.call_after_refresh(self._first_painted, os.environ["JPGB_FIRST_PAINT_FILE"])
            return
        # Started after the first frame, so its imports do not hold the first paint back.
        self.call_after_refresh(self._begin_station)

    def _begin_station(self) -> None:
        self.run_worker(self._start_station, thread=True, name="station-start", group="station")

    def _first_painted(self, path: str) -> None:
        import time

        with open(path, "w") as fh:
            fh.write(repr(time.time()))
        self.exit()

    def _start_station(self) -> None:
        try:
            self._open_station()
        except Exception as exc:  # any failure must reach the screen, not kill a thread
            from jpgb_terminal.store import StoreError

            # The store's own refusals are one line written for people; others get their type.
            text = str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
            self.post_message(StationFailed(text))
            return
        self.post_message(StationReady())

    def _open_station(self) -> None:
        if self.settings is None:
            source = self._settings_source
            assert callable(source)
            self.settings = source()
        from jpgb_terminal.privacy.crypto import configure_or_create
        from jpgb_terminal.store import open_store
        from jpgb_terminal.store.identity import claim_station
        from jpgb_terminal.workflow.devices import build_devices
        from jpgb_terminal.workflow.receiving import ReceivingFlow

        if self.demo:
            from jpgb_terminal.workflow.demo import start_demo

            # Personal data at rest is sealed with the station's key file (made if missing).
            configure_or_create(self.settings.key_file)
            self.rig, self.settings = start_demo(self.settings, parcels=self.demo_parcels)
            self.store = self.rig.store
        else:
            self.store = self._db.submit(open_store, self.settings.db).result()
            # Made if missing, unless the store holds values sealed with the missing key.
            self._db.submit(configure_or_create, self.settings.key_file, self.store).result()
        # The store knows its station: the bench works as that one, and a setting naming
        # another id stops the start with a line naming both (jpgb_terminal.store.identity).
        self.settings.station_id = self._db.submit(
            claim_station,
            self.store,
            self.settings.station_id,
            origin=self.settings.station_origin(),
        ).result()
        devices = None
        if self.start_devices:
            devices = build_devices(
                self.settings,
                on_reading=self._reading_from_driver,
                on_scale_state=partial(self._state_from_driver, "scale"),
                on_scan=self._scan_from_driver,
                on_scanner_state=partial(self._state_from_driver, "scanner"),
            )
        # The flow tells the weight gate which parcel is in hand; the screens never do.
        self.flow = ReceivingFlow(
            self.store,
            self.settings.station_id,
            session=self.operator,
            gate=devices.gate if devices is not None else None,
        )
        self.device_states["store"] = "ok"
        self.device_states["printer"] = self.settings.printer or "not configured"
        if self.settings.central:
            self._start_sync(self.settings.central)
        if devices is not None:
            self.devices = devices
            devices.start()

    def _start_sync(self, central: str) -> None:
        from jpgb_terminal.sync import sync_status, watch
        from jpgb_terminal.workflow.pull_policy import hold_for_pulled_statuses

        store, station = self.store, self.settings.station_id
        assert store is not None

        def reported(_report: object) -> None:
            self.post_message(SyncReported(sync_status(store, station).line()))

        self.device_states["sync"] = "starting"
        self._sync_thread = threading.Thread(
            target=watch,
            args=(store, central, station, self._sync_stop),
            kwargs={
                "on_report": reported,
                "interval_s": self.settings.sync_interval_s,
                "after_pull": hold_for_pulled_statuses,
            },
            name="sync",
            daemon=True,
        )
        self._sync_thread.start()

    def on_sync_reported(self, message: SyncReported) -> None:
        """Keep the sync state for the status line and tell the bench."""
        self.device_states["sync"] = message.line
        if self.bench is not None:
            self.bench.post_message(SyncReported(message.line))

    def on_station_ready(self, _message: StationReady) -> None:
        """Let waiting screens go on."""
        self.ready.set()
        if self.screen is not None:
            self.screen.post_message(StationReady())

    def on_station_failed(self, message: StationFailed) -> None:
        """Keep the reason for the login screen to show."""
        self.failure = message.reason
        self.device_states["store"] = "error"
        self.ready.set()
        self.screen.post_message(StationFailed(message.reason))

    async def on_unmount(self) -> None:
        """Stop the drivers and simulators, then the database thread."""
        devices, rig, store = self.devices, self.rig, self.store
        self.devices = None
        self._sync_stop.set()
        sync_thread = self._sync_thread

        def stop() -> None:
            if sync_thread is not None:
                # A sync step has its own deadlines; wait for it so the store closes cleanly.
                sync_thread.join(timeout=30)
            if devices is not None:
                devices.close()
            if rig is not None:
                rig.close()
            elif store is not None:
                store.dispose()

        await asyncio.get_running_loop().run_in_executor(None, stop)
        self._db.shutdown(wait=False, cancel_futures=True)

    # -- the database thread -------------------------------------------------------

    async def run_db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking store call on the one database thread, without blocking the UI."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, partial(fn, *args, **kwargs))

    # -- device callbacks (driver threads) -----------------------------------------

    def _reading_from_driver(
        self, reading: ScaleReading | None, outcome: Capture | Refusal | None
    ) -> None:
        from jpgb_terminal.devices.capture import Capture

        with self._reading_lock:
            self._latest_reading = reading
            post = not self._reading_posted
            self._reading_posted = True
        if post:
            # Only one "newer reading" message is ever queued: the screen reads the latest.
            self._to_screen(ReadingChanged())
        if isinstance(outcome, Capture):
            self._to_screen(WeightCaptured(outcome))
        elif outcome is not None:
            self._to_screen(CaptureRefused(outcome))

    def take_reading(self) -> ScaleReading | None:
        """The newest scale reading (None when there is none), re-arming the next message."""
        with self._reading_lock:
            self._reading_posted = False
            return self._latest_reading

    def _state_from_driver(self, device: str, state: DriverState) -> None:
        self._to_screen(DeviceStateChanged(device, state))

    def _scan_from_driver(self, scan: Scan) -> None:
        self._to_screen(ScanRead(scan))

    def _to_screen(self, message: Any) -> None:
        # post_message is thread-safe; the bench screen, when shown, gets device news first.
        target = self.bench if self.bench is not None else self
        target.post_message(message)

    def on_device_state_changed(self, message: DeviceStateChanged) -> None:
        """Remember a device's state while no bench screen is up."""
        self.note_device_state(message.device, message.state)

    def note_device_state(self, device: str, state: DriverState) -> None:
        """Keep the state for the status line; a scale that is not connected has no reading."""
        self.device_states[device] = (
            f"{state.state}: {state.reason}" if state.reason else state.state
        )
        if device == "scale" and state.state != "connected":
            with self._reading_lock:
                self._latest_reading = None


if TYPE_CHECKING:

    def _implements(app: JpgbApp) -> BenchContext:
        """The type checker's proof that the app is what screens are typed against."""
        return app


def run_demo(*, parcels: int = 40, station: str | None = None, config: Path | None = None) -> None:
    """Run the terminal on a fresh demo store and simulated devices (`jpgb demo`)."""

    def load() -> Settings:
        from jpgb_terminal.settings import load_settings

        return load_settings(config, station_id=station)

    JpgbApp(load, demo=True, demo_parcels=parcels).run()
