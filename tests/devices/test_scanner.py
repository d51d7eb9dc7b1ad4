"""Serial scanners and the keyboard-wedge decoder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jpgb_terminal.devices.scanner import (
    GS,
    Scan,
    SerialScanner,
    WedgeDecoder,
    decode_scan,
    split_aim,
)
from jpgb_terminal.devices.simulators import ScannerSimulator
from tests.devices.helpers import Recorder, wait_until


@pytest.mark.parametrize(
    ("text", "code", "symbology"),
    [
        ("]C1010456789012345810ABC", "010456789012345810ABC", "GS1-128"),
        ("]C0EJ123456785JP", "EJ123456785JP", "Code 128"),
        ("]E04901234567894", "4901234567894", "EAN-13"),
        ("]E449012347", "49012347", "EAN-8"),
        ("]d201049012345678901721", "01049012345678901721", "GS1 DataMatrix"),
        ("]Q3https://example.jp", "https://example.jp", "GS1 QR Code"),
        ("]Q1hello", "hello", "QR Code"),
        ("]A0CODE39", "CODE39", "Code 39"),
        ("EJ123456785JP", "EJ123456785JP", None),
        ("]Z9odd", "]Z9odd", None),
    ],
)
def test_aim_identifiers(text: str, code: str, symbology: str | None) -> None:
    assert split_aim(text) == (code, symbology)


def test_gs_separator_is_kept() -> None:
    scan = decode_scan(b"]C101049012345678901721" + b"\x1d" + b"10LOT7\r\n", "serial")
    assert scan is not None and scan.text == "01049012345678901721" + GS + "10LOT7"
    assert scan.symbology == "GS1-128"
    assert scan.at.tzinfo is UTC


def test_wedge_decoder_by_character_and_string() -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    dec = WedgeDecoder(clock=lambda: at)
    scans: list[Scan] = []
    for ch in "EJ123456785JP\r":
        scans += dec.feed(ch)
    assert scans == [Scan("EJ123456785JP", None, "keyboard", at)]
    assert [s.text for s in dec.feed("4901234567894\n1234567890\r\n")] == [
        "4901234567894",
        "1234567890",
    ]


def test_wedge_half_code_gives_nothing() -> None:
    dec = WedgeDecoder()
    assert dec.feed("EJ1234") == []
    assert dec.pending == "EJ1234"


def test_wedge_min_length_prefix_suffix() -> None:
    dec = WedgeDecoder(prefix="\x02", suffix="\x03", min_length=5)
    assert dec.feed("typed\x03") == []
    assert dec.rejected == 1
    assert dec.feed("x\x02ab\x03") == []
    assert dec.rejected == 2
    got = dec.feed("\x02]E04901234567894\x03")
    assert [(s.text, s.symbology) for s in got] == [("4901234567894", "EAN-13")]


def test_wedge_buffer_is_bounded() -> None:
    dec = WedgeDecoder(max_length=100)
    dec.feed("x" * 1000)
    assert len(dec.pending) <= 100
    assert dec.rejected >= 1


@pytest.mark.parametrize("terminator", [b"\r", b"\n", b"\r\n"])
def test_serial_scanner_over_socket(terminator: bytes) -> None:
    scans, states = Recorder(), Recorder()
    with ScannerSimulator(terminator) as sim:
        port = sim.serve_tcp()
        with SerialScanner(f"socket://127.0.0.1:{port}", on_scan=scans, on_state=states):
            assert wait_until(lambda: sim.peers == 1)
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "connected")
            sim.scan("EJ123456785JP", aim="]C0")
            sim.scan("4901234567894", aim="]E0")
            assert scans.wait_for(lambda xs: len(xs) == 2)
    assert [(s.text, s.symbology, s.source) for s in scans.items] == [
        ("EJ123456785JP", "Code 128", "serial"),
        ("4901234567894", "EAN-13", "serial"),
    ]


def test_serial_scanner_over_pty_half_code_then_silence() -> None:
    scans, states = Recorder(), Recorder()
    with ScannerSimulator() as sim:
        path = sim.serve_pty()
        scanner = SerialScanner(path, on_scan=scans, on_state=states)
        with scanner:
            # Opening a tty flushes its input, so send only once the scanner is open.
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "connected")
            sim.send_raw(b"4901234")
            assert wait_until(lambda: scanner.framer.pending == 7)
            assert scans.items == []
            sim.send_raw(b"567894\r\n")
            assert scans.wait_for(lambda xs: len(xs) == 1)
    assert scans.items[0].text == "4901234567894"


def test_half_code_then_unplug_never_scans() -> None:
    scans, states = Recorder(), Recorder()
    with ScannerSimulator() as sim:
        port = sim.serve_tcp()
        with SerialScanner(f"socket://127.0.0.1:{port}", on_scan=scans, on_state=states):
            # pyserial drops what arrived before its port is open: send once connected.
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "connected")
            sim.send_raw(b"EJ1234")
            sim.unplug()
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "offline")
            sim.replug()
            assert wait_until(lambda: sim.peers == 1)
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "connected")
            sim.send_raw(b"\r\nEJ123456785JP\r\n")
            assert scans.wait_for(lambda xs: len(xs) == 1)
    assert [s.text for s in scans.items] == ["EJ123456785JP"]
