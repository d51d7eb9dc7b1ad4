"""Placeholder screen, replaced by the real one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static


class PackingScreen(Screen[None]):
    """Not built yet: says so and goes back with Esc."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        """A message and the footer."""
        yield Static("This screen is not available yet. Esc goes back.")
        yield Footer()
