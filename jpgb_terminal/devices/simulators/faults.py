"""Frames a scale sends when it is set to a unit or mode the driver refuses, per protocol."""

from __future__ import annotations

from typing import Literal

from jpgb_terminal.devices.protocols import Display, get_protocol

WrongMode = Literal["unit", "count", "garbled"]
WRONG_MODES: tuple[WrongMode, ...] = ("unit", "count", "garbled")

STX, CR, LF, CRLF = b"\x02", b"\r", b"\n", b"\r\n"


def wrong_frame(protocol: str, mode: WrongMode, display: Display, unit: str) -> bytes:
    """What a `protocol` scale sends in `mode`: another unit, counting mode, or line noise."""
    grams = abs(display.grams)
    carats = f"{grams * 5:.2f}"
    pieces = max(grams // 10, 1)
    if protocol == "mt-sics":
        return {
            "unit": f"S S {carats:>10} ct",
            "count": f"S S {pieces:>10} PCS",
            "garbled": "#~?S 12",
        }[mode].encode("ascii") + CRLF
    if protocol == "ad":
        return {
            "unit": f"ST,+{carats:0>8} ct",
            "count": f"QT,+{pieces:08d} PC",
            "garbled": "S?,#+12.3 kg",
        }[mode].encode("ascii") + CRLF
    if protocol == "sma":
        body = {
            "unit": f" 1G  {carats:>10}ozt",
            "count": f" 1G  {pieces:>10}pcs",
            "garbled": "#?!~~~~",
        }[mode]
        return LF + body.encode("ascii") + CR
    if protocol == "toledo-8217":
        if mode == "unit":
            # Set to the other unit: a reply whose decimals do not fit the expected one.
            other = "lb" if unit == "kg" else "kg"
            proto = get_protocol(protocol)
            return proto.encode(Display(grams=max(grams, 1), stable=True), other)
        if mode == "count":
            # Continuous output instead of demand mode: status bytes, weight and tare digits.
            return STX + b"0  " + f"{min(grams, 999999):06d}000000".encode("ascii") + CR
        return STX + b"#?!" + CR
    raise ValueError(f"no wrong-mode frames for {protocol!r}")
