"""The connection to central, where every step has a deadline of its own.

A half-dead link (packets silently dropped, a NAT that forgot the flow) can leave a driver
waiting for an answer that never comes; the drivers' own timeouts do not cover every phase.
So, in layers:

- libpq: `connect_timeout`, TCP keepalives and `tcp_user_timeout` (unacknowledged data for
  that long kills the socket);
- the server: `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout`,
  and its own TCP keepalives and `tcp_user_timeout`, set on every new connection, so a
  session whose bench vanished is ended by the server too (a session waiting inside a COPY
  is ended by none of the timeouts, which is why a push stages its data before it takes the
  push lock: jpgb_terminal.sync.wire);
- this module: each step (connect, one batch transaction, one pull page) runs in a worker
  thread; if it has not finished by its deadline the connection is cancelled on the server
  and its socket shut down, which wakes the blocked thread, and the step fails with
  SyncTimeout.  A link that timed out is dead; the next sync opens a new one.

A SQLite central is a file on this host: its steps get the same deadlines, enforced with
`sqlite3.Connection.interrupt()`.  A file on a network share is refused, because SQLite's
locking is not reliable there.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from jpgb_terminal.store.engine import display_url, make_engine, normalize_url

T = TypeVar("T")
# TCP keepalives on both ends of every central connection: a silent peer is noticed after
# about idle + interval * count seconds.
KEEPALIVE_IDLE_S = 5
KEEPALIVE_INTERVAL_S = 2
KEEPALIVE_COUNT = 3

NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ceph", "glusterfs"}
)


class SyncError(RuntimeError):
    """Sync could not finish; `kind` says how: offline, timeout or rejected."""

    kind = "error"


class CentralUnavailable(SyncError):
    """Central could not be reached, or the connection broke."""

    kind = "offline"


class SyncTimeout(CentralUnavailable):
    """A step did not finish before its deadline; its connection was cut."""

    kind = "timeout"


class CentralRejected(SyncError):
    """Central refused a batch (or the store is not fit for sync); the push stops there."""

    kind = "rejected"


@dataclass(frozen=True)
class Deadlines:
    """How long each part of a sync may take before it is abandoned."""

    connect_s: float = 10.0
    """Opening a connection (TCP, TLS, authentication, session settings)."""

    step_s: float = 60.0
    """One step end to end: a batch pushed and committed, or one page pulled."""

    overall_s: float = 300.0
    """A whole `sync_once`: no further step starts after this."""

    statement_ms: int = 30_000
    """Server-side `statement_timeout`."""

    lock_ms: int = 20_000
    """Server-side `lock_timeout` (waiting for another station's push)."""

    idle_in_transaction_ms: int = 30_000
    """Server-side `idle_in_transaction_session_timeout`."""

    tcp_user_timeout_ms: int = 20_000
    """Kernel: how long sent data may stay unacknowledged before the socket is dropped."""


class RoundClock:
    """The overall deadline of a round, handed out step by step."""

    def __init__(self, deadlines: Deadlines) -> None:
        self.deadlines = deadlines
        self.end = time.monotonic() + deadlines.overall_s

    def step(self) -> float:
        """The deadline for the next step: a full step's, or what is left of the round's."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise SyncTimeout(f"the sync round ran past its {self.deadlines.overall_s:.0f} s")
        return min(self.deadlines.step_s, left)


def check_local_file(path: Path) -> None:
    """Refuse a SQLite central on a network share (SQLite's file locks do not hold there)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return  # not Linux: nothing to check against
    target = str(path.resolve())
    best, fstype = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix)) and len(mount_point) > len(best):
            best, fstype = mount_point, parts[2]
    if fstype in NETWORK_FILESYSTEMS:
        raise CentralRejected(
            f"the central SQLite file {path} is on a network share ({fstype} at {best}); "
            "SQLite must be opened only on its own host: use PostgreSQL for several benches"
        )


def central_engine(url: str, deadlines: Deadlines) -> Engine:
    """An engine for the central store with the connection-level deadlines applied."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            # Opening a missing file would create an empty one: a typo in the URL must not.
            if not path.is_file():
                raise CentralRejected(
                    f"no central store at {path}"
                    + (" (a folder)" if path.is_dir() else "")
                    + f": create it with `jpgb central init --db {path}`, or fix the URL"
                )
            check_local_file(path)
        return make_engine(url)
    connect_args: dict[str, Any] = {
        "connect_timeout": max(1, math.ceil(deadlines.connect_s)),
        "keepalives": 1,
        "keepalives_idle": KEEPALIVE_IDLE_S,
        "keepalives_interval": KEEPALIVE_INTERVAL_S,
        "keepalives_count": KEEPALIVE_COUNT,
        "tcp_user_timeout": deadlines.tcp_user_timeout_ms,
    }
    if "application_name" not in parsed.query:
        connect_args["application_name"] = "jpgb-sync"
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    settings = (
        f"SET statement_timeout = {int(deadlines.statement_ms)}; "
        f"SET lock_timeout = {int(deadlines.lock_ms)}; "
        f"SET idle_in_transaction_session_timeout = {int(deadlines.idle_in_transaction_ms)}; "
        # The server's side of a vanished link: its own keepalives (default two hours) and
        # unacknowledged-data limit, so a session whose bench is gone is ended in seconds.
        f"SET tcp_keepalives_idle = {KEEPALIVE_IDLE_S}; "
        f"SET tcp_keepalives_interval = {KEEPALIVE_INTERVAL_S}; "
        f"SET tcp_keepalives_count = {KEEPALIVE_COUNT}; "
        f"SET tcp_user_timeout = {int(deadlines.tcp_user_timeout_ms)}"
    )

    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Set per connection, not in the URL, so a URL's own `options` stay intact;
        # committed at once so a later rollback cannot undo them.
        with dbapi_conn.cursor() as cur:
            cur.execute(settings)
        dbapi_conn.commit()

    event.listen(engine, "connect", _on_connect)
    return engine


class Step(Generic[T]):
    """A step running in its worker thread, with the moment it must be done by."""

    def __init__(self, link: CentralLink, name: str, due: float, limit: float) -> None:
        self.link, self.name, self.due, self.limit = link, name, due, limit
        self.done = threading.Event()
        self.outcome: dict[str, Any] = {}

    def result(self) -> T:
        """The step's value; its error re-raised; SyncTimeout (and a cut link) past the due time."""
        if not self.done.wait(max(0.0, self.due - time.monotonic())):
            self.link.dead = True
            self.link._cut()
            # The shut socket wakes the worker at once; do not wait long for it either way.
            self.done.wait(2.0)
            raise SyncTimeout(
                f"central {self.link.shown} did not finish {self.name} within {self.limit:.0f} s"
            )
        if "error" in self.outcome:
            raise self.outcome["error"]
        return self.outcome["value"]  # type: ignore[no-any-return]


class CentralLink:
    """One connection to central, used step by step, each step under its own deadline."""

    def __init__(self, url: str, deadlines: Deadlines | None = None) -> None:
        self.url = normalize_url(url)
        self.deadlines = deadlines or Deadlines()
        self.engine = central_engine(self.url, self.deadlines)
        self.dialect = self.engine.dialect.name
        self._conn: Connection | None = None
        self._dbapi: Any = None
        self._lock = threading.Lock()
        self.dead = False

    def __enter__(self) -> CentralLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def shown(self) -> str:
        """The URL with its password hidden."""
        return display_url(self.url)

    def run(self, name: str, fn: Callable[[Connection], T], timeout: float | None = None) -> T:
        """Run `fn(connection)` in a worker thread; cut the connection if it overruns."""
        return self.start(name, fn, timeout).result()

    def start(
        self, name: str, fn: Callable[[Connection], T], timeout: float | None = None
    ) -> Step[T]:
        """Start `fn(connection)` in a worker thread; `result()` waits for it (with the
        deadline), so the caller can do local work meanwhile."""
        if self.dead:
            raise CentralUnavailable(f"the link to {self.shown} was cut by an earlier timeout")
        limit = self.deadlines.step_s if timeout is None else timeout
        if self._conn is None:
            limit += self.deadlines.connect_s
        step: Step[T] = Step(self, name, time.monotonic() + max(0.0, limit), limit)

        def work() -> None:
            try:
                step.outcome["value"] = fn(self._connection())
            except BaseException as exc:
                step.outcome["error"] = exc
            finally:
                step.done.set()

        threading.Thread(target=work, name=f"jpgb-sync-{name}", daemon=True).start()
        return step

    def _connection(self) -> Connection:
        with self._lock:
            if self._conn is None:
                conn = self.engine.connect()
                self._dbapi = conn.connection.dbapi_connection
                self._conn = conn
            return self._conn

    def _cut(self) -> None:
        """Cancel the server-side work and shut the socket so a blocked read returns."""
        dbapi = self._dbapi
        if dbapi is None:
            return  # still connecting: connect_timeout ends that thread on its own
        if self.dialect == "sqlite":
            with contextlib.suppress(Exception):
                dbapi.interrupt()
            return
        cancel = getattr(dbapi, "cancel_safe", None)
        if cancel is not None:
            threading.Thread(
                target=_quietly, args=(cancel,), kwargs={"timeout": 2.0}, daemon=True
            ).start()
        try:
            fd = dbapi.pgconn.socket
            dup = socket.socket(fileno=os.dup(fd))
            try:
                dup.shutdown(socket.SHUT_RDWR)
            finally:
                dup.close()
        except Exception:
            pass

    def close(self) -> None:
        """Close the connection (in the background when the link died mid-step)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            if self.dead:
                threading.Thread(target=_quietly, args=(conn.close,), daemon=True).start()
            else:
                _quietly(conn.close)
        self.engine.dispose()


def _quietly(fn: Callable[..., Any], **kwargs: Any) -> None:
    with contextlib.suppress(Exception):
        fn(**kwargs)
