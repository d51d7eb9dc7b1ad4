"""`audit verify` proves the state: each derived table is what the store's events make."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from jpgb_terminal.audit.evidence import weighing_evidence
from jpgb_terminal.audit.state import StateReport, compare_states, verify_state
from jpgb_terminal.audit.verify import verify_store
from jpgb_terminal.cli import app
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import SaleAmounts, decide
from jpgb_terminal.services.demo import seed_demo
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import open_store
from tests.factories import RawEvent, jp12

STATION = "ST01"
RECEIVED = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)  # past the custody deadline of 31 Dec 2026
SOLD = jp12(901)  # received without a pre-alert, held at the scan, sold after the deadline
REWEIGHED = jp12(902)  # weighed at 1,306 g, then reweighed at 12,345 g
FRAME = b"\x02S S      1306 g\r\n"


def _build(path: Path) -> dict[str, str]:
    """A demo-seeded station store with boxes, holds, a sale and a reweighed parcel."""
    store = open_store(f"sqlite:///{path}")
    try:
        seed_demo(store, STATION, parcels=40, seed=3, shipments=4)
        staff = Actor(STATION, "aiko")
        with store.transaction() as s:
            receive(s, staff, SOLD, at=RECEIVED)
        amounts = SaleAmounts(
            proceeds=12_000, custody_fee=3_000, disposal_fee=800, service_fee=1_200
        )
        with store.transaction() as s:
            decide(
                s, Actor(STATION, "kenji"), SOLD, "sell", "auction lot 4", sale=amounts, at=AFTER
            )
        first = datetime.now(UTC) - timedelta(minutes=5)
        with store.transaction() as s:
            receive(s, staff, REWEIGHED, at=first)
            light = record_weight(s, staff, REWEIGHED, 1306, raw_frame=FRAME, at=first)
        with store.transaction() as s:
            heavy = record_weight(
                s, staff, REWEIGHED, 12_345, raw_frame=FRAME, at=first + timedelta(minutes=1)
            )
    finally:
        store.dispose()
    return {"light": light, "heavy": heavy}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Built once: each test works on its own copy."""
    path = tmp_path_factory.mktemp("state") / "pristine.db"
    return path, _build(path)


@pytest.fixture
def copy(pristine: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    """This test's own copy of the pristine store."""
    path = tmp_path / "station.db"
    shutil.copy(pristine[0], path)
    return path


def _state(path: Path) -> StateReport:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return verify_state(conn)
    finally:
        engine.dispose()


def _tamper(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for sql in statements:
            assert conn.execute(sql).rowcount >= 1, sql


def test_an_untouched_demo_store_is_what_its_events_make(copy: Path) -> None:
    report = _state(copy)
    assert report.ok, [d.line() for d in report.differences()]
    assert report.replay is not None and report.replay.refused == []
    counted = {t.table: t.left_rows for t in report.tables}
    assert counted["parcel"] > 40 and counted["box"] >= 1 and counted["sale"] == 1
    assert counted["hold"] >= 1 and counted["decision"] == 1 and counted["operator"] == 3


# (what was done behind the services' back, the table and column named, or None: a row)
TAMPERING = [
    ("UPDATE box SET weight_g = weight_g - 500", "box", "weight_g"),
    ("UPDATE box SET fee = fee - 100", "box", "fee"),
    (
        "UPDATE hold SET closed_at = '2026-12-01 00:00:00.000000', decision = 'release' "
        "WHERE closed_at IS NULL",
        "hold",
        "closed_at",
    ),
    ("DELETE FROM sale", "sale", None),
    ("DELETE FROM decision", "decision", None),
    ("UPDATE customer SET status = 'frozen' WHERE status = 'active'", "customer", "status"),
    ("UPDATE operator SET role = 'lead' WHERE name = 'aiko'", "operator", "role"),
    (f"UPDATE parcel SET state = 'released' WHERE tracking_no = '{SOLD}'", "parcel", "state"),
]


@pytest.mark.parametrize(("sql", "table", "column"), TAMPERING)
def test_each_edit_behind_the_events_is_named(
    copy: Path, sql: str, table: str, column: str | None
) -> None:
    extra = ["DELETE FROM sale"] if "FROM decision" in sql else []  # the sale needs its decision
    _tamper(copy, *extra, sql)
    report = _state(copy)
    assert not report.ok
    first = report.differences()[0]
    assert first.table == table and first.column == column
    if column is None:
        assert first.problem == "made by the events, but not stored"
    else:
        assert first.left != first.right and column in first.line()


def test_a_parcel_pointed_at_an_older_lighter_weighing_is_caught(
    copy: Path, pristine: tuple[Path, dict[str, str]]
) -> None:
    light = pristine[1]["light"]
    _tamper(
        copy,
        f"UPDATE parcel SET weight_id = '{light}', weight_g = 1306 "
        f"WHERE tracking_no = '{REWEIGHED}'",
    )
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as conn:
            # Billed on one of its own weighings, so the weight check alone lets it pass ...
            assert verify_store(conn).ok
            # ... but the rule bills the newest weighing, and the replay says which that is.
            report = verify_store(conn, state=True)
            evidence = weighing_evidence(conn, REWEIGHED)
    finally:
        engine.dispose()
    assert report.state is not None
    (first,) = report.state.differences()
    assert (first.table, first.key, first.column) == ("parcel", REWEIGHED, "weight_g")
    assert (first.left, first.right) == (1306, 12_345)
    by_grams = {w["grams"]: w for w in evidence["weighings"]}
    assert by_grams[1306]["billed"] and not by_grams[1306]["verified"]
    assert any("newest" in p for p in by_grams[1306]["problems"])
    assert by_grams[12_345]["verified"]


def test_personal_data_is_not_the_chains_but_anonymisation_is(copy: Path) -> None:
    # Names travel beside the events, not in them: a renamed customer is not a difference ...
    _tamper(copy, "UPDATE customer SET name = 'Renamed' WHERE id IN (SELECT min(id) FROM customer)")
    assert _state(copy).ok
    # ... but a customer anonymised with no event saying so is.
    _tamper(
        copy,
        "UPDATE customer SET name = 'anonymised', address = NULL, phone = NULL, "
        "id_doc_no = NULL WHERE id IN (SELECT min(id) FROM customer)",
    )
    first = _state(copy).differences()[0]
    assert (first.table, first.column) == ("customer", "anonymised")


def test_a_row_no_event_makes_is_named(copy: Path) -> None:
    _tamper(
        copy,
        "INSERT INTO hold (id, tracking_no, reason, note, opened_at, opened_by, station_id, "
        "deadline, closed_at, decision) SELECT 'forged', tracking_no, 'customs', NULL, "
        "received_at, 'aiko', station_id, '2027-01-31', NULL, NULL FROM parcel LIMIT 1",
    )
    (first,) = _state(copy).differences()
    assert (first.table, first.key) == ("hold", "forged")
    assert first.problem == "stored, but no event makes it"


def _jpgb(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_cli_proves_the_state_and_names_the_first_difference(copy: Path) -> None:
    url = f"sqlite:///{copy}"
    code, out = _jpgb("audit", "verify", "--db", url)
    assert code == 0, out
    assert "state:" in out and "replayed event(s) make" in out
    _tamper(copy, "UPDATE box SET fee = fee - 100")
    code, out = _jpgb("audit", "verify", "--db", url)
    assert code == 1
    assert "STATE box" in out and "first difference: box" in out and "fee" in out


def test_against_compares_two_stores_state(copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    shutil.copy(copy, other)
    _tamper(other, "UPDATE operator SET role = 'lead' WHERE name = 'aiko'")
    engine_a = create_engine(f"sqlite:///{copy}")
    engine_b = create_engine(f"sqlite:///{other}")
    try:
        with engine_a.connect() as a, engine_b.connect() as b:
            report = compare_states(("a.db", a), ("b.db", b))
    finally:
        engine_a.dispose()
        engine_b.dispose()
    (first,) = report.differences()
    assert first.line() == "operator aiko: role 'staff' in a.db, 'lead' in b.db"
    code, out = _jpgb(
        "audit", "verify", "--db", f"sqlite:///{copy}", "--against", f"sqlite:///{other}", "--json"
    )
    assert code == 1
    verdict = json.loads(out[: out.rindex("}") + 1])
    assert [s["ok"] for s in verdict["stores"]] == [True, False]
    assert verdict["disagreements"] == []  # the same chains: only the state differs
    (line,) = verdict["state_disagreements"]
    assert line.startswith("operator aiko: role 'staff' in ") and "'lead' in " in line


def test_a_store_against_its_own_copy_agrees(copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    shutil.copy(copy, other)
    code, out = _jpgb(
        "audit", "verify", "--db", f"sqlite:///{copy}", "--against", f"sqlite:///{other}"
    )
    assert code == 0, out
    assert "DISAGREE" not in out


def test_central_on_postgresql_is_what_the_stations_events_make(
    pg_url: str, tmp_path: Path
) -> None:
    from jpgb_terminal.sync import sync_once
    from tests.sync.helpers import seed_people, station, write_parcels

    open_store(pg_url).dispose()
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    write_parcels(a, "A", [1, 2, 3])
    write_parcels(b, "B", [4, 5])
    for store, sid in ((a, "A"), (b, "B"), (a, "A")):
        assert sync_once(store, pg_url, sid).ok
    central = open_store(pg_url)
    try:
        with central.engine.connect() as conn:
            assert verify_state(conn).ok
            with a.engine.connect() as pulled_conn:
                synced = compare_states(("A", pulled_conn), ("central", conn))
        # After the sync the bench and central hold the same state, whatever the database.
        assert synced.ok, [d.line() for d in synced.differences()]
        with central.engine.begin() as conn:
            conn.execute(text("UPDATE weight_record SET grams = grams + 1000"))
        with central.engine.connect() as conn:
            first = verify_state(conn).differences()[0]
        with a.engine.connect() as conn:
            pulled = verify_state(conn)
    finally:
        central.dispose()
        a.dispose()
        b.dispose()
    assert (first.table, first.column) == ("weight_record", "grams")
    assert pulled.ok, [d.line() for d in pulled.differences()]


def test_an_event_the_projections_refuse_is_left_out_and_listed(copy: Path) -> None:
    from jpgb_terminal.services.events import append_event

    store = open_store(f"sqlite:///{copy}")
    try:
        with store.transaction() as s:
            append_event(
                s, Actor(STATION, "aiko"), RawEvent("parcel.cleared", {}), tracking_no=jp12(999)
            )
    finally:
        store.dispose()
    report = _state(copy)
    # Central would quarantine it the same way: nothing was projected, here or there.
    assert report.ok
    assert report.replay is not None
    (refused,) = report.replay.refused
    assert "parcel.cleared" in refused and "no receipt of this parcel" in refused


def test_an_event_held_in_quarantine_is_not_replayed(copy: Path) -> None:
    _tamper(
        copy,
        "INSERT INTO quarantine (station_id, seq, event_id, kind, tracking_no, stored, reason, "
        "content, state, noted_at) SELECT station_id, seq, event_id, kind, tracking_no, 1, "
        "'test', '{}', 'open', occurred_at FROM event WHERE kind = 'parcel.decided'",
    )
    report = _state(copy)
    assert report.replay is not None and report.replay.quarantined == 1
    # Central never projects it, so a store that holds its decision holds what no event makes.
    first = report.differences()[0]
    assert (first.table, first.key, first.column) == ("parcel", SOLD, "state")
    assert {d.table for d in report.differences()} >= {"decision", "sale"}
