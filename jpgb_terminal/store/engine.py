"""Opening a store: URL normalisation, SQLite pragmas, migrations on first use, transactions."""

from __future__ import annotations

import contextlib
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


SQLITE_HEADER = b"SQLite format 3\x00"
STORE_FILE_MODE = 0o600
STORE_DIR_MODE = 0o700


def _check_netloc(url: str) -> None:
    """Refuse a URL whose user part holds an unencoded reserved character: the parser would
    take the rest of the password for the host and print it in the next error message."""
    scheme, _, rest = url.partition("://")
    if scheme.startswith("sqlite"):
        return
    netloc = rest.split("/", 1)[0]
    if netloc.count("@") > 1:
        raise StoreError(
            f"the store URL {scheme}://... has an unencoded '@' in its user or password: "
            "write it as %40 (and '/', ':', '#', '?' as %2F, %3A, %23, %3F)"
        )
    host = netloc.rpartition("@")[2]
    port = host.rpartition("]")[2].partition(":")[2] if ":" in host else ""
    if port and not port.isdigit():
        raise StoreError(
            f"the store URL {display_url(url)} has port {port!r}: a port is a number "
            "(a reserved character in the password must be %-encoded)"
        )


def normalize_url(url: str) -> str:
    """Accept plain paths and `postgresql://` URLs; pick the drivers this program ships."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    _check_netloc(url)
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def check_url(url: str) -> str:
    """The normalised URL of a store this program can use, or StoreError saying why not."""
    try:
        url = normalize_url(url)
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        raise StoreError(f"{display_url(url)} is not a store URL ({SUPPORTED_URLS})") from None
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported store {display_url(url)} ({SUPPORTED_URLS})")
    return url


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    if sep and "@" in netloc:
        # Everything before the last '@' is user and password, whatever the parser makes of it.
        userinfo = netloc.rsplit("@", 1)[0]
        user = userinfo.split(":", 1)[0].split("@", 1)[0]
        hidden = ":***" if ":" in userinfo or "@" in userinfo else ""
        return f"{scheme}://{user}{hidden}@{netloc.rsplit('@', 1)[1]}{slash}{tail}"
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


def _check_store_file(path: Path) -> None:
    """Refuse an existing file that is not a SQLite database, rather than make it one."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot read the store {path}: {exc.strerror}") from exc
    if not head:
        raise StoreError(
            f"cannot open the store {path}: it is an empty file (0 bytes), not a store: name another file, "
            "or remove it to create a new store there"
        )
    if head != SQLITE_HEADER:
        raise StoreError(
            f"cannot open the store {path}: it is not a store (not a SQLite database file); "
            "nothing was changed"
        )


def _private(path: Path, mode: int) -> None:
    # Files a store leaves behind from before (0644 under umask 022) are tightened on open.
    try:
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o777 & ~mode:
            path.chmod(mode)
    except OSError:
        pass


def _prepare_store_file(path: Path, *, create: bool) -> None:
    """The store's folder (0700 when created here) and file (0600, whatever the umask): it holds
    operators' PIN hashes and sealed personal data.  SQLite gives its -wal and -shm files the
    main file's mode."""
    if path.parent.exists() and not path.parent.is_dir():
        raise StoreError(f"cannot create the store's folder {path.parent}: Not a directory")
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=STORE_DIR_MODE)
            path.parent.chmod(STORE_DIR_MODE)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot create the store's folder {path.parent}: {exc.strerror}") from exc
    if not path.exists() and create:
        _create_store_file(path)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p.exists():
            _private(p, STORE_FILE_MODE)


def _create_store_file(path: Path) -> None:
    """A new, empty SQLite database at `path`, created 0600 beside and linked into place, so
    no zero-byte file (which would be refused) is ever left at `path`."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, STORE_FILE_MODE)
        os.close(fd)
        os.chmod(tmp, STORE_FILE_MODE)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE _jpgb_new (x)")
            conn.execute("DROP TABLE _jpgb_new")
        finally:
            conn.close()
        # Another process may have created it meanwhile: theirs is used.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    except OSError as exc:
        raise StoreError(f"cannot create the store {path}: {exc.strerror}") from exc
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


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
        if path.is_file():
            _check_store_file(path)
        if _read_only_media(path):
            read_only, url = True, _read_only_url(path)
        else:
            _prepare_store_file(path, create=not read_only)
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
