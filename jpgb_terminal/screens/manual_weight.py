"""The manual weight dialog: grams, reason, and a supervisor's name and PIN."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from jpgb_terminal.screens.pin_dialog import PinDialog

if TYPE_CHECKING:
    from jpgb_terminal.workflow.receiving import ParcelCard  # noqa: F401 (the result type, quoted)


class ManualWeightDialog(PinDialog["ParcelCard | str"]):
    """Four fields, Enter moves on, Enter on the PIN records the weight; Esc cancels.

    A wrong PIN keeps the dialog open with what was typed (the attempt is counted); a
    refusal closes it with the reason, a recorded weight with the parcel's new card.
    """

    DEFAULT_CSS = """
    ManualWeightDialog { align: center middle; }
    #manual-box { width: 70; height: auto; border: thick $warning; padding: 1 2; background: $panel; }
    #manual-error { color: $error; height: auto; }
    """
    FIELDS: ClassVar[tuple[str, ...]] = ("grams", "reason", "supervisor", "pin")
    ERROR_ID: ClassVar[str] = "manual-error"

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
            yield Static("", id="manual-error", markup=False)

    def on_mount(self) -> None:
        """Start on the grams."""
        super().on_mount()
        self.query_one("#grams", Input).focus()

    def submit(self) -> None:
        """Check the four fields, then record the weight with the supervisor's approval."""
        grams = self.value("grams")
        if not grams.isdigit() or int(grams) <= 0:
            self.error("grams must be a whole number above 0", "grams")
            return
        if not self.value("reason"):
            self.error("a manual weight needs a reason", "reason")
            return
        if not self.value("supervisor") or not self.value("pin"):
            self.error("a supervisor must approve with name and PIN", "supervisor")
            return
        self.busy = True
        self.error("Checking the PIN...")
        self._record(int(grams), self.value("reason"), self.value("supervisor"), self.value("pin"))

    @work(group="db", exclusive=True)
    async def _record(self, grams: int, reason: str, supervisor: str, pin: str) -> None:
        from jpgb_terminal.services.errors import AuthError, ServiceError

        flow = self.ctx.flow
        assert flow is not None
        try:
            card = await self.ctx.run_db(
                flow.manual_weight, self.tracking_no, grams, reason, supervisor, pin
            )
        except AuthError as exc:
            self.pin_refused(exc)
            return
        except ServiceError as exc:
            self.dismiss(str(exc))
            return
        self.dismiss(card)
