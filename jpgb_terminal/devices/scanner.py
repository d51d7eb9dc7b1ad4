"""Barcode scanners: the serial scanner driver and the keyboard-wedge decoder, both giving Scans."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import serial

from jpgb_terminal.devices.framing import Framer
from jpgb_terminal.devices.ports import read_available
from jpgb_terminal.devices.protocols.base import LineSettings
from jpgb_terminal.devices.reconnect import DriverState, ReconnectLoop

log = logging.getLogger(__name__)

GS = "\x1d"
"""The GS1 field separator (FNC1 in the data); kept in the scanned text."""

Source = Literal["serial", "keyboard", "simulator"]

# AIM symbology identifiers (ISO/IEC 15424): `]` + code character + modifier.
_AIM_BASE = {
    "A": "Code 39",
    "C": "Code 128",
    "E": "EAN/UPC",
    "F": "Codabar",
    "G": "Code 93",
    "H": "Code 11",
    "I": "ITF",
    "L": "PDF417",
    "Q": "QR Code",
    "X": "Other",
    "d": "Data Matrix",
    "e": "GS1 DataBar",
    "z": "Aztec",
}
_AIM_SPECIAL = {
    "C1": "GS1-128",
    "E0": "EAN-13",
    "E4": "EAN-8",
    "d2": "GS1 DataMatrix",
    "Q3": "GS1 QR Code",
    "z5": "GS1 Aztec",
}


@dataclass(frozen=True)
class Scan:
    """One decoded barcode: its text, symbology when known, where it came from and when."""

    text: str
    symbology: str | None
    source: Source
    at: datetime


def split_aim(text: str) -> tuple[str, str | None]:
    """Strip a leading AIM identifier (`]C1`, `]E0`, `]d2`, `]Q3` ...); return text, symbology."""
    if len(text) >= 3 and text[0] == "]" and text[1] in _AIM_BASE and text[2].isalnum():
        aim = text[1:3]
        return text[3:], _AIM_SPECIAL.get(aim, _AIM_BASE[text[1]])
    return text, None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def decode_scan(
    frame: bytes, source: Source, at: datetime | None = None, *, min_length: int = 1
) -> Scan | None:
    """A Scan from one terminated frame; None when nothing is left or it is too short."""
    body = frame.rstrip(b"\r\n")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    text, symbology = split_aim(text)
    if len(text) < max(min_length, 1):
        return None
    return Scan(text=text, symbology=symbology, source=source, at=at or _utc_now())


class SerialScanner:
    """Reads a CDC-ACM or RS-232 scanner on a daemon thread; every CR/LF ends one scan.

    A half code with no terminator never becomes a scan, and is dropped when the
    port is lost or reopened.
    """

    def __init__(
        self,
        url: str,
        *,
        line: LineSettings | None = None,
        on_scan: Callable[[Scan], None] | None = None,
        on_state: Callable[[DriverState], None] | None = None,
        source: Source = "serial",
        min_length: int = 1,
    ) -> None:
        """Nothing is opened until start()."""
        self.url = url
        self.line = line or LineSettings(9600, 8, "N", 1)
        self.on_scan = on_scan
        self.on_state = on_state
        self.source: Source = source
        self.min_length = min_length
        # NUL, XON and XOFF are line noise; UTF-8 text and GS are kept.
        self.framer = Framer(max_len=4096, lead_noise=rb"[\x00\x11\x13]")
        self.state = DriverState("connecting")
        self.rejected = 0
        self._loop = ReconnectLoop(
            url,
            self.line,
            self._session,
            on_down=self._set_state,
            on_reopen=self.framer.reset,
            name="scanner",
        )

    def start(self) -> None:
        """Start the reader thread."""
        self._loop.start()

    def close(self, timeout: float = 2.0) -> None:
        """Stop reading and close the port."""
        self._loop.close(timeout)
        self._set_state(DriverState("closed"))

    def __enter__(self) -> SerialScanner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _session(self, port: serial.SerialBase) -> None:
        """One open port: every terminated line is a scan, until the port fails or we stop."""
        self.framer.reset()
        self._set_state(DriverState("connected"))
        stop = self._loop.stopping
        while not stop.is_set():
            data = read_available(port)
            if data:
                self._frames(data)

    def _frames(self, data: bytes) -> None:
        at = _utc_now()
        for frame in self.framer.feed(data):
            scan = decode_scan(frame, self.source, at, min_length=self.min_length)
            if scan is None:
                self.rejected += 1
                continue
            if self.on_scan is not None:
                try:
                    self.on_scan(scan)
                except Exception:
                    log.exception("scan callback failed")

    def _set_state(self, state: DriverState) -> None:
        if state == self.state:
            return
        self.state = state
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:
                log.exception("state callback failed")


class WedgeDecoder:
    """Turns keystrokes from a keyboard-wedge scanner into Scans.

    Characters accumulate until the suffix (Enter by default: CR or LF both
    count). With a prefix configured, only text after the prefix counts, and a
    line typed without it is rejected. Lines shorter than `min_length` are
    rejected (a stray key press), and the buffer never grows past `max_length`.
    """

    def __init__(
        self,
        *,
        prefix: str = "",
        suffix: str = "\r",
        min_length: int = 4,
        max_length: int = 4096,
        source: Source = "keyboard",
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """`suffix` CR or LF accepts either (and CR LF); any other suffix must match exactly."""
        if not suffix:
            raise ValueError("a wedge scanner needs a suffix to end each code")
        self.prefix = prefix
        self.suffix = suffix
        self.min_length = min_length
        self.max_length = max_length
        self.source: Source = source
        self.clock = clock
        self.rejected = 0
        self._buf: list[str] = []
        self._enter = suffix in ("\r", "\n", "\r\n")

    @property
    def pending(self) -> str:
        """Characters typed since the last scan."""
        return "".join(self._buf)

    def reset(self) -> None:
        """Forget a partial code."""
        self._buf.clear()

    def feed(self, chars: str) -> list[Scan]:
        """Feed one key's character or a whole string; returns the scans it completed."""
        scans: list[Scan] = []
        for ch in chars:
            if self._enter and ch in "\r\n":
                line = self.pending
                self._buf.clear()
                if line:
                    self._finish(line, scans)
                continue
            self._buf.append(ch)
            if not self._enter and self.pending.endswith(self.suffix):
                line = self.pending[: -len(self.suffix)]
                self._buf.clear()
                self._finish(line, scans)
            elif len(self._buf) > self.max_length:
                self._buf.clear()
                self.rejected += 1
        return scans

    def _finish(self, line: str, scans: list[Scan]) -> None:
        if self.prefix:
            at = line.rfind(self.prefix)
            if at < 0:
                self.rejected += 1
                return
            line = line[at + len(self.prefix) :]
        text, symbology = split_aim(line)
        if len(text) < self.min_length:
            self.rejected += 1
            return
        scans.append(Scan(text=text, symbology=symbology, source=self.source, at=self.clock()))
