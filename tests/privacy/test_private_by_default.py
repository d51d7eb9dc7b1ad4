"""Private by default: the first command makes the key, personal data is sealed in the file and
its WAL whether or not a key was configured, and the store's files are private under umask 022."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.store import open_store
from tests.factories import jp12
from tests.services.test_shipments import csv_bytes, row, stock

runner = CliRunner()
SECRETS = (
    "Nishi-Shinjuku",
    "TK9988776",
    "Kabukicho",
    "PX5544332",
    "Main St Springfield",
    # Customer names and phones, as added and as updated.
    "Yamada Taro",
    "090-5566-7788",
    "Sato Hanako",
    "080-1122-3344",
)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _run(*args: str, env: dict[str, str] | None = None) -> None:
    r = runner.invoke(app, list(args), env=env)
    assert r.exit_code == 0, r.output


def _scan(folder: Path) -> dict[str, list[str]]:
    """Every personal value found in clear in the store's file, WAL or SHM."""
    found: dict[str, list[str]] = {}
    for path in folder.glob("station.db*"):
        data = path.read_bytes()
        hits = [s for s in SECRETS if s.encode() in data]
        if hits:
            found[path.name] = hits
    return found


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("explicit_key", [False, True], ids=["no-key-setting", "key-setting"])
def test_every_command_seals_personal_data_in_the_file_and_its_wal(
    tmp_path: Path, umask_022: None, explicit_key: bool
) -> None:
    folder = tmp_path / "bench"
    db = str(folder / "station.db")
    key = tmp_path / "site" / "jpgb.key"
    env = {"JPGB_KEY_FILE": str(key)} if explicit_key else None
    default_key = tmp_path / "xdg-data" / "jpgb-terminal" / "jpgb.key"
    _run(
        "customer",
        "add",
        "C9",
        "--name",
        "Yamada Taro",
        "--phone",
        "090-5566-7788",
        "--address",
        "4-12-7 Nishi-Shinjuku",
        "--id-doc",
        "TK9988776",
        "--db",
        db,
        env=env,
    )
    made = key if explicit_key else default_key
    assert made.is_file() and _mode(made) == 0o600 and _mode(made.parent) == 0o700
    assert _mode(folder) == 0o700
    _run(
        "customer",
        "update",
        "C9",
        "--name",
        "Sato Hanako",
        "--phone",
        "080-1122-3344",
        "--address",
        "1-1 Kabukicho",
        "--id-doc",
        "PX5544332",
        "--db",
        db,
        env=env,
    )
    store = open_store(f"sqlite:///{db}")
    stock(store)
    store.dispose()
    requests = tmp_path / "requests.csv"
    requests.write_bytes(csv_bytes(row(parcels=jp12(1))))
    _run("shipment", "import", str(requests), "--db", db, env=env)
    alerts = tmp_path / "alerts.csv"
    alerts.write_text(f"tracking_no,customer_id,contents\n{jp12(30)},C9,books\n")
    _run("prealert", "import", str(alerts), "--db", db, env=env)
    # Read while the WAL still holds the latest pages, then again after a checkpoint.
    for path in folder.iterdir():
        assert _mode(path) == 0o600, path
    assert _scan(folder) == {}
    r = runner.invoke(app, ["shipment", "show", "SR-000001", "--db", db], env=env)
    assert r.exit_code == 0 and "no key file" not in r.output, r.output


def test_a_store_from_before_is_made_private_on_open(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "old" / "station.db"
    open_store(f"sqlite:///{path}").dispose()
    path.chmod(0o644)
    open_store(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600
