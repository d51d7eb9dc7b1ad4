"""Names are masked on the review screens; a supervisor may reveal one customer, as an event."""

from __future__ import annotations

from sqlmodel import select

from jpgb_terminal.screens.holds_review import HoldDetailScreen, HoldsReviewScreen
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import set_customer_status
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store.tables import Event
from tests.factories import STAFF, jp12
from tests.screens.helpers import Bench, login, until

SIZE = (160, 50)


def _held_customer_parcel(bench: Bench) -> str:
    """C1 is suspended, so C1's parcel is held at the scan (Art. 14(10))."""
    with bench.store.transaction() as s:
        set_customer_status(s, Actor("ST01"), "C1", "suspended")
        receive(s, STAFF, jp12(1))
    return jp12(1)


async def test_supervisor_reveals_one_customer_and_it_is_recorded(bench: Bench) -> None:
    tracking = _held_customer_parcel(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "kenji", "2222")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, HoldsReviewScreen))
        review = app.screen
        table = review.query_one("#held")
        await until(pilot, lambda: tracking in [key.value for key in table.rows])
        listing = str(table.get_row(tracking))
        assert "C*** 1***" in listing and "Customer 1" not in listing
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HoldDetailScreen))
        detail = app.screen
        await until(pilot, lambda: detail.detail is not None)
        assert "Customer 1" not in str(detail.query_one("#detail").render())
        await pilot.press("v")
        banner = detail.query_one("#review-banner")
        await until(pilot, lambda: "reveal recorded" in str(banner.render()))
        assert "Customer 1" in str(banner.render()) and "090-1234-5678" in str(banner.render())
    with bench.store.transaction() as s:
        reveals = list(s.exec(select(Event).where(Event.kind == "customer.revealed")))
    assert len(reveals) == 1 and reveals[0].operator == "kenji"
    assert "Customer 1" not in str(reveals[0].payload)


async def test_lead_sees_the_key_staff_never_reach_it(bench: Bench) -> None:
    tracking = _held_customer_parcel(bench)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "yui", "3333")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, HoldsReviewScreen))
        table = app.screen.query_one("#held")
        await until(pilot, lambda: tracking in [key.value for key in table.rows])
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HoldDetailScreen))
        detail = app.screen
        await until(pilot, lambda: detail.detail is not None)
        assert detail.check_action("reveal", ()) is True
        app.operator.role = "staff"  # what a staff login would carry
        assert detail.check_action("reveal", ()) is False
    assert tracking
