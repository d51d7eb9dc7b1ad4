"""What the receiving and packing benches share: banner, status line, weight, scans."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from jpgb_terminal.screens.context import InContext
from jpgb_terminal.screens.messages import (
    DeviceStateChanged,
    ReadingChanged,
    ScanRead,
    SyncReported,
)
from jpgb_terminal.screens.widgets import ScanField, WeightPanel

if TYPE_CHECKING:
    from jpgb_terminal.devices.reading import ScaleReading
    from jpgb_terminal.devices.scale import DriverState
    from jpgb_terminal.devices.scanner import Scan

MIN_SCAN_LENGTH = 4
DEMO_BINDINGS: list[BindingType] = [
    Binding("f8", "demo_place", "Place"),
    Binding("f9", "demo_remove", "Remove"),
    Binding("f10", "demo_wobble", "Wobble"),
    Binding("f11", "demo_plug", "Unplug"),
    Binding("f12", "demo_scan", "Scan"),
    Binding("ctrl+g", "demo_garbage", "Bad scan"),
]
DEMO_ACTIONS = {
    "demo_place",
    "demo_remove",
    "demo_wobble",
    "demo_plug",
    "demo_scan",
    "demo_garbage",
}
BANNER_PREFIX = {"info": "", "ok": "OK: ", "warn": "CHECK: ", "error": "ERROR: "}
STATUS_NAMES = ("scale", "scanner", "printer", "store", "sync")


class StationScreen(InContext, Screen[None]):
    """A screen at the bench: it gets the device news while it is on top.

    Subclasses compose `#banner`, `#status`, a `WeightPanel` and a `ScanField`, and
    implement `handle_scan`. They must not define the device-news handlers again
    (Textual calls a handler of every class in the hierarchy); `scale_state_changed`
    is their hook instead.
    """

    SCAN_WHAT: ClassVar[str] = "a tracking number"
    """What a scan should be, for the too-short message."""

    # Smaller terminals get a tighter layout (see bench.tcss and packing.tcss), so that what
    # the bench needs (the whole checklist, the card, the scan field) stays on the screen.
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (140, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [
        (0, "-short"),
        (28, "-medium"),
        (32, "-tall"),
    ]

    def __init__(self) -> None:
        """Not taking device news yet."""
        super().__init__()
        self._previous_listener: Any = None
        self._scale_state_seen: DriverState | None = None

    def take_device_news(self) -> None:
        """Become the screen the devices report to (call on mount)."""
        self._previous_listener = self.ctx.bench
        self.ctx.bench = self

    def give_back_device_news(self) -> None:
        """Hand the device news back to the screen that had it (call on unmount)."""
        if self.ctx.bench is self:
            self.ctx.bench = self._previous_listener

    @on(events.ScreenResume)
    def _resumed(self, _event: events.ScreenResume) -> None:
        """Shown again after another screen: take the device news back and re-read it."""
        self.refresh_device_news()

    def refresh_device_news(self) -> None:
        """Take the device news again and redraw the status and weight from the drivers.

        News posted while another screen had it may never have been read (that screen
        was closing), so the drivers' own state is read again here: the readout never
        shows what the scale said before the screen change.
        """
        app = self.ctx
        app.bench = self
        devices = app.devices
        if devices is not None:
            if devices.scanner is not None:
                app.note_device_state("scanner", devices.scanner.state)
            if devices.scale is not None:
                app.note_device_state("scale", devices.scale.state)
        self._show_status()
        self._show_reading()
        if devices is not None and devices.scale is not None:
            state = devices.scale.state
            if self._scale_state_seen is not None and state != self._scale_state_seen:
                self._scale_state_seen = state
                self.scale_state_changed(state)
            self._scale_state_seen = state

    def handle_scan(self, scan: Scan) -> None:
        """A code was scanned or typed."""
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The demo's device keys only in the demo."""
        if action in DEMO_ACTIONS:
            return self.ctx.rig is not None
        return True

    # -- demo keys (simulated scale and scanner) ----------------------------------------

    def action_demo_place(self) -> None:
        """Demo: put a parcel (or a box) of random weight on the scale."""
        if self.ctx.rig:
            grams = self.ctx.rig.place_random()
            self.notify(f"demo: placed {grams} g", timeout=2)

    def action_demo_remove(self) -> None:
        """Demo: take everything off the scale."""
        if self.ctx.rig:
            self.ctx.rig.scale.remove()

    def action_demo_wobble(self) -> None:
        """Demo: make the scale move for a second."""
        if self.ctx.rig:
            self.ctx.rig.scale.wobble()

    def action_demo_plug(self) -> None:
        """Demo: pull the scale's cable, or put it back."""
        if self.ctx.rig:
            plugged = self.ctx.rig.toggle_plug()
            self.notify("demo: scale plugged in" if plugged else "demo: scale unplugged", timeout=2)

    def action_demo_scan(self) -> None:
        """Demo: scan what this bench would scan next."""

    def action_demo_garbage(self) -> None:
        """Demo: scan something that is not a tracking number."""
        if self.ctx.rig:
            self.ctx.rig.scan_garbage()

    def scale_state_changed(self, state: DriverState) -> None:
        """The scale connected, went offline or failed (after the status line shows it)."""

    def reading_shown(self, reading: ScaleReading | None) -> None:
        """A newer reading is on screen (for a screen that reacts to it)."""

    # -- banner, status, weight ---------------------------------------------------------

    def say(self, message: str, level: str = "info", *, bell: bool = False) -> None:
        """Show a message in the banner (level info, ok, warn or error) with its level in words."""
        banner = self.query_one("#banner", Static)
        # Fixed-height lines: repainting them needs no new layout of the screen.
        banner.update(BANNER_PREFIX[level] + message, layout=False)
        banner.set_classes(level)
        if bell:
            self.app.bell()

    def _show_status(self) -> None:
        states = self.ctx.device_states
        parts = [f"{name}: {states.get(name, '-')}" for name in STATUS_NAMES]
        self.query_one("#status", Static).update("  |  ".join(parts), layout=False)

    def _show_reading(self) -> None:
        reading = self.ctx.take_reading()
        devices = self.ctx.devices
        if devices is not None and devices.scale is not None and devices.scale.current is None:
            # The driver is the judge of what is current: never a weight it has let go of.
            reading = None
        self.query_one(WeightPanel).show(reading, self.ctx.device_states.get("scale", ""))
        self.reading_shown(reading)

    # -- device news ------------------------------------------------------------------

    def on_reading_changed(self, _message: ReadingChanged) -> None:
        """Show the newest reading (older ones were replaced, never queued)."""
        self._show_reading()

    def on_device_state_changed(self, message: DeviceStateChanged) -> None:
        """Update the status line; a scale that went away shows no weight."""
        self.ctx.note_device_state(message.device, message.state)
        self._show_status()
        if message.device == "scale":
            self._show_reading()
            self._scale_state_seen = message.state
            self.scale_state_changed(message.state)

    def on_sync_reported(self, _message: SyncReported) -> None:
        """Show the newest sync state."""
        self._show_status()

    def on_scan_read(self, message: ScanRead) -> None:
        """A serial scanner read a code."""
        self.handle_scan(message.scan)

    @on(ScanField.Entered)
    def _line_entered(self, message: ScanField.Entered) -> None:
        from jpgb_terminal.devices.scanner import decode_scan

        text = message.text.strip()
        if len(text) < MIN_SCAN_LENGTH:
            if text:
                self.say(f"{text!r} is too short for {self.SCAN_WHAT}", "warn")
            return
        scan = decode_scan(
            text.encode("utf-8"), "keyboard", self.ctx.clock(), min_length=MIN_SCAN_LENGTH
        )
        if scan is not None:
            self.handle_scan(scan)
