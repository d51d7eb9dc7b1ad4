"""Supervisor review through the real app: held list, filters, detail, decisions, customers."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from jpgb_terminal.clock import now
from jpgb_terminal.screens.bench import BenchScreen
from jpgb_terminal.screens.customer_status import CustomerStatusDialog
from jpgb_terminal.screens.decision_dialog import DecisionDialog
from jpgb_terminal.screens.holds_review import HoldDetailScreen, HoldsReviewScreen
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store.ledger import Decision
from jpgb_terminal.store.tables import Customer, Event, Hold, Operator, Parcel
from tests.factories import STAFF, event_count, jp12, s10
from tests.screens.helpers import Bench, login, until

SIZE = (160, 50)
FRAME = b"S S      1.234 kg\r\n"
OLD = s10(901)  # received 70 days ago: overdue
NEW = s10(902)  # received now: 60 days left


def seed_holds(bench: Bench) -> None:
    """Two parcels with no pre-alert (held at the scan); the old one weighed, with its frame."""
    old_at = now() - timedelta(days=70)
    with bench.store.transaction() as s:
        receive(s, STAFF, OLD, at=old_at)
        record_weight(
            s, STAFF, OLD, 1234, raw_frame=FRAME, scale_id="sim-1", protocol="mt-sics", at=old_at
        )
        receive(s, STAFF, NEW)


def rows(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#held")
    return [key.value for key in table.rows]


def banner(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#review-banner").render())


def stored(bench: Bench, tracking_no: str) -> Parcel:
    with bench.store.transaction() as s:
        parcel = s.get(Parcel, tracking_no)
        assert parcel is not None
        return parcel


async def open_review(pilot, name: str = "kenji", pin: str = "2222") -> HoldsReviewScreen:  # type: ignore[no-untyped-def]
    await login(pilot, name, pin)
    await pilot.press("ctrl+r")
    await until(pilot, lambda: isinstance(pilot.app.screen, HoldsReviewScreen))
    screen = pilot.app.screen
    await until(pilot, lambda: screen.queue is not None)
    return screen


async def decide_keys(pilot, key: str, *fields: str) -> DecisionDialog:  # type: ignore[no-untyped-def]
    """Press a decision key and type each field followed by Enter."""
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, DecisionDialog))
    dialog = pilot.app.screen
    for value in fields:
        await pilot.press(*value, "enter")
    await pilot.app.workers.wait_for_complete()
    return dialog


async def test_supervisor_sees_held_parcels_overdue_first(bench: Bench) -> None:
    seed_holds(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert rows(app) == [OLD, NEW]
        table = screen.query_one("#held")

        def cell(row: str, column: str) -> str:
            return str(table.get_cell(row, column))

        assert cell(OLD, "status") == "OVERDUE" and "10 days over" in cell(OLD, "days")
        assert "no_prealert" in cell(OLD, "reasons")
        assert cell(NEW, "status") == "held" and cell(NEW, "days") == "60"
        # What a supervisor acts on comes first: status, tracking, days left, deadline.
        assert [str(c.label) for c in table.ordered_columns][:4] == [
            "status",
            "tracking",
            "days left",
            "deadline",
        ]
        assert "2 held, 1 overdue" in str(screen.query_one("#review-totals").render())
        await pilot.press("o")
        await until(pilot, lambda: rows(app) == [OLD])
        assert "overdue only: YES" in str(screen.query_one("#review-filters").render())
        await pilot.press("o")
        await until(pilot, lambda: rows(app) == [OLD, NEW])
        await pilot.press("r")  # prohibited_item: nothing held for it
        await until(pilot, lambda: rows(app) == [])
        assert "reason: prohibited_item" in str(screen.query_one("#review-filters").render())
        for _ in range(6):  # on to no_prealert
            await pilot.press("r")
        await until(pilot, lambda: rows(app) == [OLD, NEW])
        await pilot.press("/", *"ST99", "enter")
        await until(pilot, lambda: rows(app) == [])
        await pilot.press("/", *"st01", "enter")  # the field opens empty: typing replaces
        await until(pilot, lambda: rows(app) == [OLD, NEW])
        await pilot.press("/", *"ST99", "enter")
        await until(pilot, lambda: rows(app) == [])
        await pilot.press("/", "enter")  # Enter alone clears the filter
        await until(pilot, lambda: rows(app) == [OLD, NEW])
        assert "customer/station: all" in str(screen.query_one("#review-filters").render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen))


async def test_detail_shows_events_raw_frame_and_holds(bench: Bench) -> None:
    seed_holds(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HoldDetailScreen))
        detail = app.screen
        await until(pilot, lambda: detail.detail is not None)
        text = str(detail.query_one("#detail").render())
        assert OLD in text
        assert r"S S      1.234 kg\r\n" in text  # the frame as escaped text, not raw control bytes
        assert "sim-1" in text and "mt-sics" in text
        assert "parcel.received" in text and "parcel.weighed" in text and "parcel.held" in text
        assert "no_prealert" in text and "OVERDUE" in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HoldsReviewScreen))


async def test_release_from_the_detail_view(bench: Bench) -> None:
    seed_holds(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await pilot.press("down")  # NEW: still within custody, so it can be released
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HoldDetailScreen))
        detail = app.screen
        await until(pilot, lambda: detail.detail is not None)
        assert detail.tracking_no == NEW
        await decide_keys(pilot, "f2", "pre-alert arrived late", "2222")
        await until(pilot, lambda: app.screen is detail and detail.detail.view.state == "released")
        assert "OK:" in banner(app) and "Art. 15.3" in banner(app)
        assert detail.check_action("decide", ("release",)) is None  # nothing left to decide
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen and rows(app) == [OLD])
    assert stored(bench, NEW).state == "released"
    with bench.store.transaction() as s:
        [decision] = s.exec(select(Decision).where(Decision.tracking_no == NEW)).all()
        kinds = [e.kind for e in s.exec(select(Event).where(Event.tracking_no == NEW))]
        holds = s.exec(select(Hold).where(Hold.tracking_no == NEW)).all()
    assert decision.action == "release" and decision.operator == "kenji"
    assert decision.note == "pre-alert arrived late"
    assert "parcel.decided" in kinds
    assert all(h.closed_at is not None and h.decision == "release" for h in holds)


async def test_sale_before_the_deadline_is_refused_with_the_article(bench: Bench) -> None:
    seed_holds(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await pilot.press("down")
        with bench.store.transaction() as s:
            before = event_count(s)
        # Refused on the key, before a note or a PIN is asked for: nothing typed would help.
        await pilot.press("f5")
        await until(pilot, lambda: "REFUSED" in banner(app))
        assert app.screen is screen and not isinstance(app.screen, DecisionDialog)
        assert "Art. 15.4" in banner(app) and "Nothing recorded" in banner(app)
        with bench.store.transaction() as s:
            assert event_count(s) == before
    assert stored(bench, NEW).state == "held"


async def test_wrong_pin_refuses_and_records_nothing(bench: Bench) -> None:
    seed_holds(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        with bench.store.transaction() as s:
            before = event_count(s)
        dialog = await decide_keys(pilot, "f3", "sender asked for it back", "9999")
        assert app.screen is dialog  # stays open for another try
        error = str(dialog.query_one("#decision-error").render())
        assert "PIN refused" in error and "wrong PIN" in error
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        with bench.store.transaction() as s:
            assert event_count(s) == before + 1  # the wrong PIN (operator.pin_failed)
            kenji = s.get(Operator, "kenji")
            assert kenji is not None and kenji.failed_attempts == 1
            assert s.exec(select(Decision)).all() == []
    assert stored(bench, OLD).state == "held"


async def test_staff_cannot_open_the_review(bench: Bench) -> None:
    seed_holds(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)  # aiko, staff
        bench_screen = app.screen
        assert bench_screen.check_action("review_holds", ()) is False
        footer_keys = {key for key, b in app.active_bindings.items() if b.binding.show}
        assert "ctrl+r" not in footer_keys
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.screen is bench_screen
        # Even pushed directly, the screen shows nothing and offers no decisions.
        screen = HoldsReviewScreen()
        app.push_screen(screen)
        await until(pilot, lambda: "Only a supervisor" in banner(app))
        assert rows(app) == []
        assert screen.check_action("decide", ("release",)) is False
        assert screen.check_action("customers", ()) is False


async def test_suspending_a_customer_holds_their_stored_parcels(bench: Bench) -> None:
    with bench.store.transaction() as s:
        receive(s, STAFF, jp12(1))  # pre-alerted for C1: received, not held
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert rows(app) == []
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CustomerStatusDialog))
        dialog = app.screen
        await pilot.press(*"C1", "enter")
        await until(pilot, lambda: dialog.summary is not None)
        found = str(dialog.query_one("#customer-found").render())
        assert "C*** 1" in found and "Customer 1" not in found
        assert "1 not held" in found
        await pilot.press("f2", *"fees unpaid for 3 months", "enter")
        await until(pilot, lambda: app.screen is screen and rows(app) == [jp12(1)])
        assert "SUSPENDED" in banner(app) and "1 parcel(s) in storage newly held" in banner(app)
        assert "Customer 1" not in str(screen.query_one("#held").get_row(jp12(1)))
    assert stored(bench, jp12(1)).state == "held"
    with bench.store.transaction() as s:
        customer = s.get(Customer, "C1")
        assert customer is not None and customer.status == "suspended"
        [hold] = s.exec(select(Hold).where(Hold.tracking_no == jp12(1))).all()
    assert hold.reason == "unpaid"
