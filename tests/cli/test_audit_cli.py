"""`jpgb audit verify` and `jpgb parcel show --evidence` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.sync import sync_once
from tests.audit.helpers import busy_store
from tests.sync.helpers import seed_people, station, write_parcels

runner = CliRunner()


def jpgb(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def _exec(store: Store, sql: str, **params: object) -> None:
    with store.transaction() as s:
        s.connection().execute(text(sql), params)


def test_verify_passes_then_names_the_first_broken_event(store_url: str) -> None:
    store = open_store(store_url)
    try:
        busy_store(store)
        result = jpgb("audit", "verify", "--db", store_url)
        assert result.exit_code == 0, result.output
        assert "intact" in result.output and "ST01: seq 1..17 intact" in result.output
        with store.transaction() as s:
            victim = (
                s.connection()
                .execute(text("SELECT event_id FROM event WHERE station_id = 'ST01' AND seq = 9"))
                .scalar_one()
            )
        _exec(store, "DELETE FROM event WHERE event_id = :e", e=victim)
    finally:
        store.dispose()
    result = jpgb("audit", "verify", "--db", store_url)
    assert result.exit_code == 1
    assert "first broken event" in result.output
    assert "station ST01 seq 10" in result.output and "events 9 to 9 are missing" in result.output


def test_verify_json_reports_each_chain(sqlite_store: Store) -> None:
    busy_store(sqlite_store)
    _exec(sqlite_store, "UPDATE weight_record SET grams = 5 WHERE grams = 1003")
    result = jpgb("audit", "verify", "--db", sqlite_store.url, "--json")
    assert result.exit_code == 1
    report, _ = json.JSONDecoder().raw_decode(result.output)
    assert report["ok"] is False
    problems = report["stores"][0]["weight_problems"]
    assert "grams 5 but the event says 1003" in problems[0]
    assert "is billed on 1003 g (scale), which no weight record of it says" in problems[1]


def test_verify_station_and_central_together(tmp_path: Path) -> None:
    central = f"sqlite:///{tmp_path / 'central.db'}"
    open_store(central).dispose()
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    write_parcels(a, "A", [1, 2, 3])
    write_parcels(b, "B", [4, 5])
    for s, name in ((a, "A"), (b, "B"), (a, "A")):
        assert sync_once(s, central, name).ok
    result = jpgb("audit", "verify", "--db", a.url, "--db", central)
    assert result.exit_code == 0, result.output
    assert "2 chain(s)" in result.output
    # Station A rewrites its own history consistently (every hash recomputed): only the copy
    # at central shows it.
    from jpgb_terminal.events.chain import GENESIS, event_hash

    with a.transaction() as s:
        conn = s.connection()
        rows = (
            conn.execute(text("SELECT * FROM event WHERE station_id = 'A' ORDER BY seq"))
            .mappings()
            .all()
        )
        prev = GENESIS
        for row in rows:
            payload = json.loads(row["payload"])
            if row["kind"] == "parcel.weighed":
                payload["grams"] = 1
            digest = event_hash(
                event_id=row["event_id"],
                station_id="A",
                seq=row["seq"],
                kind=row["kind"],
                tracking_no=row["tracking_no"],
                operator=row["operator"],
                occurred_at=row["occurred_at"],
                payload=payload,
                prev_hash=prev,
            )
            conn.execute(
                text(
                    "UPDATE event SET payload = :p, prev_hash = :v, hash = :h WHERE event_id = :e"
                ),
                {"p": json.dumps(payload), "v": prev, "h": digest, "e": row["event_id"]},
            )
            prev = digest
        conn.execute(text("UPDATE weight_record SET grams = 1 WHERE station_id = 'A'"))
        conn.execute(text("UPDATE parcel SET weight_g = 1 WHERE station_id = 'A'"))
    alone = jpgb("audit", "verify", "--db", a.url)
    assert alone.exit_code == 0, alone.output
    both = jpgb("audit", "verify", "--db", a.url, "--db", central)
    assert both.exit_code == 1
    assert "DISAGREE" in both.output and "station A" in both.output
    a.dispose()
    b.dispose()


def test_central_keeps_the_chains_the_stations_wrote(store_url: str, tmp_path: Path) -> None:
    open_store(store_url).dispose()
    a = station(tmp_path, "A")
    seed_people(a, "A")
    write_parcels(a, "A", [1, 2])
    assert sync_once(a, store_url, "A").ok
    result = jpgb("audit", "verify", "--db", store_url, "--json")
    assert result.exit_code == 0, result.output
    (chain,) = json.loads(result.output)["stores"][0]["chains"]
    with a.engine.connect() as conn:
        seq, head = conn.execute(
            text("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1")
        ).one()
    assert chain["head"] == head and chain["last_seq"] == seq
    a.dispose()


def test_evidence_shows_each_weighing_and_its_chain_position(sqlite_store: Store) -> None:
    numbers = busy_store(sqlite_store)
    result = jpgb("parcel", "show", numbers[0], "--evidence", "--db", sqlite_store.url)
    assert result.exit_code == 0, result.output
    out = result.output
    for expected in (
        "1000 g (scale)",
        "1250 g (manual)",
        "\\x02S S      1234 g\\r\\n",
        "mt-1:SN4711 (mt-sics)",
        "approved by kenji, reason: scale out of order",
        "station ST01 seq",
        "verified",
        "(billed)",
    ):
        assert expected in out, expected
    result = jpgb("parcel", "show", numbers[0], "--evidence", "--json", "--db", sqlite_store.url)
    found = json.loads(result.output)
    first, second = found["weighings"]
    assert first["raw_frame_hex"] == b"\x02S S      1234 g\r\n".hex()
    assert first["operator"] == "aiko" and first["chain"]["seq"] == 8
    assert second["manual_override"] == {"approved_by": "kenji", "reason": "scale out of order"}
    assert found["billed_grams"] == 1250 and second["billed"]


def test_evidence_flags_a_tampered_weight(sqlite_store: Store) -> None:
    numbers = busy_store(sqlite_store)
    _exec(sqlite_store, "UPDATE weight_record SET scale_id = 'other' WHERE grams = 1001")
    result = jpgb("parcel", "show", numbers[1], "--evidence", "--db", sqlite_store.url)
    assert result.exit_code == 1
    assert "NOT VERIFIED" in result.output and "scale_id 'other'" in result.output
