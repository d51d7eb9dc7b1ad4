"""The manual weight dialog: grams, reason, and a supervisor's name and PIN."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


@dataclass(frozen=True)
class ManualWeight:
    """What the dialog collected."""

    grams: int
    reason: str
    supervisor: str
    pin: str


class ManualWeightDialog(ModalScreen[ManualWeight | None]):
    """Four fields, Enter moves on, Enter on the PIN approves; Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ManualWeightDialog { align: center middle; }
    #manual-box { width: 70; height: auto; border: thick $warning; padding: 1 2; background: $panel; }
    #manual-error { color: $error; height: auto; }
    """
    FIELDS = ("grams", "reason", "supervisor", "pin")

    def __init__(self, tracking_no: str) -> None:
        """For the parcel `tracking_no`."""
        super().__init__()
        self.tracking_no = tracking_no

    def compose(self) -> ComposeResult:
        """The four fields and an error line."""
        with Vertical(id="manual-box"):
            yield Label(f"Manual weight for {self.tracking_no} (supervisor approval)")
            yield Input(placeholder="grams", id="grams", restrict=r"[0-9]*")
            yield Input(placeholder="reason (why the scale cannot be used)", id="reason")
            yield Input(placeholder="supervisor name", id="supervisor")
            yield Input(placeholder="supervisor PIN", id="pin", password=True, restrict=r"[0-9]*")
            yield Static("", id="manual-error")

    def on_mount(self) -> None:
        """Start on the grams."""
        self.query_one("#grams", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        index = self.FIELDS.index(event.input.id or "grams")
        if index + 1 < len(self.FIELDS):
            self.query_one(f"#{self.FIELDS[index + 1]}", Input).focus()
            return
        values = {f: self.query_one(f"#{f}", Input).value.strip() for f in self.FIELDS}
        error = self.query_one("#manual-error", Static)
        if not values["grams"].isdigit() or int(values["grams"]) <= 0:
            error.update("grams must be a whole number above 0")
            self.query_one("#grams", Input).focus()
            return
        if not values["reason"]:
            error.update("a manual weight needs a reason")
            self.query_one("#reason", Input).focus()
            return
        if not values["supervisor"] or not values["pin"]:
            error.update("a supervisor must approve with name and PIN")
            self.query_one("#supervisor", Input).focus()
            return
        self.dismiss(
            ManualWeight(
                int(values["grams"]), values["reason"], values["supervisor"], values["pin"]
            )
        )

    def action_cancel(self) -> None:
        """Close without recording anything."""
        self.dismiss(None)
