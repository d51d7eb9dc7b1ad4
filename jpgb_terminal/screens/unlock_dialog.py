"""Unlocking a locked operator at the bench: their name, then a supervisor's name and PIN."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

if TYPE_CHECKING:
    from jpgb_terminal.app import JpgbApp


class UnlockDialog(ModalScreen[str | None]):
    """Enter moves on; Enter on the PIN unlocks; Esc cancels.

    A wrong PIN or a refusal keeps the dialog open with the reason (a wrong PIN counts
    towards the supervisor's own lockout); an unlock closes it with a line to show.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    UnlockDialog { align: center middle; }
    #unlock-box { width: 64; height: auto; border: thick $warning; padding: 1 2; background: $panel; }
    #unlock-error { color: $error; height: auto; }
    """
    FIELDS = ("locked", "supervisor", "pin")

    app: JpgbApp  # type: ignore[assignment]

    def __init__(self, locked: str = "") -> None:
        """Start with `locked` filled in (the name on the login screen)."""
        super().__init__()
        self.locked = locked
        self.busy = False

    def compose(self) -> ComposeResult:
        """Three fields and an error line."""
        with Vertical(id="unlock-box"):
            yield Label("Unlock an operator (a supervisor or lead approves)")
            yield Input(value=self.locked, placeholder="operator to unlock", id="locked")
            yield Input(placeholder="supervisor or lead name", id="supervisor")
            yield Input(placeholder="their PIN", id="pin", password=True, restrict=r"[0-9]*")
            yield Static("", id="unlock-error", markup=False)

    def on_mount(self) -> None:
        """Start where something is missing."""
        for field in self.query(Input):
            field.cursor_blink = self.app.cursor_blink
        self.query_one("#supervisor" if self.locked else "#locked", Input).focus()

    def _error(self, text: str, field: str | None = None) -> None:
        self.query_one("#unlock-error", Static).update(text)
        if field is not None:
            self.query_one(f"#{field}", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        index = self.FIELDS.index(event.input.id or "locked")
        if index + 1 < len(self.FIELDS):
            self.query_one(f"#{self.FIELDS[index + 1]}", Input).focus()
            return
        if self.busy:
            return
        values = {f: self.query_one(f"#{f}", Input).value.strip() for f in self.FIELDS}
        for field, missing in (
            ("locked", "Name the operator to unlock."),
            ("supervisor", "A supervisor or lead must approve: their name."),
            ("pin", "A supervisor or lead must approve: their PIN."),
        ):
            if not values[field]:
                self._error(missing, field)
                return
        self.busy = True
        self._error("Checking the PIN...")
        self._unlock(values["locked"], values["supervisor"], values["pin"])

    @work(group="db", exclusive=True)
    async def _unlock(self, locked: str, supervisor: str, pin: str) -> None:
        from jpgb_terminal.services.errors import AuthError, ServiceError
        from jpgb_terminal.workflow.review import unlock_with_pin

        store = self.app.store
        assert store is not None
        try:
            await self.app.run_db(
                unlock_with_pin,
                store,
                self.app.settings.station_id,
                supervisor,
                pin,
                locked,
                at=self.app.clock(),
            )
        except AuthError as exc:
            self.busy = False
            self.query_one("#pin", Input).value = ""
            self.app.bell()
            self._error(f"PIN refused: {exc}. Nothing changed.", "pin")
            return
        except ServiceError as exc:
            self.busy = False
            self.app.bell()
            self._error(f"{exc}. Nothing changed.")
            return
        self.dismiss(f"{locked} unlocked by {supervisor}: log in again.")

    def action_cancel(self) -> None:
        """Close without unlocking."""
        self.dismiss(None)
