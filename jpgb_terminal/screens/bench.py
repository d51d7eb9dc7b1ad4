"""The receiving bench: scan, weigh, inspect, clear or hold, label.

The receiving flow holds the parcel in hand and tells the weight gate of it; this screen
shows the card, forwards the keys and scans, and stores the captures the flow claims.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Static

from jpgb_terminal.refdata import prohibited_categories
from jpgb_terminal.rules.permissions import allowed
from jpgb_terminal.screens.hold_dialog import HoldDialog
from jpgb_terminal.screens.manual_weight import ManualWeightDialog
from jpgb_terminal.screens.messages import (
    CaptureRefused,
    ParcelShown,
    WeightCaptured,
)
from jpgb_terminal.screens.note_dialog import NoteDialog
from jpgb_terminal.screens.shift_log import ShiftLog
from jpgb_terminal.screens.station import DEMO_ACTIONS, DEMO_BINDINGS, StationScreen
from jpgb_terminal.screens.widgets import (
    Checklist,
    ScanField,
    WeightPanel,
    parcel_text,
)

if TYPE_CHECKING:
    from jpgb_terminal.devices.capture import Capture
    from jpgb_terminal.devices.reading import ScaleReading
    from jpgb_terminal.devices.scale import DriverState
    from jpgb_terminal.devices.scanner import Scan
    from jpgb_terminal.workflow.receiving import ParcelCard


class BenchScreen(StationScreen):
    """Where bench staff spend the shift."""

    CSS_PATH = "bench.tcss"
    AUTO_FOCUS = "#scan"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "finish", "Finish"),
        Binding("f3", "hold", "Hold"),
        Binding("f4", "note", "Note"),
        Binding("f5", "manual_weight", "Manual wt"),
        Binding("escape", "abandon", "Abandon"),
        Binding("f6", "packing", "Packing"),
        Binding("ctrl+r", "review_holds", "Holds"),
        Binding("ctrl+e", "manifests", "Manifests"),
        Binding("ctrl+l", "logout", "Log out"),
        *DEMO_BINDINGS,
    ]

    def __init__(self) -> None:
        """No refusal on the banner yet."""
        super().__init__()
        self._refusal_shown = False

    @property
    def current(self) -> ParcelCard | None:
        """The parcel in hand, as the receiving flow holds it."""
        flow = self.ctx.flow
        return flow.in_hand if flow is not None else None

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Weight and parcel side by side, then banner, checklist, history, scan field."""
        yield Header(show_clock=False)
        with Horizontal(id="top"):
            yield WeightPanel(id="weight")
            yield Static(parcel_text(None), id="parcel")
        yield Static("Scan a parcel to begin.", id="banner", classes="info")
        with Horizontal(id="middle"):
            yield Checklist(prohibited_categories(), id="checklist")
            yield ShiftLog(id="shift")
        yield ScanField(id="scan", burst_gap=self.ctx.settings.wedge_burst_ms / 1000)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Register for device news, set up the history table."""
        self.take_device_news()
        operator = self.ctx.operator
        self.sub_title = f"{self.ctx.settings.station_id} · {operator.name or ''} ({operator.role})"
        self._show_status()
        self._show_reading()

    def on_unmount(self) -> None:
        """Stop receiving device news; the parcel in hand is put down with the screen."""
        self.give_back_device_news()
        if self.ctx.flow is not None:
            self.ctx.flow.put_aside()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Demo keys only in the demo; review for supervisors and leads, manifests for leads."""
        if action in DEMO_ACTIONS:
            return super().check_action(action, parameters)
        role = self.ctx.operator.role
        if action == "review_holds":
            return role in ("supervisor", "lead")
        if action == "manifests":
            return allowed(role, "export_manifests")
        return True

    # -- device news ------------------------------------------------------------------

    def scale_state_changed(self, state: DriverState) -> None:
        """A scale that goes away while a parcel waits for its weight is worth a bell."""
        if state.state != "connected" and self.current and self.current.step == "weight":
            # The driver's reason is what tells staff to fix the scale, not only wait for it.
            why = f" ({state.reason})" if state.reason else ""
            self.say(
                f"Scale {state.state}{why}: waiting for it to return (F5 manual weight)",
                "warn",
                bell=True,
            )

    def reading_shown(self, reading: ScaleReading | None) -> None:
        """Once the previous parcel is off the scale, the banner stops asking for it."""
        card = self.current
        if (
            self._refusal_shown
            and card is not None
            and card.step == "weight"
            and reading is not None
            and reading.grams is not None
            and reading.grams < self.ctx.settings.empty_threshold_g
        ):
            self._refusal_shown = False
            self.say(f"Scale empty: put {card.tracking_no} on the scale.", "info")

    # -- the flow ---------------------------------------------------------------------

    def handle_scan(self, scan: Scan) -> None:
        """Receive the scanned parcel; an unfinished one stays in the history as waiting."""
        card = self.current
        if card is not None and card.step != "done":
            self._history(card, f"waiting ({card.step})")
        self._receive(scan)

    @work(group="db")
    async def _receive(self, scan: Scan) -> None:
        from jpgb_terminal.services.errors import DuplicateScan, ServiceError
        from jpgb_terminal.tracking import InvalidTrackingNumber

        flow = self.ctx.flow
        if flow is None:
            self.say("The store is not open yet", "error", bell=True)
            return
        try:
            card = await self.ctx.run_db(flow.scan, scan.text, scan.at)
        except InvalidTrackingNumber as exc:
            what = "check digit" if exc.code == "bad_check_digit" else "not a tracking number"
            self.say(
                f"{scan.text!r}: {what}: {exc}. Nothing recorded; scan again.", "error", bell=True
            )
            return
        except DuplicateScan as exc:
            self.say(f"Duplicate scan: {exc}", "warn", bell=True)
            return
        except ServiceError as exc:
            self.say(str(exc), "error", bell=True)
            return
        self._show_card(card)
        self._refusal_shown = False
        log = self.query_one(ShiftLog)
        if card.held:
            log.count("received", "held")
            self.say(
                f"HELD at the scan: {', '.join(card.hold_reasons)}. Weigh it, then put it aside.",
                "warn",
                bell=True,
            )
        else:
            log.count("received")
            self.say(f"Received {card.tracking_no}: put it on the scale.", "ok")
        self._history(card, card.state)
        self.app.post_message(ParcelShown(card))

    def _show_card(self, card: ParcelCard | None) -> None:
        self.query_one("#parcel", Static).update(parcel_text(card), layout=False)
        checklist = self.query_one(Checklist)
        checklist.active = card is not None and card.step == "inspect"
        self.query_one(ScanField).toggler = checklist.toggle_key if checklist.active else None
        if card is None or card.step != "inspect":
            checklist.reset()
        else:
            checklist.refresh_text()

    def _history(self, card: ParcelCard, outcome: str) -> None:
        self.query_one(ShiftLog).note(card, outcome, self.ctx.clock())

    def on_capture_refused(self, message: CaptureRefused) -> None:
        """The previous parcel is still on the scale."""
        if self.current is not None and self.current.step == "weight" and not self._refusal_shown:
            self._refusal_shown = True
            self.say(message.refusal.message, "warn", bell=True)

    def on_weight_captured(self, message: WeightCaptured) -> None:
        """A stable weight: stored with its frame when the flow says it is the parcel in hand's."""
        flow = self.ctx.flow
        tracking_no = flow.claim(message.capture) if flow is not None else None
        if tracking_no is not None:
            self._store_capture(tracking_no, message.capture)

    @work(group="db")
    async def _store_capture(self, tracking_no: str, capture: Capture) -> None:
        from jpgb_terminal.services.errors import ServiceError

        flow = self.ctx.flow
        assert flow is not None
        try:
            card = await self.ctx.run_db(flow.record_capture, tracking_no, capture)
        except ServiceError as exc:
            self.say(f"Weight not recorded: {exc}", "error", bell=True)
            return
        self._after_weight(card)

    def _after_weight(self, card: ParcelCard) -> None:
        current = self.current
        if current is None or current.tracking_no != card.tracking_no:
            self._history(card, card.state)
            return
        self._show_card(card)
        self._history(card, card.state)
        self.say(
            f"Weight {card.weight_g} g recorded ({card.weight_source}). Inspect, then F2.", "ok"
        )

    # -- keys -------------------------------------------------------------------------------

    def action_finish(self) -> None:
        """F2: finish the inspection; nothing ticked clears, anything ticked holds."""
        card = self.current
        if card is None:
            self.say("No parcel in hand: scan one first.", "warn", bell=True)
            return
        if card.step == "weight":
            self.say(
                "Waiting for the weight: put the parcel on the scale (F5 manual).",
                "warn",
                bell=True,
            )
            return
        if card.step == "done":
            self.say("This parcel is finished: scan the next one.", "info")
            return
        checklist = self.query_one(Checklist)
        self._finish(card, checklist.opened, sorted(checklist.ticked), checklist.note or None)

    @work(group="db")
    async def _finish(
        self, card: ParcelCard, opened: bool, findings: list[str], note: str | None
    ) -> None:
        from jpgb_terminal.services.errors import ServiceError

        assert self.ctx.flow is not None
        try:
            done = await self.ctx.run_db(
                self.ctx.flow.finish_inspection,
                card.tracking_no,
                opened=opened,
                findings=findings,
                note=note,
            )
        except ServiceError as exc:
            self.say(str(exc), "error", bell=True)
            return
        log = self.query_one(ShiftLog)
        if done.state == "cleared":
            log.count("cleared")
            self.say(f"{done.tracking_no} cleared; label printing.", "ok")
        else:
            if not card.held:
                log.count("held")
            self.say(
                f"{done.tracking_no} HELD: {', '.join(done.hold_reasons)}. Put it in the hold cage.",
                "warn",
                bell=True,
            )
        self._show_card(self.current)  # the flow kept it in hand, unless another came
        self._history(done, done.state)
        self._print_label(done)

    @work(thread=True, group="printer")
    def _print_label(self, card: ParcelCard) -> None:
        from jpgb_terminal.workflow.labels import print_parcel_label

        url = self.ctx.settings.printer
        if not url:
            return
        try:
            where = print_parcel_label(card, url)
        except Exception as exc:  # a printer fault must show, never crash the bench
            self.app.call_from_thread(self._printer_state, f"error: {exc}")
            return
        shown = where.rsplit("/", 1)[-1] if "://" not in where else where
        self.app.call_from_thread(self._printer_state, f"ok ({shown})")

    def _printer_state(self, state: str) -> None:
        self.ctx.device_states["printer"] = state
        self._show_status()
        if state.startswith("error"):
            self.say(f"Label not printed: {state}", "error", bell=True)

    def action_hold(self) -> None:
        """F3: hold the parcel in hand for an Art. 14 reason."""
        card = self.current
        if card is None:
            self.say("No parcel in hand: scan one first.", "warn", bell=True)
            return

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self._hold(card, *result)

        self.app.push_screen(HoldDialog(card.tracking_no), chosen)

    @work(group="db")
    async def _hold(self, card: ParcelCard, reason: str, note: str) -> None:
        from jpgb_terminal.rules.states import IllegalTransition
        from jpgb_terminal.services.errors import ServiceError

        assert self.ctx.flow is not None
        try:
            held = await self.ctx.run_db(self.ctx.flow.hold, card.tracking_no, reason, note or None)
        except (ServiceError, IllegalTransition) as exc:
            self.say(str(exc), "error", bell=True)
            return
        if not card.held:
            self.query_one(ShiftLog).count("held")
        self._show_card(self.current)
        self._history(held, held.state)
        self.say(f"{held.tracking_no} HELD: {', '.join(held.hold_reasons)}.", "warn")

    def action_note(self) -> None:
        """F4: a note for the inspection."""
        checklist = self.query_one(Checklist)

        def kept(note: str | None) -> None:
            if note is not None:
                checklist.note = note
                checklist.refresh_text()

        self.app.push_screen(NoteDialog(checklist.note), kept)

    def action_manual_weight(self) -> None:
        """F5: a weight typed by hand, approved by a supervisor's PIN."""
        card = self.current
        if card is None:
            self.say("No parcel in hand: scan one first.", "warn", bell=True)
            return

        def entered(result: ParcelCard | str | None) -> None:
            if isinstance(result, str):
                self.say(f"Manual weight refused: {result}", "error", bell=True)
            elif result is not None:
                self._after_weight(result)

        self.app.push_screen(ManualWeightDialog(card.tracking_no), entered)

    def action_abandon(self) -> None:
        """Esc: put the parcel in hand aside; what is recorded stays recorded."""
        flow = self.ctx.flow
        card = flow.put_aside() if flow is not None else None
        if card is None:
            return
        if card.step != "done":
            self._history(card, f"waiting ({card.step})")
        self._show_card(None)
        self.say(f"{card.tracking_no} set aside; nothing recorded was lost.", "info")

    def action_packing(self) -> None:
        """F6: the packing bench (outbound boxes)."""
        from jpgb_terminal.screens.packing import PackingScreen

        self.app.push_screen(PackingScreen())

    def action_review_holds(self) -> None:
        """Ctrl+R: the held parcels, for a supervisor or lead to decide."""
        from jpgb_terminal.screens.holds_review import HoldsReviewScreen

        self.app.push_screen(HoldsReviewScreen())

    def action_manifests(self) -> None:
        """Ctrl+E: export the day's manifests (lead)."""
        from jpgb_terminal.screens.manifests import ManifestScreen

        self.app.push_screen(ManifestScreen())

    def action_logout(self) -> None:
        """Back to the login screen; the operator session ends."""
        self.ctx.operator.log_out()
        self.app.pop_screen()

    # -- demo keys ------------------------------------------------------------------------

    def action_demo_scan(self) -> None:
        """Demo: scan a parcel that was pre-alerted."""
        self._demo_scan_parcel()

    @work(thread=True, group="demo")
    def _demo_scan_parcel(self) -> None:
        if self.ctx.rig and self.ctx.rig.scan_random_prealerted() is None:
            self.app.call_from_thread(self.notify, "demo: every pre-alerted parcel has arrived")
