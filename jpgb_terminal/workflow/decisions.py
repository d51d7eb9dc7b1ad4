"""A supervisor's decision on a held parcel: asked before the dialog opens, then decided with
the decider's PIN checked again. The terminal's dialog and `jpgb holds decide` both call here."""

from __future__ import annotations

from datetime import datetime

from jpgb_terminal.rules.decisions import MissingField, form_problem, parse_action
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import (
    DecisionRefused,
    DecisionResult,
    SaleAmounts,
    decide,
    refusal_up_front,
)
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.auth import Who, act_with_pin


class IncompleteDecision(ServiceError):
    """The decision's form lacks a field (or has one too many); no PIN was checked."""

    def __init__(self, missing: MissingField) -> None:
        """The field and the rule's words for it."""
        super().__init__(missing.message)
        self.missing = missing


def refused_up_front(
    store: Store,
    station_id: str,
    operator: str,
    tracking_no: str,
    action: str,
    at: datetime | None = None,
) -> DecisionRefused | None:
    """Why the operator's `action` on the parcel would be refused whatever they type in the
    decision dialog (its state, its holds, their role), or None: asked before it opens."""
    with store.transaction() as session:
        return refusal_up_front(session, Actor(station_id, operator), tracking_no, action, at=at)


def decide_held_parcel(
    store: Store,
    who: Who,
    tracking_no: str,
    action: str,
    note: str,
    *,
    consent_reference: str | None = None,
    report_reference: str | None = None,
    sale: SaleAmounts | None = None,
    at: datetime | None = None,
) -> DecisionResult:
    """Check the form, then the decider's PIN, then decide in one transaction; a wrong PIN is
    counted and decides nothing. DecisionRefused names the article that refuses."""
    try:
        act = parse_action(action)
    except ValueError as exc:
        raise DecisionRefused("action", str(exc)) from None
    missing = form_problem(
        act,
        note=note,
        report_reference=report_reference,
        proceeds=sale.proceeds if sale is not None else None,
        fees_given=sale is not None
        and bool(sale.custody_fee or sale.disposal_fee or sale.service_fee),
    )
    if missing is not None:
        raise IncompleteDecision(missing)
    return act_with_pin(
        store,
        who,
        lambda session, actor: decide(
            session,
            actor,
            tracking_no,
            act.value,
            note,
            consent_reference=consent_reference or None,
            report_reference=report_reference or None,
            sale=sale,
            at=at,
        ),
        at=at,
    )
