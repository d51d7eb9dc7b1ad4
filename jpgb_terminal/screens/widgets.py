"""Widgets of the bench: scan field, weight readout, parcel card, checklist, status line."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Digits, Static

if TYPE_CHECKING:
    from jpgb_terminal.devices.reading import ScaleReading
    from jpgb_terminal.refdata import ProhibitedCategory
    from jpgb_terminal.workflow.receiving import ParcelCard


class ScanField(Widget, can_focus=True):
    """The always-focused field a keyboard-wedge scanner types into.

    While the checklist is open (`toggler` set), a key typed on its own ticks a box
    instead of going into the field. A scanner types a whole code in one burst
    (keys less than `burst_gap` seconds apart): when a second key follows that
    fast, the first key's tick is undone and both start the scanned code.
    """

    DEFAULT_CSS = """
    ScanField { height: 3; border: tall $accent; padding: 0 1; }
    ScanField:focus { border: tall $success; }
    """

    @dataclass
    class Entered(Message):
        """Enter was pressed; `text` is what had been typed since the last Enter."""

        text: str

    def __init__(
        self,
        *,
        burst_gap: float = 0.04,
        prompt: str = "scan a parcel or type its tracking number",
        id: str | None = None,
    ) -> None:
        """An empty field showing `prompt` until something is typed."""
        super().__init__(id=id)
        self.prompt = prompt
        self.buffer = ""
        self.burst_gap = burst_gap
        self.toggler: Callable[[str], bool] | None = None
        self.clock: Callable[[], float] = time.monotonic
        self._provisional: str | None = None
        self._last_key = -1e9

    def render(self) -> Text:
        """The prompt and what has been typed so far."""
        text = Text("Scan ▸ ", style="bold")
        if self.buffer:
            text.append(self.buffer)
        else:
            text.append(self.prompt, "dim")
        return text

    def on_key(self, event: events.Key) -> None:
        """Collect printable keys (or tick the checklist); Enter hands the line over."""
        if event.key == "enter":
            text, self.buffer, self._provisional = self.buffer, "", None
            self.post_message(self.Entered(text))
        elif event.key == "backspace":
            self.buffer = self.buffer[:-1]
        elif event.is_printable and event.character:
            self._typed(event.character)
        else:
            return
        event.stop()
        self.refresh()

    def _typed(self, ch: str) -> None:
        at = self.clock()
        burst = at - self._last_key <= self.burst_gap
        self._last_key = at
        if self._provisional is not None and burst and self.toggler is not None:
            # The tick was the first key of a scanned code: take it back.
            self.toggler(self._provisional)
            self.buffer = self._provisional
        self._provisional = None
        if self.toggler is not None and not burst:
            # With the checklist open, a key typed at human speed starts afresh.
            self.buffer = ""
        if self.toggler is not None and not self.buffer and self.toggler(ch):
            self._provisional = ch
            return
        self.buffer = (self.buffer + ch)[-200:]


STATE_STYLES = {
    "STABLE": "stable",
    "MOTION": "motion",
    "OFFLINE": "offline",
    "OVERLOAD": "offline",
    "UNDER ZERO": "motion",
    "ERROR": "offline",
    "NO WEIGHT": "motion",
    "NO SCALE": "offline",
    "UNREADABLE": "offline",
}
UNREADABLE_HINT = "check the scale's unit and mode"
"""What the weight panel says under UNREADABLE: the scale sends frames it cannot read."""


def reading_state(reading: ScaleReading | None, scale_state: str) -> str:
    """One word (or two) for what the scale is doing; never colour alone."""
    if scale_state.startswith("unreadable"):
        return "UNREADABLE"
    if not scale_state.startswith("connected"):
        return "NO SCALE" if scale_state == "not configured" else "OFFLINE"
    if reading is None:
        return "NO WEIGHT"
    return {
        "ok": "STABLE" if reading.stable else "MOTION",
        "motion": "MOTION",
        "overload": "OVERLOAD",
        "underload": "UNDER ZERO",
        "negative": "UNDER ZERO",
        "error": "ERROR",
        "no_weight": "NO WEIGHT",
    }[reading.status]


class WeightPanel(Vertical):
    """The big weight readout and the scale's state, in words and colour."""

    DEFAULT_CSS = """
    #weight-reason { height: auto; width: 100%; text-align: center; color: $error; display: none; }
    """

    def compose(self) -> ComposeResult:
        """Digits and a state line."""
        yield Digits("--.---", id="weight-digits")
        yield Static("NO SCALE", id="weight-state", classes="offline")
        yield Static("", id="weight-reason", classes="offline")

    def show(self, reading: ScaleReading | None, scale_state: str) -> None:
        """Show a reading (None clears it: a stale weight is never left on show)."""
        state = reading_state(reading, scale_state)
        digits = self.query_one(Digits)
        live = state not in ("OFFLINE", "UNREADABLE", "NO SCALE")
        if reading is not None and reading.grams is not None and live:
            sign = "-" if reading.grams < 0 else ""
            digits.update(f"{sign}{abs(reading.grams) / 1000:.3f}")
        else:
            digits.update("--.---")
        label = self.query_one("#weight-state", Static)
        label.update(f"{state}  (kg)", layout=False)
        label.set_classes(STATE_STYLES.get(state, "motion"))
        reason = UNREADABLE_HINT if state == "UNREADABLE" else ""
        hint = self.query_one("#weight-reason", Static)
        hint.update(reason, layout=False)
        # Shown only when there is a reason, so the usual readout keeps its layout.
        if hint.display != bool(reason):
            hint.display = bool(reason)


STEP_TEXT = {
    "weight": "Put the parcel on the scale  (F5 manual weight)",
    "inspect": "Inspect: tick prohibited items, o = opened, F4 note, F2 finish, F3 hold",
    "done": "Done: scan the next parcel",
}


def parcel_text(card: ParcelCard | None) -> Text:
    """The parcel card as text."""
    if card is None:
        return Text("No parcel: scan one to start.", style="dim")
    text = Text()
    text.append(f"{card.tracking_no}", style="bold")
    text.append(f"  {card.scheme}  id {card.parcel_id}\n")
    text.append(f"Customer  {card.customer_id or 'unknown'}  {card.customer_masked}\n")
    declared = (
        f"{card.declared_value:,} {card.currency or ''}" if card.declared_value is not None else "-"
    )
    text.append(f"Contents  {card.contents or '-'}   declared {declared}\n")
    weight = f"{card.weight_g} g ({card.weight_source})" if card.weight_g else "not weighed"
    text.append(f"Weight    {weight}\n")
    text.append("State     ")
    text.append(card.state.upper(), style="bold red" if card.held else "bold green")
    if card.hold_reasons:
        text.append(f"  ({', '.join(card.hold_reasons)})", style="red")
    text.append(f"\nNext      {STEP_TEXT[card.step]}")
    return text


class Checklist(Static):
    """Opened yes/no and the 16 prohibited categories of Art. 10, toggled by key."""

    def __init__(
        self, categories: tuple[ProhibitedCategory, ...], *, id: str | None = None
    ) -> None:
        """All unticked, not opened."""
        super().__init__(id=id)
        self.categories = categories
        self.by_key = {c.key: c for c in categories}
        self.ticked: set[str] = set()
        self.opened = False
        self.note = ""
        self.active = False

    def reset(self) -> None:
        """Clear every tick and the note."""
        self.ticked.clear()
        self.opened = False
        self.note = ""
        self.refresh_text()

    def toggle_key(self, key: str) -> bool:
        """Toggle the category (or `o` for opened) bound to `key`; False when none is."""
        if key == "o":
            self.opened = not self.opened
        elif key in self.by_key:
            code = self.by_key[key].code
            self.ticked.symmetric_difference_update({code})
        else:
            return False
        self.refresh_text()
        return True

    def on_mount(self) -> None:
        """Draw the list."""
        self.refresh_text()

    def refresh_text(self) -> None:
        """Redraw ticks, opened flag and note."""
        text = Text()
        text.append(
            "Inspection (Art. 13.1: an inspection guarantees nothing about quality)\n", "dim"
        )
        text.append(f"[{'x' if self.opened else ' '}] o  opened\n")
        half = (len(self.categories) + 1) // 2
        for left, right in zip(
            self.categories[:half], self.categories[half:] + (None,) * half, strict=False
        ):
            for cat in (left, right):
                if cat is None:
                    continue
                mark = "x" if cat.code in self.ticked else " "
                style = "bold red" if mark == "x" else ""
                # Only the left column is padded: no trailing blanks to wrap on a narrow bench.
                label = f"{cat.label:<32}" if cat is left else cat.label
                text.append(f"[{mark}] {cat.key}  {label}", style)
            text.append("\n")
        text.append(f"Note: {self.note or '-'}")
        if not self.active:
            text.stylize("dim")
        self.update(text, layout=False)  # the same number of lines every time
