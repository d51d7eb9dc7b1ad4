"""The manual weight dialog: grams, reason, and a supervisor's name and PIN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

if TYPE_CHECKING:
    from jpgb_terminal.app import JpgbApp
    from jpgb_terminal.workflow.receiving import ParcelCard  # noqa: F401 (the result type, quoted)


class ManualWeightDialog(ModalScreen["ParcelCard | str | None"]):
    """Four fields, Enter moves on, Enter on the PIN records the weight; Esc cancels.

    A wrong PIN keeps the dialog open with what was typed (the attempt is counted); a
    refusal closes it with the reason, a recorded weight with the parcel's new card.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ManualWeightDialog { align: center middle; }
    #manual-box { width: 70; height: auto; border: thick $warning; padding: 1 2; background: $panel; }
    #manual-error { color: $error; height: auto; }
    """
    FIELDS = ("grams", "reason", "supervisor", "pin")

    app: JpgbApp  # type: ignore[assignment]

    def __init__(self, tracking_no: str) -> None:
        """For the parcel `tracking_no`."""
        super().__init__()
        self.tracking_no = tracking_no
        self.busy = False

    def compose(self) -> ComposeResult:
        """The four fields and an error line."""
        with Vertical(id="manual-box"):
            yield Label(f"Manual weight for {self.tracking_no} (supervisor approval)")
            yield Input(placeholder="grams", id="grams", restrict=r"[0-9]*")
            yield Input(placeholder="reason (why the scale cannot be used)", id="reason")
            yield Input(placeholder="supervisor name", id="supervisor")
            yield Input(placeholder="supervisor PIN", id="pin", password=True, restrict=r"[0-9]*")
            yield Static("", id="manual-error", markup=False)

    def on_mount(self) -> None:
        """Start on the grams."""
        self.query_one("#grams", Input).focus()

    def _error(self, text: str, field: str | None = None) -> None:
        self.query_one("#manual-error", Static).update(text)
        if field is not None:
            self.query_one(f"#{field}", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        index = self.FIELDS.index(event.input.id or "grams")
        if index + 1 < len(self.FIELDS):
            self.query_one(f"#{self.FIELDS[index + 1]}", Input).focus()
            return
        if self.busy:
            return
        values = {f: self.query_one(f"#{f}", Input).value.strip() for f in self.FIELDS}
        if not values["grams"].isdigit() or int(values["grams"]) <= 0:
            self._error("grams must be a whole number above 0", "grams")
            return
        if not values["reason"]:
            self._error("a manual weight needs a reason", "reason")
            return
        if not values["supervisor"] or not values["pin"]:
            self._error("a supervisor must approve with name and PIN", "supervisor")
            return
        self.busy = True
        self._error("Checking the PIN...")
        self._record(int(values["grams"]), values["reason"], values["supervisor"], values["pin"])

    @work(group="db", exclusive=True)
    async def _record(self, grams: int, reason: str, supervisor: str, pin: str) -> None:
        from jpgb_terminal.services.errors import AuthError, ServiceError

        flow = self.app.flow
        assert flow is not None
        try:
            card = await self.app.run_db(
                flow.manual_weight, self.tracking_no, grams, reason, supervisor, pin
            )
        except AuthError as exc:
            self.busy = False
            self.query_one("#pin", Input).value = ""
            self.app.bell()
            self._error(f"PIN refused: {exc}. Nothing recorded.", "pin")
            return
        except ServiceError as exc:
            self.dismiss(str(exc))
            return
        self.dismiss(card)

    def action_cancel(self) -> None:
        """Close without recording anything."""
        self.dismiss(None)
