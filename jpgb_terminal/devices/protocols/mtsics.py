"""Mettler Toledo MT-SICS (level 0/1): S, SI, SIR, Z, T over CR LF terminated ASCII lines.

Checked against the MT-SICS reference manual: `S`/`SI`/`SIR` reply `S S` (stable) or
`S D` (dynamic) with a right-aligned value and the unit; `S I` (not executable, e.g.
no stability before the timeout), `S +` / `S -` (over/underload range), `S L`
(logical error); `ES`, `ET`, `EL` are the general syntax, transmission and logical errors.
"""

from __future__ import annotations

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

NAME = "mt-sics"
CRLF = b"\r\n"
UNITS = ("g", "kg", "lb", "oz", "mg")
_NO_WEIGHT: dict[str, Status] = {
    "I": "no_weight",
    "+": "overload",
    "-": "underload",
    "L": "error",
}


def parse(frame: bytes, default_unit: str = "g") -> ScaleReading:
    """Parse `S S   1234.5 g` style replies; `S I`, `S +`, `S -` and ES/ET/EL errors too."""
    text = ascii_text(frame, NAME).rstrip("\r\n")
    tokens = text.split()
    if len(tokens) == 1 and tokens[0] in ("ES", "ET", "EL"):
        return status_reading("error", frame, NAME)
    if not tokens or tokens[0] not in ("S", "SU"):
        raise FrameError(f"{NAME}: not a weight reply: {text!r}")
    if len(tokens) == 2 and tokens[1] in _NO_WEIGHT:
        return status_reading(_NO_WEIGHT[tokens[1]], frame, NAME)
    if len(tokens) != 4 or tokens[1] not in ("S", "D"):
        raise FrameError(f"{NAME}: malformed weight reply: {text!r}")
    unit = tokens[3]
    if unit not in UNITS:
        raise FrameError(f"{NAME}: unit {unit!r} is not read (g, kg, mg, lb or oz only)")
    value = parse_number(tokens[2])
    # MT-SICS gives the displayed (net) weight with no gross/net marker; with no
    # tare set that is the gross weight, which is how the bench uses it.
    return weight_reading(value, unit, stable=tokens[1] == "S", net=False, raw=frame, protocol=NAME)


def parse_ack(frame: bytes) -> Ack | None:
    """`Z A` / `T S` / `T A` are successes; `Z I`, `Z +`, `T I` ... failures; None otherwise."""
    tokens = frame.decode("ascii", "replace").split()
    if len(tokens) < 2 or tokens[0] not in ("Z", "T", "ZI", "TI"):
        return None
    ok = tokens[1] in ("A", "S", "D")
    if tokens[0].startswith("Z"):
        return Ack(command="zero", ok=ok, raw=frame)
    return Ack(command="tare", ok=ok, raw=frame)


def encode(display: Display, unit: str = "g") -> bytes:
    """The frame a balance sends for `display` (value right-aligned in 10 characters)."""
    if unit not in UNITS:
        raise ValueError(f"{NAME}: a balance reports {', '.join(UNITS)}, not {unit!r}")
    if display.overload:
        return b"S +" + CRLF
    value = in_unit(display.grams, unit, places_for(unit))
    state = "S" if display.stable else "D"
    return f"S {state} {value!s:>10} {unit}".encode("ascii") + CRLF


def respond(command: bytes, display: Display, unit: str = "g") -> Reply:
    """A balance's answer to one command line."""
    cmd = command.strip().decode("ascii", "replace")
    if cmd == "S":
        if display.overload or display.stable:
            return Reply((encode(display, unit),))
        return Reply((b"S I" + CRLF,))
    if cmd == "SI":
        return Reply((encode(display, unit),))
    if cmd == "SIR":
        return Reply((), stream=True)
    if cmd == "@":
        return Reply((b'I4 A "0000000000"' + CRLF,), stream=False)
    if cmd in ("Z", "ZI"):
        return Reply((b"Z A" + CRLF if display.stable else b"Z I" + CRLF,))
    if cmd in ("T", "TI"):
        if not display.stable:
            return Reply((b"T I" + CRLF,))
        value = in_unit(max(display.grams, 0), unit, places_for(unit))
        return Reply((f"T S {value!s:>10} {unit}".encode("ascii") + CRLF,))
    return Reply((b"ES" + CRLF,))


PROTOCOL = Protocol(
    name=NAME,
    line=LineSettings(9600, 8, "N", 1),
    frame_start=None,
    frame_end=CRLF,
    poll=b"SI" + CRLF,
    stream_command=b"SIR" + CRLF,
    zero=b"Z" + CRLF,
    tare=b"T" + CRLF,
    default_unit="g",
    parse=parse,
    parse_ack=parse_ack,
    encode=encode,
    respond=respond,
    command_end=b"\n",
    units=UNITS,
)
