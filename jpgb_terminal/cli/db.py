"""`jpgb db ...`: create and upgrade the store."""

from __future__ import annotations

import typer

from jpgb_terminal.cli.common import ConfigOpt, DbOpt, console, handled_errors, settings_for
from jpgb_terminal.store import Store
from jpgb_terminal.store.engine import display_url

app = typer.Typer(help="The store: create, upgrade, show its schema version.", no_args_is_help=True)


@app.command()
def upgrade(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Create the store, or bring its schema to this program's version."""
    settings = settings_for(config, db)
    with handled_errors():
        store = Store(settings.db)
        before = store.current_revision()
        store.upgrade()
        after = store.current_revision()
    url = display_url(store.url)
    if before == after:
        console.print(f"{url} is up to date (schema {after})", highlight=False)
    else:
        console.print(f"{url} upgraded from {before or 'empty'} to {after}", highlight=False)


@app.command()
def current(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Print the store's schema version and the newest this program knows."""
    settings = settings_for(config, db)
    with handled_errors():
        store = Store(settings.db)
        console.print(
            f"store: {store.current_revision() or 'empty'}  program: {store.head_revision()}"
        )
