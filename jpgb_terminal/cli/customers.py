"""`jpgb customer ...`: register customers and change their status (Art. 8, 18)."""

from __future__ import annotations

from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    StationOpt,
    console,
    fail,
    handled_errors,
    open_cli_store,
    operator_credentials,
    settings_for,
)
from jpgb_terminal.rules.holds import CUSTOMER_STATUSES
from jpgb_terminal.services.context import Actor
from jpgb_terminal.workflow.customers import change_customer_details, register_customer

app = typer.Typer(help="Customers: add, suspend, freeze, reactivate.", no_args_is_help=True)


@app.command("add")
def add(
    customer_id: Annotated[str, typer.Argument(metavar="ID", help="Customer id.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    address: Annotated[str | None, typer.Option("--address", help="Postal address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    id_doc: Annotated[
        str | None, typer.Option("--id-doc", help="Identity-document number (kept encrypted).")
    ] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Register a customer."""
    from jpgb_terminal.privacy.crypto import configure

    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors():
        configure(settings.key_file)
    with handled_errors():
        register_customer(
            store,
            Actor(settings.station_id),
            customer_id,
            name=name,
            address=address,
            phone=phone,
            id_doc_no=id_doc,
        )
    console.print(f"customer {customer_id} added", highlight=False, markup=False)


@app.command("update")
def update(
    customer_id: Annotated[str, typer.Argument(metavar="ID", help="Customer id.")],
    name: Annotated[str | None, typer.Option("--name", help="Full name.")] = None,
    address: Annotated[str | None, typer.Option("--address", help="Postal address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    id_doc: Annotated[
        str | None, typer.Option("--id-doc", help="Identity-document number (kept encrypted).")
    ] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Change a customer's details; only the fields given change, and only they travel."""
    from jpgb_terminal.privacy.crypto import configure

    given = {"name": name, "address": address, "phone": phone, "id_doc_no": id_doc}
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        fail("nothing to change: give --name, --address, --phone or --id-doc")
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors():
        configure(settings.key_file)
    with handled_errors():
        changed = change_customer_details(store, Actor(settings.station_id), customer_id, changes)
    what = ", ".join(changed) if changed else "nothing (same values)"
    console.print(f"customer {customer_id}: changed {what}", highlight=False, markup=False)


@app.command("set-status")
def set_status(
    customer_id: Annotated[str, typer.Argument(metavar="ID", help="Customer id.")],
    status: Annotated[str, typer.Argument(help=f"One of: {', '.join(CUSTOMER_STATUSES)}.")],
    operator: Annotated[
        str,
        typer.Option(
            "--operator", help="The supervisor or lead deciding (PIN asked; stdin if piped)."
        ),
    ],
    note: Annotated[str | None, typer.Option("--note", help="Why.")] = None,
    pin_stdin: Annotated[
        bool, typer.Option("--pin-stdin", help="Read the PIN from stdin.")
    ] = False,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Set a customer's status; suspended or frozen holds their parcels in storage and new scans."""
    from jpgb_terminal.workflow.customers import change_customer_status

    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    with handled_errors():
        change = change_customer_status(store, credentials, customer_id, status, note)
    held = change.newly_held
    console.print(f"customer {customer_id} is now {status} (by {change.by})", highlight=False)
    if held:
        console.print(f"{len(held)} parcel(s) in storage held: {', '.join(held)}", highlight=False)
