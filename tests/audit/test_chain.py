"""The chain is written by append_event, and every kind of tampering is caught by verify."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select, text

from jpgb_terminal.audit.verify import Break, verify_store
from jpgb_terminal.events.chain import GENESIS, canonical_event, canonical_time, event_hash
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.engine import alembic_config
from jpgb_terminal.store.handles import EVENT
from tests.audit.helpers import busy_store
from tests.factories import STATION, RawEvent


def _verify(store: Store) -> list[Break]:
    with store.engine.connect() as conn:
        return verify_store(conn).breaks()


def _events(store: Store) -> list[dict]:
    with store.transaction() as s:
        rows = s.connection().execute(select(EVENT).order_by(EVENT.c.station_id, EVENT.c.seq))
        return [dict(r) for r in rows.mappings()]


def test_canonical_encoding_is_sorted_compact_json() -> None:
    at = datetime(2026, 11, 26, 1, 2, 3, tzinfo=UTC)
    data = canonical_event(
        event_id="e1",
        station_id="ST01",
        seq=7,
        kind="parcel.weighed",
        tracking_no=None,
        operator='山田 "taro"',
        occurred_at=canonical_time(at),
        payload_text='{"a":1,"b":"é"}',
        prev_hash=GENESIS,
    )
    expected = {
        "event_id": "e1",
        "station_id": "ST01",
        "seq": 7,
        "kind": "parcel.weighed",
        "tracking_no": None,
        "operator": '山田 "taro"',
        "occurred_at": "2026-11-26T01:02:03.000000Z",
        "payload": {"a": 1, "b": "é"},
        "prev_hash": GENESIS,
    }
    assert data == json.dumps(
        expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert canonical_time("2026-11-26 01:02:03.000000") == canonical_time(at)


def test_each_event_links_to_the_previous_one_of_its_station(store: Store) -> None:
    busy_store(store)
    with store.transaction() as s:
        append_event(s, Actor("ST02", "mei"), RawEvent("note", {"n": 1}))
        append_event(s, Actor("ST02", "mei"), RawEvent("note", {"n": 2}))
    rows = _events(store)
    by_station: dict[str, list[dict]] = {}
    for row in rows:
        by_station.setdefault(row["station_id"], []).append(row)
    for events in by_station.values():
        prev = GENESIS
        for row in events:
            assert row["prev_hash"] == prev
            assert row["hash"] == event_hash(
                event_id=row["event_id"],
                station_id=row["station_id"],
                seq=row["seq"],
                kind=row["kind"],
                tracking_no=row["tracking_no"],
                operator=row["operator"],
                occurred_at=row["occurred_at"],
                payload=row["payload"],
                prev_hash=prev,
            )
            prev = row["hash"]
    assert _verify(store) == []


def _exec(store: Store, sql: str, **params: object) -> None:
    with store.transaction() as s:
        s.connection().execute(text(sql), params)


def _weighed(store: Store) -> dict:
    return next(r for r in _events(store) if r["kind"] == "parcel.weighed")


def test_tampering_with_a_stored_weight_row_is_caught(store: Store) -> None:
    busy_store(store)
    event = _weighed(store)
    _exec(
        store,
        "UPDATE weight_record SET grams = grams - 100 WHERE event_id = :e",
        e=event["event_id"],
    )
    (broken,) = _verify(store)
    assert broken.event_id == event["event_id"] and broken.seq == event["seq"]
    assert "grams" in broken.problem


def test_tampering_with_a_raw_frame_or_billed_weight_is_caught(store: Store) -> None:
    numbers = busy_store(store)
    event = _weighed(store)
    _exec(
        store,
        "UPDATE weight_record SET raw_frame = :f WHERE event_id = :e",
        f=b"S S 999 g\r\n",
        e=event["event_id"],
    )
    _exec(store, "UPDATE parcel SET weight_g = 1 WHERE tracking_no = :t", t=numbers[2])
    problems = [b.problem for b in _verify(store)]
    assert any("raw scale frame" in p for p in problems)
    assert any(f"parcel {numbers[2]} is billed on 1 g" in p for p in problems)


def test_tampering_with_a_weight_in_the_event_is_caught(store: Store) -> None:
    busy_store(store)
    event = _weighed(store)
    payload = dict(event["payload"], grams=1)
    _exec(
        store,
        "UPDATE event SET payload = :p WHERE event_id = :e",
        p=json.dumps(payload),
        e=event["event_id"],
    )
    breaks = _verify(store)
    assert breaks[0].event_id == event["event_id"]
    assert "does not match its hash" in breaks[0].problem


def test_deleting_an_event_is_caught(store: Store) -> None:
    busy_store(store)
    rows = [r for r in _events(store) if r["station_id"] == STATION]
    victim = rows[5]
    _exec(store, "DELETE FROM event WHERE event_id = :e", e=victim["event_id"])
    (broken,) = _verify(store)
    assert broken.seq == victim["seq"] + 1
    assert "missing" in broken.problem


def test_deleting_a_weight_row_is_caught(store: Store) -> None:
    busy_store(store)
    event = _weighed(store)
    _exec(store, "UPDATE parcel SET weight_id = NULL, weight_g = NULL, weight_source = NULL")
    _exec(store, "DELETE FROM weight_record WHERE event_id = :e", e=event["event_id"])
    (broken,) = _verify(store)
    assert broken.event_id == event["event_id"]
    assert "weight record is missing" in broken.problem


def test_deleting_the_newest_events_is_caught_by_the_push_watermark(store: Store) -> None:
    busy_store(store)
    with store.transaction() as s:
        append_event(s, Actor(STATION, "yui"), RawEvent("shift.closed", {}))
    rows = [r for r in _events(store) if r["station_id"] == STATION]
    _exec(
        store,
        "INSERT INTO sync_state (station_id, pushed_seq, pulled_central_id) VALUES (:s, :n, 0)",
        s=STATION,
        n=len(rows),
    )
    assert _verify(store) == []
    _exec(store, "DELETE FROM event WHERE event_id = :e", e=rows[-1]["event_id"])
    (broken,) = _verify(store)
    assert broken.seq == len(rows) and "chain ends at seq" in broken.problem


def test_swapping_two_events_is_caught(store: Store) -> None:
    busy_store(store)
    rows = [r for r in _events(store) if r["station_id"] == STATION]
    a, b = rows[3], rows[4]
    _exec(store, "UPDATE event SET seq = -1 WHERE event_id = :e", e=a["event_id"])
    _exec(store, "UPDATE event SET seq = :s WHERE event_id = :e", s=a["seq"], e=b["event_id"])
    _exec(store, "UPDATE event SET seq = :s WHERE event_id = :e", s=b["seq"], e=a["event_id"])
    breaks = _verify(store)
    assert breaks[0].seq == a["seq"] and breaks[0].event_id == b["event_id"]


def test_rewriting_history_breaks_the_links_after_it(store: Store) -> None:
    busy_store(store)
    rows = [r for r in _events(store) if r["station_id"] == STATION]
    target = rows[0]
    assert target["payload"]["role"] == "staff"
    # Someone edits an event and even fixes its own hash: the next event's link gives it away.
    payload = dict(target["payload"], role="lead")
    forged = event_hash(
        event_id=target["event_id"],
        station_id=STATION,
        seq=target["seq"],
        kind=target["kind"],
        tracking_no=target["tracking_no"],
        operator=target["operator"],
        occurred_at=target["occurred_at"],
        payload=payload,
        prev_hash=target["prev_hash"],
    )
    _exec(
        store,
        "UPDATE event SET payload = :p, hash = :h WHERE event_id = :e",
        p=json.dumps(payload),
        h=forged,
        e=target["event_id"],
    )
    (broken,) = _verify(store)
    assert broken.seq == target["seq"] + 1
    assert "prev_hash" in broken.problem


def test_an_event_written_around_the_audited_path_is_caught(store: Store) -> None:
    busy_store(store)
    last = _events(store)[-1]
    with store.transaction() as s:
        s.connection().execute(
            EVENT.insert(),
            {
                "event_id": "forged",
                "station_id": STATION,
                "seq": last["seq"] + 1,
                "kind": "note",
                "occurred_at": datetime.now(UTC),
                "payload": {},
            },
        )
    (broken,) = _verify(store)
    assert broken.event_id == "forged" and "no hash" in broken.problem


def test_upgrading_an_older_store_chains_its_existing_events(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Store(url)
    command.upgrade(alembic_config(old.engine), "0004")
    with old.engine.begin() as conn:
        for seq in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO event (event_id, station_id, seq, kind, occurred_at, payload) "
                    "VALUES (:e, 'OLD', :s, 'note', '2026-01-01 00:00:00.000000', :p)"
                ),
                {"e": f"old{seq}", "s": seq, "p": json.dumps({"n": seq, "a": "x"})},
            )
    old.dispose()
    store = open_store(url, ensure=False)
    store.upgrade()
    try:
        assert _verify(store) == []
        with store.transaction() as s:
            append_event(s, Actor("OLD"), RawEvent("note", {"n": 3}))
        assert _verify(store) == []
        rows = _events(store)
        assert rows[0]["prev_hash"] == GENESIS and rows[2]["prev_hash"] == rows[1]["hash"]
    finally:
        store.dispose()


def test_hash_is_sha256_of_the_canonical_bytes() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    data = canonical_event(
        event_id="x",
        station_id="S",
        seq=1,
        kind="k",
        tracking_no="T",
        operator=None,
        occurred_at=canonical_time(at),
        payload_text="{}",
        prev_hash=GENESIS,
    )
    assert (
        event_hash(
            event_id="x",
            station_id="S",
            seq=1,
            kind="k",
            tracking_no="T",
            operator=None,
            occurred_at=at,
            payload={},
            prev_hash=GENESIS,
        )
        == hashlib.sha256(data).hexdigest()
    )
