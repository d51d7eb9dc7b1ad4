"""Opening stores: pragmas, first-use migration, clear errors for unusable paths and old schemas."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from jpgb_terminal.store import StoreError, StoreNotUpgraded, open_store
from jpgb_terminal.store.engine import display_url, normalize_url


def test_sqlite_pragmas(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    store.dispose()


def test_schema_matches_tables(store_url: str) -> None:
    """The migrations build exactly the tables the code declares, on both backends."""
    store = open_store(store_url)
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, SQLModel.metadata) == []
    assert store.current_revision() == store.head_revision()
    store.dispose()


def test_plain_path_becomes_sqlite_url(tmp_path: Path) -> None:
    url = normalize_url(str(tmp_path / "a.db"))
    assert url.startswith("sqlite:////")
    assert normalize_url("postgresql://u:secret@h/db").startswith("postgresql+psycopg://")
    assert "secret" not in display_url("postgresql://u:secret@h/db")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(StoreError, match="cannot"):
        open_store(f"sqlite:///{locked / 'sub' / 'x.db'}")


def test_path_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the store's folder"):
        open_store(f"sqlite:///{blocker / 'x.db'}")


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store(f"sqlite:///{junk}")


def test_old_schema_is_refused_until_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = open_store(f"sqlite:///{path}")
    store.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num='0000'")
    with pytest.raises(StoreNotUpgraded, match="jpgb db upgrade"):
        open_store(f"sqlite:///{path}")


def test_unreachable_postgres_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store("postgresql://nobody:pw@127.0.0.1:1/none")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://jpgb:SECRET@db.example/jpgb", "unsupported store mysql://jpgb:***@"),
        ("foo://jpgb:SECRET@host/x", "unsupported store foo://"),
        ("postgresql+psycopg2://jpgb:SECRET@db.example/jpgb", "No module named 'psycopg2'"),
    ],
)
def test_unsupported_url_is_a_clear_error(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=re.escape(message)) as err:
        open_store(url)
    assert "SECRET" not in str(err.value)


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    for url in (str(tmp_path), f"sqlite:///{tmp_path}"):
        with pytest.raises(StoreError, match="is a folder: name a file in it"):
            open_store(url)
    assert list(tmp_path.iterdir()) == []
