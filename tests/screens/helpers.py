"""Driving the terminal in tests: a bench with a real store and a simulated scale."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from jpgb_terminal.app import JpgbApp
from jpgb_terminal.devices.simulators.scale import ScaleSimulator
from jpgb_terminal.settings import Settings
from jpgb_terminal.store import Store


@dataclass
class Bench:
    """A store, a simulated scale on a socket, and settings that point at both."""

    store: Store
    scale: ScaleSimulator
    settings: Settings
    labels: Path

    def app(self, **kwargs: object) -> JpgbApp:
        """A terminal on this bench."""
        return JpgbApp(self.settings, **kwargs)  # type: ignore[arg-type]


async def until(pilot: Pilot, predicate: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app work (messages, workers) until `predicate()` holds, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting for {getattr(predicate, '__name__', predicate)}"
            )


async def login(pilot: Pilot, name: str = "aiko", pin: str = "1111") -> None:
    """Type a name and PIN on the login screen and wait for the bench."""
    from jpgb_terminal.screens.bench import BenchScreen

    app = pilot.app
    assert isinstance(app, JpgbApp)
    await until(pilot, app.ready.is_set)
    await pilot.press(*name, "enter", *pin, "enter")
    await until(pilot, lambda: isinstance(app.screen, BenchScreen))


async def scan(pilot: Pilot, code: str) -> None:
    """Type a code into the scan field the way a keyboard-wedge scanner does."""
    await pilot.press(*code, "enter")
    await pilot.app.workers.wait_for_complete()
