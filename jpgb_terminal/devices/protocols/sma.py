"""SMA SCP-0499 (Brecknell, Avery): LF W CR answered by LF s r n m f weight unit CR."""

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
    places_for,
)
from jpgb_terminal.devices.reading import (
    FrameError,
    ScaleReading,
    parse_number,
    status_reading,
    weight_reading,
)

NAME = "sma"
LF = b"\n"
CR = b"\r"
UNITS = ("g", "kg", "lb", "oz", "t")
_WEIGHT = re.compile(r" *([+-]? *(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)) *([A-Za-z]{1,3}) *")


def parse(frame: bytes, default_unit: str = "kg") -> ScaleReading:
    """Parse a standard reply; status letters Z O U E T, gross/net G N g n, motion M."""
    if not (frame.startswith(LF) and frame.endswith(CR)):
        raise FrameError(f"{NAME}: frame must run from LF to CR")
    body = ascii_text(frame[1:-1], NAME)
    if body == "?":
        return status_reading("error", frame, NAME)
    if len(body) < 7:
        raise FrameError(f"{NAME}: frame too short: {body!r}")
    status, rng, mode, motion = body[0], body[1], body[2], body[3]
    if status not in " ZOUET" or not rng.isdigit() or motion not in " M" or body[4] != " ":
        raise FrameError(f"{NAME}: bad status field {body[:5]!r}")
    if mode in "Tt":
        raise FrameError(f"{NAME}: a tare value is not a weight: {body!r}")
    if mode not in "GNgn":
        raise FrameError(f"{NAME}: bad gross/net field {mode!r}")
    net = mode in "Nn"
    if status == "O":
        return status_reading("overload", frame, NAME, net=net)
    if status == "U":
        return status_reading("underload", frame, NAME, net=net)
    if status in "ET":
        return status_reading("error", frame, NAME, net=net)
    m = _WEIGHT.fullmatch(body[5:])
    if m is None:
        raise FrameError(f"{NAME}: malformed weight field {body[5:]!r}")
    unit = m.group(2)
    if unit not in UNITS:
        raise FrameError(f"{NAME}: unit {unit!r} is not a weight unit")
    return weight_reading(
        parse_number(m.group(1)), unit, stable=motion == " ", net=net, raw=frame, protocol=NAME
    )


def parse_ack(frame: bytes) -> Ack | None:
    """SMA answers zero and tare with an ordinary weight reply."""
    return None


def encode(display: Display, unit: str = "kg") -> bytes:
    """A standard reply: weight right-aligned in 10 characters, unit left-aligned in 3."""
    value = in_unit(display.grams, unit, places_for(unit))
    status = "O" if display.overload else ("Z" if display.grams == 0 else " ")
    mode = "N" if display.net else "G"
    motion = " " if display.stable else "M"
    body = f"{status}1{mode}{motion} {value!s:>10}{unit:<3}"
    return LF + body.encode("ascii") + CR


def respond(command: bytes, display: Display, unit: str = "kg") -> Reply:
    """W, Z, T answer with a weight reply; R streams; anything else gets `?`."""
    cmd = command.strip(b"\r\n")
    if cmd in (b"W", b"Z", b"T"):
        return Reply((encode(display, unit),), stream=False)
    if cmd == b"R":
        return Reply((), stream=True)
    if cmd == b"\x1b":
        return Reply((), stream=False)
    return Reply((LF + b"?" + CR,), stream=False)


PROTOCOL = Protocol(
    name=NAME,
    line=LineSettings(9600, 8, "N", 1),
    frame_start=LF,
    frame_end=CR,
    poll=LF + b"W" + CR,
    stream_command=LF + b"R" + CR,
    zero=LF + b"Z" + CR,
    tare=LF + b"T" + CR,
    default_unit="kg",
    parse=parse,
    parse_ack=parse_ack,
    encode=encode,
    respond=respond,
    command_end=CR,
)
