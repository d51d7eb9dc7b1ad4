"""Test helpers: waiting on callbacks without sleeping, and a byte-level fake device."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from jpgb_terminal.devices.simulators.transport import DeviceServer, Link


class Recorder:
    """Collects callback arguments and lets a test wait for a condition on them."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._cond = threading.Condition()

    def __call__(self, *args: Any) -> None:
        with self._cond:
            self.items.append(args[0] if len(args) == 1 else args)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[list[Any]], bool], timeout: float = 3.0) -> bool:
        """Block until predicate(items) holds or `timeout` passes."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self.items), timeout)

    def mark(self) -> int:
        """Index to look from, for "after this point" waits."""
        with self._cond:
            return len(self.items)


def wait_until(predicate: Callable[[], bool], timeout: float = 3.0) -> bool:
    """Poll `predicate` on an Event with short timeouts (for state without callbacks)."""
    tick = threading.Event()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        tick.wait(0.005)
    return predicate()


class FakeDevice:
    """A TCP peer the test feeds byte by byte: noise, half frames, silence."""

    def __init__(self) -> None:
        self.received = Recorder()
        self.server = DeviceServer(self._on_data)
        self.port = self.server.serve_tcp()
        self.url = f"socket://127.0.0.1:{self.port}"

    def _on_data(self, link: Link, data: bytes) -> None:
        self.received(data)

    def wait_peer(self, timeout: float = 3.0) -> bool:
        return wait_until(lambda: bool(self.server.links), timeout)

    def wait_ready(self, driver: Any, timeout: float = 3.0) -> bool:
        """The driver is connected and its port open: pyserial discards whatever arrived
        before that (reset_input_buffer on open), so a test sends only after this."""
        return self.wait_peer(timeout) and wait_until(
            lambda: driver.state.state == "connected", timeout
        )

    def send(self, data: bytes) -> None:
        self.server.broadcast(data)

    def close(self) -> None:
        self.server.close()
