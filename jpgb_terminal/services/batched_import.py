"""Long imports in short transactions: checked whole first, then written in bounded batches.

An import stays all or nothing to the user without holding the store's write lock for its
whole length (a 30,000-row file would otherwise stall every scan and weighing at the bench):

1. the whole file is parsed and checked against the store with no write lock held; any bad
   line refuses the file and nothing is written;
2. an `import.started` marker (import id, what, file name, SHA-256, row count) is committed;
3. the rows are written in batches of a few hundred, each its own short transaction (rows and
   their events together), with a pause between batches so a waiting writer gets its turn;
4. an `import.finished` marker closes the import.

A crash between the markers leaves the import *unfinished*: the rows written so far are
stored, each whole with its event, and `unfinished_import` names it. It is resumed, never
rolled back (its rows may already have been synced to central): the next import of the same
kind given the same file skips the rows already written and finishes it; any other file is
refused until then, unless the unfinished import is abandoned (`import.finished` with
`abandoned`), which keeps what was written. Readers see each batch as it commits; whether the
import is complete is only ever read from its markers. One import of a kind runs at a time at
a station (the administrator's command); markers of other stations are never read.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlmodel import Session

from jpgb_terminal.clock import as_utc
from jpgb_terminal.events import ImportFinished, ImportStarted
from jpgb_terminal.ids import new_id
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store import Store
from jpgb_terminal.store.engine import make_engine
from jpgb_terminal.store.handles import EVENT

BATCH_ROWS = 200
# SQLite's busy handler polls a held lock at growing intervals, up to every 100 ms; a pause
# shorter than that between batches could let the import take the lock back every time.
PAUSE_S = 0.1

T = TypeVar("T")


class ImportInterrupted(ServiceError):
    """A batch was refused after others were written; the import is left unfinished."""


@dataclass(frozen=True)
class OpenImport:
    """An import whose `import.started` has no `import.finished` yet."""

    import_id: str
    what: str
    source: str
    sha256: str
    rows: int
    started_seq: int
    started_at: datetime


def file_digest(data: bytes) -> str:
    """The SHA-256 of a file's bytes, which tells a resumed import its own file."""
    return hashlib.sha256(data).hexdigest()


@contextmanager
def reading(store: Store) -> Iterator[Session]:
    """A session that reads without taking SQLite's write lock (a bench may be writing)."""
    if store.dialect != "sqlite":
        with Session(store.engine) as session:
            yield session
        return
    engine = make_engine(store.url, read_only=True)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def unfinished_import(session: Session, station_id: str, what: str) -> OpenImport | None:
    """The station's newest import of `what` that was started and never finished."""
    rows = session.connection().execute(
        select(EVENT.c.kind, EVENT.c.seq, EVENT.c.occurred_at, EVENT.c.payload)
        .where(
            EVENT.c.station_id == station_id,
            EVENT.c.kind.in_((ImportStarted.kind, ImportFinished.kind)),
        )
        .order_by(EVENT.c.seq)
    )
    started: dict[str, OpenImport] = {}
    for kind, seq, at, payload in rows:
        if kind == ImportFinished.kind:
            started.pop(payload.get("import_id"), None)
        elif payload.get("what") == what:
            started[payload["import_id"]] = OpenImport(
                payload["import_id"],
                what,
                payload["source"],
                payload["sha256"],
                int(payload["rows"]),
                int(seq),
                as_utc(at),
            )
    return max(started.values(), key=lambda o: o.started_seq, default=None)


def written_since(session: Session, station_id: str, seq: int, kind: str) -> list[Any]:
    """The (tracking_no, payload) of the station's `kind` events after `seq`: an import's rows."""
    return list(
        session.connection().execute(
            select(EVENT.c.tracking_no, EVENT.c.payload).where(
                EVENT.c.station_id == station_id,
                EVENT.c.kind == kind,
                EVENT.c.seq > seq,
            )
        )
    )


def pending_import(store: Store, station_id: str, what: str) -> OpenImport | None:
    """The station's unfinished import of `what`, read without the write lock."""
    with reading(store) as session:
        return unfinished_import(session, station_id, what)


def resumes(pending: OpenImport | None, data: bytes, *, abandon: bool = False) -> bool:
    """Whether importing `data` finishes the unfinished import `pending`."""
    return pending is not None and not abandon and pending.sha256 == file_digest(data)


def settle_pending(
    store: Store,
    actor: Actor,
    pending: OpenImport | None,
    data: bytes,
    source: str,
    *,
    abandon: bool = False,
) -> OpenImport | None:
    """The unfinished import this file resumes, or None once nothing is left unfinished.

    An unfinished import of another file refuses this one, unless `abandon` closes it first
    (keeping the rows it wrote); `abandon` with the same file starts that file afresh.
    """
    if pending is None:
        return None
    if resumes(pending, data, abandon=abandon):
        return pending
    if not abandon:
        raise ServiceError(
            f"{source}: the {pending.what} import of {pending.source} started "
            f"{pending.started_at:%Y-%m-%d %H:%M} UTC is not finished: import {pending.source} "
            "again to finish it, or pass --abandon to keep what it wrote and start this one"
        )
    with store.transaction() as session:
        _finish(session, actor, pending.import_id, abandoned=True)
    return None


def write_in_batches(
    store: Store,
    actor: Actor,
    *,
    what: str,
    data: bytes,
    source: str,
    items: Sequence[T],
    write: Callable[[Session, Sequence[T]], None],
    resumed: OpenImport | None = None,
    batch_rows: int = BATCH_ROWS,
    pause_s: float = PAUSE_S,
    at: datetime,
) -> str:
    """Write `items` by batches between the import's markers; returns the import id.

    `write` stores one batch in the session's transaction; a refusal it raises (a row that a
    bench changed since the check) stops the import, unfinished, after the batches before.
    """
    if resumed is None:
        with store.transaction() as session:
            import_id = _start(session, actor, what, source, data, len(items), at)
    else:
        import_id = resumed.import_id
    done = 0
    for i in range(0, len(items), batch_rows):
        batch = items[i : i + batch_rows]
        try:
            with store.transaction() as session:
                write(session, batch)
        except ServiceError as exc:
            raise ImportInterrupted(
                f"{source}: the import stopped after {done} of {len(items)} row(s): import "
                f"{source} again to finish it, or pass --abandon to keep what it wrote:\n{exc}"
            ) from exc
        done += len(batch)
        if done < len(items):
            time.sleep(pause_s)
    with store.transaction() as session:
        _finish(session, actor, import_id, rows_written=done, resumed=resumed is not None)
    return import_id


def _start(
    session: Session, actor: Actor, what: str, source: str, data: bytes, rows: int, at: datetime
) -> str:
    """Record `import.started` (the one place it is written) and return the new import's id."""
    import_id = new_id()
    started = ImportStarted(
        import_id=import_id, what=what, source=source, sha256=file_digest(data), rows=rows
    )
    append_event(session, actor, started, at=at)
    return import_id


def _finish(
    session: Session,
    actor: Actor,
    import_id: str,
    *,
    rows_written: int | None = None,
    resumed: bool | None = None,
    abandoned: bool | None = None,
) -> None:
    """Record `import.finished` (the one place it is written), done or abandoned."""
    finished = ImportFinished(
        import_id=import_id, rows_written=rows_written, resumed=resumed, abandoned=abandoned
    )
    append_event(session, actor, finished)
