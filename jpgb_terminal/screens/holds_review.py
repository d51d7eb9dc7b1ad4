"""Held parcels for a supervisor or lead: the queue, its filters, and decisions from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from jpgb_terminal.clock import WAREHOUSE_TZ
from jpgb_terminal.refdata import HOLD_REASON_CODES
from jpgb_terminal.rules.permissions import allowed
from jpgb_terminal.screens.context import InContext
from jpgb_terminal.screens.decision_dialog import DecisionOutcome, outcome_text
from jpgb_terminal.screens.hold_detail import HoldDetailScreen
from jpgb_terminal.screens.review_actions import DECISION_BINDINGS, DECISIONS, open_decision, say

if TYPE_CHECKING:
    from jpgb_terminal.services.holds_queue import HeldParcel
    from jpgb_terminal.workflow.review import HeldQueue

__all__ = ["HoldDetailScreen", "HoldsReviewScreen", "say"]


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


class HoldsReviewScreen(InContext, Screen[None]):
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

    def __init__(self) -> None:
        """No filters."""
        super().__init__()
        self.overdue_only = False
        self.reason: str | None = None
        self.match = ""
        self.queue: HeldQueue | None = None
        self.shown_once = False

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
        self.query_one("#match", Input).cursor_blink = self.ctx.cursor_blink
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
        return allowed(self.ctx.operator.role, "review_holds")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Decisions and customers for supervisors and leads only; decisions need a row."""
        if action == "detail" and self.query_one("#match", Input).has_focus:
            return False  # Enter belongs to the filter field while it is open
        if action == "receipts":
            return allowed(self.ctx.operator.role, "review_receipts")
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
        from jpgb_terminal.workflow.review import held_queue

        store = self.ctx.store
        if store is None:
            say(self, "The store is not open yet.", "error")
            return
        actor = self.ctx.operator.actor(self.ctx.settings.station_id)
        queue = await self.ctx.run_db(
            held_queue,
            store,
            actor,
            self.ctx.clock(),
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
        if not self.shown_once:
            # The first queue replaces the loading line with the keys; later ones leave the
            # banner to whatever a decision or filter said.
            self.shown_once = True
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
