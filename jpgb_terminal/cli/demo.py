"""`jpgb demo`: open the terminal on demo data, or `jpgb demo seed` to fill a store."""

from __future__ import annotations

from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    StationOpt,
    console,
    handled_errors,
    open_cli_store,
    settings_for,
)

app = typer.Typer(help="Demo data and the demo terminal.", invoke_without_command=True)


@app.callback()
def demo(
    ctx: typer.Context,
    parcels: Annotated[int, typer.Option("--parcels", min=0, help="Demo parcels to seed.")] = 40,
    station: StationOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Open the terminal on a fresh demo store with a simulated scale and scanner."""
    if ctx.invoked_subcommand is not None:
        return
    from jpgb_terminal.app import run_demo

    run_demo(parcels=parcels, station=station, config=config)


@app.command("seed")
def seed(
    parcels: Annotated[int, typer.Option("--parcels", min=0, help="How many parcels to receive.")],
    station: StationOpt = None,
    seed_: Annotated[int, typer.Option("--seed", help="Same seed, same data.")] = 1,
    shipments: Annotated[
        int, typer.Option("--shipments", min=0, help="Shipment requests to add (some packed).")
    ] = 0,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Fill a store with customers, pre-alerts and parcels through the real service path."""
    from rich.progress import Progress

    from jpgb_terminal.services.demo import seed_demo

    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("receiving demo parcels", total=parcels)
        with handled_errors():
            plan = seed_demo(
                store,
                settings.station_id,
                parcels=parcels,
                seed=seed_,
                progress=lambda done: progress.update(task, completed=done),
                shipments=shipments,
            )
    made = f", {len(plan.shipments)} shipment requests" if shipments else ""
    console.print(
        f"seeded {len(plan.customers)} customers, {len(plan.prealerts)} pre-alerts, "
        f"{len(plan.parcels)} parcels{made} at station {settings.station_id}",
        highlight=False,
    )
    if len(plan.shipments) < shipments:
        console.print(
            f"only {len(plan.shipments)} of {shipments} shipment requests: one per customer "
            "with cleared parcels to ship (more --parcels gives more)",
            highlight=False,
        )
