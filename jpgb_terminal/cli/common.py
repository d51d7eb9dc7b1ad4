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
    from jpgb_terminal.services.context import Actor
    from jpgb_terminal.settings import Settings
    from jpgb_terminal.store import Store
    from jpgb_terminal.workflow.auth import Credentials

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
PinStdinOpt = Annotated[
    bool, typer.Option("--pin-stdin", help="Read the PIN from stdin (also when stdin is piped).")
]
StationOpt = Annotated[
    str | None,
    typer.Option("--station", help="Station id (overrides JPGB_STATION_ID).", metavar="ID"),
]
AbandonOpt = Annotated[
    bool,
    typer.Option("--abandon", help="Give up an unfinished import (keeping what it wrote) first."),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error on stderr and leave with a non-zero status."""
    from rich.markup import escape

    # The message quotes what the user typed or wrote ("[up_to_g, ...]", "[/x]"): never markup.
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
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
    from sqlalchemy.exc import DatabaseError, OperationalError

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
        if "readonly database" in str(exc.orig):
            fail(
                "the store is read-only (read-only media, or a file this user may not "
                "write): it can be read, not changed; nothing was recorded"
            )
        fail(f"the store could not be used: {exc.orig}")
    except DatabaseError as exc:
        # A file with a SQLite header and damaged pages, or tables that are not a store's.
        fail(f"the store is damaged or not a store ({exc.orig}): nothing was changed")


def claim_store_station(store: Store, settings: Settings) -> None:
    """Make `settings.station_id` the store's own, or close the store and refuse another id."""
    from jpgb_terminal.store.identity import claim_station

    try:
        settings.station_id = claim_station(
            store, settings.station_id, origin=settings.station_origin()
        )
    except BaseException:
        store.dispose()
        raise


def open_cli_store(settings: Settings) -> Store:
    """Open (and on first use create) the store named by the settings, or fail clearly.

    The store knows its station: from here on `settings.station_id` is the store's own, and a
    flag, variable or settings file naming another id is refused (nothing is done).
    """
    from jpgb_terminal.privacy.crypto import configure_or_create
    from jpgb_terminal.store import open_store

    with handled_errors():
        store = open_store(settings.db)
        claim_store_station(store, settings)
        # Personal data is sealed whether or not a key was configured: the key is made here.
        configure_or_create(settings.key_file, store)
        return store
    raise AssertionError("unreachable")


def read_secret(prompt: str, *, from_stdin: bool) -> str:
    """A PIN from the terminal without echo, or one line of stdin when it is not a terminal."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            fail("expected a PIN on standard input")
        return line.strip()
    return typer.prompt(prompt, hide_input=True)


def read_new_pin(*, from_stdin: bool) -> str:
    """A new PIN: typed twice without echo at a terminal, or one line of stdin otherwise."""
    if from_stdin or not sys.stdin.isatty():
        return read_secret("PIN", from_stdin=True)
    pin = read_secret("PIN", from_stdin=False)
    if typer.prompt("PIN again", hide_input=True) != pin:
        fail("the two PINs differ")
    return pin


def operator_credentials(station_id: str, name: str, *, pin_stdin: bool) -> Credentials:
    """The operator named by `--operator` and the PIN they type, for a use case to check."""
    from jpgb_terminal.workflow.auth import Credentials

    return Credentials(station_id, name, read_secret(f"PIN for {name}", from_stdin=pin_stdin))


def operator_login(store: Store, station_id: str, name: str, *, pin_stdin: bool) -> Actor:
    """The operator named by `--operator`, after their PIN; fails clearly on a wrong PIN."""
    from jpgb_terminal.workflow.auth import authenticate

    credentials = operator_credentials(station_id, name, pin_stdin=pin_stdin)
    # The PIN is checked (and a wrong one counted) in its own transaction.
    with handled_errors():
        return authenticate(store, credentials)
    raise AssertionError("unreachable")
