"""Unlocking a locked operator at the bench: their name, then a supervisor's name and PIN."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from jpgb_terminal.screens.pin_dialog import PinDialog


class UnlockDialog(PinDialog[str]):
    """Enter moves on; Enter on the PIN unlocks; Esc cancels.

    A wrong PIN or a refusal keeps the dialog open with the reason (a wrong PIN counts
    towards the supervisor's own lockout); an unlock closes it with a line to show.
    """

    DEFAULT_CSS = """
    UnlockDialog { align: center middle; }
    #unlock-box { width: 64; height: auto; border: thick $warning; padding: 1 2; background: $panel; }
    #unlock-error { color: $error; height: auto; }
    """
    FIELDS: ClassVar[tuple[str, ...]] = ("locked", "supervisor", "pin")
    ERROR_ID: ClassVar[str] = "unlock-error"

    def __init__(self, locked: str = "") -> None:
        """Start with `locked` filled in (the name on the login screen)."""
        super().__init__()
        self.locked = locked

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
        super().on_mount()
        self.query_one("#supervisor" if self.locked else "#locked", Input).focus()

    def submit(self) -> None:
        """Check the fields are filled, then unlock with the supervisor's PIN."""
        for field, missing in (
            ("locked", "Name the operator to unlock."),
            ("supervisor", "A supervisor or lead must approve: their name."),
            ("pin", "A supervisor or lead must approve: their PIN."),
        ):
            if not self.value(field):
                self.error(missing, field)
                return
        self.busy = True
        self.error("Checking the PIN...")
        self._unlock(self.value("locked"), self.value("supervisor"), self.value("pin"))

    @work(group="db", exclusive=True)
    async def _unlock(self, locked: str, supervisor: str, pin: str) -> None:
        from jpgb_terminal.services.errors import AuthError, ServiceError
        from jpgb_terminal.workflow.auth import Credentials
        from jpgb_terminal.workflow.operators import unlock_user

        store = self.ctx.store
        assert store is not None
        try:
            await self.ctx.run_db(
                unlock_user,
                store,
                Credentials(self.ctx.settings.station_id, supervisor, pin),
                locked,
                at=self.ctx.clock(),
            )
        except AuthError as exc:
            self.pin_refused(exc, "Nothing changed")
            return
        except ServiceError as exc:
            self.busy = False
            self.app.bell()
            self.error(f"{exc}. Nothing changed.")
            return
        self.dismiss(f"{locked} unlocked by {supervisor}: log in again.")
