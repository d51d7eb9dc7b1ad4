"""The hold dialog: one of the Art. 14 reasons and a note."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from jpgb_terminal.refdata import hold_reasons


class HoldDialog(ModalScreen[tuple[str, str] | None]):
    """Pick a reason (arrow keys, Enter), type a note, Enter holds; Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    HoldDialog { align: center middle; }
    #hold-box { width: 80; height: auto; border: thick $error; padding: 1 2; background: $panel; }
    #hold-reasons { height: 14; }
    #hold-error { color: $error; height: auto; }
    """

    def __init__(self, tracking_no: str) -> None:
        """For the parcel `tracking_no`."""
        super().__init__()
        self.tracking_no = tracking_no
        self.reason: str | None = None

    def compose(self) -> ComposeResult:
        """Reasons, then the note."""
        with Vertical(id="hold-box"):
            yield Label(f"Hold {self.tracking_no}: choose the reason (Art. 14)")
            yield OptionList(
                *(Option(f"{r.article:<12} {r.label}", id=r.code) for r in hold_reasons().values()),
                id="hold-reasons",
            )
            yield Label("Note (Enter to hold)")
            yield Input(placeholder="what was found, who was told", id="hold-note")
            yield Static("", id="hold-error", markup=False)

    def on_mount(self) -> None:
        """Start on the reasons."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _reason_chosen(self, event: OptionList.OptionSelected) -> None:
        self.reason = event.option.id
        self.query_one("#hold-note", Input).focus()

    @on(Input.Submitted, "#hold-note")
    def _note_entered(self, event: Input.Submitted) -> None:
        if self.reason is None:
            self.query_one("#hold-error", Static).update(
                "Choose the reason first: arrow keys, then Enter."
            )
            self.query_one(OptionList).focus()
            return
        self.dismiss((self.reason, event.value.strip()))

    def action_cancel(self) -> None:
        """Close without holding."""
        self.dismiss(None)
