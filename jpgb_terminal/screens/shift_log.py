"""The receiving bench's shift panel: the shift's counters and the latest parcels' rows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from jpgb_terminal.workflow.receiving import ParcelCard

HISTORY_ROWS = 500  # the shift's counters keep the totals; the table keeps the latest rows
COLUMNS = ("time", "tracking", "customer", "weight", "outcome")


class ShiftLog(Vertical):
    """Counters (`#counters`) over the history table (`#history`), one row per parcel."""

    def __init__(self, *, id: str | None = None) -> None:
        """Nothing counted yet."""
        super().__init__(id=id)
        self.counts = {"received": 0, "held": 0, "cleared": 0}

    def compose(self) -> ComposeResult:
        """The counters line, then the table."""
        yield Static("", id="counters")
        yield DataTable(id="history", cursor_type="none")

    def on_mount(self) -> None:
        """Set up the table's columns and show the zero counts."""
        table = self.query_one("#history", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.show_counts()

    def count(self, *kinds: str) -> None:
        """Add one to each of `kinds` (received, held, cleared) and show the counters."""
        for kind in kinds:
            self.counts[kind] += 1
        self.show_counts()

    def show_counts(self) -> None:
        """Repaint the counters line."""
        c = self.counts
        self.query_one("#counters", Static).update(
            f"Shift: received {c['received']}  cleared {c['cleared']}  held {c['held']}",
            layout=False,
        )

    def note(self, card: ParcelCard, outcome: str, at: datetime) -> None:
        """The parcel's row, added at `at` (warehouse time) or updated with weight and outcome."""
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
            at.astimezone(WAREHOUSE_TZ).strftime("%H:%M:%S"),
            card.tracking_no,
            card.customer_id or "-",
            weight,
            outcome,
            key=card.tracking_no,
        )
        table.scroll_end(animate=False, immediate=False)
