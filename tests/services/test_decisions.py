"""Supervisor decisions through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import (
    DecisionRefused,
    SaleAmounts,
    decide,
    decisions_for,
    refusal_up_front,
    sale_for,
)
from jpgb_terminal.services.errors import NotAllowed, NotFound, ServiceError
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import get_parcel, record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.ledger import Decision, Sale
from jpgb_terminal.store.tables import Event, Hold
from tests.factories import STAFF, STATION, jp12, populate

SUPERVISOR = Actor(STATION, "kenji")
LEAD = Actor(STATION, "yui")
# 10:00 JST on 1 Nov 2026: the custody deadline is 31 Dec 2026.
RECEIVED = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
DEADLINE = date(2026, 12, 31)
BEFORE = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)


def counts(store: Store) -> dict[str, int]:
    with store.transaction() as s:
        return {
            "events": s.exec(select(func.count()).select_from(Event)).one(),
            "open_holds": s.exec(
                select(func.count()).select_from(Hold).where(Hold.closed_at == None)  # noqa: E711
            ).one(),
            "decisions": s.exec(select(func.count()).select_from(Decision)).one(),
            "sales": s.exec(select(func.count()).select_from(Sale)).one(),
        }


def held_unannounced(store: Store, n: int = 100, at: datetime = RECEIVED) -> str:
    """A parcel with no pre-alert: held for Art. 14(7) at the scan."""
    number = jp12(n)
    with store.transaction() as s:
        receive(s, STAFF, number, at=at)
    return number


def held_prohibited(store: Store, n: int = 1, at: datetime = RECEIVED) -> str:
    """A pre-alerted parcel whose inspection found a prohibited item (Art. 10)."""
    number = jp12(n)
    with store.transaction() as s:
        receive(s, STAFF, number, at=at)
        record_weight(s, STAFF, number, 900, raw_frame=b"S S 900 g\r\n", at=at)
        inspect(s, STAFF, number, opened=True, findings=["cash_securities"], at=at)
    return number


@pytest.fixture
def seeded(store: Store) -> Store:
    populate(store)
    return store


def refused(store: Store, article: str, words: str, *args: object, **kwargs: object) -> None:
    before = counts(store)
    with pytest.raises(DecisionRefused, match=words) as info, store.transaction() as s:
        decide(s, *args, **kwargs)  # type: ignore[arg-type]
    assert info.value.article == article
    assert str(info.value).startswith(f"{article}: ") or article == "action"
    assert counts(store) == before


def test_release_in_time_closes_the_holds_and_writes_one_event(seeded: Store) -> None:
    number = held_unannounced(seeded)
    before = counts(seeded)
    with seeded.transaction() as s:
        result = decide(s, SUPERVISOR, number, "release", "pre-alert arrived", at=BEFORE)
    assert result.article == "Art. 15.3"
    assert (result.from_state, result.to_state) == ("held", "released")
    assert result.reasons == ("no_prealert",)
    assert result.deadline == DEADLINE
    after = counts(seeded)
    assert after["events"] == before["events"] + 1
    assert after["open_holds"] == before["open_holds"] - 1
    assert after["decisions"] == before["decisions"] + 1
    assert after["sales"] == before["sales"]
    with seeded.transaction() as s:
        assert get_parcel(s, number).state == "released"
        holds = s.exec(select(Hold).where(Hold.tracking_no == number)).all()
        assert [(h.decision, h.closed_at) for h in holds] == [("release", BEFORE)]
        event = s.exec(select(Event).where(Event.kind == "parcel.decided")).one()
        assert event.event_id == result.event_id
        assert event.operator == "kenji" and event.tracking_no == number
        assert event.payload["action"] == "release"
        assert event.payload["article"] == "Art. 15.3"
        assert event.payload["hold_ids"] == [holds[0].id]
        assert event.payload["note"] == "pre-alert arrived"
        assert event.payload["deadline"] == "2026-12-31"
        (decision,) = decisions_for(s, number)
        assert decision.id == result.decision_id and decision.role == "supervisor"
        assert decision.event_id == result.event_id


def test_a_lead_may_decide_too(seeded: Store) -> None:
    number = held_unannounced(seeded)
    with seeded.transaction() as s:
        assert decide(s, LEAD, number, "return", "sender asked", at=BEFORE).to_state == "returned"


@pytest.mark.parametrize("action", ["release", "return", "dispose", "sell", "report"])
def test_staff_may_not_decide(seeded: Store, action: str) -> None:
    number = held_unannounced(seeded)
    refused(seeded, "role", "supervisor or lead", STAFF, number, action, "note", at=AFTER)


def test_unknown_operator_may_not_decide(seeded: Store) -> None:
    number = held_unannounced(seeded)
    refused(seeded, "role", "role: unknown", Actor(STATION, "ghost"), number, "return", "n")


def test_unknown_action_is_refused(seeded: Store) -> None:
    number = held_unannounced(seeded)
    refused(seeded, "action", "unknown decision 'keep'", SUPERVISOR, number, "keep", "n")


def test_unknown_parcel_is_not_found(seeded: Store) -> None:
    before = counts(seeded)
    with pytest.raises(NotFound), seeded.transaction() as s:
        decide(s, SUPERVISOR, jp12(999), "release", "n")
    assert counts(seeded) == before


def test_a_parcel_not_held_is_refused(seeded: Store) -> None:
    number = jp12(1)
    with seeded.transaction() as s:
        receive(s, STAFF, number, at=RECEIVED)
        record_weight(s, STAFF, number, 500, raw_frame=b"S S 500 g\r\n", at=RECEIVED)
        inspect(s, STAFF, number, opened=False, findings=[], at=RECEIVED)
    refused(seeded, "Art. 15", "this parcel is cleared", SUPERVISOR, number, "release", "n")


def test_a_decided_parcel_cannot_be_decided_again(seeded: Store) -> None:
    number = held_unannounced(seeded)
    with seeded.transaction() as s:
        decide(s, SUPERVISOR, number, "return", "sender asked", at=BEFORE)
    refused(seeded, "Art. 15", "is returned", SUPERVISOR, number, "dispose", "again", at=AFTER)


def test_a_note_is_required(seeded: Store) -> None:
    number = held_unannounced(seeded)
    refused(seeded, "Art. 15", "needs a note", SUPERVISOR, number, "return", "  ")


def test_release_after_the_deadline_is_refused(seeded: Store) -> None:
    number = held_unannounced(seeded)
    refused(seeded, "Art. 15.3", "has passed", SUPERVISOR, number, "release", "late", at=AFTER)


def test_dispose_without_a_ground_is_refused(seeded: Store) -> None:
    number = held_unannounced(seeded)
    refused(seeded, "Art. 15.2", "--consent", SUPERVISOR, number, "dispose", "why", at=BEFORE)


def test_dispose_early_with_consent(seeded: Store) -> None:
    number = held_unannounced(seeded)
    with seeded.transaction() as s:
        result = decide(
            s,
            SUPERVISOR,
            number,
            "dispose",
            "customer agreed",
            consent_reference="MAIL-7",
            at=BEFORE,
        )
        (decision,) = decisions_for(s, number)
    assert result.article == "Art. 15.2" and result.to_state == "disposed"
    assert decision.consent_reference == "MAIL-7"


def test_dispose_after_the_deadline(seeded: Store) -> None:
    number = held_unannounced(seeded)
    with seeded.transaction() as s:
        assert decide(s, SUPERVISOR, number, "dispose", "unclaimed", at=AFTER).article == (
            "Art. 15.4"
        )


def test_prohibited_item_is_disposed_of_at_once(seeded: Store) -> None:
    number = held_prohibited(seeded)
    with seeded.transaction() as s:
        result = decide(s, SUPERVISOR, number, "dispose", "securities", at=RECEIVED)
    assert result.article == "Art. 15.1" and result.reasons == ("prohibited_item",)


def test_prohibited_item_is_neither_released_nor_sold(seeded: Store) -> None:
    number = held_prohibited(seeded)
    refused(seeded, "Art. 14(1)", "cannot be sent on", SUPERVISOR, number, "release", "n")
    refused(
        seeded,
        "Art. 15.1",
        "never sold",
        SUPERVISOR,
        number,
        "sell",
        "n",
        sale=SaleAmounts(1000),
        at=AFTER,
    )


def test_sale_before_the_deadline_is_refused(seeded: Store) -> None:
    number = held_unannounced(seeded)
    refused(
        seeded,
        "Art. 15.4",
        "sale only after the custody deadline 2026-12-31",
        SUPERVISOR,
        number,
        "sell",
        "auction",
        sale=SaleAmounts(5000),
        at=BEFORE,
    )


def test_sale_records_the_ledger(seeded: Store) -> None:
    number = held_unannounced(seeded)
    amounts = SaleAmounts(proceeds=12_000, custody_fee=3_000, disposal_fee=800, service_fee=1_200)
    before = counts(seeded)
    with seeded.transaction() as s:
        result = decide(s, SUPERVISOR, number, "sell", "auction lot 4", sale=amounts, at=AFTER)
    assert result.sale is not None
    assert result.sale.balance == 7_000 and result.sale.shortfall == 0
    assert result.sale.balance_fixed_on == date(2027, 1, 2)
    assert result.sale.remittance_due == date(2027, 1, 22)
    assert counts(seeded)["sales"] == before["sales"] + 1
    with seeded.transaction() as s:
        sale = sale_for(s, result.decision_id)
        assert sale is not None
        assert (sale.proceeds, sale.custody_fee, sale.disposal_fee, sale.service_fee) == (
            12_000,
            3_000,
            800,
            1_200,
        )
        assert (sale.balance, sale.shortfall, sale.currency) == (7_000, 0, "JPY")
        assert sale.remittance_due == date(2027, 1, 22)
        event = s.exec(select(Event).where(Event.kind == "parcel.decided")).one()
        assert event.payload["sale"]["balance"] == 7_000
        assert event.payload["sale"]["interest"] == 0
        assert event.payload["sale"]["sale_id"] == sale.id
        assert get_parcel(s, number).state == "sold"


def test_sale_with_fees_over_proceeds_records_a_shortfall(seeded: Store) -> None:
    number = held_unannounced(seeded)
    with seeded.transaction() as s:
        result = decide(
            s,
            SUPERVISOR,
            number,
            "sell",
            "low bid",
            sale=SaleAmounts(proceeds=1_000, custody_fee=3_000),
            at=AFTER,
        )
        sale = sale_for(s, result.decision_id)
    assert sale is not None and (sale.balance, sale.shortfall) == (0, 2_000)
    assert sale.remittance_due is None


def test_sale_needs_amounts_and_amounts_need_a_sale(seeded: Store) -> None:
    number = held_unannounced(seeded)
    refused(seeded, "Art. 15.5", "--proceeds", SUPERVISOR, number, "sell", "n", at=AFTER)
    refused(
        seeded,
        "Art. 15.5",
        "only go with a sell",
        SUPERVISOR,
        number,
        "return",
        "n",
        sale=SaleAmounts(10),
    )


def test_negative_sale_amount_is_refused(seeded: Store) -> None:
    number = held_unannounced(seeded)
    before = counts(seeded)
    with (
        pytest.raises(ServiceError, match="custody fee cannot be negative"),
        seeded.transaction() as s,
    ):
        decide(s, SUPERVISOR, number, "sell", "n", sale=SaleAmounts(100, custody_fee=-1), at=AFTER)
    assert counts(seeded) == before


def test_report_freezes_the_parcel(seeded: Store) -> None:
    number = held_unannounced(seeded)
    refused(seeded, "Art. 13.2", "--report-ref", SUPERVISOR, number, "report", "suspicious")
    with seeded.transaction() as s:
        result = decide(
            s,
            SUPERVISOR,
            number,
            "report",
            "suspicious",
            report_reference=" POL-2026-77 ",
            at=BEFORE,
        )
        (decision,) = decisions_for(s, number)
    assert result.to_state == "reported" and decision.report_reference == "POL-2026-77"
    before = counts(seeded)
    with pytest.raises(NotAllowed, match="reported"), seeded.transaction() as s:
        record_weight(s, STAFF, number, 100, raw_frame=b"S S 100 g\r\n")
    assert counts(seeded) == before


def test_a_released_parcel_held_again_is_decided_on_its_new_hold(seeded: Store) -> None:
    from jpgb_terminal.services.holds import hold_parcel

    number = held_unannounced(seeded)
    with seeded.transaction() as s:
        decide(s, SUPERVISOR, number, "release", "pre-alert arrived", at=BEFORE)
    with seeded.transaction() as s:
        hold_parcel(s, STAFF, get_parcel(s, number), "unpaid", at=BEFORE + timedelta(hours=1))
    with seeded.transaction() as s:
        result = decide(s, SUPERVISOR, number, "return", "unpaid", at=BEFORE + timedelta(hours=2))
    assert result.reasons == ("unpaid",) and len(result.closed_hold_ids) == 1


def test_the_sale_date_follows_japan_midnight(seeded: Store) -> None:
    # Received 00:30 JST on 1 Dec (15:30 UTC on 30 Nov): deadline 30 Jan 2027 in Tokyo.
    number = held_unannounced(seeded, at=datetime(2026, 11, 30, 15, 30, tzinfo=UTC))
    last_minute = datetime(2027, 1, 30, 14, 59, tzinfo=UTC)  # 23:59 JST on the deadline
    refused(
        seeded,
        "Art. 15.4",
        "2027-01-30 \\(0 days left\\)",
        SUPERVISOR,
        number,
        "sell",
        "n",
        sale=SaleAmounts(100),
        at=last_minute,
    )
    with seeded.transaction() as s:
        result = decide(
            s,
            SUPERVISOR,
            number,
            "sell",
            "n",
            sale=SaleAmounts(100),
            at=datetime(2027, 1, 30, 15, 0, tzinfo=UTC),
        )
    assert result.sale is not None and result.sale.balance_fixed_on == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("case", "who", "action", "at", "article"),
    [
        # Refused whatever the dialog would collect: the parcel, its holds, the role.
        ("prohibited", SUPERVISOR, "release", RECEIVED, "Art. 14(1)"),
        ("prohibited", SUPERVISOR, "sell", AFTER, "Art. 15.1"),
        ("unannounced", SUPERVISOR, "release", AFTER, "Art. 15.3"),
        ("unannounced", SUPERVISOR, "sell", BEFORE, "Art. 15.4"),
        ("unannounced", Actor(STATION, "aiko"), "release", BEFORE, "role"),
        ("not held", SUPERVISOR, "return", BEFORE, "Art. 15"),
        # Not refused up front: the note, the consent or the report reference is typed later.
        ("unannounced", SUPERVISOR, "release", BEFORE, None),
        ("unannounced", SUPERVISOR, "dispose", BEFORE, None),
        ("unannounced", SUPERVISOR, "report", BEFORE, None),
        ("prohibited", SUPERVISOR, "dispose", RECEIVED, None),
    ],
)
def test_refusal_up_front_is_what_no_typing_could_change(
    seeded: Store, case: str, who: Actor, action: str, at: datetime, article: str | None
) -> None:
    if case == "prohibited":
        number = held_prohibited(seeded)
    elif case == "unannounced":
        number = held_unannounced(seeded)
    else:
        number = jp12(3)
        with seeded.transaction() as s:
            receive(s, STAFF, number, at=RECEIVED)  # pre-alerted: received, not held
    before = counts(seeded)
    with seeded.transaction() as s:
        found = refusal_up_front(s, who, number, action, at=at)
    assert (found.article if found else None) == article
    assert counts(seeded) == before
