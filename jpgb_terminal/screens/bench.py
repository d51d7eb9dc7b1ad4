"""The receiving bench: scan, weigh, inspect, clear or hold, label."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static

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
from jpgb_terminal.screens.station import DEMO_ACTIONS, DEMO_BINDINGS, StationScreen
from jpgb_terminal.screens.widgets import (
    Checklist,
    ScanField,
    WeightPanel,
    parcel_text,
)

if TYPE_CHECKING:
    from jpgb_terminal.app import JpgbApp
    from jpgb_terminal.devices.reading import ScaleReading
    from jpgb_terminal.devices.scale import DriverState
    from jpgb_terminal.devices.scanner import Scan
    from jpgb_terminal.workflow.receiving import ParcelCard

HISTORY_ROWS = 500  # the shift's counters keep the totals; the table keeps the latest rows


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

    app: JpgbApp  # type: ignore[assignment]

    def __init__(self) -> None:
        """No parcel in hand yet."""
        super().__init__()
        self.current: ParcelCard | None = None
        self.scanned_at: datetime | None = None
        self.counts = {"received": 0, "held": 0, "cleared": 0}
        self._refusal_shown = False

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
            with Vertical(id="shift"):
                yield Static("", id="counters")
                yield DataTable(id="history", cursor_type="none")
        yield ScanField(id="scan", burst_gap=self.app.settings.wedge_burst_ms / 1000)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Register for device news, set up the history table."""
        self.take_device_news()
        settings = self.app.settings
        self.sub_title = f"{settings.station_id} · {self.app.flow.operator if self.app.flow else ''} ({self.app.operator_role})"
        table = self.query_one("#history", DataTable)
        table.add_column("time", key="time")
        table.add_column("tracking", key="tracking")
        table.add_column("customer", key="customer")
        table.add_column("weight", key="weight")
        table.add_column("outcome", key="outcome")
        self._show_counts()
        self._show_status()
        self._show_reading()

    def on_unmount(self) -> None:
        """Stop receiving device news."""
        self.give_back_device_news()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Demo keys only in the demo; review for supervisors and leads, manifests for leads."""
        if action in DEMO_ACTIONS:
            return super().check_action(action, parameters)
        role = self.app.operator_role
        if action == "review_holds":
            return role in ("supervisor", "lead")
        if action == "manifests":
            return allowed(role, "export_manifests")
        return True

    # -- banner, status, counters ---------------------------------------------------

    def _show_counts(self) -> None:
        c = self.counts
        self.query_one("#counters", Static).update(
            f"Shift: received {c['received']}  cleared {c['cleared']}  held {c['held']}",
            layout=False,
        )

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
            and reading.grams < self.app.settings.empty_threshold_g
        ):
            self._refusal_shown = False
            self.say(f"Scale empty: put {card.tracking_no} on the scale.", "info")

    # -- the flow ---------------------------------------------------------------------

    def handle_scan(self, scan: Scan) -> None:
        """Receive the scanned parcel; an unfinished one stays in the history as waiting."""
        if self.app.devices is not None:
            self.app.devices.gate.parcel_done()
        if self.current is not None and self.current.step != "done":
            self._history(self.current, f"waiting ({self.current.step})")
        self._receive(scan)

    @work(group="db")
    async def _receive(self, scan: Scan) -> None:
        from jpgb_terminal.services.errors import DuplicateScan, ServiceError
        from jpgb_terminal.tracking import InvalidTrackingNumber

        flow = self.app.flow
        if flow is None:
            self.say("The store is not open yet", "error", bell=True)
            return
        try:
            card = await self.app.run_db(flow.scan, scan.text, scan.at)
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
        self._set_current(card)
        self.scanned_at = scan.at
        self._refusal_shown = False
        if self.app.devices is not None:
            self.app.devices.gate.parcel_scanned(scan.at)
        self.counts["received"] += 1
        if card.held:
            self.counts["held"] += 1
            self.say(
                f"HELD at the scan: {', '.join(card.hold_reasons)}. Weigh it, then put it aside.",
                "warn",
                bell=True,
            )
        else:
            self.say(f"Received {card.tracking_no}: put it on the scale.", "ok")
        self._history(card, card.state)
        self._show_counts()
        self.app.post_message(ParcelShown(card))

    def _set_current(self, card: ParcelCard | None) -> None:
        self.current = card
        self.query_one("#parcel", Static).update(parcel_text(card), layout=False)
        checklist = self.query_one(Checklist)
        checklist.active = card is not None and card.step == "inspect"
        self.query_one(ScanField).toggler = checklist.toggle_key if checklist.active else None
        if card is None or card.step != "inspect":
            checklist.reset()
        else:
            checklist.refresh_text()

    def _history(self, card: ParcelCard, outcome: str) -> None:
        from jpgb_terminal.clock import WAREHOUSE_TZ

        table = self.query_one("#history", DataTable)
        weight = f"{card.weight_g} g" if card.weight_g else "-"
        if card.tracking_no in table.rows:
            table.update_cell(card.tracking_no, "weight", weight)
            table.update_cell(card.tracking_no, "outcome", outcome)
            return
        if table.row_count >= HISTORY_ROWS:
            table.remove_row(next(iter(table.rows)))
        table.add_row(
            self.app.clock().astimezone(WAREHOUSE_TZ).strftime("%H:%M:%S"),
            card.tracking_no,
            card.customer_id or "-",
            weight,
            outcome,
            key=card.tracking_no,
        )
        table.scroll_end(animate=False, immediate=False)

    def on_capture_refused(self, message: CaptureRefused) -> None:
        """The previous parcel is still on the scale."""
        if self.current is not None and self.current.step == "weight" and not self._refusal_shown:
            self._refusal_shown = True
            self.say(message.refusal.message, "warn", bell=True)

    def on_weight_captured(self, message: WeightCaptured) -> None:
        """A stable weight for the parcel in hand: store it with its frame."""
        capture = message.capture
        card = self.current
        if card is None or card.step != "weight" or capture.scanned_at != self.scanned_at:
            return
        self._store_capture(card.tracking_no, capture)

    @work(group="db")
    async def _store_capture(self, tracking_no: str, capture: object) -> None:
        from jpgb_terminal.services.errors import ServiceError

        flow, devices = self.app.flow, self.app.devices
        if flow is None or devices is None or devices.scale is None:
            return
        scale = devices.scale
        try:
            card = await self.app.run_db(
                flow.record_capture,
                tracking_no,
                capture,
                scale_id=scale.scale_id,
                protocol=scale.protocol,
            )
        except ServiceError as exc:
            self.say(f"Weight not recorded: {exc}", "error", bell=True)
            return
        self._after_weight(card)

    def _after_weight(self, card: ParcelCard) -> None:
        if self.current is None or self.current.tracking_no != card.tracking_no:
            self._history(card, card.state)
            return
        self._set_current(card)
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

        assert self.app.flow is not None
        try:
            done = await self.app.run_db(
                self.app.flow.finish_inspection,
                card.tracking_no,
                opened=opened,
                findings=findings,
                note=note,
            )
        except ServiceError as exc:
            self.say(str(exc), "error", bell=True)
            return
        if done.state == "cleared":
            self.counts["cleared"] += 1
            self.say(f"{done.tracking_no} cleared; label printing.", "ok")
        else:
            if not card.held:
                self.counts["held"] += 1
            self.say(
                f"{done.tracking_no} HELD: {', '.join(done.hold_reasons)}. Put it in the hold cage.",
                "warn",
                bell=True,
            )
        self._show_counts()
        self._set_current(done)
        self._history(done, done.state)
        if self.app.devices is not None:
            self.app.devices.gate.parcel_done()
        self._print_label(done)

    @work(thread=True, group="printer")
    def _print_label(self, card: ParcelCard) -> None:
        from jpgb_terminal.workflow.labels import print_parcel_label

        url = self.app.settings.printer
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
        self.app.device_states["printer"] = state
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

        assert self.app.flow is not None
        try:
            held = await self.app.run_db(self.app.flow.hold, card.tracking_no, reason, note or None)
        except (ServiceError, IllegalTransition) as exc:
            self.say(str(exc), "error", bell=True)
            return
        if not card.held:
            self.counts["held"] += 1
            self._show_counts()
        self._set_current(held)
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
                if self.app.devices is not None:
                    self.app.devices.gate.parcel_done()
                self._after_weight(result)

        self.app.push_screen(ManualWeightDialog(card.tracking_no), entered)

    def action_abandon(self) -> None:
        """Esc: put the parcel in hand aside; what is recorded stays recorded."""
        card = self.current
        if card is None:
            return
        if card.step != "done":
            self._history(card, f"waiting ({card.step})")
        if self.app.devices is not None:
            self.app.devices.gate.parcel_done()
        self._set_current(None)
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
        """Back to the login screen."""
        self.app.pop_screen()

    # -- demo keys ------------------------------------------------------------------------

    def action_demo_scan(self) -> None:
        """Demo: scan a parcel that was pre-alerted."""
        self._demo_scan_parcel()

    @work(thread=True, group="demo")
    def _demo_scan_parcel(self) -> None:
        if self.app.rig and self.app.rig.scan_random_prealerted() is None:
            self.app.call_from_thread(self.notify, "demo: every pre-alerted parcel has arrived")
