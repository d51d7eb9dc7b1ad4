"""The `jpgb` command line: one typer sub-app per command group."""

from __future__ import annotations

import typer

from jpgb_terminal.cli import devices

app = typer.Typer(
    name="jpgb",
    help="JPGB Terminal: receive, weigh, inspect, hold and pack parcels at the bench.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(devices.app, name="devices")


def main() -> None:
    """Console-script entry point."""
    app()
