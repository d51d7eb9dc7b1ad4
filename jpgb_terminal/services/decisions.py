"""Supervisor decisions on held parcels: one transaction closes the holds, moves the state,
writes the decision (and a sale's ledger) and one `parcel.decided` event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from jpgb_terminal.clock import local_date, now
from jpgb_terminal.events import ParcelDecided
from jpgb_terminal.events import Sale as SaleEvent
from jpgb_terminal.ids import new_id
from jpgb_terminal.rules.decisions import (
    TARGET_STATE,
    Action,
    DecisionRequest,
    Verdict,
    judge,
    parse_action,
)
from jpgb_terminal.rules.ledger import LedgerError, SaleLedger, settle_sale
from jpgb_terminal.rules.permissions import ROLE_REFUSAL, allowed, refusal
from jpgb_terminal.rules.states import ParcelState, check_transition
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotAllowed, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.records import ParcelRecord
from jpgb_terminal.services.weighing import get_parcel
from jpgb_terminal.store.handles import DECISION, HOLD, PARCEL, SALE
from jpgb_terminal.store.ledger import Decision, Sale
from jpgb_terminal.store.tables import Operator

_OPEN_HOLDS = (
    select(HOLD.c.id, HOLD.c.reason, HOLD.c.deadline)
    .where(HOLD.c.tracking_no == bindparam("t"), HOLD.c.closed_at.is_(None))
    .order_by(HOLD.c.opened_at, HOLD.c.id)
)


class DecisionRefused(NotAllowed):
    """The rules forbid this decision; `article` names the rule ("role" for a role refusal)."""

    def __init__(self, article: str, message: str) -> None:
        super().__init__(message)
        self.article = article


@dataclass(frozen=True)
class SaleAmounts:
    """What a sale brought in and the fees to deduct from it, in whole yen."""

    proceeds: int
    custody_fee: int = 0
    disposal_fee: int = 0
    service_fee: int = 0


@dataclass(frozen=True)
class DecisionResult:
    """What a decision did: its id, the article it rests on, the holds it closed, the sale."""

    decision_id: str
    tracking_no: str
    action: str
    article: str
    from_state: str
    to_state: str
    closed_hold_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    deadline: date | None
    decided_at: datetime
    operator: str
    event_id: str
    report_reference: str | None = None
    consent_reference: str | None = None
    sale: SaleLedger | None = None


def decider_role(session: Session, operator: str | None) -> str | None:
    """The role of an active operator, or None when there is no such operator."""
    if not operator:
        return None
    row = session.get(Operator, operator)
    return row.role if row is not None and row.active else None


def refusal_up_front(
    session: Session, actor: Actor, tracking_no: str, action: str, *, at: datetime | None = None
) -> DecisionRefused | None:
    """Why `action` would be refused whatever note and references are typed, or None.

    For asking before the decision dialog opens: the check runs with a note and every
    reference filled in, so only what the person cannot fix in the dialog refuses here.
    """
    today = local_date(at or now())
    # The reference the action takes, filled in; the other one is not offered by the dialog.
    consent = "-" if action == Action.DISPOSE.value else None
    report = "-" if action == Action.REPORT.value else None
    try:
        _judged(session, actor, tracking_no, action, today, "-", consent, report)
    except DecisionRefused as refused:
        return refused
    return None


def _judged(
    session: Session,
    actor: Actor,
    tracking_no: str,
    action: str,
    today: date,
    note: str | None,
    consent_reference: str | None,
    report_reference: str | None,
) -> tuple[Action, str | None, ParcelRecord, list[Any], Verdict]:
    """The permission table, then the rules of the terms: raises DecisionRefused, or returns
    the action, the decider's role, the parcel, its open holds and the verdict."""
    try:
        act = parse_action(action)
    except ValueError as exc:
        raise DecisionRefused("action", str(exc)) from None
    role = decider_role(session, actor.operator)
    # The permission table decides who may take each action, before any other rule is read.
    if not allowed(role, act.value):
        raise DecisionRefused(ROLE_REFUSAL, f"{ROLE_REFUSAL}: {refusal(role, act.value)}")
    parcel = get_parcel(session, tracking_no)
    holds = list(session.connection().execute(_OPEN_HOLDS, {"t": parcel.tracking_no}).all())
    verdict = judge(
        DecisionRequest(
            action=act.value,
            role=role,
            state=parcel.state,
            reasons=tuple(dict.fromkeys(h.reason for h in holds)),
            deadline=max((h.deadline for h in holds), default=None),
            today=today,
            note=note,
            consent_reference=_clean(consent_reference),
            report_reference=_clean(report_reference),
        )
    )
    if not verdict.allowed:
        raise DecisionRefused(verdict.article, verdict.message)
    return act, role, parcel, holds, verdict


def decide(
    session: Session,
    actor: Actor,
    tracking_no: str,
    action: str,
    note: str | None,
    *,
    consent_reference: str | None = None,
    report_reference: str | None = None,
    sale: SaleAmounts | None = None,
    at: datetime | None = None,
) -> DecisionResult:
    """Decide on a held parcel as `actor`; raises before writing anything when refused."""
    at = at or now()
    today = local_date(at)
    note = note.strip() if note is not None else None
    act, role, parcel, holds, verdict = _judged(
        session, actor, tracking_no, action, today, note, consent_reference, report_reference
    )
    conn = session.connection()
    reasons = tuple(dict.fromkeys(h.reason for h in holds))
    deadline = max((h.deadline for h in holds), default=None)
    ledger = _sale_ledger(act, sale, today)
    target = TARGET_STATE[act]
    check_transition(parcel.tracking_no, parcel.state, target)
    assert actor.operator is not None and role is not None and note is not None

    decision_id = new_id()
    sale_id = new_id() if ledger is not None else None
    hold_ids = tuple(h.id for h in holds)
    consent = _clean(consent_reference) if act == Action.DISPOSE else None
    report = _clean(report_reference) if act == Action.REPORT else None
    decided = ParcelDecided(
        decision_id=decision_id,
        action=act.value,
        article=verdict.article,
        note=note,
        role=role,
        from_state=parcel.state,
        to_state=target.value,
        hold_ids=hold_ids,
        reasons=reasons,
        deadline=deadline,
        consent_reference=consent,
        report_reference=report,
        sale=_sale_event(sale_id, ledger) if ledger is not None and sale_id else None,
    )
    event = append_event(session, actor, decided, tracking_no=parcel.tracking_no, at=at)
    # Guarded on the state read above: a second supervisor deciding the same parcel at the
    # same moment (possible on PostgreSQL) finds it no longer held and gets a clear refusal.
    moved = conn.execute(
        PARCEL.update()
        .where(PARCEL.c.tracking_no == parcel.tracking_no, PARCEL.c.state == ParcelState.HELD)
        .values(state=target.value, updated_at=at)
    )
    closed = conn.execute(
        HOLD.update()
        .where(HOLD.c.id.in_(hold_ids), HOLD.c.closed_at.is_(None))
        .values(closed_at=at, decision=act.value)
    )
    if moved.rowcount != 1 or closed.rowcount != len(hold_ids):
        raise NotAllowed(
            f"parcel {parcel.tracking_no} was decided by someone else meanwhile; nothing recorded"
        )
    conn.execute(
        DECISION.insert(),
        {
            "id": decision_id,
            "tracking_no": parcel.tracking_no,
            "action": act.value,
            "note": note,
            "operator": actor.operator,
            "role": role,
            "decided_at": at,
            "station_id": actor.station_id,
            "article": verdict.article,
            "from_state": parcel.state,
            "to_state": target.value,
            "deadline": deadline,
            "report_reference": report,
            "consent_reference": consent,
            "event_id": event.event_id,
        },
    )
    if ledger is not None:
        conn.execute(
            SALE.insert(),
            {
                "id": sale_id,
                "decision_id": decision_id,
                "tracking_no": parcel.tracking_no,
                "currency": ledger.currency,
                "proceeds": ledger.proceeds,
                "custody_fee": ledger.custody_fee,
                "disposal_fee": ledger.disposal_fee,
                "service_fee": ledger.service_fee,
                "balance": ledger.balance,
                "shortfall": ledger.shortfall,
                "balance_fixed_on": ledger.balance_fixed_on,
                "remittance_due": ledger.remittance_due,
            },
        )
    return DecisionResult(
        decision_id=decision_id,
        tracking_no=parcel.tracking_no,
        action=act.value,
        article=verdict.article,
        from_state=parcel.state,
        to_state=target.value,
        closed_hold_ids=hold_ids,
        reasons=reasons,
        deadline=deadline,
        decided_at=at,
        operator=actor.operator,
        event_id=event.event_id,
        report_reference=report,
        consent_reference=consent,
        sale=ledger,
    )


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip()


def _sale_ledger(act: Action, sale: SaleAmounts | None, today: date) -> SaleLedger | None:
    if act != Action.SELL:
        if sale is not None:
            raise DecisionRefused(
                "Art. 15.5", "Art. 15.5: sale amounts only go with a sell decision"
            )
        return None
    if sale is None:
        raise DecisionRefused(
            "Art. 15.5",
            "Art. 15.5: a sale must record its proceeds and the fees deducted (--proceeds)",
        )
    try:
        return settle_sale(
            sale.proceeds,
            custody_fee=sale.custody_fee,
            disposal_fee=sale.disposal_fee,
            service_fee=sale.service_fee,
            fixed_on=today,
        )
    except LedgerError as exc:
        raise ServiceError(f"Art. 15.5: {exc}") from None


def decisions_for(session: Session, tracking_no: str) -> list[Decision]:
    """Every decision taken on a parcel, oldest first."""
    stmt = (
        select(Decision)
        .where(Decision.tracking_no == tracking_no)  # type: ignore[arg-type]
        .order_by(Decision.decided_at, Decision.id)  # type: ignore[arg-type]
    )
    return list(session.execute(stmt).scalars())


def sale_for(session: Session, decision_id: str) -> Sale | None:
    """The sale recorded with a sell decision, or None."""
    stmt = select(Sale).where(Sale.decision_id == decision_id)  # type: ignore[arg-type]
    return session.execute(stmt).scalars().first()


def _sale_event(sale_id: str, ledger: SaleLedger) -> SaleEvent:
    """The sale as the decision's event carries it: the ledger's amounts and the sale's id."""
    return SaleEvent(
        sale_id=sale_id,
        currency=ledger.currency,
        proceeds=ledger.proceeds,
        custody_fee=ledger.custody_fee,
        disposal_fee=ledger.disposal_fee,
        service_fee=ledger.service_fee,
        fees=ledger.fees,
        balance=ledger.balance,
        shortfall=ledger.shortfall,
        interest=ledger.interest,
        balance_fixed_on=ledger.balance_fixed_on,
        remittance_due=ledger.remittance_due,
    )
