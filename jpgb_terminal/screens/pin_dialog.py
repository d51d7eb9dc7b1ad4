"""What every dialog that ends in someone's PIN shares: Enter walks the fields, Enter on the
last one submits, a wrong PIN keeps the dialog and what was typed, Esc cancels."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from jpgb_terminal.screens.context import InContext

ResultT = TypeVar("ResultT")


class PinDialog(InContext, ModalScreen[ResultT]):
    """A form of Input fields (ids in `fields`, the PIN last) and a Static error line."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    FIELDS: ClassVar[tuple[str, ...]] = ()
    ERROR_ID: ClassVar[str] = "dialog-error"

    def __init__(self) -> None:
        """Nothing submitted yet."""
        super().__init__()
        self.busy = False

    @property
    def fields(self) -> tuple[str, ...]:
        """The ids of the fields, in the order Enter walks them."""
        return self.FIELDS

    def on_mount(self) -> None:
        """Cursors blink as the app says (never in snapshots)."""
        for field in self.query(Input):
            field.cursor_blink = self.ctx.cursor_blink

    def value(self, field: str) -> str:
        """What a field holds, without surrounding spaces."""
        return self.query_one(f"#{field}", Input).value.strip()

    def error(self, text: str, field: str | None = None) -> None:
        """Say what is wrong (or what is happening), and go to `field` to mend it."""
        self.query_one(f"#{self.ERROR_ID}", Static).update(text)
        if field is not None:
            self.query_one(f"#{field}", Input).focus()

    @on(Input.Submitted)
    def _walk(self, event: Input.Submitted) -> None:
        fields = self.fields
        index = fields.index(event.input.id or fields[0])
        if index + 1 < len(fields):
            self.query_one(f"#{fields[index + 1]}", Input).focus()
            return
        if not self.busy:
            self.submit()

    def submit(self) -> None:
        """Enter on the last field: check what was typed, then set `busy` and do the work."""
        raise NotImplementedError

    def pin_refused(self, exc: Exception, what: str = "Nothing recorded") -> None:
        """The PIN was wrong: the attempt counted, the dialog stays with the rest typed."""
        self.busy = False
        self.query_one("#pin", Input).value = ""
        self.app.bell()
        self.error(f"PIN refused: {exc}. {what}.", "pin")

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)
