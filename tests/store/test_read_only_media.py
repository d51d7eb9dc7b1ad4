"""A station's store copied onto read-only media (a write-protected stick, a read-only mount)
is read and verified as it is, and refuses changes in words, not with a SQLite error."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.services.demo import seed_demo
from jpgb_terminal.store import StoreError, open_store

runner = CliRunner()


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    """A fresh filesystem of its own, made read-only by `_write_protect`."""
    point = tmp_path / "media"
    point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "none", str(point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a filesystem needs privileges here: {mounted.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _write_protect(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)


def _station_copy(point: Path) -> Path:
    path = point / "station.db"
    store = open_store(f"sqlite:///{path}")
    seed_demo(store, "ST01", parcels=6, seed=2)
    store.dispose()  # closing checkpoints the write-ahead log into the file
    assert not path.with_name("station.db-wal").exists()
    _write_protect(point)
    return path


def test_a_store_on_read_only_media_is_read_and_verified(media: Path) -> None:
    path = _station_copy(media)
    verified = runner.invoke(app, ["audit", "verify", "--db", str(path)])
    assert verified.exit_code == 0, verified.output
    shown = verified.stdout.replace("\n", "")  # the console wraps long paths
    assert "intact" in shown and f"sqlite:///{path}:" in shown  # named as given
    listed = runner.invoke(app, ["holds", "list", "--format", "json", "--db", str(path)])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.strip().startswith("[")


def test_a_store_on_read_only_media_refuses_changes_in_words(media: Path) -> None:
    path = _station_copy(media)
    refused = runner.invoke(app, ["customer", "add", "C9", "--name", "Taro", "--db", str(path)])
    assert refused.exit_code == 1
    assert "the store is read-only" in refused.stderr and "nothing was recorded" in refused.stderr


def test_changes_left_in_the_write_ahead_log_are_not_read_past(media: Path) -> None:
    path = media / "station.db"
    store = open_store(f"sqlite:///{path}")
    store.dispose()
    # A copy taken while a terminal was still writing: its last changes sit in the -wal file.
    path.with_name("station.db-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 28)
    _write_protect(media)
    with pytest.raises(StoreError, match=r"changes still in station\.db-wal"):
        open_store(f"sqlite:///{path}")
