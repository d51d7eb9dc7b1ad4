"""Parcels received at two benches while offline: their receipts, and a supervisor's review."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from jpgb_terminal.clock import WAREHOUSE_TZ
from jpgb_terminal.rules.permissions import allowed
from jpgb_terminal.screens.context import InContext
from jpgb_terminal.screens.pin_dialog import PinDialog
from jpgb_terminal.screens.review_actions import say

if TYPE_CHECKING:
    from jpgb_terminal.services.receipts import ReceiptView


def receipt_cell(r: ReceiptView) -> str:
    """Where, by whom and when (Asia/Tokyo) a receipt was recorded."""
    at = r.received_at.astimezone(WAREHOUSE_TZ).strftime("%Y-%m-%d %H:%M")
    return f"{r.station_id} {r.operator or '-'} {at}"


class ReceiptsReviewScreen(InContext, Screen[None]):
    """The parcels whose second receipt waits for review; Enter reviews the selected one."""

    CSS_PATH = "holds_review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "review", "Review", priority=True),
    ]

    def __init__(self) -> None:
        """No review done yet."""
        super().__init__()
        self.outcome: tuple[str, str] | None = None  # the banner after the last review

    def compose(self) -> ComposeResult:
        """Banner, the table of parcels, the footer."""
        yield Header(show_clock=False)
        yield Static("Loading parcels received twice...", id="review-banner", classes="info")
        yield DataTable(id="receipts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Columns, and what the screen is about in the subtitle."""
        self.sub_title = "Received at two benches (billed once)"
        table = self.query_one("#receipts", DataTable)
        table.add_column("tracking", key="tracking")
        table.add_column("billed receipt", key="billed")
        table.add_column("received again", key="again")

    def on_screen_resume(self) -> None:
        """Read the list afresh whenever the screen comes (back) on top."""
        if not allowed(self.ctx.operator.role, "review_receipts"):
            say(self, "Only a supervisor or lead may review parcels received twice.", "error")
            return
        self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Review needs the role and a selected parcel."""
        if action == "review":
            if not allowed(self.ctx.operator.role, "review_receipts"):
                return False
            return True if self.selected() is not None else None
        return True

    @work(group="receipts-load", exclusive=True)
    async def _load(self) -> None:
        """Fill the table; the banner keeps saying how the last review ended, if one did."""
        from jpgb_terminal.workflow.receipts import pending_receipts

        store = self.ctx.store
        if store is None:
            say(self, "The store is not open yet.", "error")
            return
        receipts = await self.ctx.run_db(pending_receipts, store)
        by_parcel: dict[str, list[ReceiptView]] = defaultdict(list)
        for r in receipts:
            by_parcel[r.tracking_no].append(r)
        table = self.query_one("#receipts", DataTable)
        table.clear()
        for tracking_no, rows in by_parcel.items():
            billed = [receipt_cell(r) for r in rows if not r.duplicate]
            again = [receipt_cell(r) for r in rows if r.duplicate]
            table.add_row(
                tracking_no, Text(", ".join(billed) or "-"), Text(", ".join(again)), key=tracking_no
            )
        if self.outcome is not None:
            say(self, *self.outcome)
        elif by_parcel:
            say(self, f"{len(by_parcel)} parcel(s) received twice. Enter reviews the selected one.")
        else:
            say(self, "No parcel received twice waits for review.", "ok")
        self.refresh_bindings()

    def selected(self) -> str | None:
        """The tracking number under the cursor, or None when the table is empty."""
        table = self.query_one("#receipts", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_back(self) -> None:
        """Esc: back to the held parcels."""
        self.app.pop_screen()

    def action_review(self) -> None:
        """Enter: review the selected parcel's duplicate receipts (note, then PIN)."""
        tracking_no = self.selected()
        operator = self.ctx.operator.name
        if tracking_no is None or operator is None:
            return

        def closed(result: tuple[str, int] | str | None) -> None:
            # Kept on the screen, not passed to one load: coming back reloads the list too.
            if isinstance(result, tuple):
                self.outcome = (f"{result[0]}: {result[1]} duplicate receipt(s) reviewed.", "ok")
            elif isinstance(result, str):
                self.outcome = (f"REFUSED: {result}. Nothing recorded.", "error")
            self._load()

        self.outcome = None

        self.app.push_screen(ReceiptReviewDialog(tracking_no, operator), closed)


class ReceiptReviewDialog(PinDialog[tuple[str, int] | str]):
    """Note, then the reviewer's PIN again; Enter moves on, Enter on the PIN records, Esc cancels.

    A wrong PIN keeps the dialog open (the attempt is counted); a refusal closes it with the
    reason, a review with (tracking number, receipts reviewed).
    """

    DEFAULT_CSS = """
    ReceiptReviewDialog { align: center middle; }
    #receipt-review-box { width: 76; height: auto; border: thick $accent; padding: 1 2;
                          background: $panel; }
    .receipt-row { height: auto; }
    .receipt-label { width: 8; padding: 1 1 0 0; }
    .receipt-row Input { width: 1fr; }
    """
    FIELDS: ClassVar[tuple[str, ...]] = ("note", "pin")
    ERROR_ID: ClassVar[str] = "receipt-review-error"

    def __init__(self, tracking_no: str, operator: str) -> None:
        """For the parcel `tracking_no`, reviewed by the logged-in `operator`."""
        super().__init__()
        self.tracking_no = tracking_no
        self.operator = operator

    def compose(self) -> ComposeResult:
        """Title, note, PIN and an error line."""
        with Vertical(id="receipt-review-box"):
            yield Label(
                f"Review {self.tracking_no}: received at two benches, billed once.\n"
                "Enter moves on; Enter on the PIN records the review; Esc cancels."
            )
            with Horizontal(classes="receipt-row"):
                yield Label("Note", classes="receipt-label")
                yield Input(placeholder="what you found (optional)", id="note")
            with Horizontal(classes="receipt-row"):
                yield Label("PIN", classes="receipt-label")
                yield Input(
                    placeholder=f"PIN of {self.operator} (the reviewer)",
                    id="pin",
                    password=True,
                    restrict=r"[0-9]*",
                )
            yield Static("", id="receipt-review-error", markup=False)

    def on_mount(self) -> None:
        """Start on the note."""
        super().on_mount()
        self.query_one("#note", Input).focus()

    def submit(self) -> None:
        """The PIN is required; the note is not."""
        if not self.value("pin"):
            self.error(f"{self.operator} must type their PIN to record the review.", "pin")
            return
        self.busy = True
        self.error("Checking the PIN...")
        self._review(self.value("pin"), self.value("note"))

    @work(group="db", exclusive=True)
    async def _review(self, pin: str, note: str) -> None:
        from jpgb_terminal.services.errors import AuthError, ServiceError
        from jpgb_terminal.workflow.auth import Credentials
        from jpgb_terminal.workflow.receipts import review_receipts

        store = self.ctx.store
        assert store is not None
        try:
            _, reviewed = await self.ctx.run_db(
                review_receipts,
                store,
                Credentials(self.ctx.settings.station_id, self.operator, pin),
                self.tracking_no,
                note,
                at=self.ctx.clock(),
            )
        except AuthError as exc:
            self.pin_refused(exc)
            return
        except ServiceError as exc:  # reviewed meanwhile, or not allowed
            self.dismiss(str(exc))
            return
        self.dismiss((self.tracking_no, len(reviewed)))
