"""Options and helpers shared by every command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from jpgb_terminal.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Store URL (overrides JPGB_DB and the settings file).", metavar="URL"),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="Settings TOML file.", metavar="FILE"),
]
StationOpt = Annotated[
    str | None,
    typer.Option("--station", help="Station id (overrides JPGB_STATION_ID).", metavar="ID"),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error on stderr and leave with a non-zero status."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_for(
    config: Path | None = None, db: str | None = None, station: str | None = None
) -> Settings:
    """Settings with the command's own flags applied."""
    try:
        return load_settings(config, db=db, station_id=station)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
