"""Frame tables, dialogue transcripts and properties for every scale protocol."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jpgb_terminal.devices.protocols import PROTOCOLS, Display, get_protocol
from jpgb_terminal.devices.protocols.base import in_unit, places_for
from jpgb_terminal.devices.reading import STATUSES, FrameError, ScaleReading, to_grams
from jpgb_terminal.devices.scale import parse_frame

OK, MOTION = "ok", "motion"

# (protocol, frame, grams, stable, net, status)
FRAMES = [
    # MT-SICS: value right-aligned with variable padding
    ("mt-sics", b"S S     1234.5 g\r\n", 1235, True, False, OK),
    ("mt-sics", b"S S 1234.4 g\r\n", 1234, True, False, OK),
    ("mt-sics", b"S S      1.234 kg\r\n", 1234, True, False, OK),
    ("mt-sics", b"S S      2.000 lb\r\n", 907, True, False, OK),
    ("mt-sics", b"S D      812.3 g\r\n", 812, False, False, MOTION),
    ("mt-sics", b"S S     -12.0 g\r\n", -12, True, False, "negative"),
    ("mt-sics", b"S S        0.0 g\r\n", 0, True, False, OK),
    ("mt-sics", b"S I\r\n", None, False, False, "no_weight"),
    ("mt-sics", b"S +\r\n", None, False, False, "overload"),
    ("mt-sics", b"S -\r\n", None, False, False, "underload"),
    ("mt-sics", b"ES\r\n", None, False, False, "error"),
    ("mt-sics", b"ET\r\n", None, False, False, "error"),
    ("mt-sics", b"EL\r\n", None, False, False, "error"),
    # Toledo 8217: STX weight [N] CR, STX ? status CR
    ("toledo-8217", b"\x0201.234\r", 1234, True, False, OK),
    ("toledo-8217", b"\x02 1.234\r", 1234, True, False, OK),
    ("toledo-8217", b"\x0202.500N\r", 2500, True, True, OK),
    ("toledo-8217", b"\x02?A\r", None, False, False, MOTION),
    ("toledo-8217", b"\x02?B\r", None, False, False, "overload"),
    ("toledo-8217", b"\x02?D\r", None, False, False, "negative"),
    ("toledo-8217", b"\x02?H\r", None, False, False, "error"),
    ("toledo-8217", b"\x02?P\r", 0, True, False, OK),
    ("toledo-8217", b"\x02?a\r", None, False, True, MOTION),
    # A&D and CAS
    ("ad", b"ST,+00123.45  g\r\n", 123, True, False, OK),
    ("ad", b"ST,+0001.234 kg\r\n", 1234, True, False, OK),
    ("ad", b"US,+0001.234 kg\r\n", 1234, False, False, MOTION),
    ("ad", b"ST,-0000.050 kg\r\n", -50, True, False, "negative"),
    ("ad", b"ST,GS,+0012.34kg\r\n", 12340, True, False, OK),
    ("ad", b"ST,NT,+0012.34kg\r\n", 12340, True, True, OK),
    ("ad", b"US,GS,+  1.234kg\r\n", 1234, False, False, MOTION),
    ("ad", b"ST,OK,+0001.234 kg\r\n", 1234, True, False, OK),
    ("ad", b"ST,+00002.20 lb\r\n", 998, True, False, OK),
    ("ad", b"OL,+999999.9  g\r\n", None, False, False, "overload"),
    ("ad", b"OL,-99999999 PC\r\n", None, False, False, "underload"),
    # SMA SCP-0499: LF s r n m f weight(10) unit(3) CR
    ("sma", b"\n 1G       5.025lb \r", 2279, True, False, OK),
    ("sma", b"\n 1N       1.500kg \r", 1500, True, True, OK),
    ("sma", b"\n 1GM      7.650kg \r", 7650, False, False, MOTION),
    ("sma", b"\nZ1G       0.000kg \r", 0, True, False, OK),
    ("sma", b"\nO1G      40.000kg \r", None, False, False, "overload"),
    ("sma", b"\nU1G      -1.000kg \r", None, False, False, "underload"),
    ("sma", b"\nE1G  ----------kg \r", None, False, False, "error"),
    ("sma", b"\nT1G  ----------kg \r", None, False, False, "error"),
    ("sma", b"\n?\r", None, False, False, "error"),
]


@pytest.mark.parametrize(("protocol", "frame", "grams", "stable", "net", "status"), FRAMES)
def test_frame_table(
    protocol: str, frame: bytes, grams: int | None, stable: bool, net: bool, status: str
) -> None:
    reading = parse_frame(protocol, frame)
    assert (reading.grams, reading.stable, reading.net, reading.status) == (
        grams,
        stable,
        net,
        status,
    )
    assert reading.raw == frame
    assert reading.protocol == protocol
    assert reading.billable == (status == OK and stable and not net and (grams or 0) > 0)


BAD = [
    ("mt-sics", b"S S 12 PCS\r\n"),
    ("mt-sics", b"S S 12\r\n"),
    ("mt-sics", b"S X 12 g\r\n"),
    ("mt-sics", b"S S 1.2.3 g\r\n"),
    ("mt-sics", b"S S \xff12 g\r\n"),
    ("mt-sics", b"Z A\r\n"),
    ("mt-sics", b"XS S 12 g\r\n"),
    ("toledo-8217", b"01.234\r"),
    ("toledo-8217", b"\x0201.2x4\r"),
    ("toledo-8217", b"\x02?\r"),
    ("toledo-8217", b"\x02\r"),
    ("ad", b"QT,+00012345 PC\r\n"),
    ("ad", b"ST,+00012345 PC\r\n"),
    ("ad", b"ST,+0000123.4  %\r\n"),
    ("ad", b"ST,TR,+0001.000 kg\r\n"),
    ("ad", b"XX,+0001.000 kg\r\n"),
    ("ad", b"ST,+0001.000 xyz\r\n"),
    ("ad", b"ST,+\r\n"),
    ("sma", b"\n 1T       1.000kg \r"),
    ("sma", b"\n 1G       1.000pcs\r"),
    ("sma", b"\n 1G\r"),
    ("sma", b" 1G       1.000kg \r"),
    ("sma", b"\n 1Q       1.000kg \r"),
]


@pytest.mark.parametrize(("protocol", "frame"), BAD)
def test_bad_frames_are_reported_not_guessed(protocol: str, frame: bytes) -> None:
    with pytest.raises(FrameError):
        parse_frame(protocol, frame)


def test_toledo_unit_from_configuration() -> None:
    assert parse_frame("toledo-8217", b"\x0202.00\r", default_unit="lb").grams == 907
    with pytest.raises(FrameError, match="decimals"):
        parse_frame("toledo-8217", b"\x0202.000\r", default_unit="lb")
    with pytest.raises(FrameError, match="kg or lb"):
        parse_frame("toledo-8217", b"\x0202.000\r", default_unit="g")


def test_unknown_protocol() -> None:
    with pytest.raises(ValueError, match="known"):
        parse_frame("nope", b"")


# -- dialogue transcripts: command sent, reply the scale gives, what is parsed --------

TRANSCRIPTS = [
    ("mt-sics", Display(1234, True), b"SI\r\n", [b"S S     1234.0 g\r\n"], 1234, OK),
    ("mt-sics", Display(1234, False), b"SI\r\n", [b"S D     1234.0 g\r\n"], 1234, MOTION),
    ("mt-sics", Display(1234, False), b"S\r\n", [b"S I\r\n"], None, "no_weight"),
    ("mt-sics", Display(99999, True, overload=True), b"S\r\n", [b"S +\r\n"], None, "overload"),
    ("mt-sics", Display(0, True), b"Z\r\n", [b"Z A\r\n"], None, None),
    ("mt-sics", Display(500, True), b"T\r\n", [b"T S      500.0 g\r\n"], None, None),
    ("mt-sics", Display(0, True), b"HELLO\r\n", [b"ES\r\n"], None, "error"),
    ("toledo-8217", Display(1234, True), b"W", [b"\x0201.234\r"], 1234, OK),
    ("toledo-8217", Display(1234, False), b"W", [b"\x02?A\r"], None, MOTION),
    ("toledo-8217", Display(0, True), b"W", [b"\x0200.000\r"], 0, OK),
    ("toledo-8217", Display(-20, True), b"W", [b"\x02?D\r"], None, "negative"),
    ("toledo-8217", Display(0, True), b"Z", [b"\x02?P\r"], 0, OK),
    ("ad", Display(1234, True), b"Q\r\n", [b"ST,+0001.234 kg\r\n"], 1234, OK),
    ("ad", Display(1234, False), b"Q\r\n", [b"US,+0001.234 kg\r\n"], 1234, MOTION),
    ("sma", Display(1234, True), b"\nW\r", [b"\n 1G       1.234kg \r"], 1234, OK),
    ("sma", Display(1234, False), b"\nW\r", [b"\n 1GM      1.234kg \r"], 1234, MOTION),
    ("sma", Display(0, True), b"\nX\r", [b"\n?\r"], None, "error"),
]


@pytest.mark.parametrize(("protocol", "display", "sent", "replies", "grams", "status"), TRANSCRIPTS)
def test_dialogue_transcript(
    protocol: str,
    display: Display,
    sent: bytes,
    replies: list[bytes],
    grams: int | None,
    status: str | None,
) -> None:
    proto = get_protocol(protocol)
    reply = proto.respond(sent, display, proto.default_unit)
    assert list(reply.frames) == replies
    if status is None:
        ack = proto.parse_ack(replies[0])
        assert ack is not None and ack.ok
        return
    reading = proto.parse(replies[0], proto.default_unit)
    assert (reading.grams, reading.status) == (grams, status)


def test_poll_commands_are_byte_exact() -> None:
    assert {n: p.poll for n, p in PROTOCOLS.items()} == {
        "mt-sics": b"SI\r\n",
        "toledo-8217": b"W",
        "ad": b"Q\r\n",
        "sma": b"\nW\r",
    }
    assert get_protocol("mt-sics").stream_command == b"SIR\r\n"
    assert get_protocol("sma").stream_command == b"\nR\r"
    assert get_protocol("toledo-8217").line.label == "9600 7E1"


def test_mtsics_acks() -> None:
    parse_ack = get_protocol("mt-sics").parse_ack
    assert parse_ack(b"Z A\r\n") is not None and parse_ack(b"Z A\r\n").ok  # type: ignore[union-attr]
    assert not parse_ack(b"Z I\r\n").ok  # type: ignore[union-attr]
    assert parse_ack(b"T A\r\n").command == "tare"  # type: ignore[union-attr]
    assert parse_ack(b"S S 1 g\r\n") is None


# -- properties -------------------------------------------------------------------

NAMES = sorted(PROTOCOLS)


def _outcome(protocol: str, frame: bytes) -> ScaleReading | None:
    try:
        reading = parse_frame(protocol, frame)
    except FrameError:
        return None
    assert isinstance(reading, ScaleReading)
    assert reading.status in STATUSES
    return reading


@pytest.mark.parametrize("protocol", NAMES)
@given(data=st.binary(max_size=64))
def test_random_bytes_give_reading_or_frame_error(protocol: str, data: bytes) -> None:
    reading = _outcome(protocol, data)
    if reading is not None and reading.billable_as(net=reading.net):
        # Anything billable must be a well-formed frame: re-encoding it reads the same.
        proto = get_protocol(protocol)
        again = proto.encode(Display(reading.grams or 0, True, net=reading.net), reading.unit or "")
        assert parse_frame(protocol, again).grams == reading.grams


@pytest.mark.parametrize("protocol", NAMES)
@given(
    prefix=st.binary(max_size=8),
    noise=st.sampled_from([b"\x00", b"\xff", b"\x1b", b"\x7f", b"\x80", b"\x1d"]),
)
def test_frames_with_foreign_bytes_are_never_billable(
    protocol: str, prefix: bytes, noise: bytes
) -> None:
    proto = get_protocol(protocol)
    good = proto.encode(Display(1234, True), proto.default_unit)
    body = good[1:-1] if proto.frame_start else good[:-2]
    # A byte no scale sends, put anywhere inside an otherwise good frame.
    cut = len(prefix) % max(1, len(body))
    start = good[:1] if proto.frame_start else b""
    tampered = start + body[:cut] + noise + body[cut:] + proto.frame_end
    reading = _outcome(protocol, tampered)
    assert reading is None or not reading.billable_as(net=reading.net)


@pytest.mark.parametrize("protocol", NAMES)
@given(
    grams=st.integers(min_value=-5000, max_value=150000),
    stable=st.booleans(),
    net=st.booleans(),
    unit=st.sampled_from(["g", "kg", "lb", "oz"]),
)
def test_encode_parse_round_trip(
    protocol: str, grams: int, stable: bool, net: bool, unit: str
) -> None:
    proto = get_protocol(protocol)
    assume(unit in proto.units)
    frame = proto.encode(Display(grams, stable, net=net), unit)
    reading = proto.parse(frame, unit)
    if protocol == "toledo-8217" and (grams < 0 or not stable):
        assert reading.grams is None
        assert not reading.billable_as(net=net)
        return
    if protocol == "sma" and grams < 0:
        # A real SMA scale flags a weight below zero `U`, under capacity.
        assert (reading.grams, reading.status) == (None, "underload")
        return
    places = 2 if protocol == "toledo-8217" and unit == "lb" else places_for(unit)
    # The scale's own resolution: 0.01 lb (4.5 g) on an 8217 pound scale.
    expected = to_grams(in_unit(grams, unit, places), unit)
    assert reading.grams == expected
    assert reading.stable == stable
    if protocol != "mt-sics":
        assert reading.net == net
    assert reading.billable_as(net=reading.net) == (stable and expected > 0)
