"""`jpgb prices ...`: publish a price list for sync to take to every bench, and list them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    console,
    err_console,
    fail,
    handled_errors,
    open_cli_store,
    settings_for,
)

app = typer.Typer(help="Price lists: publish one to every bench, list them.", no_args_is_help=True)


@app.command("publish")
def publish(
    file: Annotated[Path, typer.Argument(help="Price list TOML, laid out like data/price_lists/.")],
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Check a price list and publish it; every bench receives it at its next sync.

    The file is checked like the lists shipped in data/price_lists/: every service, served
    zone and weight bracket priced. A version already published or shipped with other
    prices, or a start time another list has, is refused and nothing is written.
    """
    from jpgb_terminal.services.price_lists import parse_publishable
    from jpgb_terminal.workflow.prices import publish_prices

    settings = settings_for(config, db)
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    try:
        # utf-8-sig: the byte-order mark Windows editors put first is not part of the TOML.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(f"{file.name}: not UTF-8 text (a TOML file must be UTF-8)")
    # Checked before the store is opened, so a bad file does not even create one.
    with handled_errors():
        parse_publishable(text, file.name)
    store = open_cli_store(settings)
    with handled_errors():
        done = publish_prices(store, settings.station_id, text, source=file.name)
    for warning in done.warnings:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    console.print(done.message, highlight=False)
    if done.added:
        console.print("every bench receives it at its next sync", highlight=False)


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Every price list this store knows: version, start, where it came from, which is in force."""
    from rich import box
    from rich.table import Table

    from jpgb_terminal.clock import WAREHOUSE_TZ
    from jpgb_terminal.workflow.prices import price_catalogue

    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors():
        catalogue = price_catalogue(store)
    entries, current, unreadable = catalogue.entries, catalogue.in_force, catalogue.unreadable
    if as_json:
        out = {"in_force": current, "price_lists": [e.as_dict() for e in entries]}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("version", no_wrap=True)
        table.add_column("effective_from", no_wrap=True)
        table.add_column("source", overflow="fold")
        table.add_column("", overflow="fold")
        for e in entries:
            if e.source == "packaged":
                source = f"packaged ({e.file})"
            else:
                when = e.published_at.astimezone(WAREHOUSE_TZ) if e.published_at else None
                source = f"published at {e.station_id}"
                if when is not None:
                    source += f" on {when:%Y-%m-%d %H:%M}"
            if e.unreadable:
                note = f"[bold red]unreadable:[/] {e.unreadable}"
            elif e.ignored:
                note = f"ignored: {e.ignored}"
            else:
                note = "[bold]in force[/]" if e.in_force else ""
            table.add_row(
                e.version, e.effective_from.astimezone(WAREHOUSE_TZ).isoformat(), source, note
            )
        console.print(table)
    for e in unreadable:
        err_console.print(
            f"[bold red]error:[/] price list {e.version} from {e.station_id} cannot be read by "
            "this program, so nothing can be priced here: upgrade the program",
            highlight=False,
        )
    if unreadable:
        raise typer.Exit(1)
