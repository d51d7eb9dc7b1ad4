"""Opening a store: URL normalisation, SQLite pragmas, migrations on first use, transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import Session

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


SUPPORTED_URLS = "use a file path, sqlite:///PATH or postgresql://USER@HOST/DB"


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message says why and where."""


class StoreNotUpgraded(StoreError):
    """The store's schema is older than this program; `jpgb db upgrade` fixes it."""


def normalize_url(url: str) -> str:
    """Accept plain paths and `postgresql://` URLs; pick the drivers this program ships."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def check_url(url: str) -> str:
    """The normalised URL of a store this program can use, or StoreError saying why not."""
    try:
        url = normalize_url(url)
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise StoreError(f"{display_url(url)} is not a store URL ({SUPPORTED_URLS})") from None
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported store {display_url(url)} ({SUPPORTED_URLS})")
    return url


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # We issue BEGIN ourselves (below) so pysqlite must not open transactions behind our back.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _on_read_only_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Reading needs no write lock (BEGIN IMMEDIATE would take one, or fail on read-only media).
    dbapi_conn.isolation_level = None
    dbapi_conn.execute("PRAGMA query_only=ON")
    dbapi_conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _on_sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout instead
    # of failing half-way with "database is locked" (and per-station sequences stay gap-free).
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _read_only_media(path: Path) -> bool:
    """An existing store whose folder cannot be written (a read-only mount, a write-protected
    stick): SQLite could not create its journal files there, so it is opened read-only."""
    return path.is_file() and not os.access(path.parent, os.W_OK)


def _read_only_url(path: Path) -> str:
    """The store as an immutable read-only file: no journal, no locks, no writes."""
    wal = path.with_name(path.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        # Changes still in the write-ahead log cannot be read without writing: refuse rather
        # than show (or verify) an older state of the store.
        raise StoreError(
            f"the store {path} is on read-only media with changes still in {wal.name}: "
            "copy it again after the terminal using it has been closed"
        )
    return f"sqlite:///file:{quote(str(path))}?mode=ro&immutable=1&uri=true"


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url`, with SQLite pragmas applied on every connection.

    `read_only` reads a SQLite store without ever taking its write lock (a bench may be
    writing meanwhile); a store on read-only media is always opened that way.
    """
    url = check_url(url)
    path = _sqlite_path(url)
    if path is not None:
        if path.is_dir():
            raise StoreError(
                f"the store {path} is a folder: name a file in it, e.g. {path}/station.db"
            )
        if _read_only_media(path):
            read_only, url = True, _read_only_url(path)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the store's folder {path.parent}: {exc.strerror}"
                ) from exc
    connect_args: dict[str, Any] = {}
    networked = url.startswith("postgresql")
    if networked:
        connect_args["connect_timeout"] = 10
    # A ping before each checkout only pays off where a server can drop the connection.
    try:
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=networked)
    except (ImportError, NoSuchModuleError, ArgumentError) as exc:
        raise StoreError(f"cannot open the store {display_url(url)}: {exc}") from None
    if engine.dialect.name == "sqlite" and read_only:
        event.listen(engine, "connect", _on_read_only_connect)
    elif engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration that migrates through `engine`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


class Store:
    """A store at one URL: an engine plus transactions and schema checks."""

    def __init__(self, url: str) -> None:
        self.url = check_url(url)
        self.engine = make_engine(self.url)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    def head_revision(self) -> str | None:
        """The newest migration this program knows."""
        return ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head()

    def current_revision(self) -> str | None:
        """The migration the store is at (None for an empty store)."""
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except DBAPIError as exc:
            raise StoreError(f"cannot open the store {display_url(self.url)}: {exc.orig}") from exc

    def upgrade(self, *, station_id: str | None = None, origin: str | None = None) -> None:
        """Bring the schema to the newest migration.

        `station_id` (named by `origin`, e.g. `--station`) is the bench's id for a store that
        has none recorded yet: it settles a store whose events name several (migration 0014d).
        """
        cfg = alembic_config(self.engine)
        cfg.attributes["station_id"] = station_id
        cfg.attributes["station_origin"] = origin
        try:
            command.upgrade(cfg, "head")
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot upgrade the store {display_url(self.url)}: {exc}") from exc

    def ensure_schema(self) -> None:
        """Upgrade a new, empty store; refuse one that an older program left behind."""
        current = self.current_revision()
        if current is None:
            self.upgrade()
        elif current != self.head_revision():
            raise StoreNotUpgraded(
                f"the store {display_url(self.url)} is at schema {current}; "
                "run `jpgb db upgrade` first"
            )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_store(url: str, *, ensure: bool = True) -> Store:
    """Open the store at `url`, upgrading it first when it is new."""
    store = Store(url)
    if ensure:
        try:
            store.ensure_schema()
        except StoreError:
            store.dispose()
            raise
    return store
