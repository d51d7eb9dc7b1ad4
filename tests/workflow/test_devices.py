"""The bench's devices as the settings name them: the scale opened with its line settings."""

from __future__ import annotations

import os
import termios
from pathlib import Path

import pytest

from jpgb_terminal.devices.protocols import LineSettings
from jpgb_terminal.devices.simulators.scale import ScaleSimulator
from jpgb_terminal.settings import Settings
from jpgb_terminal.workflow.devices import build_devices
from tests.devices.helpers import Recorder, wait_until


def _settings(tmp_path: Path, scale: str, line: str | None) -> Settings:
    return Settings(
        station_id="ST01",
        db=f"sqlite:///{tmp_path / 's.db'}",
        scale=scale,
        scale_protocol="mt-sics",
        scale_line=line,
    )


@pytest.mark.parametrize(
    ("line", "expected", "speed"),
    [
        ("19200 7E1", LineSettings(19200, 7, "E", 1), termios.B19200),
        (None, LineSettings(9600, 8, "N", 1), termios.B9600),  # MT-SICS from the factory
    ],
)
def test_the_scale_port_is_opened_with_the_configured_line(
    tmp_path: Path, line: str | None, expected: LineSettings, speed: int
) -> None:
    readings = Recorder()
    with ScaleSimulator("mt-sics") as sim:
        path = sim.serve_pty()
        devices = build_devices(
            _settings(tmp_path, path, line),
            on_reading=lambda r, outcome: readings(r),
            on_scale_state=lambda state: None,
            on_scan=lambda scan: None,
            on_scanner_state=lambda state: None,
        )
        scale = devices.scale
        assert scale is not None and scale.line == expected
        devices.start()
        try:
            assert wait_until(lambda: scale.state.state == "connected")
            # The speed the driver set on the port, as the kernel holds it.  (A Linux pty keeps
            # 8 data bits and no parity whatever it is told, so only the speed shows here.)
            fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
            try:
                ispeed, ospeed = termios.tcgetattr(fd)[4:6]
            finally:
                os.close(fd)
            assert ispeed == ospeed == speed
            sim.place(1850, 0)
            assert readings.wait_for(
                lambda items: any(r is not None and r.grams == 1850 for r in items)
            )
        finally:
            devices.close()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("19200 8N1", "19200 8N1"),
        ("2400 7e1", "2400 7E1"),
        (" 9600 8N2 ", "9600 8N2"),
        ("4800 7O1.5", "4800 7O1.5"),
        ("115200 8S1", "115200 8S1"),
    ],
)
def test_line_settings_from_their_short_form(text: str, label: str) -> None:
    assert LineSettings.parse(text).label == label


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9600", "must look like '9600 8N1'"),
        ("9600 9N1", "must look like"),
        ("9600 8X1", "must look like"),
        ("9600 8N3", "must look like"),
        ("14400 8N1", "baud rate 14400 is not one a scale uses"),
        ("", "must look like"),
    ],
)
def test_bad_line_settings_say_what_they_should_look_like(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LineSettings.parse(text)


def test_a_capture_from_the_bench_scale_names_that_scale(tmp_path: Path) -> None:
    from jpgb_terminal.clock import now
    from jpgb_terminal.devices.capture import Capture

    outcomes = Recorder()
    with ScaleSimulator("mt-sics") as sim:
        path = sim.serve_pty()
        devices = build_devices(
            _settings(tmp_path, path, None),
            on_reading=lambda r, outcome: outcomes((r, outcome)),
            on_scale_state=lambda state: None,
            on_scan=lambda scan: None,
            on_scanner_state=lambda state: None,
        )
        scale = devices.scale
        assert scale is not None
        devices.start()
        try:
            # An empty scale first, then the scan, then the parcel: the capture rule's order.
            assert outcomes.wait_for(lambda items: any(r and r.grams == 0 for r, _ in items))
            devices.gate.parcel_scanned(now())
            sim.place(1850, 0)
            assert outcomes.wait_for(lambda items: any(isinstance(o, Capture) for _, o in items))
            capture = next(o for _, o in outcomes.items if isinstance(o, Capture))
            assert capture.grams == 1850
            assert (capture.scale_id, capture.protocol) == (scale.scale_id, "mt-sics")
            assert capture.scale_id  # the port's identity, read when the driver started
        finally:
            devices.close()
