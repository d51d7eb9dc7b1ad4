"""`jpgb keys ...`: the key set that seals personal data at rest, shared by a site's stores."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from jpgb_terminal.privacy.crypto import Cipher
    from jpgb_terminal.store import Store

app = typer.Typer(
    help="Keys: the key set that seals customers' personal data and recipients at rest.",
    no_args_is_help=True,
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


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _resealed(changed: Counter[str]) -> str:
    return (
        f"{changed['customer']} customer(s) re-encrypted, "
        f"{changed['shipment']} shipment(s) re-encrypted"
    )


@app.command("init")
def init(key_file: KeyOpt = None, db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Create the key file and encrypt every stored address and ID number with it."""
    from jpgb_terminal.workflow.keys import seal_with_new_key

    path = _key_path(key_file, config, db)
    settings = settings_for(config, db)
    if path.exists():
        fail(f"{path} exists already; rotate it instead of replacing it")
    from jpgb_terminal.store import open_store

    with handled_errors():
        store = open_store(settings.db)  # not open_cli_store: that would make the key first
        claim_store_station(store, settings)
        # Values sealed with the settings' key (made by an earlier command) move to the new one.
        changed = seal_with_new_key(store, path, settings.key_file)
    _say(f"key file {path} created; {changed} customer(s) encrypted")


def _open_with(path: Path, db: str | None, config: Path | None) -> Store:
    """The store, with `path` as the key file every later seal reads (again when it changes)."""
    from jpgb_terminal.privacy import crypto

    settings = settings_for(config, db)
    if path != settings.key_file and not path.exists():
        fail(f"no key file {path}: give the station's key file, or `jpgb keys import` one")
    store = open_cli_store(settings)
    with handled_errors():
        crypto.configure(path)
    return store


def _reseal(store: Store, path: Path) -> Counter[str]:
    from jpgb_terminal.privacy import crypto
    from jpgb_terminal.privacy.keyring import reseal_store

    def cipher() -> Cipher:
        found = crypto.current()
        if found is None:  # configured just above; a None here is a broken invariant
            raise crypto.KeyFileError(f"the key file {path} is not configured")
        return found

    with handled_errors():
        return reseal_store(store, cipher)
    raise AssertionError("unreachable")


@app.command("rotate")
def rotate(key_file: KeyOpt = None, db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Add a new current key (the old ones stay, retired) and re-seal this store with it."""
    from jpgb_terminal.privacy.crypto import add_current_key

    path = _key_path(key_file, config, db)
    store = _open_with(path, db, config)
    with handled_errors():
        cipher = add_current_key(path)
    retired = ", ".join(cipher.key_ids[1:]) or "none"
    _say(f"key rotated: current key {cipher.current_id}, retired {retired}")
    changed = _reseal(store, path)
    _say(f"{_resealed(changed)}")
    _say(
        "next: `jpgb keys export --out FILE` and `jpgb keys import FILE` at every other "
        "bench and at central (README, Encrypted at rest)"
    )


@app.command("reseal")
def reseal(key_file: KeyOpt = None, db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Re-seal with the current key every value sealed with another (resumes a rotation)."""
    path = _key_path(key_file, config, db)
    store = _open_with(path, db, config)
    _say(_resealed(_reseal(store, path)))


@app.command("status")
def status(key_file: KeyOpt = None, db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Key ids of the key file, and how many of this store's values each one sealed."""
    from jpgb_terminal.privacy import crypto
    from jpgb_terminal.privacy.keyring import PLAINTEXT, key_status

    path = _key_path(key_file, config, db)
    store = _open_with(path, db, config)
    with handled_errors():
        cipher = crypto.Cipher.from_file(path)
        lines = key_status(store, cipher)
    _say(f"key file {path}: {len(cipher.keys)} key(s)")
    advice = {
        "missing": "not in the key file: `jpgb keys import FILE` from a bench that has it",
        "other": "`jpgb keys reseal` seals these with the current key",
    }
    for use in lines:
        note = advice.get(use.role, "")
        role = "in clear" if use.key_id == PLAINTEXT else use.role
        name = "-" if use.key_id == PLAINTEXT else use.key_id
        _say(f"  {name:<12} {role:<8} {use.values:>7} value(s)  {note}".rstrip())


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="File to write (must not exist).")],
    key_file: KeyOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write the whole key set (current and retired keys) to FILE for the site's other stores."""
    from jpgb_terminal.privacy.crypto import Cipher, export_keys

    path = _key_path(key_file, config, db)
    with handled_errors():
        count = export_keys(path, out)
        current = Cipher.from_file(path).current_id
    _say(
        f"{count} key(s) written to {out} (current key {current}): import it at every bench "
        "and at central with `jpgb keys import FILE`, then delete it"
    )


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="A `jpgb keys export` file.")],
    key_file: KeyOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Add the keys of FILE to this station's key file (its current key too, when newer)."""
    from jpgb_terminal.privacy.crypto import import_keys

    path = _key_path(key_file, config, db)
    with handled_errors():
        done = import_keys(path, source)
    added = ", ".join(done.added) if done.added else "none (all known already)"
    current = f"current key {done.current_id}"
    if done.kept_own:
        # The file lacks this station's current key: it is older, or another bench's own.
        current = (
            f"current key stays {done.current_id}, which {source} lacks: export this key set "
            "to the other stores once every bench's keys are here"
        )
    _say(f"keys added: {added}; {current}")
