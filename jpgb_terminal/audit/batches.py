"""Reading a store's audit chains in batches, each event with its canonical encoding.

On SQLite each chain is read on its own and SQLite builds the canonical encoding itself; on
PostgreSQL the rows are read through a server-side cursor and encoded in Python
(`jpgb_terminal.events.chain`).  Either way the verifier gets whole columns to check at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection

from jpgb_terminal.events.chain import EVENT_TEMPLATE, canonical_time

FETCH = 20_000  # rows per round trip when reading a chain

_CHAIN_SQL = (
    "SELECT station_id, seq, event_id, kind, tracking_no, operator, occurred_at, "
    "CAST(payload AS TEXT), prev_hash, hash FROM event ORDER BY station_id, seq"
)
# On SQLite each chain is read on its own and SQLite builds the canonical encoding itself, so
# Python gets four values per event and hashes one byte string.  json_object quotes strings
# exactly as json.dumps(ensure_ascii=False) does, writes NULL as null and integers in decimal,
# and costs far less than a json_quote and two concatenations per field.  The payload, stored
# as its canonical text, replaces the placeholder 0: json_object escapes every quote inside a
# value, so '"payload":0,' occurs exactly once.  An event SQLite encodes otherwise than Python
# would (a time stored in another shape, a seq stored as a real) fails its hash here and is
# decided by the exact encoding in event_problem, so this can only cost time, never a verdict.
_NEXT_STATION_SQLITE = "SELECT min(station_id) FROM event WHERE station_id > ?"
_CHAIN_SQL_SQLITE = (
    "SELECT seq, prev_hash, hash, CAST(replace(json_object("
    "'event_id', event_id, 'kind', kind, "
    "'occurred_at', replace(occurred_at, ' ', 'T') || 'Z', 'operator', operator, "
    "'payload', 0, 'prev_hash', prev_hash, 'seq', seq, "
    "'station_id', station_id, 'tracking_no', tracking_no), "
    """'"payload":0,', '"payload":' || payload || ',') AS BLOB) """
    "FROM event WHERE station_id = ? ORDER BY seq"
)
# Small batches: each is hashed while its rows are still in the CPU cache.
SQLITE_FETCH = 512


@dataclass(frozen=True)
class Batch:
    """Consecutive events of one chain, column by column."""

    station_id: str
    seqs: Sequence[int]
    prev_hashes: Sequence[str | None]
    hashes: Sequence[str | None]
    # The canonical encoding of each event (None where it could not be built on the fast path).
    datas: Sequence[bytes | None]


def hex_digests(datas: Iterable[bytes]) -> list[str]:
    """The hex SHA-256 of each byte string, in order."""
    sha256 = hashlib.sha256  # bound locally: this runs once per stored event
    return [sha256(data).hexdigest() for data in datas]


def _cursor_batches(
    conn: Connection, sql: str, params: tuple[Any, ...] | None, size: int
) -> Iterator[list[Any]]:
    """Rows of `sql` read straight from the driver in batches (no per-row objects)."""
    raw: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        # A server-side cursor: a million events never sit in memory at once.
        cur = raw.cursor(name="jpgb_audit_verify")
        cur.itersize = size
    else:
        cur = raw.cursor()
    try:
        if params is None:
            cur.execute(sql)
        else:
            cur.execute(sql, params)
        while True:
            batch = cur.fetchmany(size)
            if not batch:
                return
            yield batch
    finally:
        cur.close()


def _sqlite_batches(conn: Connection) -> Iterator[Batch]:
    """Every chain of an SQLite store, station by station, encoded by SQLite."""
    raw: Any = conn.connection.dbapi_connection
    station = raw.execute("SELECT min(station_id) FROM event").fetchone()[0]
    while station is not None:
        for rows in _cursor_batches(conn, _CHAIN_SQL_SQLITE, (station,), SQLITE_FETCH):
            seqs, prevs, hashes, datas = zip(*rows, strict=True)
            yield Batch(station, seqs, prevs, hashes, datas)
        station = raw.execute(_NEXT_STATION_SQLITE, (station,)).fetchone()[0]


def _python_batches(conn: Connection) -> Iterator[Batch]:
    """Every chain of the store in (station, seq) order, encoded in Python."""
    enc = json.encoder.encode_basestring
    template = EVENT_TEMPLATE
    for rows in _cursor_batches(conn, _CHAIN_SQL, None, FETCH):
        # Rows come ordered by station, so each station's rows are one run within the batch.
        for station, run in groupby(rows, itemgetter(0)):
            seqs: list[int] = []
            prevs: list[str | None] = []
            hashes: list[str | None] = []
            datas: list[bytes | None] = []
            for (
                _,
                seq,
                event_id,
                kind,
                tracking_no,
                operator,
                at,
                text,
                prev_hash,
                digest,
            ) in run:
                data = None
                if prev_hash is not None:
                    data = (
                        template
                        % (
                            enc(event_id),
                            enc(kind),
                            canonical_time(at),
                            "null" if operator is None else enc(operator),
                            text,
                            enc(prev_hash),
                            seq,
                            enc(station),
                            "null" if tracking_no is None else enc(tracking_no),
                        )
                    ).encode()
                seqs.append(seq)
                prevs.append(prev_hash)
                hashes.append(digest)
                datas.append(data)
            yield Batch(station, seqs, prevs, hashes, datas)


def chain_batches(conn: Connection) -> Iterator[Batch]:
    """Every stored event with its canonical encoding, chain by chain, in sequence order."""
    if conn.dialect.name == "sqlite":
        return _sqlite_batches(conn)
    return _python_batches(conn)
