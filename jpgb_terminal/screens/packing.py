"""The packing bench: scan a request, pick its parcels, weigh, measure, price, pack, print."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Static

from jpgb_terminal.rules.permissions import allowed
from jpgb_terminal.screens.dims_dialog import DimsDialog
from jpgb_terminal.screens.messages import (
    CaptureRefused,
    WeightCaptured,
)
from jpgb_terminal.screens.station import DEMO_ACTIONS, DEMO_BINDINGS, StationScreen
from jpgb_terminal.screens.widgets import ScanField, WeightPanel

if TYPE_CHECKING:
    from jpgb_terminal.devices.capture import Capture
    from jpgb_terminal.devices.scanner import Scan
    from jpgb_terminal.services.packing import Packed
    from jpgb_terminal.services.shipments import ShipmentView
    from jpgb_terminal.workflow.packing import PackingFlow, Preview

Dims = tuple[int, int, int]


def request_text(view: ShipmentView | None) -> Text:
    """The request card: id, customer, service, destination, state (no recipient details)."""
    if view is None:
        return Text("Scan a shipment request sheet (SR-...) to begin.", style="dim")
    text = Text()
    text.append(f"{view.id}", style="bold")
    text.append(f"   {view.state}\n")
    text.append(f"customer {view.customer_id}   {view.service.upper()} to {view.country}\n")
    text.append(f"category {view.category}   insurance {view.insurance_jpy:,} JPY\n")
    picked = sum(1 for p in view.parcels if p.confirmed)
    text.append(f"parcels {picked}/{len(view.parcels)} in the box\n")
    if view.weight_g is not None:
        text.append(f"box weight {view.weight_g} g\n")
    if view.box is not None:
        text.append(f"outbound {view.box.outbound_tracking_no}\n", style="bold")
    return text


class PackingScreen(StationScreen):
    """Where bench staff pack outbound boxes; a lead hands the day's boxes over with F7."""

    CSS_PATH = "packing.tcss"
    SCAN_WHAT = "a request or tracking number"
    AUTO_FOCUS = "#scan"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "pack", "Pack"),
        Binding("f4", "dims", "Dims"),
        Binding("f7", "handover", "Handover"),
        Binding("escape", "back", "Back"),
        *DEMO_BINDINGS,
    ]

    def __init__(self) -> None:
        """No request in hand yet."""
        super().__init__()
        self.view: ShipmentView | None = None
        self.dims: Dims | None = None
        self.label: str | None = None
        self.preview: Preview | None = None
        self.packed: Packed | None = None
        self.scanned_at: datetime | None = None
        self._flow: PackingFlow | None = None

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Weight and request side by side, banner, price and pick list, scan field."""
        yield Header(show_clock=False)
        with Horizontal(id="top"):
            yield WeightPanel(id="weight")
            yield Static(request_text(None), id="request")
        yield Static("Packing: scan a shipment request.", id="banner", classes="info")
        with Horizontal(id="middle"):
            yield Static("", id="price")
            yield DataTable(id="picklist", cursor_type="row", zebra_stripes=True)
        yield ScanField(
            id="scan",
            burst_gap=self.ctx.settings.wedge_burst_ms / 1000,
            prompt="scan a request sheet (SR-...), then its parcels, then the box label",
        )
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Take the device news from the receiving bench while this screen is up."""
        self.take_device_news()
        self.sub_title = f"packing · {self.ctx.settings.station_id}"
        table = self.query_one("#picklist", DataTable)
        table.add_column("tracking", key="tracking")
        table.add_column("state", key="state")
        table.add_column("in box", key="in_box")
        self._show_status()
        self._show_reading()

    def on_unmount(self) -> None:
        """Give the device news back."""
        self.give_back_device_news()
        if self.ctx.devices is not None:
            self.ctx.devices.gate.parcel_done()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F7 handover is for a shift lead."""
        if action == "handover":
            return allowed(self.ctx.operator.role, "hand_over")
        if action in DEMO_ACTIONS:
            return super().check_action(action, parameters)
        return True

    @property
    def flow(self) -> PackingFlow:
        """The packing steps for the logged-in operator."""
        if self._flow is None:
            from jpgb_terminal.workflow.packing import PackingFlow

            assert self.ctx.store is not None
            session = self.ctx.operator
            self._flow = PackingFlow(
                self.ctx.store, self.ctx.settings.station_id, session.name, session.role
            )
        return self._flow

    # -- banner, status -------------------------------------------------------------

    def _show(self, view: ShipmentView | None) -> None:
        self.view = view
        self.query_one("#request", Static).update(request_text(view))
        table = self.query_one("#picklist", DataTable)
        table.clear()
        if view is not None:
            for p in view.parcels:
                state = p.state or "not received"
                if p.hold_reasons:
                    state = f"held: {', '.join(p.hold_reasons)}"
                table.add_row(
                    p.tracking_no, state, "yes" if p.confirmed else "-", key=p.tracking_no
                )
        self._show_price()

    def _show_price(self) -> None:
        lines: list[str] = []
        view = self.view
        if view is not None:
            lines.append(f"weight: {view.weight_g} g" if view.weight_g else "weight: -")
            dims = self.dims
            lines.append(f"size: {dims[0]} x {dims[1]} x {dims[2]} cm" if dims else "size: - (F4)")
            preview = self.preview
            if preview is not None:
                q, d = preview.quote, preview.declaration
                lines.append(f"chargeable: {q.chargeable_g} g (zone {q.zone})")
                lines.append(f"fee: {q.fee:,} {q.currency}  (price list {q.price_list_version})")
                lines.append(f"customs: {d.form}, declared {d.total_value:,.0f} {d.currency}")
                lines.extend(f"! {w}" for w in d.warnings)
            if view.box is not None:
                label = view.box.outbound_tracking_no
            else:
                label = self.label or "from the carrier's range"
            lines.append(f"outbound number: {label}")
        self.query_one("#price", Static).update("\n".join(lines))

    # -- device news ------------------------------------------------------------------

    def on_capture_refused(self, message: CaptureRefused) -> None:
        """The previous box is still on the scale."""
        if self._waiting_for_weight():
            self.say(message.refusal.message, "warn", bell=True)

    def on_weight_captured(self, message: WeightCaptured) -> None:
        """A stable weight for the box in hand: keep it with its frame."""
        capture = message.capture
        if not self._waiting_for_weight() or capture.scanned_at != self.scanned_at:
            return
        assert self.view is not None
        self._store_capture(self.view.id, capture)

    def _waiting_for_weight(self) -> bool:
        view = self.view
        return view is not None and view.state == "waiting" and view.all_confirmed

    # -- the flow ---------------------------------------------------------------------

    def handle_scan(self, scan: Scan) -> None:
        """A request sheet opens it; a parcel goes into the box; an S10 label numbers it."""
        from jpgb_terminal.services.shipments import is_request_id

        if is_request_id(scan.text):
            self._open(scan.text)
        elif self.view is None:
            self.say("Scan the shipment request sheet first (SR-...).", "warn", bell=True)
        elif self.view.state != "waiting":
            self.say(f"{self.view.id} is {self.view.state}: scan the next request.", "info")
        elif not self.view.all_confirmed:
            self._confirm(self.view.id, scan)
        else:
            self._label(scan.text)

    @work(group="db", exclusive=True)
    async def _open(self, text: str) -> None:
        from jpgb_terminal.services.errors import ServiceError

        try:
            view = await self.ctx.run_db(self.flow.open_request, text)
        except ServiceError as exc:
            self.say(str(exc), "error", bell=True)
            return
        self.dims = self.label = self.preview = self.packed = None
        self._show(view)
        if view.state != "waiting":
            self.say(f"{view.id} is already {view.state}.", "info")
        elif view.all_confirmed:
            self._arm_scale(view)
        else:
            self.say(f"{view.id}: pick {len(view.to_pick)} parcel(s) and scan each one.", "ok")

    @work(group="db")
    async def _confirm(self, request_id: str, scan: Scan) -> None:
        from jpgb_terminal.services.errors import ServiceError
        from jpgb_terminal.tracking import InvalidTrackingNumber

        try:
            view = await self.ctx.run_db(self.flow.confirm, request_id, scan.text, scan.at)
        except (ServiceError, InvalidTrackingNumber) as exc:
            self.say(f"Refused: {exc}. Nothing changed.", "error", bell=True)
            return
        self._show(view)
        if view.all_confirmed:
            self._arm_scale(view, scan.at)
        else:
            self.say(f"In the box. Still to scan: {', '.join(view.to_pick)}", "ok")

    def _arm_scale(self, view: ShipmentView, at: datetime | None = None) -> None:
        self.scanned_at = at or self.ctx.clock()
        if self.ctx.devices is not None:
            self.ctx.devices.gate.parcel_scanned(self.scanned_at)
        self.say(
            f"All {len(view.parcels)} parcel(s) in. Close the box and put it on the scale.", "ok"
        )

    @work(group="db")
    async def _store_capture(self, request_id: str, capture: Capture) -> None:
        from jpgb_terminal.services.errors import ServiceError

        devices = self.ctx.devices
        try:
            # The capture names the scale it came from; the driver is not asked again.
            view = await self.ctx.run_db(
                self.flow.record_capture,
                request_id,
                capture,
                scale_id=capture.scale_id,
                protocol=capture.protocol,
            )
        except ServiceError as exc:
            self.say(f"Weight not recorded: {exc}", "error", bell=True)
            return
        if devices is not None:
            devices.gate.parcel_done()
        self._show(view)
        self.say(f"Box weight {view.weight_g} g recorded. Type its size (F4).", "ok")
        self.action_dims()

    def _label(self, text: str) -> None:
        from jpgb_terminal.services.packing import PackingRefused, outbound_number

        try:
            self.label = outbound_number(text)
        except PackingRefused as exc:
            self.say(f"{exc}. Scan the carrier's label again.", "error", bell=True)
            return
        self._show_price()
        self.say(f"Carrier label {self.label} scanned. F2 packs the box.", "ok")

    def action_dims(self) -> None:
        """F4: type the box's length, width and height."""
        view = self.view
        if view is None or view.state != "waiting":
            self.say("No box in hand: scan a shipment request first.", "warn", bell=True)
            return

        def entered(dims: Dims | None) -> None:
            if dims is not None:
                self.dims = dims
                self._price()

        self.app.push_screen(DimsDialog(view.id, self.dims), entered)

    def _price(self) -> None:
        from jpgb_terminal.services.packing import PackingRefused

        view, dims = self.view, self.dims
        self.preview = None
        if view is None or dims is None:
            return
        if view.weight_g is None:
            self._show_price()
            self.say("Size kept. Waiting for a stable box weight on the scale.", "warn")
            return
        try:
            self.preview = self.flow.preview(view, dims, self.ctx.clock())
        except PackingRefused as exc:
            self._show_price()
            self.say(f"Refused: {exc}", "error", bell=True)
            return
        self._show_price()
        self.say(
            f"Fee {self.preview.quote.fee:,} {self.preview.quote.currency}. "
            "Scan the carrier label or F2 to take a number from the range.",
            "warn" if self.preview.declaration.warnings else "ok",
        )

    def action_pack(self) -> None:
        """F2: number, label and declare the box; it and its parcels become packed."""
        view = self.view
        if view is None:
            self.say("No box in hand: scan a shipment request first.", "warn", bell=True)
            return
        if view.state != "waiting":
            self.say(f"{view.id} is already {view.state}.", "info")
            return
        if not view.all_confirmed:
            self.say(f"Scan every parcel first: {', '.join(view.to_pick)}", "warn", bell=True)
            return
        if view.weight_g is None:
            self.say(
                "No box weight yet: the scale has not settled. Steady the box and wait.",
                "warn",
                bell=True,
            )
            return
        if self.dims is None or self.preview is None:
            self.say("Type the box's size first (F4).", "warn", bell=True)
            return
        self._pack(view.id, self.dims, self.label)

    @work(group="db", exclusive=True)
    async def _pack(self, request_id: str, dims: Dims, label: str | None) -> None:
        from jpgb_terminal.services.errors import ServiceError

        try:
            packed = await self.ctx.run_db(
                self.flow.pack, request_id, dims, label, self.ctx.clock()
            )
        except ServiceError as exc:
            self.say(f"Not packed: {exc}. Nothing changed.", "error", bell=True)
            return
        self.packed = packed
        self._show(packed.view)
        box = packed.view.box
        assert box is not None
        warn = packed.declaration.export_declaration
        self.say(
            f"Packed {box.outbound_tracking_no}: {box.fee:,} {box.currency}, "
            f"{packed.declaration.form}"
            + (" - EXPORT DECLARATION NEEDED" if warn else "")
            + ". Label and customs form printing.",
            "warn" if warn else "ok",
            bell=warn,
        )
        self._print(packed)

    @work(thread=True, group="printer")
    def _print(self, packed: Packed) -> None:
        from jpgb_terminal.workflow.packing import print_box_papers

        url = self.ctx.settings.printer
        if not url:
            return
        try:
            label, form = print_box_papers(
                packed, url, forms_dir=self.ctx.settings.customs_forms_dir
            )
        except Exception as exc:  # a printer fault must show, never crash the bench
            self.app.call_from_thread(self._printer_state, f"error: {exc}")
            return
        self.app.call_from_thread(self._printer_state, f"ok ({label}, {form})")

    def _printer_state(self, state: str) -> None:
        self.ctx.device_states["printer"] = state
        self._show_status()
        if state.startswith("error"):
            self.say(f"Papers not printed: {state}", "error", bell=True)

    def action_handover(self) -> None:
        """F7 (lead): the day's packed boxes are handed to the carriers."""
        self._handover()

    @work(group="db", exclusive=True)
    async def _handover(self) -> None:
        from jpgb_terminal.clock import local_date
        from jpgb_terminal.services.errors import ServiceError

        at = self.ctx.clock()
        try:
            done = await self.ctx.run_db(self.flow.handover, local_date(at), at)
        except ServiceError as exc:
            self.say(str(exc), "error", bell=True)
            return
        if self.view is not None and self.view.id in done.shipments:
            self._show(await self.ctx.run_db(self.flow.open_request, self.view.id))
        self.say(f"Handed over {len(done.shipments)} box(es) packed today.", "ok")

    def action_back(self) -> None:
        """Esc: back to receiving; what is recorded stays recorded."""
        self.app.pop_screen()

    def action_demo_scan(self) -> None:
        """Demo: scan what the packer would scan next (a request sheet, then its parcels)."""
        rig, view = self.ctx.rig, self.view
        if rig is None:
            return
        if view is not None and view.state == "waiting" and view.to_pick:
            rig.scan(view.to_pick[0])
        elif view is not None and view.state == "waiting":
            self.notify("demo: every parcel is in: F9 empties the scale, F8 puts the box on it")
        else:
            self._demo_scan_request(view.id if view is not None else None)

    @work(thread=True, group="demo")
    def _demo_scan_request(self, current: str | None) -> None:
        rig = self.ctx.rig
        if rig is not None and rig.scan_waiting_request(besides=current) is None:
            self.app.call_from_thread(self.notify, "demo: no shipment request waits for packing")
