"""The decision dialog: note, references or sale amounts, and the decider's PIN again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from jpgb_terminal.screens.pin_dialog import PinDialog

if TYPE_CHECKING:
    from jpgb_terminal.services.decisions import DecisionResult

ACTION_TEXT = {
    "release": "Release: resolved within custody, back to the normal flow (Art. 15.3)",
    "return": "Return: service refused, the goods go back to the sender (Art. 14)",
    "dispose": "Dispose: prohibited at once (Art. 15.1), after the deadline (Art. 15.4), "
    "or before it with the customer's consent",
    "sell": "Sell: after the custody deadline; proceeds pay the fees (Art. 15.4-15.7)",
    "report": "Report: freeze and hand over to the police (Art. 13.2, 18.1(9))",
}
FEES = ("proceeds", "custody_fee", "disposal_fee", "service_fee")
# The rule's field (rules.decisions.FORM_FIELDS) -> the input it is typed in, and a hint.
FORM_FIELD_INPUTS = {
    "sale": ("proceeds", ""),
    "note": ("note", ""),
    "report_reference": ("report-ref", ""),
    "proceeds": ("proceeds", " (yen)"),
}


@dataclass(frozen=True)
class DecisionOutcome:
    """What became of the decision: the result, or the article and message that refused it."""

    tracking_no: str
    action: str
    result: DecisionResult | None = None
    refused_article: str | None = None
    message: str = ""


class DecisionDialog(PinDialog[DecisionOutcome]):
    """Enter moves from field to field; Enter on the PIN decides; Esc cancels.

    A wrong PIN keeps the dialog open (the attempt is counted); a refusal or a decision
    closes it and the screen below says what happened.
    """

    CSS_PATH = "decision_dialog.tcss"
    ERROR_ID: ClassVar[str] = "decision-error"

    def __init__(self, tracking_no: str, action: str, operator: str) -> None:
        """For `action` on the parcel `tracking_no`, decided by the logged-in `operator`."""
        super().__init__()
        self.tracking_no = tracking_no
        self.action = action
        self.operator = operator

    @property
    def fields(self) -> tuple[str, ...]:
        """The ids of this action's fields, in the order Enter walks them."""
        extra: tuple[str, ...] = ()
        if self.action == "dispose":
            extra = ("consent",)
        elif self.action == "report":
            extra = ("report-ref",)
        elif self.action == "sell":
            extra = FEES
        return ("note", *extra, "pin")

    def compose(self) -> ComposeResult:
        """Title, the action's fields, the PIN and an error line."""
        with Vertical(id="decision-box", classes=self.action):
            yield Label(
                f"{self.action.upper()} {self.tracking_no}", id="decision-title", markup=False
            )
            yield Static(
                ACTION_TEXT[self.action]
                + "\nEnter moves on; Enter on the PIN decides; Esc cancels.",
                id="decision-help",
                markup=False,
            )
            yield from self._row("Note", Input(placeholder="why (required)", id="note"))
            if self.action == "dispose":
                yield from self._row(
                    "Consent ref",
                    Input(
                        placeholder="customer's consent (needed before the deadline)", id="consent"
                    ),
                )
            if self.action == "report":
                yield from self._row(
                    "Police ref",
                    Input(placeholder="police report reference (required)", id="report-ref"),
                )
            if self.action == "sell":
                for name in FEES:
                    yield from self._row(
                        name.replace("_", " ").capitalize(),
                        Input(
                            placeholder="yen"
                            + (" (required)" if name == "proceeds" else ", 0 if none"),
                            id=name,
                            restrict=r"[0-9]*",
                        ),
                    )
            yield from self._row(
                "PIN",
                Input(
                    placeholder=f"PIN of {self.operator} (the decider)",
                    id="pin",
                    password=True,
                    restrict=r"[0-9]*",
                ),
            )
            yield Static("", id="decision-error", markup=False)

    @staticmethod
    def _row(label: str, field: Input) -> ComposeResult:
        """A field with its label on the left, so filled fields still say what they hold."""
        with Horizontal(classes="decision-row"):
            yield Label(label, classes="decision-label")
            yield field

    def on_mount(self) -> None:
        """Start on the note."""
        super().on_mount()
        self.query_one("#note", Input).focus()

    def submit(self) -> None:
        """Check what the action needs, then decide with the PIN."""
        from jpgb_terminal.rules.decisions import form_problem, parse_action

        proceeds = self.value("proceeds") if self.action == "sell" else ""
        missing = form_problem(
            parse_action(self.action),
            note=self.value("note"),
            report_reference=self.value("report-ref") if self.action == "report" else None,
            proceeds=int(proceeds) if proceeds else None,
        )
        if missing is not None:
            field, hint = FORM_FIELD_INPUTS[missing.field]
            self.error(f"{missing.message[0].upper()}{missing.message[1:]}{hint}.", field)
            return
        if not self.value("pin"):
            self.error(f"{self.operator} must type their PIN to decide.", "pin")
            return
        self.busy = True
        self.error("Checking the PIN...")
        self._decide()

    @work(group="db", exclusive=True)
    async def _decide(self) -> None:
        from jpgb_terminal.rules.states import IllegalTransition
        from jpgb_terminal.services.decisions import DecisionRefused, SaleAmounts
        from jpgb_terminal.services.errors import AuthError, ServiceError
        from jpgb_terminal.workflow.auth import Credentials
        from jpgb_terminal.workflow.decisions import decide_held_parcel

        store = self.ctx.store
        assert store is not None
        sale = None
        if self.action == "sell":
            amounts = [int(self.value(name) or "0") for name in FEES]
            sale = SaleAmounts(*amounts)
        try:
            result = await self.ctx.run_db(
                decide_held_parcel,
                store,
                Credentials(self.ctx.settings.station_id, self.operator, self.value("pin")),
                self.tracking_no,
                self.action,
                self.value("note"),
                consent_reference=self.value("consent") if self.action == "dispose" else None,
                report_reference=self.value("report-ref") if self.action == "report" else None,
                sale=sale,
                at=self.ctx.clock(),
            )
        except AuthError as exc:
            self.pin_refused(exc)
            return
        except DecisionRefused as exc:
            self.dismiss(
                DecisionOutcome(
                    self.tracking_no, self.action, refused_article=exc.article, message=str(exc)
                )
            )
            return
        except (ServiceError, IllegalTransition) as exc:  # a refusal without an article
            self.dismiss(
                DecisionOutcome(self.tracking_no, self.action, refused_article="", message=str(exc))
            )
            return
        self.dismiss(DecisionOutcome(self.tracking_no, self.action, result=result))


def outcome_text(outcome: DecisionOutcome) -> tuple[str, str]:
    """The banner line and its level (ok or error) for a decision's outcome."""
    result = outcome.result
    if result is None:
        message, article = outcome.message, outcome.refused_article
        if article and not message.startswith(article):
            message = f"{article}: {message}"
        return (
            f"REFUSED {outcome.action} {outcome.tracking_no}: {message}. Nothing recorded.",
            "error",
        )
    text = (
        f"{result.tracking_no}: {result.action} by {result.operator} ({result.article}); "
        f"now {result.to_state}; closed {len(result.closed_hold_ids)} hold(s)"
    )
    if result.sale is not None:
        due = result.sale.remittance_due
        text += f"; balance {result.sale.balance:,} {result.sale.currency}"
        text += f", remit by {due.isoformat()}" if due else ", nothing to remit"
    return text, "ok"
