"""Fixtures for sync tests: a central store on either backend, and a fault proxy to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from jpgb_terminal.store import open_store
from tests.sync.faultproxy import FaultProxy


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def central_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An initialised central store: a SQLite file, and a PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'central.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    open_store(url).dispose()
    return url


@pytest.fixture
def pg_central(pg_url: str) -> str:
    """An initialised central store on PostgreSQL."""
    open_store(pg_url).dispose()
    return pg_url


@pytest.fixture
def proxy(pg_url: str) -> Iterator[FaultProxy]:
    """A fault proxy in front of the test PostgreSQL server."""
    parsed = make_url(pg_url)
    fp = FaultProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    try:
        yield fp
    finally:
        fp.close()
