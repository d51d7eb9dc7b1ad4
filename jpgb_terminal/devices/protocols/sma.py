"""SMA SCP-0499 (Brecknell, Avery): LF W CR answered by LF s r n m f weight unit CR.

Checked against SMA SCP-0499 section 5.1 (standard scale response) as printed in the
Sartorius PR 5210/5211/5220, Fairbanks FB2550 and Cardinal 190 manuals: status
` ` Z O U E I T (and Cardinal's `e`, weight not displayed), range digit, G N T g n
(lower case: high resolution), motion `M` or space, a reserved byte, a 10-character
weight (dashes on E, I, T) and a 3-character unit; `?` answers an unknown command
and `!` reports a communication (parity) error.
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
    places_for,
)
from jpgb_terminal.devices.reading import (
    FrameError,
    ScaleReading,
    Status,
    parse_number,
    status_reading,
    weight_reading,
)

NAME = "sma"
LF = b"\n"
CR = b"\r"
UNITS = ("g", "kg", "lb", "oz")
REFUSED = {
    "l/o": "pounds and ounces together",
    "t": "tonnes or tons",
    "ton": "tons",
    "lt": "long tons",
    "ozt": "troy ounces",
}
_STATUS: dict[str, Status] = {
    "O": "overload",
    "U": "underload",
    "E": "error",
    "I": "error",
    "T": "error",
    "e": "no_weight",
}
_WEIGHT = re.compile(r" *([+-]? *(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)) *([A-Za-z/]{1,3}) *")


def parse(frame: bytes, default_unit: str = "kg") -> ScaleReading:
    """Parse a standard reply; status letters Z O U E I T e, gross/net G N g n, motion M."""
    if not (frame.startswith(LF) and frame.endswith(CR)):
        raise FrameError(f"{NAME}: frame must run from LF to CR")
    body = ascii_text(frame[1:-1], NAME)
    if body in ("?", "!"):
        return status_reading("error", frame, NAME)
    if len(body) < 7:
        raise FrameError(f"{NAME}: frame too short: {body!r}")
    status, rng, mode, motion = body[0], body[1], body[2], body[3]
    if status not in " Z" and status not in _STATUS:
        raise FrameError(f"{NAME}: unknown scale status {status!r}")
    if not rng.isdigit() or motion not in " M" or body[4] != " ":
        raise FrameError(f"{NAME}: bad status field {body[:5]!r}")
    if mode in "Tt":
        raise FrameError(f"{NAME}: a tare value is not a weight: {body!r}")
    if mode not in "GNgn":
        raise FrameError(f"{NAME}: bad gross/net field {mode!r}")
    net = mode in "Nn"
    if status in _STATUS:
        return status_reading(_STATUS[status], frame, NAME, net=net)
    m = _WEIGHT.fullmatch(body[5:])
    if m is None:
        raise FrameError(f"{NAME}: malformed weight field {body[5:]!r}")
    unit = m.group(2)
    if unit in REFUSED:
        raise FrameError(f"{NAME}: unit {unit!r} is {REFUSED[unit]}: set the scale to kg or lb")
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
    if unit not in UNITS:
        raise ValueError(f"{NAME}: a scale reports {', '.join(UNITS)}, not {unit!r}")
    value = in_unit(display.grams, unit, places_for(unit))
    if display.overload:
        status = "O"
    elif display.grams < 0:
        status = "U"
    else:
        status = "Z" if display.grams == 0 else " "
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
    units=UNITS,
)
