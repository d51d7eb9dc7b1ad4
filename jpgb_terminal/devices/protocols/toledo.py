"""Mettler Toledo 8217 (weight only): `W` answered by STX weight [N] CR or STX ? status CR.

Checked against the 8217 command table and status byte table of the Mettler Toledo
DIVA service manual (sections 6.1.3.2 and 6.1.4.3).
"""

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

PLACES = {"kg": 3, "lb": 2}
"""Decimals of the weight reply per unit: WW.WWW in kg, WW.WW in lb; the frame names no unit."""

_WEIGHT = re.compile(r" *([0-9]{1,3})\.([0-9]+)(N?)")
# Toledo continuous output: three status bytes, six weight and six tare digits.
_CONTINUOUS = re.compile(r"[\x20-\x3f]{3}[0-9 ]{12}")


def parse(frame: bytes, default_unit: str = "kg") -> ScaleReading:
    """Parse one STX...CR reply; `default_unit` (kg or lb) is the unit the scale is set to.

    The reply carries no unit, but its decimals tell kg (3) from lb (2): a reply whose
    decimals do not fit `default_unit` is refused rather than read in the wrong unit.
    """
    if len(frame) < 3 or not (frame.startswith(STX) and frame.endswith(CR)):
        raise FrameError(f"{NAME}: frame must run from STX to CR")
    body = frame[1:-1]
    if body.startswith(b"?"):
        if len(body) != 2:
            raise FrameError(f"{NAME}: status frame must carry exactly one status byte")
        return _status(body[1], frame)
    text = ascii_text(body, NAME)
    m = _WEIGHT.fullmatch(text)
    if m is None:
        if _CONTINUOUS.fullmatch(text):
            raise FrameError(
                f"{NAME}: Toledo continuous output, not an 8217 reply: "
                "set the scale's port to 8217 (demand) mode"
            )
        raise FrameError(f"{NAME}: malformed weight {text!r}")
    places = PLACES.get(default_unit)
    if places is None:
        raise FrameError(f"{NAME}: 8217 replies are in kg or lb, not {default_unit!r}")
    if len(m.group(2)) != places:
        raise FrameError(
            f"{NAME}: {text.strip()!r} has {len(m.group(2))} decimals; a reply in "
            f"{default_unit} has {places} (is the scale set to another unit?)"
        )
    return weight_reading(
        parse_number(f"{m.group(1)}.{m.group(2)}"),
        default_unit,
        stable=True,
        net=m.group(3) == "N",
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


def _bits(display: Display) -> int:
    bits = NET if display.net else 0
    if display.overload:
        bits |= OVER_CAPACITY
    if display.grams < 0:
        bits |= UNDER_ZERO
    if not display.stable:
        bits |= MOTION
    if display.grams == 0:
        bits |= CENTER_OF_ZERO
    return bits


def encode(display: Display, unit: str = "kg") -> bytes:
    """What the scale answers to `W`: the weight, or the status byte when it has no weight."""
    places = PLACES.get(unit)
    if places is None:
        raise ValueError(f"{NAME}: a scale reports kg or lb, not {unit!r}")
    bits = _bits(display)
    if bits & (OVER_CAPACITY | UNDER_ZERO | MOTION):
        return status_frame(bits)
    value = in_unit(display.grams, unit, places)
    text = f"{value:0{places + 3}.{places}f}"
    return STX + text.encode("ascii") + (b"N" if display.net else b"") + CR


def respond(command: bytes, display: Display, unit: str = "kg") -> Reply:
    """`W` gets the weight; `Z`, `T` and `C` are obeyed and answered with the status byte."""
    if command == b"W":
        return Reply((encode(display, unit),))
    if command in (b"Z", b"T", b"C"):
        return Reply((status_frame(_bits(display)),))
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
    units=tuple(PLACES),
)
