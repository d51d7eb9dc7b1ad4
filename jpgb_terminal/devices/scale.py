"""Scale readings and the scale driver: a reader thread that polls or streams a serial scale."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

import serial

from jpgb_terminal.devices.framing import Framer
from jpgb_terminal.devices.ports import (
    PORT_ERRORS,
    READ_TIMEOUT,
    device_identity,
    open_port,
    read_available,
)
from jpgb_terminal.devices.protocols import Ack, LineSettings, Protocol, get_protocol
from jpgb_terminal.devices.reading import STATUSES, FrameError, ScaleReading, Status

__all__ = [
    "STATUSES",
    "DriverState",
    "FrameError",
    "ScaleDriver",
    "ScaleReading",
    "Status",
    "framer_for",
    "parse_frame",
]

log = logging.getLogger(__name__)

BACKOFF_START = 0.1
BACKOFF_CAP = 1.0
"""Longest wait between two attempts to reopen a lost port (keeps recovery under 2 s)."""


def parse_frame(protocol: str, frame: bytes, *, default_unit: str | None = None) -> ScaleReading:
    """Parse one whole frame of `protocol`; raises FrameError when it is not a weight.

    `default_unit` is the unit assumed when the frame names none (Toledo 8217 sends
    bare numbers: `kg` unless the scale is set to pounds).
    """
    proto = get_protocol(protocol)
    return proto.parse(frame, default_unit or proto.default_unit)


def framer_for(protocol: Protocol) -> Framer:
    """A framer set up for `protocol`'s frame markers."""
    if protocol.frame_start is None:
        return Framer()
    return Framer(start=protocol.frame_start, end=protocol.frame_end)


@dataclass(frozen=True)
class DriverState:
    """What the bench shows about a device: `connected`, `offline` or `error`, and why."""

    state: Literal["connecting", "connected", "offline", "error", "closed"]
    reason: str | None = None


ReadingCallback = Callable[[ScaleReading | None], None]
StateCallback = Callable[[DriverState], None]


class ScaleDriver:
    """Reads a scale on its own daemon thread and publishes each reading through a callback.

    `on_reading(None)` means "no current weight" (port lost, scale silent): a stale
    weight is never left on show. Only the latest reading is kept.
    """

    def __init__(
        self,
        url: str,
        protocol: str = "mt-sics",
        *,
        line: LineSettings | None = None,
        mode: Literal["poll", "stream"] = "poll",
        default_unit: str | None = None,
        poll_interval: float = 0.1,
        reply_timeout: float = 0.5,
        silence_timeout: float = 2.0,
        on_reading: ReadingCallback | None = None,
        on_state: StateCallback | None = None,
        on_ack: Callable[[Ack], None] | None = None,
        on_frame_error: Callable[[bytes, str], None] | None = None,
        scale_id: str | None = None,
    ) -> None:
        """Configure; nothing is opened until start()."""
        self.url = url
        self.proto = get_protocol(protocol)
        self.protocol = self.proto.name
        self.line = line or self.proto.line
        if mode == "stream" and self.proto.stream_command is None:
            raise ValueError(f"{self.protocol} cannot stream; use mode='poll'")
        self.mode = mode
        self.default_unit = default_unit or self.proto.default_unit
        self.poll_interval = poll_interval
        self.reply_timeout = reply_timeout
        self.silence_timeout = silence_timeout
        self.on_reading = on_reading
        self.on_state = on_state
        self.on_ack = on_ack
        self.on_frame_error = on_frame_error
        self._scale_id = scale_id
        self.latest: ScaleReading | None = None
        self.state = DriverState("connecting")
        self.frame_errors = 0
        self.framer = framer_for(self.proto)
        self._stop = threading.Event()
        self._commands: list[bytes] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def scale_id(self) -> str:
        """The scale's identity kept with each capture: USB serial number or by-id path."""
        if self._scale_id is None:
            self._scale_id = device_identity(self.url)
        return self._scale_id

    def start(self) -> None:
        """Start the reader thread."""
        if self._thread is not None:
            return
        _ = self.scale_id
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"scale-{self.protocol}", daemon=True
        )
        self._thread.start()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the reader thread and close the port; returns within about `timeout` seconds."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._set_state(DriverState("closed"))

    def zero(self) -> None:
        """Ask the scale to zero (sent by the reader thread)."""
        with self._lock:
            self._commands.append(self.proto.zero)

    def tare(self) -> None:
        """Ask the scale to tare (sent by the reader thread)."""
        with self._lock:
            self._commands.append(self.proto.tare)

    def __enter__(self) -> ScaleDriver:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reader thread -------------------------------------------------------

    def _run(self) -> None:
        backoff = BACKOFF_START
        while not self._stop.is_set():
            try:
                port = open_port(self.url, self.line, timeout=READ_TIMEOUT)
            except PORT_ERRORS as exc:
                self._lost(DriverState("offline", f"cannot open {self.url}: {exc}"))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_CAP)
                continue
            except Exception as exc:  # a bad URL or settings: report, keep trying
                self._lost(DriverState("error", f"{type(exc).__name__}: {exc}"))
                self._stop.wait(BACKOFF_CAP)
                continue
            backoff = BACKOFF_START
            try:
                self._session(port)
            except PORT_ERRORS as exc:
                self._lost(DriverState("offline", f"port lost: {exc}"))
            except Exception as exc:  # never let the thread die; show why instead
                log.exception("scale driver failed")
                self._lost(DriverState("error", f"{type(exc).__name__}: {exc}"))
                self._stop.wait(BACKOFF_START)
            finally:
                self._close_port(port)
        self._clear()

    def _session(self, port: serial.SerialBase) -> None:
        self.framer.reset()
        self._set_state(DriverState("connected"))
        streaming = self.mode == "stream"
        if streaming and self.proto.stream_command:
            port.write(self.proto.stream_command)
        now = time.monotonic()
        last_frame = now
        next_poll = now
        awaiting_since: float | None = None
        silent = False
        while not self._stop.is_set():
            self._send_commands(port)
            now = time.monotonic()
            if (
                not streaming
                and now >= next_poll
                and (awaiting_since is None or now - awaiting_since >= self.reply_timeout)
            ):
                port.write(self.proto.poll)
                awaiting_since = now
                next_poll = now + self.poll_interval
            data = read_available(port)
            if not data:
                if not silent and time.monotonic() - last_frame > self.silence_timeout:
                    silent = True
                    self._lost(
                        DriverState(
                            "offline", f"no answer from the scale for {self.silence_timeout:g} s"
                        )
                    )
                continue
            arrived = datetime.now(UTC)
            for frame in self.framer.feed(data):
                last_frame = time.monotonic()
                awaiting_since = None
                if silent:
                    silent = False
                    self._set_state(DriverState("connected"))
                self._handle(frame, arrived)

    def _handle(self, frame: bytes, arrived: datetime) -> None:
        ack = self.proto.parse_ack(frame)
        if ack is not None:
            if self.on_ack is not None:
                _call(self.on_ack, ack)
            return
        try:
            reading = self.proto.parse(frame, self.default_unit)
        except FrameError as exc:
            self.frame_errors += 1
            if self.on_frame_error is not None:
                _call(self.on_frame_error, frame, str(exc))
            return
        reading = replace(reading, at=arrived)
        self.latest = reading
        if self.on_reading is not None:
            _call(self.on_reading, reading)

    def _send_commands(self, port: serial.SerialBase) -> None:
        if not self._commands:
            return
        with self._lock:
            pending, self._commands = self._commands, []
        for command in pending:
            port.write(command)

    def _lost(self, state: DriverState) -> None:
        self._clear()
        self._set_state(state)

    def _clear(self) -> None:
        if self.latest is not None:
            self.latest = None
            if self.on_reading is not None:
                _call(self.on_reading, None)

    def _set_state(self, state: DriverState) -> None:
        if state == self.state:
            return
        self.state = state
        if self.on_state is not None:
            _call(self.on_state, state)

    @staticmethod
    def _close_port(port: serial.SerialBase) -> None:
        try:
            port.close()
        except Exception:
            log.debug("closing port failed", exc_info=True)


def _call(callback: Callable[..., None], *args: object) -> None:
    """Run a subscriber's callback; its failure is logged, never fatal to the reader."""
    try:
        callback(*args)
    except Exception:
        log.exception("device callback failed")
