"""Shared fixtures: real SQLite files and, when JPGB_TEST_POSTGRES_URL is set, real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from jpgb_terminal.store import Store, open_store

PG_URL = os.environ.get("JPGB_TEST_POSTGRES_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="JPGB_TEST_POSTGRES_URL is not set")


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not PG_URL:
        pytest.skip("JPGB_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in the test's own folder."""
    return f"sqlite:///{tmp_path / 'station.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs against a SQLite file and against PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'station.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An upgraded store on either backend."""
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    """An upgraded SQLite store."""
    s = open_store(sqlite_url)
    try:
        yield s
    finally:
        s.dispose()
