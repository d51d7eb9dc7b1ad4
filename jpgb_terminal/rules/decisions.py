"""Which supervisor decision the terms allow on a held parcel, and the article that says so.

A decision closes every open hold of a parcel at once. The checks run in a fixed order
(action, role, note, state, action-specific rules) so the first refusal a person sees is the
most basic one. Each verdict names the article behind it, whether it allows or refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jpgb_terminal.refdata import hold_reasons
from jpgb_terminal.rules.holds import days_left, is_overdue
from jpgb_terminal.rules.states import ParcelState

DECIDER_ROLES = ("supervisor", "lead")
NOTE_MAX = 2000
REFERENCE_MAX = 100
CONSENT_MAX = 200


class Action(StrEnum):
    """A supervisor's decision on a held parcel."""

    RELEASE = "release"  # Art. 15.3: resolved in time, back to the normal flow
    RETURN = "return"  # Art. 14: service refused, goods go back to the sender
    DISPOSE = "dispose"  # Art. 15.1 (prohibited, at once) or 15.4 (after custody)
    SELL = "sell"  # Art. 15.4-15.7: after custody, proceeds pay the fees
    REPORT = "report"  # Art. 13.2, 18.1(9): frozen and reported to the police


TARGET_STATE: dict[Action, ParcelState] = {
    Action.RELEASE: ParcelState.RELEASED,
    Action.RETURN: ParcelState.RETURNED,
    Action.DISPOSE: ParcelState.DISPOSED,
    Action.SELL: ParcelState.SOLD,
    Action.REPORT: ParcelState.REPORTED,
}

ROLE_RULE = "role"
UNKNOWN_ACTION_RULE = "action"


@dataclass(frozen=True)
class DecisionRequest:
    """Everything the rules look at: who asks, what for, and the parcel's holds."""

    action: str
    role: str | None
    state: str
    reasons: tuple[str, ...]
    deadline: date | None
    today: date
    note: str | None
    consent_reference: str | None = None
    report_reference: str | None = None


@dataclass(frozen=True)
class Verdict:
    """Allowed or refused; `article` is the rule behind it ("role" for a role refusal)."""

    allowed: bool
    article: str
    message: str


def _refuse(article: str, message: str) -> Verdict:
    return Verdict(False, article, f"{article}: {message}")


def _allow(article: str, message: str) -> Verdict:
    return Verdict(True, article, message)


def is_prohibited(reasons: tuple[str, ...] | list[str] | set[str]) -> bool:
    """Whether any reason is an Art. 10 item, which Art. 15.1 lets go at once."""
    table = hold_reasons()
    return any(table[r].immediate_disposal for r in reasons if r in table)


def parse_action(text: str) -> Action:
    """The action named by `text`; ValueError lists the known ones."""
    try:
        return Action(text.strip().lower())
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise ValueError(f"unknown decision {text!r} (one of {known})") from None


@dataclass(frozen=True)
class MissingField:
    """What a decision's form lacks (or has too much of), before any PIN is asked.

    `field` is one of `FORM_FIELDS`; each face says in its own words where to type it.
    """

    field: str
    message: str


FORM_FIELDS = ("sale", "note", "report_reference", "proceeds")


def form_problem(
    action: Action,
    *,
    note: str | None,
    report_reference: str | None = None,
    proceeds: int | None = None,
    fees_given: bool = False,
) -> MissingField | None:
    """The first field a decision of `action` still needs, or None when the form is complete.

    The one check of what a decision must carry; `judge` rules on the rest with the parcel.
    """
    if action != Action.SELL and (proceeds is not None or fees_given):
        return MissingField("sale", "sale amounts only go with sell")
    if not (note or "").strip():
        return MissingField("note", "a decision needs a note saying why")
    if action == Action.REPORT and not (report_reference or "").strip():
        return MissingField("report_reference", "a report needs the police report reference")
    if action == Action.SELL and proceeds is None:
        return MissingField("proceeds", "a sale records its proceeds")
    return None


def report_article(reasons: tuple[str, ...]) -> str:
    """Art. 18.1(9) when the customer's account was frozen for card fraud, else Art. 13.2."""
    return "Art. 18.1(9)" if "terms_violation" in reasons else "Art. 13.2"


def _deadline_text(deadline: date, today: date) -> str:
    left = days_left(deadline, today)
    return f"the custody deadline {deadline.isoformat()} ({left} days left)"


def judge(req: DecisionRequest) -> Verdict:
    """Allow or refuse a decision; a refusal's message starts with the article that forbids it."""
    try:
        action = parse_action(req.action)
    except ValueError as exc:
        return Verdict(False, UNKNOWN_ACTION_RULE, str(exc))
    if req.role not in DECIDER_ROLES:
        who = req.role or "unknown"
        return _refuse(
            ROLE_RULE, f"only a supervisor or lead may decide on a held parcel (role: {who})"
        )
    if req.note is None or not req.note.strip():
        return _refuse("Art. 15", f"a {action.value} decision needs a note saying why")
    if len(req.note) > NOTE_MAX:
        return _refuse("Art. 15", f"the note is over {NOTE_MAX} characters")
    if req.state != ParcelState.HELD or not req.reasons:
        return _refuse(
            "Art. 15",
            f"only a held parcel can be decided; this parcel is {req.state}"
            + ("" if req.state != ParcelState.HELD else " with no open hold"),
        )
    unknown = [r for r in req.reasons if r not in hold_reasons()]
    if unknown:
        return _refuse("Art. 14", f"unknown hold reasons {', '.join(unknown)}")
    if req.consent_reference is not None and action != Action.DISPOSE:
        return _refuse("Art. 15", "a customer consent reference only goes with dispose")
    if req.report_reference is not None and action != Action.REPORT:
        return _refuse("Art. 13.2", "a police report reference only goes with report")
    if len(req.consent_reference or "") > CONSENT_MAX:
        return _refuse("Art. 15.2", f"the consent reference is over {CONSENT_MAX} characters")
    if len(req.report_reference or "") > REFERENCE_MAX:
        return _refuse("Art. 13.2", f"the report reference is over {REFERENCE_MAX} characters")

    prohibited = is_prohibited(req.reasons)
    overdue = req.deadline is not None and is_overdue(req.deadline, req.today)
    if action == Action.RELEASE:
        if prohibited:
            return _refuse(
                "Art. 14(1)",
                "a prohibited item (Art. 10) cannot be sent on; return, dispose or report it",
            )
        if overdue:
            assert req.deadline is not None
            return _refuse(
                "Art. 15.3",
                f"release only within the custody period; {_deadline_text(req.deadline, req.today)}"
                " has passed, so the goods fall under Art. 15.4 (sell or dispose)",
            )
        return _allow("Art. 15.3", "resolved within the custody period: back to the normal flow")
    if action == Action.RETURN:
        return _allow("Art. 14", "service refused: the goods go back to the sender")
    if action == Action.DISPOSE:
        if prohibited:
            return _allow("Art. 15.1", "a prohibited item (Art. 10) may be disposed of at once")
        if overdue:
            return _allow("Art. 15.4", "not resolved within the custody period")
        consent = (req.consent_reference or "").strip()
        if consent:
            return _allow("Art. 15.2", f"disposed of before the deadline with consent {consent}")
        if req.deadline is None:
            return _refuse("Art. 15.2", "no custody deadline is recorded for this parcel")
        return _refuse(
            "Art. 15.2",
            f"goods are kept until {_deadline_text(req.deadline, req.today)}; dispose of them "
            "before then only with the customer's recorded consent (--consent)",
        )
    if action == Action.SELL:
        if prohibited:
            return _refuse(
                "Art. 15.1",
                "a prohibited item (Art. 10) is disposed of or handed over, never sold",
            )
        if req.deadline is None:
            return _refuse("Art. 15.4", "no custody deadline is recorded for this parcel")
        if not overdue:
            return _refuse(
                "Art. 15.4",
                f"sale only after {_deadline_text(req.deadline, req.today)}",
            )
        return _allow("Art. 15.4", "not resolved within the custody period: sold")
    # Action.REPORT
    article = report_article(req.reasons)
    reference = (req.report_reference or "").strip()
    if not reference:
        return _refuse(article, "a report needs the police report reference (--report-ref)")
    return _allow(article, f"frozen and reported to the police (reference {reference})")
