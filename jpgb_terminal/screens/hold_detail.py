"""One held parcel for a supervisor or lead: open holds, weighings with raw frames, decisions,
every event; decisions and a recorded reveal from here."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from jpgb_terminal.clock import WAREHOUSE_TZ
from jpgb_terminal.rules.permissions import allowed
from jpgb_terminal.screens.context import InContext
from jpgb_terminal.screens.decision_dialog import DecisionOutcome, outcome_text
from jpgb_terminal.screens.review_actions import DECISION_BINDINGS, DECISIONS, open_decision, say

if TYPE_CHECKING:
    from jpgb_terminal.workflow.review import ParcelDetail


class HoldDetailScreen(InContext, Screen[None]):
    """One held parcel: its open holds, weighings with raw scale frames, every event."""

    CSS_PATH = "holds_review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        *DECISION_BINDINGS,
        Binding("v", "reveal", "Reveal customer"),
    ]

    def __init__(self, tracking_no: str) -> None:
        """For the parcel `tracking_no`."""
        super().__init__()
        self.tracking_no = tracking_no
        self.detail: ParcelDetail | None = None
        self.shown_once = False

    def compose(self) -> ComposeResult:
        """Banner, then the parcel's record in a scrolling pane."""
        yield Header(show_clock=False)
        yield Static(f"Loading {self.tracking_no}...", id="review-banner", classes="info")
        with VerticalScroll(id="detail-scroll"):
            yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        """Subtitle, focus on the pane so arrow keys scroll."""
        self.sub_title = f"Parcel {self.tracking_no}"
        self.query_one("#detail-scroll").focus()

    def on_screen_resume(self) -> None:
        """Read the parcel afresh (after a decision too)."""
        self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Decisions and reveals for supervisors and leads; decisions while still held."""
        if action == "reveal":
            if not allowed(self.ctx.operator.role, "reveal_personal_data"):
                return False
            return None if self.detail is None or not self.detail.view.customer_id else True
        if action == "decide":
            if not any(allowed(self.ctx.operator.role, a) for a in DECISIONS):
                return False
            if self.detail is None or self.detail.view.state != "held":
                return None
        return True

    @work(group="review-detail", exclusive=True)
    async def _load(self) -> None:
        from jpgb_terminal.services.errors import ServiceError
        from jpgb_terminal.workflow.review import parcel_detail

        store = self.ctx.store
        if store is None:
            return
        try:
            detail = await self.ctx.run_db(parcel_detail, store, self.tracking_no, self.ctx.clock())
        except ServiceError as exc:
            say(self, str(exc), "error")
            return
        self.detail = detail
        self.query_one("#detail", Static).update(detail_text(detail))
        if not self.shown_once:
            self.shown_once = True
            if detail.view.state == "held":
                say(self, "F2-F6 decide; Esc goes back to the list.")
            else:
                say(self, f"This parcel is {detail.view.state}: nothing to decide.")
        self.refresh_bindings()

    @work(group="review-reveal", exclusive=True)
    async def action_reveal(self) -> None:
        """V: show this parcel's customer unmasked, once; the reveal is recorded as an event."""
        from jpgb_terminal.services.errors import ServiceError
        from jpgb_terminal.workflow.privacy import reveal_for_parcel

        store = self.ctx.store
        if store is None:
            return
        actor = self.ctx.operator.actor(self.ctx.settings.station_id)
        try:
            shown = await self.ctx.run_db(reveal_for_parcel, store, actor, self.tracking_no)
        except ServiceError as exc:
            say(self, f"Not revealed: {exc}", "error")
            return
        say(
            self,
            f"Customer {shown.customer_id} (reveal recorded): {shown.name}, "
            f"{shown.address or '-'}, {shown.phone or '-'}",
            "warn",
        )

    def action_decide(self, action: str) -> None:
        """F2-F6: decide on this parcel."""
        if action in DECISIONS:
            open_decision(self, self.tracking_no, action, self._decided)

    def _decided(self, outcome: DecisionOutcome) -> None:
        text, level = outcome_text(outcome)
        say(self, text, level)
        if level == "error":
            self.app.bell()


def _local(at: str) -> str:
    """An ISO time as `YYYY-MM-DD HH:MM:SS` (already in Japan time)."""
    return at[:19].replace("T", " ")


def detail_text(detail: ParcelDetail) -> Text:
    """The parcel's record as text; everything from the store goes in as plain text."""
    view = detail.view
    text = Text()
    text.append(f"{view.tracking_no}", style="bold")
    text.append(f"  {view.scheme}  state ")
    text.append(view.state.upper(), style="bold red" if view.state == "held" else "bold")
    text.append(
        f"\nCustomer  {view.customer_id or 'unknown'}  {detail.customer_masked}"
        f"  (account {detail.customer_status or '-'})"
    )
    text.append(
        f"\nReceived  {_local(view.received_at)} Asia/Tokyo at {view.station_id}"
        f" by {view.received_by or '-'}"
    )
    weight = f"{view.weight_g} g ({view.weight_source})" if view.weight_g else "not weighed"
    text.append(f"\nWeight    {weight}\n")

    text.append("\nOpen holds\n", style="bold underline")
    if not view.holds:
        text.append("  none\n")
    for hold in view.holds:
        if hold.overdue:
            left = Text(f"OVERDUE by {-hold.days_left} days", style="bold red")
        else:
            left = Text(f"{hold.days_left} days left")
        text.append(f"  {hold.reason:<18} deadline {hold.deadline}  ")
        text.append_text(left)
        text.append(f"   opened {_local(hold.opened_at)} at {hold.station_id}")
        text.append(f"  note: {hold.note or '-'}\n")

    text.append("\nWeighings (Art. 11.1 evidence)\n", style="bold underline")
    if not detail.weights:
        text.append("  none\n")
    for w in detail.weights:
        mark = "billed" if w.current else "superseded"
        at = w.measured_at.astimezone(WAREHOUSE_TZ).strftime("%Y-%m-%d %H:%M:%S")
        text.append(f"  {w.grams} g {w.source} [{mark}] {at} at {w.station_id} by {w.operator}\n")
        text.append(f"    scale {w.scale_id or '-'} ({w.protocol or '-'})  raw frame: ")
        text.append(w.frame, style="bold")
        text.append("\n")
        if w.reason or w.approved_by:
            text.append(f"    reason: {w.reason or '-'}  approved by {w.approved_by or '-'}\n")

    if detail.decisions:
        text.append("\nDecisions\n", style="bold underline")
        for d in detail.decisions:
            text.append(f"  {d.at}  {d.action} ({d.article}) by {d.operator}")
            if d.balance is not None:
                text.append(f"  balance {d.balance:,} JPY")
            text.append(f"  note: {d.note}\n")

    text.append("\nEvents\n", style="bold underline")
    for e in view.events:
        text.append(
            f"  {_local(e.at)}  {e.kind:<24} {e.station_id}#{e.seq:<6} {e.operator or '-'}\n"
        )
    return text
