"""What every scale protocol module provides: line settings, dialogue, parser and encoder."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from jpgb_terminal.devices.reading import GRAMS_PER_UNIT, FrameError, ScaleReading

STANDARD_BAUD_RATES = (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class LineSettings:
    """Serial line settings, all passed when the port is opened."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1

    @classmethod
    def parse(cls, text: str) -> LineSettings:
        """Line settings from their short form, `19200 8N1` or `2400 7E1` (ValueError if not)."""
        match = re.fullmatch(r"\s*(\d{3,7})\s+([5-8])([NEOMS])(1|1\.5|2)\s*", text.upper())
        if match is None:
            raise ValueError(
                f"line settings {text!r} must look like '9600 8N1': baud rate, data bits, "
                "parity (N, E, O, M, S), stop bits"
            )
        baud, bits, parity, stop = match.groups()
        if int(baud) not in STANDARD_BAUD_RATES:
            rates = ", ".join(str(b) for b in STANDARD_BAUD_RATES)
            raise ValueError(f"baud rate {baud} is not one a scale uses ({rates})")
        return cls(int(baud), int(bits), parity, float(stop) if stop == "1.5" else int(stop))

    @property
    def label(self) -> str:
        """Short form such as `9600 8N1`."""
        stop = int(self.stopbits) if self.stopbits == int(self.stopbits) else self.stopbits
        return f"{self.baudrate} {self.bytesize}{self.parity}{stop}"


@dataclass(frozen=True)
class Ack:
    """A scale's answer to a zero or tare command."""

    command: Literal["zero", "tare"]
    ok: bool
    raw: bytes


@dataclass(frozen=True)
class Display:
    """What a simulated scale shows, for the encoders."""

    grams: int
    stable: bool
    overload: bool = False
    net: bool = False


@dataclass(frozen=True)
class Reply:
    """A simulated scale's answer to one command: frames to send, and the new stream mode."""

    frames: tuple[bytes, ...] = ()
    stream: bool | None = None


@dataclass(frozen=True)
class Protocol:
    """One scale protocol: how to frame, what to send, how to read what comes back."""

    name: str
    line: LineSettings
    frame_start: bytes | None
    frame_end: bytes
    poll: bytes
    stream_command: bytes | None
    """Sent once to start streaming; b"" when the scale streams on its own; None = cannot."""
    zero: bytes
    tare: bytes
    default_unit: str
    parse: Callable[[bytes, str], ScaleReading]
    parse_ack: Callable[[bytes], Ack | None]
    encode: Callable[[Display, str], bytes]
    respond: Callable[[bytes, Display, str], Reply]
    command_end: bytes | None
    """How the scale frames commands it receives: a terminator, or None = one byte each."""
    units: tuple[str, ...]
    """Units a real scale of this protocol reports in, so the only ones `encode` takes."""


def in_unit(grams: int, unit: str, places: int) -> Decimal:
    """Grams expressed in `unit` with `places` decimals (for encoders)."""
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(grams) / GRAMS_PER_UNIT[unit]).quantize(quantum, rounding=ROUND_HALF_UP)


def places_for(unit: str) -> int:
    """How many decimals a scale shows in `unit` (1 g resolution or near it)."""
    return {"g": 1, "kg": 3, "lb": 3, "oz": 2, "mg": 0, "t": 6}.get(unit, 3)


def ascii_text(frame: bytes, protocol: str) -> str:
    """The frame as text: printable ASCII before the CR/LF ending, anything else a FrameError.

    A byte with its top bit set is usually the parity bit of a 7E1 scale read on an
    8N1 port; a NUL is usually a byte the port dropped for bad parity. Both are
    reported, never stripped: a frame with a damaged byte is not evidence.
    """
    for byte in frame:
        if byte >= 0x80:
            raise FrameError(
                f"{protocol}: byte 0x{byte:02X} has its top bit set "
                "(line noise, or the port's data bits/parity do not match the scale)"
            )
    text = frame.decode("ascii")
    body = text.rstrip("\r\n")
    if not body.isprintable():
        bad = next(c for c in body if not c.isprintable())
        raise FrameError(f"{protocol}: control byte 0x{ord(bad):02X} inside the frame")
    return text
