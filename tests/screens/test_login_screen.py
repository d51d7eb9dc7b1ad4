"""The login screen between shifts: wrong PINs, lockout, and the next operator after a logout."""

from __future__ import annotations

from textual.widgets import Input

from jpgb_terminal.screens.bench import BenchScreen
from jpgb_terminal.screens.login import LoginScreen
from tests.screens.helpers import Bench, login, until

SIZE = (120, 40)


async def test_after_logout_the_next_operator_types_a_name(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert (app.operator.name, app.operator.role) == (None, None)  # the session ended
        screen = app.screen
        await until(pilot, lambda: screen.query_one("#name", Input).has_focus)
        # The next operator types a name, Enter, the PIN, Enter: no clicking, no Tab.
        await pilot.press(*"kenji", "enter", *"2222", "enter")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen))
        # One operator session: the flow stamps events with the one the screens check.
        assert (app.operator.name, app.operator.role) == ("kenji", "supervisor")
        assert app.flow is not None and app.flow.session is app.operator
        # The flow tells the bench scale's weight gate which parcel is in hand.
        assert app.devices is not None and app.flow.gate is app.devices.gate


async def test_wrong_pin_says_attempts_left_and_keeps_the_name(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, app.ready.is_set)
        await pilot.press(*"aiko", "enter", *"9999", "enter")
        screen = app.screen
        message = screen.query_one("#login-message")
        await until(pilot, lambda: "attempts left" in str(message.render()))
        assert screen.query_one("#name", Input).value == "aiko"
        assert screen.query_one("#pin", Input).has_focus
        await pilot.press(*"1111", "enter")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen))


async def test_a_supervisor_unlocks_a_locked_operator_at_the_login(bench: Bench) -> None:
    from jpgb_terminal.screens.unlock_dialog import UnlockDialog

    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, app.ready.is_set)
        screen = app.screen
        message = screen.query_one("#login-message")
        await pilot.press(*"aiko", "enter")
        for _ in range(5):
            await pilot.press(*"0000", "enter")
            await app.workers.wait_for_complete()
        await until(pilot, lambda: "locked for 15 minutes" in str(message.render()))
        assert "F2 on the terminal's login screen" in str(message.render())

        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, UnlockDialog))
        dialog = app.screen
        error = dialog.query_one("#unlock-error")
        assert dialog.query_one("#locked", Input).value == "aiko"  # from the login screen
        # A wrong PIN keeps the dialog (and counts towards that lead's own lockout).
        await pilot.press(*"yui", "enter", *"9999", "enter")
        await until(pilot, lambda: "PIN refused" in str(error.render()))
        await pilot.press("shift+tab", "ctrl+u", *"kenji", "enter", *"2222", "enter")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert "aiko unlocked by kenji" in str(message.render())
        await pilot.press(*"aiko", "enter", *"1111", "enter")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen))


async def test_staff_cannot_unlock(bench: Bench) -> None:
    from jpgb_terminal.screens.unlock_dialog import UnlockDialog

    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, app.ready.is_set)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, UnlockDialog))
        dialog = app.screen
        await pilot.press(*"kenji", "enter", *"aiko", "enter", *"1111", "enter")
        error = dialog.query_one("#unlock-error")
        await until(pilot, lambda: "Nothing changed" in str(error.render()))
        assert "only a supervisor or lead may unlock an operator (role: staff)" in str(
            error.render()
        )
        assert app.screen is dialog
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
