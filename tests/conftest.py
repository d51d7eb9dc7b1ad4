"""Shared fixtures: real SQLite files and, when JPGB_TEST_POSTGRES_URL is set, real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from jpgb_terminal.store import Store, open_store

LOCAL_PG = "postgresql://postgres@127.0.0.1:5432/test"


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


# Told, or else the machine's own server when one answers: `make test` runs them wherever it can.
PG_URL = os.environ.get("JPGB_TEST_POSTGRES_URL") or (LOCAL_PG if _reachable(LOCAL_PG) else None)
if PG_URL:
    os.environ["JPGB_TEST_POSTGRES_URL"] = PG_URL


def pytest_report_header() -> str:
    """Say in words whether the PostgreSQL tests run, and where."""
    if PG_URL:
        return f"PostgreSQL tests: running against {PG_URL}"
    return (
        f"PostgreSQL tests: NOT RUN - no server answers at {LOCAL_PG} and "
        "JPGB_TEST_POSTGRES_URL is not set; they are skipped"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Repeat it at the end, where a reader of the log looks."""
    terminalreporter.write_line(pytest_report_header())


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test's default data folder (where the default key file is made) is its own, and no
    cipher configured by one test's command seals the next test's values."""
    from jpgb_terminal.privacy import crypto

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    yield
    crypto.configure(None)


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
