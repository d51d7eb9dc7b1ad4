"""A&D standard format (also CAS): `ST,+00123.45  g` with an optional GS/NT field, CR LF.

Checked against the "Data format" sections of A&D manuals: EK-i/EJ balances
(`ST,+001234.5  g`, `QT,+00012345 PC`, `OL,+999999.9  g`, units g kg PC % oz lb ozt
ct mom dwt GN N tl t, where `t` is the tola), HV-G/HW-G platform scales (9-character
value, 3-character unit, all 9s when out of range) and AD-4329/AD-4404 indicators
(`ST,G ,+01234.5kg`, `ST,NT,+0012.34kg`, unit kg, g or ` t` for tonnes, value
blanked when out of range).
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
    parse_number,
    status_reading,
    weight_reading,
)

NAME = "ad"
CRLF = b"\r\n"
HEADERS = ("ST", "US", "OL", "QT")
GROSS = ("GS", "G ", "G")
NET = ("NT", "N ", "N")
TARE = ("TR", "T ", "T", "PT")
COMPARISON = ("LO", "OK", "HI", "--")
UNITS = ("g", "kg", "lb", "oz", "mg")
# Units A&D scales send that are no weight, or no weight this terminal should guess at.
REFUSED = {
    "PC": "a piece count",
    "%": "a percentage",
    "N": "a force (newton)",
    "DS": "a density",
    "t": "tola on balances but tonnes on indicators",
    "ozt": "troy ounces",
    "ct": "carats",
    "mom": "momme",
    "dwt": "pennyweight",
    "GN": "grains",
    "tl": "taels",
}
# Value with its sign, then the unit (3 characters right-aligned, as `  g` or ` kg`).
_DATA = re.compile(r"([+\- ]?) *([0-9]+(?:\.[0-9]*)?|\.[0-9]+) *([A-Za-z%]{1,3}) *")


def parse(frame: bytes, default_unit: str = "kg") -> ScaleReading:
    """Parse one line; count (`QT`, `PC`) and percent data raise FrameError."""
    text = ascii_text(frame, NAME).rstrip("\r\n")
    fields = text.split(",")
    if len(fields) not in (2, 3) or fields[0] not in HEADERS:
        raise FrameError(
            f"{NAME}: not an A&D data line (a decimal comma is not read either): {text!r}"
        )
    header = fields[0]
    net = False
    if len(fields) == 3:
        second = fields[1]
        if second in NET:
            net = True
        elif second in TARE:
            raise FrameError(f"{NAME}: a tare value is not a weight: {text!r}")
        elif second not in GROSS and second not in COMPARISON:
            raise FrameError(f"{NAME}: unknown second header {second!r}")
    data = fields[-1]
    if header == "QT":
        raise FrameError(f"{NAME}: counting data, not a weight: {text!r}")
    if header == "OL":
        sign = data.strip()[:1]
        return status_reading("underload" if sign == "-" else "overload", frame, NAME, net=net)
    m = _DATA.fullmatch(data)
    if m is None:
        raise FrameError(f"{NAME}: malformed data field {data!r}")
    unit = m.group(3)
    if unit in REFUSED:
        raise FrameError(f"{NAME}: unit {unit!r} is {REFUSED[unit]}, not read as a weight")
    if unit not in UNITS:
        raise FrameError(f"{NAME}: unit {unit!r} is not a weight unit")
    value = parse_number(("-" if m.group(1) == "-" else "") + m.group(2))
    return weight_reading(value, unit, stable=header == "ST", net=net, raw=frame, protocol=NAME)


def parse_ack(frame: bytes) -> Ack | None:
    """A&D acknowledges with a bare ACK byte when configured to; nothing to match here."""
    return None


def encode(display: Display, unit: str = "kg") -> bytes:
    """The standard-format line for `display`: sign and 8 characters, then a 3-character unit."""
    if unit not in UNITS:
        raise ValueError(f"{NAME}: a scale reports {', '.join(UNITS)}, not {unit!r}")
    second = "NT," if display.net else ""
    places = places_for(unit)
    if display.overload:
        nines = "9" * (7 - places) + ("." + "9" * places if places else "9")
        return f"OL,{second}+{nines}{unit:>3}".encode("ascii") + CRLF
    value = in_unit(abs(display.grams), unit, places)
    sign = "-" if display.grams < 0 else "+"
    header = "ST" if display.stable else "US"
    return f"{header},{second}{sign}{value!s:0>8}{unit:>3}".encode("ascii") + CRLF


def respond(command: bytes, display: Display, unit: str = "kg") -> Reply:
    """`Q` and `S` send the current line; `Z`, `T`, `C` are obeyed silently."""
    cmd = command.strip()
    if cmd in (b"Q", b"S", b"SI"):
        return Reply((encode(display, unit),))
    return Reply(())


PROTOCOL = Protocol(
    name=NAME,
    line=LineSettings(2400, 7, "E", 1),
    frame_start=None,
    frame_end=CRLF,
    poll=b"Q" + CRLF,
    stream_command=b"",
    zero=b"Z" + CRLF,
    tare=b"T" + CRLF,
    default_unit="kg",
    parse=parse,
    parse_ack=parse_ack,
    encode=encode,
    respond=respond,
    command_end=b"\n",
    units=UNITS,
)
