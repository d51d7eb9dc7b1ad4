"""The reconnect loop the scale and scanner share: open, read, back off, reopen, close."""

from __future__ import annotations

import time

import pytest
import serial

from jpgb_terminal.devices.ports import read_available
from jpgb_terminal.devices.protocols.base import LineSettings
from jpgb_terminal.devices.reconnect import (
    BACKOFF_CAP,
    BACKOFF_START,
    DriverState,
    ReconnectLoop,
    next_backoff,
)
from jpgb_terminal.devices.scale import ScaleDriver
from jpgb_terminal.devices.scanner import SerialScanner
from jpgb_terminal.devices.simulators import ScannerSimulator
from tests.devices.helpers import Recorder, wait_until


@pytest.mark.parametrize(
    ("delay", "after"),
    [(BACKOFF_START, 0.2), (0.2, 0.4), (0.4, 0.8), (0.8, BACKOFF_CAP), (1.0, 1.0)],
)
def test_backoff_doubles_up_to_the_cap(delay: float, after: float) -> None:
    assert next_backoff(delay) == pytest.approx(after)


def test_both_drivers_use_the_shared_loop() -> None:
    scale = ScaleDriver("/nonexistent/ttyUSB9", "mt-sics")
    scanner = SerialScanner("/nonexistent/ttyACM9")
    assert isinstance(scale._loop, ReconnectLoop) and isinstance(scanner._loop, ReconnectLoop)


def test_open_read_lose_reopen_close_over_a_pty(tmp_path: object) -> None:
    link = f"{tmp_path}/dev"
    downs, chunks = Recorder(), Recorder()
    ports: list[serial.SerialBase] = []

    def session(port: serial.SerialBase) -> None:
        ports.append(port)
        while not loop.stopping.is_set():
            data = read_available(port)
            if data:
                chunks(data)

    with ScannerSimulator() as sim:
        sim.serve_pty(link)
        loop = ReconnectLoop(link, LineSettings(), session, on_down=downs, name="test-port")
        loop.start()
        assert wait_until(lambda: loop.opens == 1)
        sim.send_raw(b"one\r\n")
        assert chunks.wait_for(lambda xs: b"one" in b"".join(xs))
        sim.unplug()
        assert downs.wait_for(lambda xs: any(s.state == "offline" for s in xs))
        # While the device is gone, reopening fails and is retried, never raised.
        assert downs.wait_for(lambda xs: any("cannot open" in (s.reason or "") for s in xs))
        sim.replug()
        assert wait_until(lambda: loop.opens == 2, 3.0)
        sim.send_raw(b"two\r\n")
        assert chunks.wait_for(lambda xs: b"two" in b"".join(xs))
        started = time.monotonic()
        loop.close()
        assert time.monotonic() - started < 1.0
        assert not loop.running
        assert all(not p.is_open for p in ports)
    assert all(isinstance(s, DriverState) for s in downs.items)


def test_a_failing_session_is_reported_and_reopened() -> None:
    downs = Recorder()
    calls: list[int] = []

    def session(port: serial.SerialBase) -> None:
        calls.append(1)
        raise RuntimeError("reader bug")

    with ScannerSimulator() as sim:
        path = sim.serve_pty()
        loop = ReconnectLoop(path, LineSettings(), session, on_down=downs)
        loop.start()
        try:
            assert downs.wait_for(lambda xs: len(xs) >= 2)
            assert all(s == DriverState("error", "RuntimeError: reader bug") for s in downs.items)
            assert len(calls) >= 2
        finally:
            loop.close()
