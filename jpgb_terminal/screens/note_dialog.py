"""A one-line note for the inspection."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class NoteDialog(ModalScreen[str | None]):
    """Type the note, Enter keeps it, Esc leaves it as it was."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    NoteDialog { align: center middle; }
    #note-box { width: 70; height: auto; border: thick $accent; padding: 1 2; background: $panel; }
    """

    def __init__(self, note: str) -> None:
        """Start from the current note."""
        super().__init__()
        self.note = note

    def compose(self) -> ComposeResult:
        """One field."""
        with Vertical(id="note-box"):
            yield Label("Inspection note (Enter to keep)")
            yield Input(value=self.note, id="note")

    @on(Input.Submitted)
    def _keep(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Keep the old note."""
        self.dismiss(None)
