"""Decisions on held parcels: every action allowed and refused, by role and by article."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jpgb_terminal.clock import local_date
from jpgb_terminal.rules.decisions import (
    TARGET_STATE,
    Action,
    DecisionRequest,
    is_prohibited,
    judge,
    parse_action,
    report_article,
)
from jpgb_terminal.rules.holds import hold_deadline
from jpgb_terminal.rules.states import can_transition

DEADLINE = date(2027, 1, 25)
BEFORE = date(2027, 1, 20)
ON = DEADLINE
AFTER = date(2027, 1, 26)


def req(
    action: str,
    *,
    role: str | None = "supervisor",
    state: str = "held",
    reasons: tuple[str, ...] = ("no_prealert",),
    deadline: date | None = DEADLINE,
    today: date = BEFORE,
    note: str | None = "customer called",
    consent: str | None = None,
    report: str | None = None,
) -> DecisionRequest:
    return DecisionRequest(
        action=action,
        role=role,
        state=state,
        reasons=reasons,
        deadline=deadline,
        today=today,
        note=note,
        consent_reference=consent,
        report_reference=report,
    )


ALLOWED = [
    # (id, request, article)
    ("release in time", req("release"), "Art. 15.3"),
    ("release on the deadline day", req("release", today=ON), "Art. 15.3"),
    ("release by a lead", req("release", role="lead"), "Art. 15.3"),
    ("return before the deadline", req("return"), "Art. 14"),
    ("return after the deadline", req("return", today=AFTER), "Art. 14"),
    ("return a prohibited item", req("return", reasons=("prohibited_item",)), "Art. 14"),
    ("dispose prohibited at once", req("dispose", reasons=("prohibited_item",)), "Art. 15.1"),
    (
        "dispose prohibited among other reasons",
        req("dispose", reasons=("no_prealert", "prohibited_item")),
        "Art. 15.1",
    ),
    ("dispose after the deadline", req("dispose", today=AFTER), "Art. 15.4"),
    ("dispose early with consent", req("dispose", consent="MAIL-2027-001"), "Art. 15.2"),
    ("sell after the deadline", req("sell", today=AFTER), "Art. 15.4"),
    ("sell an unpaid parcel late", req("sell", reasons=("unpaid",), today=AFTER), "Art. 15.4"),
    ("report", req("report", report="POL-123"), "Art. 13.2"),
    (
        "report a frozen account's parcel",
        req("report", reasons=("terms_violation",), report="POL-9"),
        "Art. 18.1(9)",
    ),
    (
        "report a prohibited item",
        req("report", reasons=("prohibited_item",), report="P"),
        "Art. 13.2",
    ),
    ("action in capitals", req("RELEASE"), "Art. 15.3"),
]


@pytest.mark.parametrize(
    ("request_", "article"), [a[1:] for a in ALLOWED], ids=[a[0] for a in ALLOWED]
)
def test_allowed(request_: DecisionRequest, article: str) -> None:
    verdict = judge(request_)
    assert verdict.allowed, verdict.message
    assert verdict.article == article


REFUSED = [
    # (id, request, article, words in the message)
    ("staff may not decide", req("release", role="staff"), "role", "supervisor or lead"),
    ("no operator row", req("release", role=None), "role", "role: unknown"),
    ("staff may not report either", req("report", role="staff", report="X"), "role", "staff"),
    ("unknown action", req("keep"), "action", "one of release, return"),
    ("no note", req("release", note=None), "Art. 15", "needs a note"),
    ("blank note", req("dispose", note="   "), "Art. 15", "needs a note"),
    ("note too long", req("return", note="x" * 2001), "Art. 15", "over 2000"),
    ("parcel cleared", req("release", state="cleared", reasons=()), "Art. 15", "is cleared"),
    (
        "parcel already sold",
        req("sell", state="sold", reasons=(), today=AFTER),
        "Art. 15",
        "is sold",
    ),
    ("held without open hold", req("return", reasons=()), "Art. 15", "no open hold"),
    ("unknown reason", req("return", reasons=("lost",)), "Art. 14", "lost"),
    (
        "release a prohibited item",
        req("release", reasons=("prohibited_item",)),
        "Art. 14(1)",
        "cannot be sent on",
    ),
    ("release after the deadline", req("release", today=AFTER), "Art. 15.3", "has passed"),
    ("dispose before the deadline", req("dispose"), "Art. 15.2", "2027-01-25 (5 days left)"),
    ("dispose on the deadline day", req("dispose", today=ON), "Art. 15.2", "(0 days left)"),
    ("dispose with blank consent", req("dispose", consent="  "), "Art. 15.2", "--consent"),
    (
        "sell before the deadline",
        req("sell"),
        "Art. 15.4",
        "sale only after the custody deadline 2027-01-25",
    ),
    ("sell on the deadline day", req("sell", today=ON), "Art. 15.4", "sale only after"),
    (
        "sell with no deadline",
        req("sell", deadline=None, today=AFTER),
        "Art. 15.4",
        "no custody deadline",
    ),
    (
        "sell a prohibited item",
        req("sell", reasons=("prohibited_item",), today=AFTER),
        "Art. 15.1",
        "never sold",
    ),
    ("report without reference", req("report"), "Art. 13.2", "--report-ref"),
    (
        "report of a frozen account without reference",
        req("report", reasons=("terms_violation",), report=" "),
        "Art. 18.1(9)",
        "--report-ref",
    ),
    (
        "consent on a sale",
        req("sell", today=AFTER, consent="C1"),
        "Art. 15",
        "only goes with dispose",
    ),
    ("report ref on a release", req("release", report="P1"), "Art. 13.2", "only goes with report"),
    ("consent too long", req("dispose", consent="c" * 201), "Art. 15.2", "over 200"),
    ("report ref too long", req("report", report="r" * 101), "Art. 13.2", "over 100"),
]


@pytest.mark.parametrize(
    ("request_", "article", "words"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_refused(request_: DecisionRequest, article: str, words: str) -> None:
    verdict = judge(request_)
    assert not verdict.allowed
    assert verdict.article == article
    assert words in verdict.message
    if article not in ("action",):
        assert verdict.message.startswith(f"{article}: ")


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_a_legal_target_from_held(action: Action) -> None:
    assert can_transition("held", TARGET_STATE[action])


@pytest.mark.parametrize(
    ("text", "action"),
    [("release", Action.RELEASE), (" Sell ", Action.SELL), ("REPORT", Action.REPORT)],
)
def test_parse_action(text: str, action: Action) -> None:
    assert parse_action(text) is action


def test_parse_action_refuses_unknown() -> None:
    with pytest.raises(ValueError, match="one of release, return, dispose, sell, report"):
        parse_action("destroy")


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        (("prohibited_item",), True),
        (("no_prealert", "prohibited_item"), True),
        (("no_prealert", "unpaid"), False),
        ((), False),
    ],
)
def test_is_prohibited(reasons: tuple[str, ...], expected: bool) -> None:
    assert is_prohibited(reasons) is expected


@pytest.mark.parametrize(
    ("reasons", "article"),
    [(("terms_violation",), "Art. 18.1(9)"), (("no_prealert",), "Art. 13.2")],
)
def test_report_article(reasons: tuple[str, ...], article: str) -> None:
    assert report_article(reasons) == article


# Deadlines are Japan days: a receipt late in the UTC evening is the next day in Tokyo.
DEADLINE_CASES = [
    # (received_at UTC, deadline: the last day a sale is refused)
    (datetime(2026, 11, 30, 14, 59, tzinfo=UTC), date(2027, 1, 29)),  # 23:59 JST on 30 Nov
    (datetime(2026, 11, 30, 15, 0, tzinfo=UTC), date(2027, 1, 30)),  # 00:00 JST on 1 Dec
    (datetime(2026, 12, 31, 15, 30, tzinfo=UTC), date(2027, 3, 2)),  # 1 Jan JST, Feb has 28 days
    (datetime(2027, 12, 31, 15, 30, tzinfo=UTC), date(2028, 3, 1)),  # 1 Jan 2028, a leap year
    (datetime(2026, 12, 1, 2, 0, tzinfo=UTC), date(2027, 1, 30)),  # month end of January
]


@pytest.mark.parametrize(("received_at", "deadline"), DEADLINE_CASES)
def test_sale_turns_allowed_the_day_after_the_japan_deadline(
    received_at: datetime, deadline: date
) -> None:
    computed = hold_deadline(received_at)
    assert computed == deadline
    on_deadline = judge(req("sell", deadline=computed, today=deadline))
    assert not on_deadline.allowed and on_deadline.article == "Art. 15.4"
    next_day = date.fromordinal(deadline.toordinal() + 1)
    assert judge(req("sell", deadline=computed, today=next_day)).allowed


@pytest.mark.parametrize(
    ("now_utc", "allowed"),
    [
        (datetime(2027, 1, 30, 14, 59, 59, tzinfo=UTC), False),  # 23:59:59 JST on the deadline
        (datetime(2027, 1, 30, 15, 0, tzinfo=UTC), True),  # midnight in Tokyo: day after
    ],
)
def test_sale_at_the_japan_midnight(now_utc: datetime, allowed: bool) -> None:
    deadline = hold_deadline(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    verdict = judge(req("sell", deadline=deadline, today=local_date(now_utc)))
    assert verdict.allowed is allowed
