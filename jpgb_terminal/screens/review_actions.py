"""What the held-parcel screens share: the decision keys, the banner, opening a decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from jpgb_terminal.screens.context import BenchContext
from jpgb_terminal.screens.decision_dialog import DecisionDialog, DecisionOutcome

DECISIONS = ("release", "return", "dispose", "sell", "report")
DECISION_BINDINGS: list[BindingType] = [
    Binding("f2", "decide('release')", "Release"),
    Binding("f3", "decide('return')", "Return"),
    Binding("f4", "decide('dispose')", "Dispose"),
    Binding("f5", "decide('sell')", "Sell"),
    Binding("f6", "decide('report')", "Report"),
]
PREFIX = {"info": "", "ok": "OK: ", "warn": "CHECK: ", "error": "ERROR: "}


def say(screen: Screen[None], message: str, level: str = "info") -> None:
    """Show a message in the screen's banner, its level in words as well as colour."""
    banner = screen.query_one("#review-banner", Static)
    banner.update(Text(PREFIX[level] + message))
    banner.set_classes(level)


def open_decision(
    screen: Screen[None], tracking_no: str, action: str, done: Callable[[DecisionOutcome], None]
) -> None:
    """Open the decision dialog for the logged-in operator; `done` gets the outcome."""
    app = cast(BenchContext, screen.app)
    operator = app.operator.name
    if operator is None:
        say(screen, "No operator is logged in.", "error")
        return

    def closed(outcome: DecisionOutcome | None) -> None:
        if outcome is not None:
            done(outcome)

    async def check_then_open() -> None:
        from jpgb_terminal.workflow.decisions import refused_up_front

        store = app.store
        assert store is not None
        # A decision the rules refuse whatever is typed is refused now, not after note and PIN.
        refused = await app.run_db(
            refused_up_front,
            store,
            app.settings.station_id,
            operator,
            tracking_no,
            action,
            app.clock(),
        )
        if refused is not None:
            done(
                DecisionOutcome(
                    tracking_no, action, refused_article=refused.article, message=str(refused)
                )
            )
            return
        screen.app.push_screen(DecisionDialog(tracking_no, action, operator), closed)

    screen.run_worker(check_then_open(), group="decision-check", exclusive=True)
