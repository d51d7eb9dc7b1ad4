"""Login: operator name or badge scan, Enter, PIN, Enter."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from jpgb_terminal.screens.context import InContext
from jpgb_terminal.screens.messages import StationFailed, StationReady


class LoginScreen(InContext, Screen[None]):
    """Who is at the bench: name (or badge), then PIN."""

    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "unlock", "Unlock an operator"),
    ]

    def compose(self) -> ComposeResult:
        """Name, PIN, a message line, and the demo's operators when in the demo."""
        yield Header(show_clock=False)
        with Vertical(id="login-box"):
            yield Label("Operator (type your name or scan your badge)")
            yield Input(placeholder="name", id="name")
            yield Label("PIN")
            yield Input(placeholder="PIN", password=True, id="pin", restrict=r"[0-9]*")
            yield Static("", id="login-message")
            yield Static("", id="demo-operators")
        yield Static("Opening the store...", id="station-state")
        yield Footer()

    def on_mount(self) -> None:
        """Show the demo operators, and whether the store is ready."""
        for field in self.query(Input):
            field.cursor_blink = self.ctx.cursor_blink
        if self.ctx.demo:
            from jpgb_terminal.demo_operators import demo_operator_lines

            lines = "\n".join(demo_operator_lines())
            self.query_one("#demo-operators", Static).update(f"Demo operators:\n{lines}")
        if self.ctx.ready.is_set():
            self._show_ready()

    def on_screen_resume(self) -> None:
        """Back from a logout: the next operator starts with the name, whoever was here before."""
        self.query_one("#pin", Input).value = ""
        self.query_one("#name", Input).focus()

    def on_station_ready(self, _message: StationReady) -> None:
        """The store is open: logging in can go ahead."""
        self._show_ready()

    def on_station_failed(self, message: StationFailed) -> None:
        """Say why the station cannot work."""
        self.query_one("#station-state", Static).update(f"Station not ready: {message.reason}")
        self.query_one("#station-state").add_class("error")

    def _show_ready(self) -> None:
        if self.ctx.failure:
            self.on_station_failed(StationFailed(self.ctx.failure))
            return
        settings = self.ctx.settings
        self.query_one("#station-state", Static).update(f"Station {settings.station_id} ready")

    def action_unlock(self) -> None:
        """F2: a supervisor or lead lifts a lockout here, without logging in."""
        from jpgb_terminal.screens.unlock_dialog import UnlockDialog

        if self.ctx.store is None:
            return

        def closed(done: str | None) -> None:
            if done is not None:
                message = self.query_one("#login-message", Static)
                message.remove_class("error")
                message.update(done)
                self.query_one("#pin", Input).value = ""
                self.query_one("#name", Input).focus()

        self.app.push_screen(UnlockDialog(self.query_one("#name", Input).value.strip()), closed)

    @on(Input.Submitted, "#name")
    def _name_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_entered(self, event: Input.Submitted) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#name", Input).focus()
            return
        self._check(name, event.value)

    @work(exclusive=True, group="login")
    async def _check(self, name: str, pin: str) -> None:
        message = self.query_one("#login-message", Static)
        await self.ctx.ready.wait()
        if self.ctx.flow is None:
            message.update(f"The station is not ready: {self.ctx.failure}")
            return
        result = await self.ctx.run_db(self.ctx.flow.login, name, pin)
        pin_input = self.query_one("#pin", Input)
        pin_input.value = ""
        if not result.ok or result.operator is None:
            self.app.bell()
            message.update(result.message)
            message.add_class("error")
            return
        # The flow's login filled the operator session the screens read.
        from jpgb_terminal.screens.bench import BenchScreen

        self.query_one("#name", Input).value = ""
        message.update("")
        self.app.push_screen(BenchScreen())
