"""sync_push and sync_rtt: pushing a station's events to a PostgreSQL central.

sync_push: 100,000 events from one station (receive, weigh, inspect, clear: the shapes the
services write), pushed and applied on central; baseline: a raw COPY of the same rows into a
bare table with no index, in the same run.  sync_rtt: 2,000 events through a proxy that adds
10 ms each way; baseline: the same round without the proxy.

Needs PostgreSQL: JPGB_BENCH_POSTGRES_URL or JPGB_TEST_POSTGRES_URL (skipped when unset).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Text, bindparam
from sqlalchemy.engine import make_url

from bench.harness import Result
from jpgb_terminal.events import (
    Event,
    ParcelCleared,
    ParcelInspected,
    ParcelReceived,
    ParcelWeighed,
)
from jpgb_terminal.events.chain import EVENT_TEMPLATE, GENESIS, canonical_payload, canonical_time
from jpgb_terminal.ids import new_id
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.tables import Event as EventRow
from jpgb_terminal.sync import sync_once
from jpgb_terminal.tracking import jp12_check_digit

PUSH_EVENTS = 100_000
RTT_EVENTS = 2_000
STATION = "BENCH"
EVENT = EventRow.__table__  # type: ignore[attr-defined]
_INSERT = EVENT.insert().values(payload=bindparam("payload_text", type_=Text))
_encode_str = json.encoder.encode_basestring


def _pg_url() -> str | None:
    return os.environ.get("JPGB_BENCH_POSTGRES_URL") or os.environ.get("JPGB_TEST_POSTGRES_URL")


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def _schema(base: str) -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(base), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(_libpq(base), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


def _events(n: int) -> list[dict[str, Any]]:
    """n events, four per parcel, with the typed payloads the services write, hashed and
    chained as services.events.append_event does."""
    start = datetime(2026, 11, 20, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    seq = 0
    parcel = 0
    frame = b"S S      1234 g\r\n"
    while len(rows) < n:
        parcel += 1
        body = f"{7000_0000_000 + parcel:011d}"
        tracking = body + str(jp12_check_digit(body))
        at = start + timedelta(seconds=parcel)
        typed: list[Event] = [
            ParcelReceived(
                scheme="jp12", scanned=tracking, customer_id="C1", prealert_matched=True
            ),
            ParcelWeighed(
                weight_id=new_id(),
                grams=1000 + parcel % 5000,
                source="scale",
                raw_frame=frame,
                scale_id="bench-scale",
                protocol="mt-sics",
                from_state="received",
            ),
            ParcelInspected(inspection_id=new_id(), opened=False),
            ParcelCleared(from_state="weighed"),
        ]
        for event in typed[: n - len(rows)]:
            seq += 1
            rows.append(
                {
                    "event_id": new_id(),
                    "station_id": STATION,
                    "seq": seq,
                    "kind": event.kind,
                    "tracking_no": tracking,
                    "operator": "aiko",
                    "occurred_at": at,
                    "payload_text": canonical_payload(event.to_payload()),
                }
            )
    _chain(rows)
    return rows


def _chain(rows: list[dict[str, Any]]) -> None:
    """Give every row its prev_hash and hash, the station's chain from GENESIS.

    The same bytes as chain.event_hash, built straight from its template: the payloads are
    canonical text already and a parcel's four events share one instant, so little but the
    hashing is left per row."""
    station = _encode_str(STATION)
    times: dict[datetime, str] = {}
    prev = GENESIS
    for r in rows:
        at = r["occurred_at"]
        stamp = times.get(at)
        if stamp is None:
            stamp = times[at] = canonical_time(at)
        data = EVENT_TEMPLATE % (
            _encode_str(r["event_id"]),
            _encode_str(r["kind"]),
            stamp,
            _encode_str(r["operator"]),
            r["payload_text"],
            _encode_str(prev),
            r["seq"],
            station,
            _encode_str(r["tracking_no"]),
        )
        r["prev_hash"] = prev
        prev = r["hash"] = hashlib.sha256(data.encode()).hexdigest()


def _station(folder: Path, rows: list[dict[str, Any]]) -> Store:
    store = open_store(f"sqlite:///{folder / 'station.db'}")
    # The payload goes in as its canonical text, as the services store it.
    with store.engine.begin() as conn:
        conn.execute(_INSERT, rows)
    return store


def _raw_copy(url: str, rows: list[dict[str, Any]], *, into_event: bool = False) -> float:
    """Seconds to COPY the same rows into a bare table (no index, no constraint), or, with
    `into_event`, into central's own event table (its keys and indexes, nothing projected)."""
    table = "event" if into_event else "bare"
    cols = (
        "event_id, station_id, seq, kind, tracking_no, operator, occurred_at, payload, "
        "prev_hash, hash"
    )
    with psycopg.connect(_libpq(url)) as conn:
        if not into_event:
            conn.execute(
                "CREATE TABLE bare (event_id text, station_id text, seq int, kind text, "
                "tracking_no text, operator text, occurred_at timestamptz, payload json, "
                "prev_hash text, hash text)"
            )
        conn.commit()
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(
                    (
                        r["event_id"],
                        r["station_id"],
                        r["seq"],
                        r["kind"],
                        r["tracking_no"],
                        r["operator"],
                        r["occurred_at"],
                        r["payload_text"],
                        r["prev_hash"],
                        r["hash"],
                    )
                )
        conn.commit()
        return time.perf_counter() - t0


def _push(folder: Path, central: str, rows: list[dict[str, Any]], **kwargs: Any) -> float:
    store = _station(folder, rows)
    open_store(central).dispose()
    t0 = time.perf_counter()
    report = sync_once(store, central, STATION, **kwargs)
    elapsed = time.perf_counter() - t0
    store.dispose()
    if not report.ok or report.pushed != len(rows):
        raise RuntimeError(f"bench sync failed: {report.error}")
    return elapsed


def _sync_push(base: str) -> Result:
    rows = _events(PUSH_EVENTS)
    with _schema(base) as raw_url:
        raw_s = _raw_copy(raw_url, rows)
    with _schema(base) as event_url:
        open_store(event_url).dispose()
        event_s = _raw_copy(event_url, rows, into_event=True)
    with tempfile.TemporaryDirectory() as folder, _schema(base) as central:
        push_s = _push(Path(folder), central, rows, batch_size=5000, pull=False)
    value = len(rows) / push_s
    baseline = len(rows) / raw_s
    return Result(
        "sync_push",
        value,
        "events/s",
        baseline,
        {
            "events": len(rows),
            "push_s": round(push_s, 3),
            "raw_copy_s": round(raw_s, 3),
            # Context, not the baseline: the same COPY into central's indexed event table.
            "copy_into_event_table_s": round(event_s, 3),
        },
    )


def _sync_rtt(base: str) -> Result:
    from tests.sync.faultproxy import FaultProxy

    rows = _events(RTT_EVENTS)
    with tempfile.TemporaryDirectory() as folder, _schema(base) as central:
        direct_s = _push(Path(folder), central, rows)
    parsed = make_url(base)
    proxy = FaultProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxy.delay_s = 0.010
    try:
        with tempfile.TemporaryDirectory() as folder, _schema(base) as central:
            slow_s = _push(Path(folder), proxy.url(central), rows)
    finally:
        proxy.close()
    return Result(
        "sync_rtt",
        slow_s,
        "s",
        direct_s,
        {"events": len(rows), "added_delay_ms_each_way": 10, "goal_s": 2.0},
    )


def run() -> list[Result]:
    """Both sync benchmarks (none when no PostgreSQL is configured)."""
    base = _pg_url()
    if not base:
        print("SKIP sync_push sync_rtt: set JPGB_BENCH_POSTGRES_URL or JPGB_TEST_POSTGRES_URL")
        return []
    try:
        psycopg.connect(_libpq(base), connect_timeout=5).close()
    except psycopg.Error as exc:
        print(f"SKIP sync_push sync_rtt: PostgreSQL not reachable ({exc.__class__.__name__})")
        return []
    return [_sync_push(base), _sync_rtt(base)]
