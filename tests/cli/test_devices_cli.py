"""The `jpgb devices` commands, run for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.devices.scanner import SerialScanner
from jpgb_terminal.devices.simulators import ScaleSimulator
from tests.devices.helpers import Recorder

runner = CliRunner()
JPGB = str(Path(sys.executable).parent / "jpgb")


def test_probe_once_json_against_simulator() -> None:
    with ScaleSimulator("sma") as sim:
        port = sim.serve_tcp()
        sim.place(2500, 0)
        result = runner.invoke(
            app, ["devices", "probe", f"socket://127.0.0.1:{port}", "--once", "--json"]
        )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["protocol"] == "sma"
    assert (data["grams"], data["stable"], data["net"], data["status"]) == (2500, True, False, "ok")
    assert data["raw"] == "\n 1G       2.500kg \r"


def test_probe_named_protocol() -> None:
    with ScaleSimulator("toledo-8217") as sim:
        port = sim.serve_tcp()
        sim.place(800, 0)
        result = runner.invoke(
            app,
            [
                "devices",
                "probe",
                f"socket://127.0.0.1:{port}",
                "--protocol",
                "toledo-8217",
                "--once",
                "--json",
            ],
        )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["grams"] == 800


def test_probe_says_which_settings_read_the_scale(tmp_path: Path) -> None:
    """The text form names the settings the bench needs, ready to paste into config.toml."""
    with ScaleSimulator("ad") as sim:
        path = sim.serve_pty()
        sim.place(1200, 0)
        result = runner.invoke(app, ["devices", "probe", path, "--protocol", "ad", "--once"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ad 2400 7E1: 1200 g ok stable")
    hint = f'settings: scale = "{path}", scale_protocol = "ad", scale_line = "2400 7E1"'
    assert hint in result.stderr


def test_probe_dead_port_fails_with_empty_stdout() -> None:
    result = runner.invoke(
        app, ["devices", "probe", "socket://127.0.0.1:1", "--once", "--json", "--timeout", "1"]
    )
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "no reading" in result.stderr and "tried" in result.stderr


def test_probe_silent_device_times_out(tmp_path: Path) -> None:
    with ScaleSimulator("toledo-8217") as sim:
        port = sim.serve_tcp()
        result = runner.invoke(
            app,
            [
                "devices",
                "probe",
                f"socket://127.0.0.1:{port}",
                "--protocol",
                "ad",
                "--once",
                "--json",
                "--timeout",
                "0.5",
            ],
        )
    assert result.exit_code != 0 and result.stdout == ""
    assert "ad 2400 7E1" in result.stderr


def test_list_ports() -> None:
    result = runner.invoke(app, ["devices", "list"])
    assert result.exit_code == 0
    assert "device" in result.stdout or "No serial ports" in result.stdout


def test_simulate_scale_process_with_script(tmp_path: Path) -> None:
    script = tmp_path / "steps.txt"
    script.write_text("place 1234 0\n")
    proc = subprocess.Popen(
        [
            JPGB,
            "devices",
            "simulate",
            "scale",
            "--protocol",
            "mt-sics",
            "--listen",
            "127.0.0.1:0",
            "--script",
            str(script),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("socket://127.0.0.1:")
        out = subprocess.run(
            [JPGB, "devices", "probe", url, "--once", "--json"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        assert (data["protocol"], data["grams"], data["status"]) == ("mt-sics", 1234, "ok")
    finally:
        proc.terminate()
        proc.wait(10)


def test_simulate_scanner_process_with_file(tmp_path: Path) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("EJ123456785JP\n4901234567894\n")
    proc = subprocess.Popen(
        [
            JPGB,
            "devices",
            "simulate",
            "scanner",
            "--listen",
            "127.0.0.1:0",
            "--file",
            str(codes),
            "--interval",
            "0.01",
            "--aim",
            "]C0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    scans = Recorder()
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        with SerialScanner(url, on_scan=scans):
            assert scans.wait_for(lambda xs: len(xs) == 2, 10)
    finally:
        proc.terminate()
        proc.wait(10)
    assert [(s.text, s.symbology) for s in scans.items] == [
        ("EJ123456785JP", "Code 128"),
        ("4901234567894", "Code 128"),
    ]


def test_simulate_needs_one_endpoint() -> None:
    result = runner.invoke(app, ["devices", "simulate", "scale", "--protocol", "ad"])
    assert result.exit_code != 0
    assert "--listen" in result.stderr


def test_simulate_a_unit_the_scale_does_not_report() -> None:
    """An 8217 reports kg or lb only: asking for grams is refused before anything listens."""
    args = ["devices", "simulate", "scale", "--protocol", "toledo-8217", "--unit", "g"]
    result = runner.invoke(app, [*args, "--listen", "127.0.0.1:0"])
    assert result.exit_code == 1
    assert "reports kg, lb, not 'g'" in result.stderr and result.stdout == ""
