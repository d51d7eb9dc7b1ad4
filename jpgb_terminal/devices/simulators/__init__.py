"""Simulated devices for the demo, tests and benches: a scale per protocol and a scanner."""

from jpgb_terminal.devices.simulators.scale import ScaleSimulator
from jpgb_terminal.devices.simulators.scanner import ScannerSimulator
from jpgb_terminal.devices.simulators.script import Step, parse_script, run_script

__all__ = ["ScaleSimulator", "ScannerSimulator", "Step", "parse_script", "run_script"]
