"""Customer status: suspend (Art. 8), freeze (Art. 18.1(9)) or reactivate, with a note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from jpgb_terminal.screens.context import InContext

if TYPE_CHECKING:
    from jpgb_terminal.workflow.customers import CustomerSummary

STATUS_KEYS = {
    "f2": ("suspended", "suspend (Art. 8)"),
    "f3": ("frozen", "freeze (Art. 18.1(9))"),
    "f4": ("active", "reactivate"),
}


@dataclass(frozen=True)
class StatusChanged:
    """The dialog's result: the customer as it now stands and the parcels newly held."""

    summary: CustomerSummary
    newly_held: tuple[str, ...]

    def text(self) -> str:
        """One line for the screen's banner."""
        s = self.summary
        line = f"customer {s.customer_id} is now {s.status.upper()}"
        if self.newly_held:
            line += f"; {len(self.newly_held)} parcel(s) in storage newly held"
        return line + f"; {s.held} held, {s.in_storage} in storage not held"


class CustomerStatusDialog(InContext, ModalScreen[StatusChanged | None]):
    """Customer id (Enter looks it up), F2/F3/F4 choose the status, note, Enter applies."""

    CSS_PATH = "customer_status.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        *(
            Binding(key, f"choose('{status}')", label)
            for key, (status, label) in STATUS_KEYS.items()
        ),
    ]

    def __init__(self, customer_id: str = "") -> None:
        """Start from `customer_id` (the selected row's customer), or empty."""
        super().__init__()
        self.customer_id = customer_id
        self.summary: CustomerSummary | None = None
        self.status: str | None = None

    def compose(self) -> ComposeResult:
        """Id, the customer as found, the chosen status, the note, an error line."""
        with Vertical(id="customer-box"):
            yield Label("Customer account status", id="customer-title")
            yield Input(value=self.customer_id, placeholder="customer id, Enter looks up", id="cid")
            yield Static("", id="customer-found")
            yield Static(
                "  ".join(f"{key.upper()} {label}" for key, (_s, label) in STATUS_KEYS.items())
                + "  Esc cancel",
                id="customer-keys",
            )
            yield Static("New status: (choose with F2, F3 or F4)", id="customer-choice")
            yield Input(placeholder="note: why (required), Enter applies", id="customer-note")
            yield Static("", id="customer-error")

    def on_mount(self) -> None:
        """Look up the given customer at once, if any."""
        for field in self.query(Input):
            field.cursor_blink = self.ctx.cursor_blink
        self.query_one("#cid", Input).focus()
        if self.customer_id:
            self._lookup(self.customer_id)

    def _error(self, text: str) -> None:
        self.query_one("#customer-error", Static).update(Text(text))

    @on(Input.Submitted, "#cid")
    def _id_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._lookup(event.value.strip())
            self.query_one("#customer-note", Input).focus()

    @work(group="db", exclusive=True)
    async def _lookup(self, customer_id: str) -> None:
        from jpgb_terminal.services.errors import ServiceError
        from jpgb_terminal.workflow.customers import customer_summary

        assert self.ctx.store is not None
        try:
            summary = await self.ctx.run_db(customer_summary, self.ctx.store, customer_id)
        except ServiceError as exc:
            self.summary = None
            self.query_one("#customer-found", Static).update("")
            self._error(str(exc))
            return
        self._show(summary)

    def _show(self, summary: CustomerSummary) -> None:
        self.summary = summary
        self._error("")
        self.query_one("#customer-found", Static).update(
            Text(
                f"{summary.customer_id}  {summary.masked_name}  account {summary.status.upper()}\n"
                f"parcels in storage: {summary.in_storage} not held, {summary.held} held"
            )
        )

    def action_choose(self, status: str) -> None:
        """F2/F3/F4: the status to set."""
        self.status = status
        label = next(lbl for s, lbl in STATUS_KEYS.values() if s == status)
        self.query_one("#customer-choice", Static).update(
            Text(f"New status: {status.upper()} ({label})", style="bold")
        )
        self.query_one("#customer-note", Input).focus()

    @on(Input.Submitted, "#customer-note")
    def _note_entered(self, event: Input.Submitted) -> None:
        cid = self.query_one("#cid", Input).value.strip()
        if not cid:
            self._error("Type the customer id first.")
            self.query_one("#cid", Input).focus()
            return
        if self.status is None:
            self._error("Choose the new status: F2 suspend, F3 freeze, F4 reactivate.")
            return
        if not event.value.strip():
            self._error("A status change needs a note saying why.")
            return
        self._apply(cid, self.status, event.value.strip())

    @work(group="db", exclusive=True)
    async def _apply(self, customer_id: str, status: str, note: str) -> None:
        from jpgb_terminal.services.context import Actor
        from jpgb_terminal.services.errors import ServiceError
        from jpgb_terminal.workflow.customers import change_customer_status

        assert self.ctx.store is not None
        # No role: the service reads the operator's role itself for this check.
        actor = Actor(self.ctx.settings.station_id, self.ctx.operator.name)
        try:
            change = await self.ctx.run_db(
                change_customer_status,
                self.ctx.store,
                actor,
                customer_id,
                status,
                note,
                self.ctx.clock(),
            )
        except ServiceError as exc:
            self._error(f"Not changed: {exc}")
            return
        self.dismiss(StatusChanged(change.summary, change.newly_held))

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
