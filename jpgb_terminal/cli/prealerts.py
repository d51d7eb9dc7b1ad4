"""`jpgb prealert ...`: import the users' notices of incoming parcels (Art. 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    AbandonOpt,
    ConfigOpt,
    DbOpt,
    console,
    fail,
    handled_errors,
    open_cli_store,
    settings_for,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.prealerts import import_prealert_file

app = typer.Typer(help="Pre-alerts: import from CSV.", no_args_is_help=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV with header tracking_no,customer_id[,...]")],
    db: DbOpt = None,
    config: ConfigOpt = None,
    abandon: AbandonOpt = False,
) -> None:
    """Import pre-alerts; the whole file is checked first and any bad row imports nothing.

    Header: tracking_no,customer_id required; carrier,contents,declared_value,currency optional.
    UTF-8, UTF-8 with BOM and Shift-JIS are read. The rows are written in short batches so
    the benches keep working; an import cut short is finished by importing the same file again.
    """
    settings = settings_for(config, db)
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    store = open_cli_store(settings)
    with handled_errors():
        actor = Actor(settings.station_id)
        summary = import_prealert_file(store, actor, data, source=file.name, abandon=abandon)
    resumed = f" ({summary.already} written before it was cut short)" if summary.already else ""
    console.print(
        f"{file.name}: {summary.added} pre-alert(s) added, {summary.updated} updated{resumed}",
        highlight=False,
        markup=False,
    )
