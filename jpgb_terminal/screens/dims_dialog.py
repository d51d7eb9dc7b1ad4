"""The box dimensions dialog: L W H in whole centimetres."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from jpgb_terminal.workflow.packing import parse_dims

Dims = tuple[int, int, int]


class DimsDialog(ModalScreen[Dims | None]):
    """One field, `L W H`; Enter accepts, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    DimsDialog { align: center middle; }
    #dims-box { width: 60; height: auto; border: thick $accent; padding: 1 2; background: $panel; }
    #dims-error { color: $error; height: auto; }
    """

    def __init__(self, request_id: str, current: Dims | None = None) -> None:
        """For the box of `request_id`, pre-filled with `current`."""
        super().__init__()
        self.request_id = request_id
        self.current = current

    def compose(self) -> ComposeResult:
        """The field and an error line."""
        with Vertical(id="dims-box"):
            yield Label(f"Box of {self.request_id}: length width height in cm")
            value = " ".join(map(str, self.current)) if self.current else ""
            yield Input(value=value, placeholder="L W H, e.g. 40 30 20", id="dims")
            yield Static("", id="dims-error")

    def on_mount(self) -> None:
        """Start typing at once."""
        self.query_one("#dims", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            dims = parse_dims(event.value)
        except ValueError as exc:
            self.query_one("#dims-error", Static).update(str(exc))
            return
        self.dismiss(dims)

    def action_cancel(self) -> None:
        """Esc: keep what was there."""
        self.dismiss(None)
