"""The reconnect loop every serial driver shares: open, read, back off, reopen, close."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import serial

from jpgb_terminal.devices.ports import PORT_ERRORS, READ_TIMEOUT, open_port
from jpgb_terminal.devices.protocols.base import LineSettings

log = logging.getLogger(__name__)

BACKOFF_START = 0.1
BACKOFF_CAP = 1.0
"""Longest wait between two attempts to reopen a lost port (keeps recovery under 2 s)."""


@dataclass(frozen=True)
class DriverState:
    """What the bench shows about a device: `connected`, `offline`, `unreadable` or `error`, and why."""

    state: Literal["connecting", "connected", "offline", "unreadable", "error", "closed"]
    reason: str | None = None


def next_backoff(delay: float) -> float:
    """The wait before the next reopen attempt after one that waited `delay`: doubled, capped."""
    return min(delay * 2, BACKOFF_CAP)


Session = Callable[[serial.SerialBase], None]
Opener = Callable[[str, LineSettings], serial.SerialBase]


def _open(url: str, line: LineSettings) -> serial.SerialBase:
    return open_port(url, line, timeout=READ_TIMEOUT)


class ReconnectLoop:
    """Keeps one port open on a daemon thread and hands it to `session` each time it opens.

    `session(port)` reads until `stopping` is set or the port fails (it raises). A port
    that cannot be opened is retried after a wait that doubles up to BACKOFF_CAP; a port
    lost mid-session is reopened at once. Every failure goes to `on_down` as a state
    with its reason; the thread never dies of one. The port is always closed.
    """

    def __init__(
        self,
        url: str,
        line: LineSettings,
        session: Session,
        *,
        on_down: Callable[[DriverState], None],
        on_reopen: Callable[[], None] | None = None,
        name: str = "port",
        opener: Opener = _open,
    ) -> None:
        """Nothing is opened until start(); `on_reopen` runs after each session ends."""
        self.url = url
        self.line = line
        self.session = session
        self.on_down = on_down
        self.on_reopen = on_reopen
        self.name = name
        self.opener = opener
        self.opens = 0
        """How many times the port was opened (for tests and the probe)."""
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the reader thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (a second call does nothing)."""
        if self._thread is not None:
            return
        self.stopping.clear()
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()

    def close(self, timeout: float = 2.0) -> None:
        """Ask the thread to stop and wait up to `timeout` seconds for it to close the port."""
        self.stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def run(self) -> None:
        """The loop itself (the thread's target; callable directly for a blocking reader)."""
        backoff = BACKOFF_START
        while not self.stopping.is_set():
            try:
                port = self.opener(self.url, self.line)
            except PORT_ERRORS as exc:
                self._down(DriverState("offline", f"cannot open {self.url}: {exc}"))
                self.stopping.wait(backoff)
                backoff = next_backoff(backoff)
                continue
            except Exception as exc:  # a bad URL or settings: report, keep trying slowly
                self._down(DriverState("error", f"{type(exc).__name__}: {exc}"))
                self.stopping.wait(BACKOFF_CAP)
                continue
            backoff = BACKOFF_START
            self.opens += 1
            try:
                self.session(port)
            except PORT_ERRORS as exc:
                self._down(DriverState("offline", f"port lost: {exc}"))
            except Exception as exc:  # never let the thread die; show why instead
                log.exception("%s reader failed", self.name)
                self._down(DriverState("error", f"{type(exc).__name__}: {exc}"))
                self.stopping.wait(BACKOFF_START)
            finally:
                _close_port(port)
                if self.on_reopen is not None:
                    _call(self.on_reopen)

    def _down(self, state: DriverState) -> None:
        _call(self.on_down, state)


def _close_port(port: serial.SerialBase) -> None:
    try:
        port.close()
    except Exception:
        log.debug("closing port failed", exc_info=True)


def _call(callback: Callable[..., None], *args: object) -> None:
    """Run a driver's or subscriber's callback; its failure is logged, never fatal to the loop."""
    try:
        callback(*args)
    except Exception:
        log.exception("device callback failed")
