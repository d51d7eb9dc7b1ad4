"""Frames as real scales send them, from the makers' manuals, and what each must read as.

Each table cites the manual section the frames come from. A frame is either read
as the right weight in integer grams (or as a status with no weight), or refused
with a FrameError whose message says why: never read as a wrong weight.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jpgb_terminal.devices.protocols import get_protocol
from jpgb_terminal.devices.reading import STATUSES, FrameError, ScaleReading
from jpgb_terminal.devices.scale import parse_frame

OK, MOTION, NEG = "ok", "motion", "negative"

# (frame, unit the station is set to, grams, stable, net, status)
Row = tuple[bytes, str | None, int | None, bool, bool, str]

MT_SICS: list[Row] = [
    # MT-SICS reference, "S - Send stable weight value": example `S S 100.00 g`.
    (b"S S    100.00 g\r\n", None, 100, True, False, OK),
    (b"S S    100.00 g\r", None, 100, True, False, OK),
    (b"S S    100.00 g\n", None, 100, True, False, OK),
    # "SI - Send weight value immediately": `S D` is a dynamic (unstable) value.
    (b"S D     812.37 g\r\n", None, 812, False, False, MOTION),
    # Rounding to the gram: halves away from zero.
    (b"S S    100.50 g\r\n", None, 101, True, False, OK),
    (b"S S    100.49 g\r\n", None, 100, True, False, OK),
    (b"S S     -0.50 g\r\n", None, -1, True, False, NEG),
    (b"S S    -12.34 g\r\n", None, -12, True, False, NEG),
    # Other display units, converted with the exact pound and ounce.
    (b"S S     12.345 kg\r\n", None, 12345, True, False, OK),
    (b"S S      2.205 lb\r\n", None, 1000, True, False, OK),
    (b"S S      35.27 oz\r\n", None, 1000, True, False, OK),
    (b"S S    1234567 mg\r\n", None, 1235, True, False, OK),
    # "S": `S I` not executable (e.g. no stability before the timeout), `S +` overload
    # range, `S -` underload range; command-specific `L` is a logical error.
    (b"S I\r\n", None, None, False, False, "no_weight"),
    (b"S +\r\n", None, None, False, False, "overload"),
    (b"S -\r\n", None, None, False, False, "underload"),
    (b"S L\r\n", None, None, False, False, "error"),
    # General errors: syntax, transmission, logical.
    (b"ES\r\n", None, None, False, False, "error"),
    (b"ET\r\n", None, None, False, False, "error"),
    (b"EL\r\n", None, None, False, False, "error"),
]

MT_SICS_REFUSED = [
    (b"S S      3.215 ozt\r\n", "ozt"),  # troy ounce: a balance unit, not read
    (b"S S     500.00 ct\r\n", "ct"),
    (b"S S        12 PCS\r\n", "PCS"),
    (b"S S      100.0 %\r\n", "%"),
    (b"S S\r\n", "malformed"),
    (b"S S    100.00\r\n", "malformed"),
    (b'I4 A "0123456789"\r\n', "not a weight reply"),
]

AD: list[Row] = [
    # A&D EK-i / EJ balances, "Data format": 9-character value, 3-character unit.
    (b"ST,+001234.5  g\r\n", None, 1235, True, False, OK),
    (b"ST,+00000.00  g\r\n", None, 0, True, False, OK),
    (b"OL,+999999.9  g\r\n", None, None, False, False, "overload"),
    (b"OL,-99999999 PC\r\n", None, None, False, False, "underload"),
    # A&D GH balances, "Data format examples" (A&D format).
    (b"ST,+00081.72  g\r\n", None, 82, True, False, OK),
    (b"US,-00183.96  g\r\n", None, -184, False, False, NEG),
    # A&D HV-WP platform scales, RS-232C "Format 2": 7-character value, 2-character unit.
    (b"ST,+002.40kg\r\n", None, 2400, True, False, OK),
    (b"OL,+999.99kg\r\n", None, None, False, False, "overload"),
    # A&D AD-4329A indicator, "Output data format": header 2 `G `, `N `; out of range
    # blanks the digits and keeps the sign.
    (b"ST,G ,+01234.5kg\r\n", None, 1234500, True, False, OK),
    (b"US,N ,+00012.3kg\r\n", None, 12300, False, True, MOTION),
    (b"OL,G ,+    .  kg\r\n", None, None, False, False, "overload"),
    (b"OL,G ,-    .  kg\r\n", None, None, False, False, "underload"),
    # A&D AD-4404 indicator, "A&D Data Format" (compatible with the AD-4325).
    (b"ST,NT,+0012.34kg\r\n", None, 12340, True, True, OK),
    (b"ST,GS,+0012.34kg\r\n", None, 12340, True, False, OK),
    # Brecknell S122, "Data format": the same ST/US, GS/NT headers.
    (b"ST,NT,+0.876kg\r\n", None, 876, True, True, OK),
    (b"US,NT,-1.568lb\r\n", None, -711, False, True, NEG),
    # Decimal pound and ounce units of the EK-i/EJ.
    (b"ST,+0002.205 lb\r\n", None, 1000, True, False, OK),
    (b"ST,+00035.27 oz\r\n", None, 1000, True, False, OK),
]

AD_REFUSED = [
    # EK-i/EJ "Data format": QT counting data, PC and % are no weight; `t` is the
    # tola on balances (11.66 g) but the tonne on AD-4329A indicators: never guessed.
    (b"QT,+00012345 PC\r\n", "counting"),
    (b"ST,+000123.4  %\r\n", "percentage"),
    (b"ST,+0010.000  t\r\n", "tola"),
    (b"ST,G ,+01234.5 t\r\n", "tola"),
    (b"ST,+0032.150ozt\r\n", "troy"),
    (b"ST,+0005.000 ct\r\n", "carat"),
    (b"ST,+0026.667mom\r\n", "momme"),
    (b"ST,+0154.324 GN\r\n", "grain"),
    (b"ST,+0026.667 tl\r\n", "tael"),
    (b"ST,+0009.807  N\r\n", "force"),
    (b"ST,TR,+0001.000 kg\r\n", "tare"),
    (b"ST,PT,+0001.000 kg\r\n", "tare"),
    # AD-4329A can print a decimal comma (CF-010): refused, not read as 10x or 1000x.
    (b"ST,G ,+01234,5kg\r\n", "decimal comma"),
    (b"ST,+01234,5kg\r\n", "second header"),
]

TOLEDO: list[Row] = [
    # Mettler Toledo DIVA service manual 6.1.3.2, 8217 `W`: STX WW.WWW CR in kg,
    # STX WW.WW CR in lb, an `N` after the weight when it is net.
    (b"\x0201.234\r", "kg", 1234, True, False, OK),
    (b"\x0201.234N\r", "kg", 1234, True, True, OK),
    (b"\x0200.000\r", "kg", 0, True, False, OK),
    (b"\x0202.20\r", "lb", 998, True, False, OK),
    (b"\x0202.20N\r", "lb", 998, True, True, OK),
    (b"\x0215.00\r", "lb", 6804, True, False, OK),
    # Odoo's 8217 driver allows blanks before the weight.
    (b"\x02 1.234\r", "kg", 1234, True, False, OK),
    # 6.1.4.3 status byte: bit 6 always 1, bit 7 even parity, bits 0-5 motion, over
    # capacity, under zero, outside zero capture range, centre of zero, net.
    (b"\x02?A\r", "kg", None, False, False, MOTION),
    (b"\x02?B\r", "kg", None, False, False, "overload"),
    (b"\x02?D\r", "kg", None, False, False, NEG),
    (b"\x02?H\r", "kg", None, False, False, "error"),
    (b"\x02?P\r", "kg", 0, True, False, OK),
    (b"\x02?Q\r", "kg", None, False, False, MOTION),
    (b"\x02?a\r", "kg", None, False, True, MOTION),
    (b"\x02?d\r", "kg", None, False, True, NEG),
    (b"\x02?\xd1\r", "kg", None, False, False, MOTION),  # 0x51 with its parity bit
]

TOLEDO_REFUSED = [
    # The reply names no unit: its decimals must fit the unit the station is set to.
    (b"\x0202.20\r", "kg", "decimals"),
    (b"\x0201.234\r", "lb", "decimals"),
    (b"\x0201.234\r", "g", "kg or lb"),
    # Cut short: once read as 1200 g and 1 kg.
    (b"\x0201.2\r", "kg", "decimals"),
    (b"\x0201\r", "kg", "malformed"),
    # Toledo continuous output (status words A, B, C, weight, tare) on an 8217 port,
    # once read as a weight of 100001234000000 kg.
    (b"\x02100001234000000\r", "kg", "continuous"),
    (b"\x0210 001234000000\r", "kg", "continuous"),
    (b"\x02?AB\r", "kg", "one status byte"),
    (b"\x0201.2\xb34\r", "kg", "top bit"),
]

SMA: list[Row] = [
    # SMA SCP-0499 5.1 "Standard scale response message", examples as printed in the
    # Sartorius PR 5210 manual (W, H, Z and R replies).
    (b"\n 1G       5.025lb \r", None, 2279, True, False, OK),
    (b"\n 1g      5.0025lb \r", None, 2269, True, False, OK),
    (b"\nZ1G       0.000lb \r", None, 0, True, False, OK),
    (b"\n 1G       7.025kg \r", None, 7025, True, False, OK),
    (b"\n 1GM      7.650kg \r", None, 7650, False, False, MOTION),
    (b"\n 1N       1.250kg \r", None, 1250, True, True, OK),
    (b"\n 1n      1.2500kg \r", None, 1250, True, True, OK),
    (b"\n 1G      1234.0g  \r", None, 1234, True, False, OK),
    (b"\n 1G       35.27oz \r", None, 1000, True, False, OK),
    # O: over capacity (+weight), U: under capacity (-weight), E, I, T: zero,
    # initial-zero and tare errors with a dashed weight.
    (b"\nO1G      31.000lb \r", None, None, False, False, "overload"),
    (b"\nU1G      -0.500lb \r", None, None, False, False, "underload"),
    (b"\nE1GM ----------kg \r", None, None, False, False, "error"),
    (b"\nI1G  ----------lb \r", None, None, False, False, "error"),
    (b"\nT1G  ----------lb \r", None, None, False, False, "error"),
    # Cardinal 190, "Request Displayed Weight Command (SMA Format)": an 11-character
    # weight field, and status `e` while the weight is not displayed.
    (b"\n 1G         5.025lb \r", None, 2279, True, False, OK),
    (b"\ne1G        0.000lb \r", None, None, False, False, "no_weight"),
    # Unknown command and communication (parity) error replies.
    (b"\n?\r", None, None, False, False, "error"),
    (b"\n!\r", None, None, False, False, "error"),
]

SMA_REFUSED = [
    (b"\n 1T       0.200kg \r", "tare"),  # reply to M, the tare weight
    (b"\nSMA:2/1.0\r", "status"),  # About reply
    (b"\nCAP:kg :15.000:5:3\r", "status"),  # Information reply
    (b"\n 1G      2.500 l/o\r", "pounds and ounces"),
    (b"\n 1G       1.500t  \r", "ton"),
    (b"\n 1G       1.500ozt\r", "troy"),
    (b"\nX1G       1.500kg \r", "unknown scale status"),
]

TABLES = {"mt-sics": MT_SICS, "ad": AD, "toledo-8217": TOLEDO, "sma": SMA}
ROWS = [(name, *row) for name, rows in TABLES.items() for row in rows]


@pytest.mark.parametrize(("protocol", "frame", "unit", "grams", "stable", "net", "status"), ROWS)
def test_real_device_frames(
    protocol: str,
    frame: bytes,
    unit: str | None,
    grams: int | None,
    stable: bool,
    net: bool,
    status: str,
) -> None:
    reading = parse_frame(protocol, frame, default_unit=unit)
    got = (reading.grams, reading.stable, reading.net, reading.status)
    assert got == (grams, stable, net, status)
    assert reading.raw == frame


REFUSED = (
    [("mt-sics", f, None, m) for f, m in MT_SICS_REFUSED]
    + [("ad", f, None, m) for f, m in AD_REFUSED]
    + [("toledo-8217", f, u, m) for f, u, m in TOLEDO_REFUSED]
    + [("sma", f, None, m) for f, m in SMA_REFUSED]
)


@pytest.mark.parametrize(("protocol", "frame", "unit", "reason"), REFUSED)
def test_refused_with_a_reason(protocol: str, frame: bytes, unit: str | None, reason: str) -> None:
    with pytest.raises(FrameError, match=reason):
        parse_frame(protocol, frame, default_unit=unit)


def test_parity_noise_is_named() -> None:
    # A 7E1 A&D scale read on an 8N1 port: `1` (three bits set) carries parity 0xB1.
    with pytest.raises(FrameError, match=r"top bit.*parity"):
        parse_frame("ad", b"ST,+0001.234 kg\r\n".replace(b"1", b"\xb1"))
    with pytest.raises(FrameError, match="control byte 0x00"):
        parse_frame("mt-sics", b"S S    1\x0000.00 g\r\n")


# -- cut-off frames: a frame that lost its end or its start is never a different weight --


def _weights() -> list[tuple[str, bytes, str | None, int]]:
    return [(p, f, u, g) for p, f, u, g, *_ in ROWS if g is not None and g > 0]


def _cuts(protocol: str, frame: bytes) -> list[bytes]:
    proto = get_protocol(protocol)
    start = proto.frame_start or b""
    body = frame[len(start) :].rstrip(b"\r\n")
    end = frame[len(start) + len(body) :]
    cut = [start + body[:i] + end for i in range(1, len(body))]
    if not start:  # line protocols: the port may open in the middle of a line
        cut += [body[i:] + end for i in range(1, len(body))]
    return cut


@pytest.mark.parametrize(("protocol", "frame", "unit", "grams"), _weights())
def test_cut_off_frames_never_read_as_another_weight(
    protocol: str, frame: bytes, unit: str | None, grams: int
) -> None:
    for cut in _cuts(protocol, frame):
        try:
            reading = parse_frame(protocol, cut, default_unit=unit)
        except FrameError:
            continue
        assert reading.grams in (None, grams) or not reading.billable_as(net=reading.net), cut


# -- properties over frames shaped like each protocol's --------------------------------

_ALPHABET = {
    "mt-sics": "SDI+-LEST0123456789. gklbozm",
    "ad": "STUSOLQTGNR,+-0123456789. gklbozPC%t",
    "toledo-8217": "0123456789. N?ABDHPQa",
    "sma": " ZOUEITGNgnM0123456789.-+klbgoz/?!",
}


def _framed(protocol: str, text: str) -> bytes:
    proto = get_protocol(protocol)
    return (proto.frame_start or b"") + text.encode("ascii") + proto.frame_end


@pytest.mark.parametrize("protocol", sorted(_ALPHABET))
@given(data=st.data())
def test_protocol_shaped_noise_gives_reading_or_frame_error(
    protocol: str, data: st.DataObject
) -> None:
    text = data.draw(st.text(alphabet=_ALPHABET[protocol], max_size=24))
    unit = "lb" if protocol == "toledo-8217" and data.draw(st.booleans()) else None
    try:
        reading = parse_frame(protocol, _framed(protocol, text), default_unit=unit)
    except FrameError as exc:
        assert str(exc).startswith(f"{protocol}:") or "unit" in str(exc)
        return
    assert isinstance(reading, ScaleReading)
    assert reading.status in STATUSES
    if reading.status not in ("ok", "motion", "negative"):
        assert reading.grams is None
    if reading.billable_as(net=reading.net):
        assert reading.unit in get_protocol(protocol).units
