"""`jpgb keys init|rotate`: the key file that encrypts personal data at rest (administrator)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    claim_store_station,
    console,
    fail,
    handled_errors,
    open_cli_store,
    settings_for,
)

app = typer.Typer(
    help="Keys: encryption of addresses and ID numbers at rest.", no_args_is_help=True
)

KeyOpt = Annotated[
    Path | None,
    typer.Option(
        "--key-file", help="Key file (default: key_file from the settings).", metavar="FILE"
    ),
]


def _key_path(key_file: Path | None, config: Path | None, db: str | None) -> Path:
    settings = settings_for(config, db)
    path = key_file or settings.key_file
    if path is None:
        fail("no key file: set key_file in the settings (JPGB_KEY_FILE) or give --key-file")
    return path


@app.command("init")
def init(key_file: KeyOpt = None, db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Create the key file and encrypt every stored address and ID number with it."""
    from jpgb_terminal.privacy.crypto import cipher_reading, init_key_file, reseal_all

    path = _key_path(key_file, config, db)
    settings = settings_for(config, db)
    if path.exists():
        fail(f"{path} exists already; rotate it instead of replacing it")
    from jpgb_terminal.store import open_store

    with handled_errors():
        store = open_store(settings.db)  # not open_cli_store: that would make the key first
        claim_store_station(store, settings)
        init_key_file(path)
        # Values sealed with the settings' key (made by an earlier command) move to the new one.
        with store.transaction() as session:
            changed = reseal_all(session, cipher_reading(path, settings.key_file))
    console.print(f"key file {path} created; {changed} customer(s) encrypted", highlight=False)


@app.command("rotate")
def rotate(key_file: KeyOpt = None, db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Add a new key, re-encrypt every row with it, then retire the old keys."""
    from jpgb_terminal.privacy.crypto import reseal_all, rotate_key_file

    path = _key_path(key_file, config, db)
    store = open_cli_store(settings_for(config, db))

    def reseal(cipher):  # type: ignore[no-untyped-def]
        with store.transaction() as session:
            return reseal_all(session, cipher)

    with handled_errors():
        changed = rotate_key_file(path, reseal)
    console.print(f"key rotated; {changed} customer(s) re-encrypted", highlight=False)
