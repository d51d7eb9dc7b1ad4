"""A virtual scale that speaks one protocol byte-exact, served on TCP or a pty."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

from jpgb_terminal.devices.protocols import Display, Protocol, get_protocol
from jpgb_terminal.devices.simulators.faults import WRONG_MODES, WrongMode, wrong_frame
from jpgb_terminal.devices.simulators.transport import DeviceServer, Link

DEFAULT_SETTLE = 0.5
"""Seconds a placed load swings before the scale reports it stable."""


class ScaleSimulator:
    """A scale whose load you set (place, remove, wobble, overload, unplug) from any thread.

    It answers polls the way the real protocol does and streams when the protocol
    is put in a continuous mode (MT-SICS `SIR`, SMA `R`, A&D stream mode).
    """

    def __init__(
        self,
        protocol: str = "mt-sics",
        *,
        unit: str | None = None,
        stream_hz: float = 10.0,
        stream_on_connect: bool = False,
        clock: Callable[[], float] = time.monotonic,
        seed: int | None = None,
    ) -> None:
        """`stream_on_connect` is A&D stream mode: every peer gets frames without asking.

        `unit` must be one the real scale reports in (8217: kg or lb); ValueError otherwise.
        """
        self.proto: Protocol = get_protocol(protocol)
        self.unit = unit or self.proto.default_unit
        if self.unit not in self.proto.units:
            known = ", ".join(self.proto.units)
            raise ValueError(f"a {protocol} scale reports {known}, not {self.unit!r}")
        self.stream_hz = stream_hz
        self.stream_on_connect = stream_on_connect
        self._clock = clock
        self._rand = random.Random(seed)
        self._lock = threading.Lock()
        self._grams = 0
        self._stable_at = 0.0
        self._overload = False
        self._net = False
        self._wrong: WrongMode | None = None
        self._booting_until = 0.0
        self.restarts = 0
        self.commands: list[bytes] = []
        """Every command received, in order (for tests and the probe's dialogue display)."""
        self.frames_sent = 0
        self.on_frame_sent: Callable[[bytes, float], None] | None = None
        """Called with each frame and the perf_counter time just before it is written."""
        self._server = DeviceServer(self._on_data, self._on_tick, self._on_connect)

    # -- load ---------------------------------------------------------------

    def place(self, grams: int, settle: float = DEFAULT_SETTLE) -> None:
        """Put a load of `grams` on the pan; it reads stable after `settle` seconds."""
        with self._lock:
            self._grams = int(grams)
            self._overload = False
            self._stable_at = self._clock() + settle

    def remove(self, settle: float = 0.2) -> None:
        """Take everything off the pan."""
        self.place(0, settle)

    def wobble(self, seconds: float = 1.0) -> None:
        """Someone leans on the bench: in motion for `seconds`."""
        with self._lock:
            self._stable_at = max(self._stable_at, self._clock() + seconds)

    def settle(self) -> None:
        """Stop any motion now."""
        with self._lock:
            self._stable_at = self._clock()

    def overload(self) -> None:
        """More than the scale's capacity: overload until the next place or remove."""
        with self._lock:
            self._overload = True

    def set_net(self, net: bool) -> None:
        """Report net (tared) instead of gross weights where the protocol can say so."""
        with self._lock:
            self._net = net

    def set_wrong_mode(self, mode: WrongMode | None = "unit") -> None:
        """Someone switches the scale to another unit (`unit`), to counting (`count`), or the
        line turns to noise (`garbled`): every weight frame becomes one the driver refuses.
        None puts it back to normal."""
        if mode is not None and mode not in WRONG_MODES:
            raise ValueError(f"wrong mode {mode!r} is not one of {', '.join(WRONG_MODES)}")
        with self._lock:
            self._wrong = mode

    def restart(self, boot: float = 0.0) -> None:
        """The scale restarts behind a port that stays open: it forgets stream mode and any
        half-received command, and for `boot` seconds neither answers nor sends."""
        now = time.monotonic()
        with self._lock:
            self._booting_until = now + boot
            self.restarts += 1

        def reset(link: Link) -> None:
            link.inbox.clear()
            link.streaming = self.stream_on_connect
            link.next_stream = now + boot

        self._server.each_link(reset)

    @property
    def booting(self) -> bool:
        """True while a restarted scale is still starting up."""
        return time.monotonic() < self._booting_until

    @property
    def grams(self) -> int:
        """The load on the pan."""
        return self._grams

    def display(self) -> Display:
        """What the scale shows now (motion jitters around the load)."""
        with self._lock:
            stable = self._clock() >= self._stable_at
            grams = self._grams
            if not stable and grams:
                grams += self._rand.randint(-max(1, grams // 50), max(1, grams // 50))
            return Display(grams=grams, stable=stable, overload=self._overload, net=self._net)

    def frame(self) -> bytes:
        """The weight frame the scale would send now."""
        display = self.display()
        wrong = self._wrong
        if wrong is not None:
            return wrong_frame(self.proto.name, wrong, display, self.unit)
        return self.proto.encode(display, self.unit)

    def handle(self, command: bytes) -> tuple[list[bytes], bool | None]:
        """The frames answering one command, and the stream mode it sets (None = unchanged)."""
        self.commands.append(command)
        display = self.display()
        reply = self.proto.respond(command, display, self.unit)
        wrong = self._wrong
        if wrong is not None and reply.frames:
            return [wrong_frame(self.proto.name, wrong, display, self.unit)], reply.stream
        return list(reply.frames), reply.stream

    # -- serving ------------------------------------------------------------

    def serve_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Serve on TCP (`socket://host:port`); returns the bound port."""
        return self._server.serve_tcp(host, port)

    def serve_pty(self, link: str | Path | None = None) -> str:
        """Serve on a pseudo-terminal; returns its path (or `link`, kept pointing at it)."""
        return self._server.serve_pty(link)

    def start(self) -> None:
        """Nothing to do: serving starts with serve_tcp / serve_pty (kept for symmetry)."""

    def unplug(self) -> None:
        """The cable is pulled: connections drop, the port disappears."""
        self._server.unplug()

    def replug(self) -> None:
        """The cable is back: same TCP port, or a new pty behind the same link."""
        self._server.replug()

    @property
    def plugged(self) -> bool:
        """False between unplug() and replug()."""
        return self._server.plugged

    @property
    def pty_path(self) -> str | None:
        """The current pty slave path, when serving on a pty."""
        return self._server.pty_path

    def close(self) -> None:
        """Stop serving."""
        self._server.close()

    def __enter__(self) -> ScaleSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- server callbacks (simulator thread) --------------------------------

    def _on_connect(self, link: Link) -> None:
        link.streaming = self.stream_on_connect
        link.next_stream = time.monotonic()

    def _on_data(self, link: Link, data: bytes) -> None:
        if self.booting:
            return
        end = self.proto.command_end
        link.inbox += data
        while link.inbox:
            if end is None:
                command = bytes(link.inbox[:1])
                del link.inbox[:1]
                if command in (b"\r", b"\n"):
                    continue
            else:
                cut = link.inbox.find(end)
                if cut < 0:
                    if len(link.inbox) > 1024:
                        link.inbox.clear()
                    return
                command = bytes(link.inbox[: cut + len(end)])
                del link.inbox[: cut + len(end)]
            frames, stream = self.handle(command)
            for frame in frames:
                self._send(link, frame)
            if stream is not None:
                link.streaming = stream
                link.next_stream = time.monotonic()

    def _on_tick(self, link: Link, now: float) -> float | None:
        if not link.streaming:
            return None
        if now >= link.next_stream and not self.booting:
            self._send(link, self.frame())
            link.next_stream = max(link.next_stream + 1 / self.stream_hz, now)
        return link.next_stream - now

    def _send(self, link: Link, frame: bytes) -> None:
        # Stamped before the write so a fast reader never sees a frame not yet recorded.
        if self.on_frame_sent is not None:
            self.on_frame_sent(frame, time.perf_counter())
        link.send(frame)
        self.frames_sent += 1
