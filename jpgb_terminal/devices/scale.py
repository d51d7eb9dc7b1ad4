"""Scale readings and the scale driver: a reader thread that polls or streams a serial scale."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal

import serial

from jpgb_terminal.devices.framing import Framer
from jpgb_terminal.devices.ports import device_identity, read_available
from jpgb_terminal.devices.protocols import Ack, LineSettings, Protocol, get_protocol
from jpgb_terminal.devices.reading import STATUSES, FrameError, ScaleReading, Status
from jpgb_terminal.devices.reconnect import DriverState, ReconnectLoop

__all__ = [
    "STATUSES",
    "UNREADABLE",
    "DriverState",
    "FrameError",
    "ScaleDriver",
    "ScaleReading",
    "Status",
    "framer_for",
    "parse_frame",
]

log = logging.getLogger(__name__)

REFUSED_RUN = 5
"""Refused frames in a row after which the state says the scale cannot be read."""
UNREADABLE = "the scale sends frames it cannot read: check its unit and mode"
"""Why a scale is `unreadable`: what the status line and the weight panel say."""


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


ReadingCallback = Callable[[ScaleReading | None], None]
StateCallback = Callable[[DriverState], None]


class ScaleDriver:
    """Reads a scale on its own daemon thread and publishes each reading through a callback.

    A reading is current only while frames that parse keep arriving: a frame the
    protocol refuses (another unit, counting mode, line noise) counts as silence.
    `on_reading(None)` means "no current weight" (port lost, scale silent or
    unreadable): a stale weight is never left on show. Only the latest reading is kept.
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
        self.refused_run = 0
        """Refused frames since the last frame that parsed."""
        self.stream_starts = 0
        """How many times the stream command was sent (once per connection and per silence)."""
        self.framer = framer_for(self.proto)
        self._commands: list[bytes] = []
        self._lock = threading.Lock()
        self._loop = ReconnectLoop(
            url, self.line, self._session, on_down=self._lost, name=f"scale-{self.protocol}"
        )

    @property
    def scale_id(self) -> str:
        """The scale's identity kept with each capture: USB serial number or by-id path."""
        if self._scale_id is None:
            self._scale_id = device_identity(self.url)
        return self._scale_id

    @property
    def current(self) -> ScaleReading | None:
        """The latest reading while it is current (None when lost, silent or unreadable)."""
        return self.latest if self.state.state == "connected" else None

    def start(self) -> None:
        """Start the reader thread."""
        _ = self.scale_id
        self._loop.start()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the reader thread and close the port; returns within about `timeout` seconds."""
        self._loop.close(timeout)
        self._clear()
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

    def _session(self, port: serial.SerialBase) -> None:
        """One open port: poll or stream, and keep the reading current only while frames parse."""
        stop = self._loop.stopping
        self.framer.reset()
        self.refused_run = 0
        self._set_state(DriverState("connected"))
        streaming = self.mode == "stream"
        now = time.monotonic()
        if streaming:
            self._start_stream(port)
        last_good = now
        last_start = now
        next_poll = now
        awaiting_since: float | None = None
        refused_since_good = False
        while not stop.is_set():
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
            if data:
                arrived = datetime.now(UTC)
                for frame in self.framer.feed(data):
                    awaiting_since = None
                    if self._handle(frame, arrived):
                        last_good = time.monotonic()
                        self.refused_run = 0
                        refused_since_good = False
                    else:
                        self.refused_run += 1
                        refused_since_good = True
            now = time.monotonic()
            silent = now - last_good > self.silence_timeout
            if self.refused_run >= REFUSED_RUN or (silent and refused_since_good):
                self._lost(DriverState("unreadable", UNREADABLE))
            elif silent:
                self._lost(
                    DriverState(
                        "offline", f"no answer from the scale for {self.silence_timeout:g} s"
                    )
                )
            # A scale that restarted behind an open port has forgotten it was streaming.
            if streaming and silent and now - last_start >= self.silence_timeout:
                self._start_stream(port)
                last_start = now

    def _start_stream(self, port: serial.SerialBase) -> None:
        if self.proto.stream_command:
            port.write(self.proto.stream_command)
            self.stream_starts += 1

    def _handle(self, frame: bytes, arrived: datetime) -> bool:
        """Publish what one frame says; False when the protocol refuses it."""
        ack = self.proto.parse_ack(frame)
        if ack is not None:
            self._set_state(DriverState("connected"))
            if self.on_ack is not None:
                _call(self.on_ack, ack)
            return True
        try:
            reading = self.proto.parse(frame, self.default_unit)
        except FrameError as exc:
            self.frame_errors += 1
            if self.on_frame_error is not None:
                _call(self.on_frame_error, frame, str(exc))
            return False
        # The state goes back to connected before the reading, so a listener that drops
        # readings of a scale not connected keeps this one.
        self._set_state(DriverState("connected"))
        reading = replace(reading, at=arrived)
        self.latest = reading
        if self.on_reading is not None:
            _call(self.on_reading, reading)
        return True

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


def _call(callback: Callable[..., None], *args: object) -> None:
    """Run a subscriber's callback; its failure is logged, never fatal to the reader."""
    try:
        callback(*args)
    except Exception:
        log.exception("device callback failed")
