"""`jpgb db ...`: create and upgrade the store."""

from __future__ import annotations

from collections import Counter

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    StationOpt,
    console,
    handled_errors,
    settings_for,
)
from jpgb_terminal.store import Store
from jpgb_terminal.store.engine import display_url

app = typer.Typer(help="The store: create, upgrade, show its schema version.", no_args_is_help=True)


@app.command()
def upgrade(db: DbOpt = None, station: StationOpt = None, config: ConfigOpt = None) -> None:
    """Create the store, or bring its schema to this program's version.

    `--station` names this bench's id where the store's own events leave it open."""
    from jpgb_terminal.store.identity import claim_station, store_station
    from jpgb_terminal.store.role import is_central
    from jpgb_terminal.workflow.keys import seal_left_in_clear

    settings = settings_for(config, db, station)
    origin = settings.station_origin()
    with handled_errors():
        store = Store(settings.db)
        before = store.current_revision()
        store.upgrade(station_id=settings.station_id if origin else None, origin=origin)
        after = store.current_revision()
        claim_station(store, settings.station_id, origin=origin)
        with store.engine.connect() as conn:
            station_id = store_station(conn)
            central = is_central(conn)
        # A bench's store only: central holds what benches sealed, and a key made there would
        # seal with a key no bench has.
        sealed = Counter[str]() if central else seal_left_in_clear(store, settings.key_file)
    url = display_url(store.url)
    of = f" (station {station_id})" if station_id else ""
    if before == after:
        console.print(f"{url} is up to date (schema {after}){of}", highlight=False)
    else:
        console.print(f"{url} upgraded from {before or 'empty'} to {after}{of}", highlight=False)
    if sum(sealed.values()):
        rows = ", ".join(f"{n} {table}" for table, n in sorted(sealed.items()) if n)
        console.print(f"sealed personal data left in clear or under a retired key: {rows}")


@app.command()
def current(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Print the store's schema version and the newest this program knows."""
    settings = settings_for(config, db)
    with handled_errors():
        store = Store(settings.db)
        console.print(
            f"store: {store.current_revision() or 'empty'}  program: {store.head_revision()}"
        )
