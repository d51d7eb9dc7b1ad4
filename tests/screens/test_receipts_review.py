"""Parcels received at two benches, reviewed on the screen: list, note and PIN, refusals."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from jpgb_terminal.clock import now
from jpgb_terminal.screens.holds_review import HoldsReviewScreen
from jpgb_terminal.screens.receipts_review import ReceiptReviewDialog, ReceiptsReviewScreen
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store.sync_tables import Receipt
from jpgb_terminal.store.tables import Event, Operator
from tests.factories import STAFF, event_count, jp12
from tests.screens.helpers import Bench, login, until

SIZE = (160, 50)
TWICE = jp12(1)


def seed_received_twice(bench: Bench) -> None:
    """TWICE received here, and earlier at ST07 while the two were offline, as a pull leaves
    the receipts: ST07's bills, this bench's is the duplicate."""
    at = now()
    with bench.store.transaction() as s:
        receive(s, STAFF, TWICE, at=at)
        s.add(
            Receipt(
                event_id="e-st07",
                tracking_no=TWICE,
                station_id="ST07",
                operator="ken",
                received_at=at - timedelta(minutes=5),
                duplicate=False,
            )
        )
        s.add(
            Receipt(
                event_id="e-here",
                tracking_no=TWICE,
                station_id="ST01",
                operator="aiko",
                received_at=at,
                duplicate=True,
            )
        )


def reviewed_by(bench: Bench) -> dict[str, str | None]:
    with bench.store.transaction() as s:
        return {r.event_id: r.reviewed_by for r in s.exec(select(Receipt)).all()}


def banner(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#review-banner").render())


async def open_receipts(pilot, name: str = "kenji", pin: str = "2222") -> ReceiptsReviewScreen:  # type: ignore[no-untyped-def]
    await login(pilot, name, pin)
    await pilot.press("ctrl+r")
    await until(pilot, lambda: isinstance(pilot.app.screen, HoldsReviewScreen))
    await pilot.press("d")
    await until(pilot, lambda: isinstance(pilot.app.screen, ReceiptsReviewScreen))
    screen = pilot.app.screen
    await until(pilot, lambda: "Loading" not in banner(pilot.app))
    return screen


async def test_supervisor_reviews_a_parcel_received_twice(bench: Bench) -> None:
    seed_received_twice(bench)
    with bench.store.transaction() as s:
        events = event_count(s)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_receipts(pilot)
        table = screen.query_one("#receipts")
        assert [k.value for k in table.rows] == [TWICE]
        row = [str(c) for c in table.get_row(TWICE)]
        assert row[1].startswith("ST07 ken") and row[2].startswith("ST01 aiko")

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReceiptReviewDialog))
        await pilot.press(*"one box", "enter", *"9999", "enter")
        await until(
            pilot,
            lambda: "PIN refused" in str(app.screen.query_one("#receipt-review-error").render()),
        )
        assert isinstance(app.screen, ReceiptReviewDialog)  # a wrong PIN keeps the dialog
        assert reviewed_by(bench) == {"e-st07": None, "e-here": None}

        await pilot.press(*"2222", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReceiptsReviewScreen))
        await until(pilot, lambda: "1 duplicate receipt(s) reviewed" in banner(app))
        assert screen.query_one("#receipts").row_count == 0
    assert reviewed_by(bench) == {"e-st07": None, "e-here": "kenji"}
    with bench.store.transaction() as s:
        review = s.exec(select(Event).where(Event.kind == "receipt.reviewed")).one()
        assert review.payload == {"receipt_event_ids": ["e-here"], "note": "one box"}
        assert review.operator == "kenji" and review.tracking_no == TWICE
        kenji = s.get(Operator, "kenji")
        assert kenji is not None and kenji.failed_attempts == 0  # reset by the good PIN
        # The wrong PIN, the right one ending that run, and the review: the PIN checks sync too.
        assert event_count(s) == events + 3


async def test_nothing_waiting_says_so_and_enter_does_nothing(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_receipts(pilot, "yui", "3333")
        assert "No parcel received twice waits for review" in banner(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HoldsReviewScreen))


async def test_a_review_recorded_meanwhile_is_refused_and_says_so(bench: Bench) -> None:
    from jpgb_terminal.services.context import Actor
    from jpgb_terminal.services.receipts import review_duplicate_receipts

    seed_received_twice(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_receipts(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReceiptReviewDialog))
        with bench.store.transaction() as s:  # the lead, at the same time
            review_duplicate_receipts(s, Actor("ST01", "yui", "lead"), TWICE)
        await pilot.press("enter", *"2222", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReceiptsReviewScreen))
        await until(pilot, lambda: "REFUSED" in banner(app))
        assert "reviewed already" in banner(app)
    assert reviewed_by(bench) == {"e-st07": None, "e-here": "yui"}
