"""Held parcels for a supervisor or lead: the queue, filters, one parcel's evidence, decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from jpgb_terminal.clock import WAREHOUSE_TZ
from jpgb_terminal.refdata import HOLD_REASON_CODES
from jpgb_terminal.rules.permissions import allowed
from jpgb_terminal.screens.decision_dialog import DecisionDialog, DecisionOutcome, outcome_text

if TYPE_CHECKING:
    from jpgb_terminal.app import JpgbApp
    from jpgb_terminal.services.holds_queue import HeldParcel
    from jpgb_terminal.workflow.review import HeldQueue, ParcelDetail

DECISIONS = ("release", "return", "dispose", "sell", "report")
DECISION_BINDINGS: list[BindingType] = [
    Binding("f2", "decide('release')", "Release"),
    Binding("f3", "decide('return')", "Return"),
    Binding("f4", "decide('dispose')", "Dispose"),
    Binding("f5", "decide('sell')", "Sell"),
    Binding("f6", "decide('report')", "Report"),
]
PREFIX = {"info": "", "ok": "OK: ", "warn": "CHECK: ", "error": "ERROR: "}


def say(screen: Screen[None], message: str, level: str = "info") -> None:
    """Show a message in the screen's banner, its level in words as well as colour."""
    banner = screen.query_one("#review-banner", Static)
    banner.update(Text(PREFIX[level] + message))
    banner.set_classes(level)


def status_cell(held: HeldParcel) -> Text:
    """OVERDUE, DISPOSE NOW or HELD, in words and colour."""
    if held.overdue:
        return Text("OVERDUE", style="bold red")
    if held.disposable_now:
        return Text("DISPOSE NOW", style="bold yellow")
    return Text("held")


def days_cell(held: HeldParcel) -> Text:
    """Days left, or how many days past the deadline."""
    if held.overdue:
        over = -held.days_left
        unit = "day" if over == 1 else "days"
        return Text(f"{over} {unit} over", style="bold red", justify="right")
    return Text(f"{held.days_left}", justify="right")


def open_decision(
    screen: Screen[None], tracking_no: str, action: str, done: Callable[[DecisionOutcome], None]
) -> None:
    """Open the decision dialog for the logged-in operator; `done` gets the outcome."""
    app: JpgbApp = screen.app  # type: ignore[assignment]
    operator = app.flow.operator if app.flow is not None else None
    if operator is None:
        say(screen, "No operator is logged in.", "error")
        return

    def closed(outcome: DecisionOutcome | None) -> None:
        if outcome is not None:
            done(outcome)

    async def check_then_open() -> None:
        from jpgb_terminal.workflow.decisions import refused_up_front

        store = app.store
        assert store is not None
        # A decision the rules refuse whatever is typed is refused now, not after note and PIN.
        refused = await app.run_db(
            refused_up_front,
            store,
            app.settings.station_id,
            operator,
            tracking_no,
            action,
            app.clock(),
        )
        if refused is not None:
            done(
                DecisionOutcome(
                    tracking_no, action, refused_article=refused.article, message=str(refused)
                )
            )
            return
        app.push_screen(DecisionDialog(tracking_no, action, operator), closed)

    screen.run_worker(check_then_open(), group="decision-check", exclusive=True)


class HoldsReviewScreen(Screen[None]):
    """Every held parcel, overdue first; filters by key; Enter shows one parcel."""

    CSS_PATH = "holds_review.tcss"
    AUTO_FOCUS = "#held"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        # Priority, so the footer shows it over the table's own (hidden) Enter.
        Binding("enter", "detail", "Detail", priority=True),
        # The decisions first: on a narrow screen the footer cuts off its right end.
        *DECISION_BINDINGS,
        Binding("o", "toggle_overdue", "Overdue only"),
        Binding("r", "cycle_reason", "Reason"),
        Binding("slash", "filter", "Customer/station"),
        Binding("c", "customers", "Customers"),
        Binding("d", "receipts", "Received twice"),
    ]

    app: JpgbApp  # type: ignore[assignment]

    def __init__(self) -> None:
        """No filters."""
        super().__init__()
        self.overdue_only = False
        self.reason: str | None = None
        self.match = ""
        self.queue: HeldQueue | None = None

    def compose(self) -> ComposeResult:
        """Filters line, banner, the table, a hidden filter field, the totals."""
        yield Header(show_clock=False)
        yield Static("", id="review-filters")
        yield Static("Loading held parcels...", id="review-banner", classes="info")
        yield DataTable(id="held", cursor_type="row", zebra_stripes=True)
        yield Input(
            placeholder="customer id or station id, Enter applies, empty clears", id="match"
        )
        yield Static("", id="review-totals")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, and the operator in the subtitle."""
        self.sub_title = "Held parcels (Art. 14, 15)"
        self.query_one("#match", Input).cursor_blink = self.app.cursor_blink
        table = self.query_one("#held", DataTable)
        # What a supervisor acts on first, leftmost: a narrow terminal cuts the right end.
        for label, key in (
            ("status", "status"),
            ("tracking", "tracking"),
            ("days left", "days"),
            ("deadline", "deadline"),
            ("reasons", "reasons"),
            ("customer", "customer"),
            ("name", "name"),
            ("station", "station"),
            ("received", "received"),
        ):
            table.add_column(label, key=key)
        self._show_filters()

    def on_screen_resume(self) -> None:
        """Read the queue afresh whenever the screen comes (back) on top."""
        self.reload()

    def allowed(self) -> bool:
        """Whether the operator's role may review holds (data/permissions.toml)."""
        return allowed(self.app.operator_role, "review_holds")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Decisions and customers for supervisors and leads only; decisions need a row."""
        if action == "detail" and self.query_one("#match", Input).has_focus:
            return False  # Enter belongs to the filter field while it is open
        if action == "receipts":
            return allowed(self.app.operator_role, "review_receipts")
        if action in ("decide", "customers", "detail"):
            if not self.allowed():
                return False
            if action != "customers" and self.selected() is None:
                return None
        return True

    # -- the queue ----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the queue with the current filters."""
        if not self.allowed():
            say(self, "Only a supervisor or lead may review held parcels. Esc goes back.", "error")
            return
        self._load()

    @work(group="review-load", exclusive=True)
    async def _load(self) -> None:
        from jpgb_terminal.services.context import Actor
        from jpgb_terminal.workflow.review import held_queue

        store = self.app.store
        if store is None:
            say(self, "The store is not open yet.", "error")
            return
        flow = self.app.flow
        actor = Actor(
            self.app.settings.station_id,
            flow.operator if flow is not None else None,
            self.app.operator_role,
        )
        queue = await self.app.run_db(
            held_queue,
            store,
            actor,
            self.app.clock(),
            overdue_only=self.overdue_only,
            reason=self.reason,
            match=self.match or None,
        )
        self.show(queue)

    def show(self, queue: HeldQueue) -> None:
        """Fill the table, keeping the cursor on the same parcel where it still is."""
        self.queue = queue
        table = self.query_one("#held", DataTable)
        before = self.selected()
        table.clear()
        for h in queue.rows:
            table.add_row(
                status_cell(h),
                h.tracking_no,
                days_cell(h),
                h.deadline.isoformat(),
                Text(", ".join(h.reasons)),
                h.customer_id or "-",
                queue.masked_names.get(h.customer_id or "", "-"),
                h.station_id,
                h.received_at.astimezone(WAREHOUSE_TZ).date().isoformat(),
                key=h.tracking_no,
            )
        if before is not None and before in table.rows:
            table.move_cursor(row=table.get_row_index(before))
        totals = f"{queue.total} held, {queue.overdue} overdue (today {queue.today.isoformat()}, Asia/Tokyo)"
        if len(queue.rows) != queue.total:
            totals += f"; {len(queue.rows)} shown"
        self.query_one("#review-totals", Static).update(Text(totals))
        banner = self.query_one("#review-banner", Static)
        if "Loading" in str(banner.render()):
            say(self, "Enter shows a parcel; F2-F6 decide on the selected one.")
        self.refresh_bindings()

    def selected(self) -> str | None:
        """The tracking number under the cursor, or None when the table is empty."""
        table = self.query_one("#held", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return key.value

    def _show_filters(self) -> None:
        parts = [
            f"overdue only: {'YES' if self.overdue_only else 'no'} (o)",
            f"reason: {self.reason or 'all'} (r)",
            f"customer/station: {self.match or 'all'} (/)",
        ]
        self.query_one("#review-filters", Static).update(Text("Filters  " + "   ".join(parts)))

    # -- keys ---------------------------------------------------------------------------

    def action_back(self) -> None:
        """Esc: close the filter field if open, else back to the bench."""
        field = self.query_one("#match", Input)
        if field.has_class("open"):
            field.remove_class("open")
            self.query_one("#held", DataTable).focus()
            return
        self.app.pop_screen()

    def action_toggle_overdue(self) -> None:
        """O: only parcels past their custody deadline, or all."""
        self.overdue_only = not self.overdue_only
        self._show_filters()
        self.reload()

    def action_cycle_reason(self) -> None:
        """R: the next hold reason (Art. 14 order), then all again."""
        codes = (None, *HOLD_REASON_CODES)
        self.reason = codes[(codes.index(self.reason) + 1) % len(codes)]
        self._show_filters()
        self.reload()

    def action_filter(self) -> None:
        """/: type a customer id or station id."""
        field = self.query_one("#match", Input)
        # Opened empty, so Enter alone clears the filter, as the placeholder says.
        field.value = ""
        current = f" (now {self.match})" if self.match else ""
        field.placeholder = f"customer id or station id{current}: Enter applies, empty clears"
        field.add_class("open")
        field.focus()

    @on(Input.Submitted, "#match")
    def _match_entered(self, event: Input.Submitted) -> None:
        self.match = event.value.strip()
        event.input.remove_class("open")
        self.query_one("#held", DataTable).focus()
        self._show_filters()
        self.reload()

    @on(DataTable.RowSelected, "#held")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._open_detail(event.row_key.value)

    def action_detail(self) -> None:
        """Enter: the selected parcel's history, weight evidence and holds."""
        tracking_no = self.selected()
        if tracking_no is not None:
            self._open_detail(tracking_no)

    def _open_detail(self, tracking_no: str) -> None:
        if self.allowed():
            self.app.push_screen(HoldDetailScreen(tracking_no))

    def action_decide(self, action: str) -> None:
        """F2-F6: decide on the selected parcel."""
        tracking_no = self.selected()
        if tracking_no is None or action not in DECISIONS:
            return
        open_decision(self, tracking_no, action, self._decided)

    def _decided(self, outcome: DecisionOutcome) -> None:
        text, level = outcome_text(outcome)
        say(self, text, level)
        if level == "error":
            self.app.bell()

    def action_receipts(self) -> None:
        """D: parcels received at two benches while offline, for review."""
        from jpgb_terminal.screens.receipts_review import ReceiptsReviewScreen

        self.app.push_screen(ReceiptsReviewScreen())

    def action_customers(self) -> None:
        """C: suspend, freeze or reactivate a customer."""
        from jpgb_terminal.screens.customer_status import CustomerStatusDialog, StatusChanged

        tracking_no = self.selected()
        customer = None
        if tracking_no is not None and self.queue is not None:
            customer = next(
                (h.customer_id for h in self.queue.rows if h.tracking_no == tracking_no), None
            )

        def closed(changed: StatusChanged | None) -> None:
            if changed is not None:
                say(self, changed.text(), "ok")

        self.app.push_screen(CustomerStatusDialog(customer or ""), closed)


class HoldDetailScreen(Screen[None]):
    """One held parcel: its open holds, weighings with raw scale frames, every event."""

    CSS_PATH = "holds_review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        *DECISION_BINDINGS,
        Binding("v", "reveal", "Reveal customer"),
    ]

    app: JpgbApp  # type: ignore[assignment]

    def __init__(self, tracking_no: str) -> None:
        """For the parcel `tracking_no`."""
        super().__init__()
        self.tracking_no = tracking_no
        self.detail: ParcelDetail | None = None

    def compose(self) -> ComposeResult:
        """Banner, then the parcel's record in a scrolling pane."""
        yield Header(show_clock=False)
        yield Static(f"Loading {self.tracking_no}...", id="review-banner", classes="info")
        with VerticalScroll(id="detail-scroll"):
            yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        """Subtitle, focus on the pane so arrow keys scroll."""
        self.sub_title = f"Parcel {self.tracking_no}"
        self.query_one("#detail-scroll").focus()

    def on_screen_resume(self) -> None:
        """Read the parcel afresh (after a decision too)."""
        self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Decisions and reveals for supervisors and leads; decisions while still held."""
        if action == "reveal":
            if not allowed(self.app.operator_role, "reveal_personal_data"):
                return False
            return None if self.detail is None or not self.detail.view["customer_id"] else True
        if action == "decide":
            if not any(allowed(self.app.operator_role, a) for a in DECISIONS):
                return False
            if self.detail is None or self.detail.view["state"] != "held":
                return None
        return True

    @work(group="review-detail", exclusive=True)
    async def _load(self) -> None:
        from jpgb_terminal.services.errors import ServiceError
        from jpgb_terminal.workflow.review import parcel_detail

        store = self.app.store
        if store is None:
            return
        try:
            detail = await self.app.run_db(parcel_detail, store, self.tracking_no, self.app.clock())
        except ServiceError as exc:
            say(self, str(exc), "error")
            return
        self.detail = detail
        self.query_one("#detail", Static).update(detail_text(detail))
        banner = self.query_one("#review-banner", Static)
        if "Loading" in str(banner.render()):
            if detail.view["state"] == "held":
                say(self, "F2-F6 decide; Esc goes back to the list.")
            else:
                say(self, f"This parcel is {detail.view['state']}: nothing to decide.")
        self.refresh_bindings()

    @work(group="review-reveal", exclusive=True)
    async def action_reveal(self) -> None:
        """V: show this parcel's customer unmasked, once; the reveal is recorded as an event."""
        from jpgb_terminal.services.context import Actor
        from jpgb_terminal.services.errors import ServiceError
        from jpgb_terminal.workflow.privacy import reveal_for_parcel

        store, flow = self.app.store, self.app.flow
        if store is None or flow is None:
            return
        actor = Actor(self.app.settings.station_id, flow.operator, self.app.operator_role)
        try:
            shown = await self.app.run_db(reveal_for_parcel, store, actor, self.tracking_no)
        except ServiceError as exc:
            say(self, f"Not revealed: {exc}", "error")
            return
        say(
            self,
            f"Customer {shown.customer_id} (reveal recorded): {shown.name}, "
            f"{shown.address or '-'}, {shown.phone or '-'}",
            "warn",
        )

    def action_decide(self, action: str) -> None:
        """F2-F6: decide on this parcel."""
        if action in DECISIONS:
            open_decision(self, self.tracking_no, action, self._decided)

    def _decided(self, outcome: DecisionOutcome) -> None:
        text, level = outcome_text(outcome)
        say(self, text, level)
        if level == "error":
            self.app.bell()


def _local(at: str) -> str:
    """An ISO time as `YYYY-MM-DD HH:MM:SS` (already in Japan time)."""
    return at[:19].replace("T", " ")


def detail_text(detail: ParcelDetail) -> Text:
    """The parcel's record as text; everything from the store goes in as plain text."""
    view = detail.view
    text = Text()
    text.append(f"{view['tracking_no']}", style="bold")
    text.append(f"  {view['scheme']}  state ")
    text.append(view["state"].upper(), style="bold red" if view["state"] == "held" else "bold")
    text.append(
        f"\nCustomer  {view['customer_id'] or 'unknown'}  {detail.customer_masked}"
        f"  (account {detail.customer_status or '-'})"
    )
    text.append(
        f"\nReceived  {_local(view['received_at'])} Asia/Tokyo at {view['station_id']}"
        f" by {view['received_by'] or '-'}"
    )
    weight = (
        f"{view['weight_g']} g ({view['weight_source']})" if view["weight_g"] else "not weighed"
    )
    text.append(f"\nWeight    {weight}\n")

    text.append("\nOpen holds\n", style="bold underline")
    if not view["holds"]:
        text.append("  none\n")
    for hold in view["holds"]:
        if hold["overdue"]:
            left = Text(f"OVERDUE by {-hold['days_left']} days", style="bold red")
        else:
            left = Text(f"{hold['days_left']} days left")
        text.append(f"  {hold['reason']:<18} deadline {hold['deadline']}  ")
        text.append_text(left)
        text.append(f"   opened {_local(hold['opened_at'])} at {hold['station_id']}")
        text.append(f"  note: {hold['note'] or '-'}\n")

    text.append("\nWeighings (Art. 11.1 evidence)\n", style="bold underline")
    if not detail.weights:
        text.append("  none\n")
    for w in detail.weights:
        mark = "billed" if w.current else "superseded"
        at = w.measured_at.astimezone(WAREHOUSE_TZ).strftime("%Y-%m-%d %H:%M:%S")
        text.append(f"  {w.grams} g {w.source} [{mark}] {at} at {w.station_id} by {w.operator}\n")
        text.append(f"    scale {w.scale_id or '-'} ({w.protocol or '-'})  raw frame: ")
        text.append(w.frame, style="bold")
        text.append("\n")
        if w.reason or w.approved_by:
            text.append(f"    reason: {w.reason or '-'}  approved by {w.approved_by or '-'}\n")

    if detail.decisions:
        text.append("\nDecisions\n", style="bold underline")
        for d in detail.decisions:
            text.append(f"  {d['at']}  {d['action']} ({d['article']}) by {d['operator']}")
            if d["balance"] is not None:
                text.append(f"  balance {d['balance']:,} JPY")
            text.append(f"  note: {d['note']}\n")

    text.append("\nEvents\n", style="bold underline")
    for e in view["events"]:
        text.append(
            f"  {_local(e['at'])}  {e['kind']:<24} {e['station_id']}#{e['seq']:<6}"
            f" {e['operator'] or '-'}\n"
        )
    return text
