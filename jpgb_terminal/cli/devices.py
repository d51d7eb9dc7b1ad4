"""`jpgb devices ...`: simulators, port probe and port listing."""

from __future__ import annotations

import typer

app = typer.Typer(help="Scales, scanners and label printers: probe, list, simulate.", no_args_is_help=True)
