"""Options and helpers shared by every command group."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from jpgb_terminal.settings import Settings
    from jpgb_terminal.store import Store

console = Console()
err_console = Console(stderr=True)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store URL (overrides JPGB_DB and the settings file).", metavar="URL"
    ),
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
    from jpgb_terminal.settings import load_settings

    try:
        return load_settings(config, db=db, station_id=station)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))


@contextmanager
def handled_errors() -> Iterator[None]:
    """Turn the program's own errors into one clear line on stderr and exit status 1."""
    # Imported here so that a command group loads only what it uses.
    from sqlalchemy.exc import OperationalError

    from jpgb_terminal.services.csv_files import ImportRejected
    from jpgb_terminal.services.errors import ServiceError
    from jpgb_terminal.store import StoreError
    from jpgb_terminal.tracking import InvalidTrackingNumber

    try:
        yield
    except typer.Exit:
        raise
    except ImportRejected as exc:
        fail(str(exc))
    except (StoreError, ServiceError, InvalidTrackingNumber) as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(f"the store could not be used: {exc.orig}")


def open_cli_store(settings: Settings) -> Store:
    """Open (and on first use create) the store named by the settings, or fail clearly."""
    from jpgb_terminal.store import open_store

    with handled_errors():
        return open_store(settings.db)
    raise AssertionError("unreachable")


def read_secret(prompt: str, *, from_stdin: bool) -> str:
    """A PIN from the terminal without echo, or one line of stdin when it is not a terminal."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            fail("expected a PIN on standard input")
        return line.strip()
    return typer.prompt(prompt, hide_input=True)
