"""The `jpgb` command line: one typer sub-app per command group."""

from __future__ import annotations

import typer

from jpgb_terminal.cli import (
    billing,
    central,
    customers,
    db,
    demo,
    devices,
    holds,
    manifest,
    parcels,
    prealerts,
    run,
    sync,
    users,
)

app = typer.Typer(
    name="jpgb",
    help="JPGB Terminal: receive, weigh, inspect, hold and pack parcels at the bench.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="user")
app.add_typer(customers.app, name="customer")
app.add_typer(prealerts.app, name="prealert")
app.add_typer(parcels.app, name="parcel")
app.add_typer(demo.app, name="demo")
app.add_typer(devices.app, name="devices")
app.add_typer(holds.app, name="holds")
app.add_typer(manifest.app, name="manifest")
app.add_typer(billing.app, name="billing")
app.add_typer(sync.app, name="sync")
app.add_typer(central.app, name="central")
app.command("run")(run.run)


def main() -> None:
    """Console-script entry point."""
    app()
