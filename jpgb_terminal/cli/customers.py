"""`jpgb customer ...`: register customers and change their status (Art. 8, 18)."""

from __future__ import annotations

from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    console,
    handled_errors,
    open_cli_store,
    settings_for,
)
from jpgb_terminal.rules.holds import CUSTOMER_STATUSES
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer, set_customer_status

app = typer.Typer(help="Customers: add, suspend, freeze, reactivate.", no_args_is_help=True)


@app.command("add")
def add(
    customer_id: Annotated[str, typer.Argument(metavar="ID", help="Customer id.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    address: Annotated[str | None, typer.Option("--address", help="Postal address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Register a customer."""
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors(), store.transaction() as session:
        add_customer(
            session,
            Actor(settings.station_id),
            customer_id,
            name=name,
            address=address,
            phone=phone,
        )
    console.print(f"customer {customer_id} added", highlight=False)


@app.command("set-status")
def set_status(
    customer_id: Annotated[str, typer.Argument(metavar="ID", help="Customer id.")],
    status: Annotated[str, typer.Argument(help=f"One of: {', '.join(CUSTOMER_STATUSES)}.")],
    note: Annotated[str | None, typer.Option("--note", help="Why.")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Set a customer's status; suspended or frozen holds their parcels in storage and new scans."""
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors(), store.transaction() as session:
        held = set_customer_status(
            session, Actor(settings.station_id), customer_id, status, note=note
        )
    console.print(f"customer {customer_id} is now {status}", highlight=False)
    if held:
        console.print(f"{len(held)} parcel(s) in storage held: {', '.join(held)}", highlight=False)
