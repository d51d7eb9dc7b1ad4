"""The `jpgb` entry point: `jpgb demo` opens the terminal, other words build their group."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

JPGB = str(Path(sys.executable).with_name("jpgb"))


def test_jpgb_demo_paints_its_first_frame(tmp_path: Path) -> None:
    marker = tmp_path / "painted"
    env = dict(os.environ, JPGB_FIRST_PAINT_FILE=str(marker), TERM="xterm-256color")
    done = subprocess.run([JPGB, "demo"], env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(marker.read_text()) > 0


def test_help_and_unknown_words() -> None:
    shown = subprocess.run([JPGB, "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "manifest" in shown.stdout and "shipment" in shown.stdout
    wrong = subprocess.run([JPGB, "nonsense"], capture_output=True, text=True, timeout=60)
    assert wrong.returncode != 0 and "No such command" in wrong.stderr


def test_run_takes_its_own_options(tmp_path: Path) -> None:
    # `run` is a single command, built alone: its word and options must still be accepted.
    shown = subprocess.run([JPGB, "run", "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "jpgb run" in shown.stdout and "--scale" in shown.stdout
    missing = tmp_path / "missing.toml"
    refused = subprocess.run(
        [JPGB, "run", "--config", str(missing), "--scale", "/dev/ttyNOPE"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode == 1
    assert "settings file not found" in refused.stderr
