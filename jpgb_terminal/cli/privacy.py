"""`jpgb privacy purge|erase`: anonymise personal data past retention, or one customer's on request."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    StationOpt,
    console,
    handled_errors,
    open_cli_store,
    operator_credentials,
    settings_for,
)

app = typer.Typer(help="Privacy: retention and anonymisation.", no_args_is_help=True)


@app.command("purge")
def purge(
    older_than: Annotated[
        int, typer.Option("--older-than", help="Days since a customer's parcels finished.")
    ],
    operator: Annotated[str, typer.Option("--operator", help="The lead purging (PIN asked).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report only; change nothing.")
    ] = False,
    pin_stdin: Annotated[
        bool, typer.Option("--pin-stdin", help="Read the PIN from stdin.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Anonymise name, address, phone and ID number of customers whose parcels all finished
    more than DAYS ago; billing, weights and events are kept."""
    from jpgb_terminal.workflow.privacy import purge_old_personal_data

    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    with handled_errors():
        report = purge_old_personal_data(store, credentials, older_than, dry_run=dry_run)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "dry_run": report.dry_run,
                    "cutoff": report.cutoff.isoformat(),
                    "customers": report.customers,
                    "parcels": report.parcels,
                    "fields_cleared": report.fields_cleared,
                    "shipments": report.shipments,
                }
            )
        )
        return
    console.print(report.summary(), highlight=False)
    for customer_id in report.customers:
        console.print(f"  {customer_id}", highlight=False)


@app.command("erase")
def erase(
    customer: Annotated[str, typer.Argument(help="The customer id to anonymise.")],
    operator: Annotated[str, typer.Option("--operator", help="The lead erasing (PIN asked).")],
    pin_stdin: Annotated[
        bool, typer.Option("--pin-stdin", help="Read the PIN from stdin.")
    ] = False,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Anonymise one customer on request (name, address, phone, ID number and the recipients
    of their shipments); billing, weights and events are kept, and sync carries it everywhere."""
    from jpgb_terminal.workflow.privacy import erase_one_customer

    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    with handled_errors():
        _, cleared = erase_one_customer(store, credentials, customer)
    console.print(
        f"customer {customer} anonymised; {len(cleared)} field(s) cleared; "
        "billing, weights and events kept",
        highlight=False,
    )
