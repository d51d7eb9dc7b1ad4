"""Mettler Toledo 8217 (weight only): `W` answered by STX weight [N] CR or STX ? status CR."""

from __future__ import annotations

import re

from jpgb_terminal.devices.protocols.base import (
    Ack,
    Display,
    LineSettings,
    Protocol,
    Reply,
    ascii_text,
    in_unit,
)
from jpgb_terminal.devices.reading import (
    FrameError,
    ScaleReading,
    parse_number,
    status_reading,
    weight_reading,
)

NAME = "toledo-8217"
STX = b"\x02"
CR = b"\r"

MOTION = 0x01
OVER_CAPACITY = 0x02
UNDER_ZERO = 0x04
OUTSIDE_ZERO_RANGE = 0x08
CENTER_OF_ZERO = 0x10
NET = 0x20
# Bit 6 is set by scales so the byte stays printable; bit 7 is parity under 7E1.
STATUS_MASK = 0x3F
STATUS_BASE = 0x40

_WEIGHT = re.compile(r" *([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(N?)")


def parse(frame: bytes, default_unit: str = "kg") -> ScaleReading:
    """Parse one STX...CR frame; the frame carries no unit, so `default_unit` says which."""
    if not (frame.startswith(STX) and frame.endswith(CR)) or len(frame) < 3:
        raise FrameError(f"{NAME}: frame must run from STX to CR")
    body = frame[1:-1]
    if body.startswith(b"?"):
        if len(body) != 2:
            raise FrameError(f"{NAME}: status frame must carry exactly one status byte")
        return _status(body[1], frame)
    text = ascii_text(body, NAME)
    m = _WEIGHT.fullmatch(text)
    if m is None:
        raise FrameError(f"{NAME}: malformed weight {text!r}")
    return weight_reading(
        parse_number(m.group(1)),
        default_unit,
        stable=True,
        net=m.group(2) == "N",
        raw=frame,
        protocol=NAME,
    )


def _status(byte: int, frame: bytes) -> ScaleReading:
    bits = byte & STATUS_MASK
    net = bool(bits & NET)
    if bits & OVER_CAPACITY:
        return status_reading("overload", frame, NAME, net=net)
    if bits & UNDER_ZERO:
        return status_reading("negative", frame, NAME, net=net)
    if bits & OUTSIDE_ZERO_RANGE:
        return status_reading("error", frame, NAME, net=net)
    if bits & MOTION:
        return status_reading("motion", frame, NAME, net=net)
    if bits & CENTER_OF_ZERO:
        return ScaleReading(
            grams=0, stable=True, net=net, status="ok", raw=frame, unit=None, protocol=NAME
        )
    return status_reading("no_weight", frame, NAME, net=net)


def parse_ack(frame: bytes) -> Ack | None:
    """8217 does not acknowledge zero or tare."""
    return None


def status_frame(bits: int) -> bytes:
    """STX ? status CR for the given status bits."""
    return STX + b"?" + bytes([STATUS_BASE | (bits & STATUS_MASK)]) + CR


def encode(display: Display, unit: str = "kg") -> bytes:
    """What the scale answers to `W` for `display`."""
    net = NET if display.net else 0
    if display.overload:
        return status_frame(OVER_CAPACITY | net)
    if display.grams < 0:
        return status_frame(UNDER_ZERO | net)
    if not display.stable:
        return status_frame(MOTION | net)
    if display.grams == 0:
        return status_frame(CENTER_OF_ZERO | net)
    value = in_unit(display.grams, unit, 3)
    return STX + f"{value:06.3f}".encode("ascii") + (b"N" if display.net else b"") + CR


def respond(command: bytes, display: Display, unit: str = "kg") -> Reply:
    """`W` gets the weight; `Z`, `T` and `C` are silently obeyed."""
    if command == b"W":
        return Reply((encode(display, unit),))
    return Reply(())


PROTOCOL = Protocol(
    name=NAME,
    line=LineSettings(9600, 7, "E", 1),
    frame_start=STX,
    frame_end=CR,
    poll=b"W",
    stream_command=None,
    zero=b"Z",
    tare=b"T",
    default_unit="kg",
    parse=parse,
    parse_ack=parse_ack,
    encode=encode,
    respond=respond,
    command_end=None,
)
