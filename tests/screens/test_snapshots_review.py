"""A screenshot of the held-parcels screen, compared with the stored SVG (fixed clock, no blink)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jpgb_terminal.app import JpgbApp
from jpgb_terminal.screens.holds_review import HoldsReviewScreen
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import set_customer_status
from jpgb_terminal.services.holds import hold_parcel
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.records import load_parcel
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.settings import Settings
from jpgb_terminal.store import open_store
from tests.factories import STAFF, jp12, populate, s10
from tests.screens.helpers import login, until

SIZE = (160, 48)
FIXED = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)


@pytest.fixture
def review_app(tmp_path: Path) -> JpgbApp:
    """A terminal without devices on a store with held parcels in every kind of standing."""
    url = f"sqlite:///{tmp_path / 'station.db'}"
    store = open_store(url)
    populate(store)
    with store.transaction() as s:
        long_ago = FIXED - timedelta(days=75)
        receive(s, STAFF, s10(501), at=long_ago)
        record_weight(s, STAFF, s10(501), 2310, raw_frame=b"S S 2310 g\r\n", at=long_ago)
        receive(s, STAFF, s10(502), at=FIXED - timedelta(days=61))
        receive(s, STAFF, jp12(3), at=FIXED - timedelta(days=3))
        parcel = load_parcel(s.connection(), jp12(3))
        assert parcel is not None
        hold_parcel(s, STAFF, parcel, "prohibited_item", note="lithium cells", at=FIXED)
        receive(s, STAFF, jp12(1), at=FIXED - timedelta(days=20))
        set_customer_status(
            s,
            Actor("ST01", "kenji"),
            "C1",
            "suspended",
            note="unpaid",
            at=FIXED - timedelta(days=1),
        )
        receive(s, STAFF, s10(503), at=FIXED - timedelta(hours=1))
    store.dispose()
    settings = Settings(station_id="ST01", db=url, scanner="keyboard", printer=None, scale=None)
    return JpgbApp(settings, start_devices=False, clock=lambda: FIXED, cursor_blink=False)


def test_held_parcels(snap_compare, review_app: JpgbApp) -> None:  # type: ignore[no-untyped-def]
    async def review(pilot) -> None:  # type: ignore[no-untyped-def]
        await login(pilot, "kenji", "2222")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(review_app.screen, HoldsReviewScreen))
        await until(pilot, lambda: review_app.screen.queue is not None)
        # The table sizes its columns to their cells on an idle tick after the rows arrive; a
        # busy machine may not have had one yet, so wait for the widths, not only the rows.
        await until(pilot, lambda: columns_fit_cells(review_app))


def columns_fit_cells(app: JpgbApp) -> bool:
    """The tracking-number column has been sized to the widest number in the queue."""
    from textual.widgets import DataTable

    screen = app.screen
    assert isinstance(screen, HoldsReviewScreen) and screen.queue is not None
    table = screen.query_one("#held", DataTable)
    widest = max(len(h.tracking_no) for h in screen.queue.rows)
    return table.ordered_columns[1].content_width >= widest
