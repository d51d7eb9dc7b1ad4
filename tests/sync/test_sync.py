"""Push, pull, duplicates, unknown kinds, refusals and gaps, on a SQLite and a PostgreSQL central."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import decide
from jpgb_terminal.services.events import append_event
from jpgb_terminal.services.parcels import parcel_view
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import open_store
from jpgb_terminal.store.handles import EVENT
from jpgb_terminal.store.ledger import Decision
from jpgb_terminal.store.sync_tables import Receipt, SyncIssue
from jpgb_terminal.store.tables import Hold, Operator
from jpgb_terminal.sync import sync_once, sync_status
from jpgb_terminal.sync.round import same_store
from tests.factories import RawEvent, jp12
from tests.sync.helpers import (
    FRAME,
    assert_central_is_union,
    parcel_count,
    seed_people,
    station,
    write_parcels,
)

runner = CliRunner()
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def test_push_then_pull_carries_a_release_back(tmp_path: Path, central_url: str) -> None:
    """Held at A, released by a supervisor at B, shows released on A."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    write_parcels(a, "A", range(1, 6))  # no pre-alerts: every parcel is held at the scan
    first = sync_once(a, central_url, "A")
    assert first.ok, first.error
    assert first.pushed == 2 + 2 + 3 * 5 and first.queued == 0
    assert sync_status(a, "A").queued == 0

    pulled = sync_once(b, central_url, "B")
    assert pulled.ok and pulled.pulled == first.pushed
    with b.transaction() as s:
        assert s.get(Operator, "kenji") is not None  # operators travel with their PIN hash
        result = decide(s, Actor("B", "kenji"), jp12(1), "release", "pre-alert found by phone")
    assert result.to_state == "released"
    assert sync_once(b, central_url, "B").ok
    back = sync_once(a, central_url, "A")
    assert back.ok and back.pulled == 1
    with a.transaction() as s:
        view = parcel_view(s, jp12(1))
        assert view["state"] == "released"
        assert view["holds"] == []
        assert [e["kind"] for e in view["events"]][-1] == "parcel.decided"
        assert s.exec(select(Decision)).all()  # type: ignore[call-overload]
    central = open_store(central_url)
    with central.transaction() as s:
        assert parcel_view(s, jp12(1))["state"] == "released"
        assert parcel_view(s, jp12(2))["state"] == "held"
        closed = s.execute(select(Hold).where(Hold.tracking_no == jp12(1))).scalars().all()
        assert [h.decision for h in closed] == ["release"]
    central.dispose()
    assert_central_is_union(central_url, {"A": a, "B": b})
    assert parcel_count(central_url) == parcel_count(a) == parcel_count(b) == 5


def test_second_round_sends_nothing_and_retry_is_harmless(tmp_path: Path, central_url: str) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 4))
    assert sync_once(a, central_url, "A", batch_size=2).ok
    again = sync_once(a, central_url, "A")
    assert again.ok and again.pushed == 0 and again.already_central == 0
    # Forget the local mark, as after a commit whose answer was lost: everything is resent
    # and central ignores all of it.
    with a.engine.begin() as conn:
        conn.execute(text("UPDATE sync_state SET pushed_seq = 0"))
    retry = sync_once(a, central_url, "A")
    assert retry.ok and retry.pushed == 0
    assert_central_is_union(central_url, {"A": a})


def test_same_parcel_received_offline_at_two_stations(tmp_path: Path, central_url: str) -> None:
    """One billed receipt, one flagged duplicate; the newest weighing bills."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    number = jp12(7)
    # B scans first (earlier) but syncs last, so central must swap the billing receipt.
    with b.transaction() as s:
        receive(s, Actor("B", "ken", "staff"), number, at=T0)
        record_weight(s, Actor("B", "ken", "staff"), number, 2000, raw_frame=FRAME, at=T0)
    with a.transaction() as s:
        receive(s, Actor("A", "aiko", "staff"), number, at=T0 + timedelta(minutes=5))
        record_weight(
            s,
            Actor("A", "aiko", "staff"),
            number,
            2100,
            raw_frame=FRAME,
            at=T0 + timedelta(minutes=6),
        )
    assert sync_once(a, central_url, "A").ok
    second = sync_once(b, central_url, "B")
    assert second.ok and second.duplicate_receipts == [number]

    result = runner.invoke(app, ["parcel", "show", number, "--json", "--db", central_url])
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert [(r["station_id"], r["duplicate"]) for r in view["receipts"]] == [
        ("B", False),
        ("A", True),
    ]
    assert view["station_id"] == "B" and view["received_by"] == "ken"
    assert view["weight_g"] == 2100  # A weighed later: the newest weighing bills
    central = open_store(central_url)
    with central.transaction() as s:
        receipts = s.execute(select(Receipt).order_by(Receipt.received_at)).scalars().all()
        assert [(r.station_id, r.duplicate) for r in receipts] == [("B", False), ("A", True)]
    central.dispose()
    assert parcel_count(central_url) == 1

    # A pulls B's receipt: the station sees the duplicate too, and keeps one parcel.
    assert sync_once(a, central_url, "A").ok
    with a.transaction() as s:
        view = parcel_view(s, number)
        assert [r["duplicate"] for r in view["receipts"]] == [False, True]
        assert view["station_id"] == "B" and view["weight_g"] == 2100


def test_unknown_kind_is_stored_and_reported(tmp_path: Path, central_url: str) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", [1])
    with a.transaction() as s:
        append_event(
            s, Actor("A", "aiko"), RawEvent("parcel.repacked", {"box": "B7"}), tracking_no=jp12(1)
        )
    report = sync_once(a, central_url, "A")
    assert report.ok
    assert len(report.unknown_kinds) == 1 and "parcel.repacked" in report.unknown_kinds[0]
    central = open_store(central_url)
    with central.transaction() as s:
        issue = s.execute(select(SyncIssue)).scalars().one()
        assert issue.kind == "parcel.repacked"
    central.dispose()
    assert_central_is_union(central_url, {"A": a})
    shown = runner.invoke(app, ["central", "status", "--db", central_url])
    assert f"issue: A parcel.repacked {issue.event_id}: unknown event kind" in shown.stdout
    listed = runner.invoke(app, ["central", "status", "--json", "--db", central_url])
    assert [i["event_id"] for i in json.loads(listed.stdout)["issue_list"]] == [issue.event_id]


def test_reused_sequence_is_refused_and_stops_the_push(tmp_path: Path, central_url: str) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", [1, 2])
    assert sync_once(a, central_url, "A").ok
    # The station's file is replaced by one that reuses sequence numbers for new events.
    with a.engine.begin() as conn:
        conn.execute(delete(EVENT).where(EVENT.c.seq > 2))
        conn.execute(text("UPDATE sync_state SET pushed_seq = 2"))
    with a.transaction() as s:
        append_event(s, Actor("A"), RawEvent("customer.added", {"customer_id": "X"}))
        append_event(s, Actor("A"), RawEvent("customer.added", {"customer_id": "Y"}))
    report = sync_once(a, central_url, "A")
    assert not report.ok and report.error_kind == "rejected"
    assert "refused" in (report.error or "")
    status = sync_status(a, "A")
    assert status.pushed_seq == 2 and status.queued == 2 and status.last_error


def test_gap_raises_an_alarm(tmp_path: Path, central_url: str) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 4))
    with a.engine.begin() as conn:
        conn.execute(delete(EVENT).where(EVENT.c.station_id == "A", EVENT.c.seq == 3))
    report = sync_once(a, central_url, "A")
    assert report.ok
    assert report.alarms and "from seq 3" in report.alarms[0]
    status = sync_status(a, "A")
    assert status.alarm and "from seq 3" in status.alarm
    assert "ALARM" in status.line()
    result = runner.invoke(app, ["central", "status", "--db", central_url, "--json"])
    assert result.exit_code == 0, result.output
    stations = json.loads(result.output)["stations"]
    assert stations[0]["gap_from"] == 3 and stations[0]["max_contiguous_seq"] == 2


def test_cli_init_sync_and_status(tmp_path: Path) -> None:
    central = f"sqlite:///{tmp_path / 'central.db'}"
    local = f"sqlite:///{tmp_path / 'a.db'}"
    result = runner.invoke(app, ["central", "init", "--db", central])
    assert result.exit_code == 0 and "upgraded from empty to" in result.output
    a = open_store(local)
    write_parcels(a, "A", [1, 2])
    a.dispose()
    result = runner.invoke(
        app, ["sync", "--once", "--db", local, "--station", "A", "--central", central, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["pushed"] == 6
    result = runner.invoke(
        app,
        ["sync", "status", "--db", local, "--station", "A", "--remote", "--central", central],
        env={"JPGB_CENTRAL": ""},
    )
    assert result.exit_code == 0, result.output
    assert "queued events  0" in result.output and "contiguous to 6" in result.output
    result = runner.invoke(
        app,
        ["sync", "--once", "--db", local, "--station", "A"],
        env={"JPGB_CENTRAL": "postgresql://u:hunter2@127.0.0.1:1/x"},
    )
    assert result.exit_code == 1
    assert "hunter2" not in result.output and "offline" in result.output
    result = runner.invoke(app, ["sync", "status", "--db", local, "--station", "A", "--json"])
    local_status = json.loads(result.output)["local"]
    assert local_status["offline_since"] and not local_status["online"]


def test_pulled_customers_and_prealerts_reach_other_stations(
    tmp_path: Path, central_url: str
) -> None:
    from jpgb_terminal.services.customers import set_customer_status
    from jpgb_terminal.services.prealerts import import_prealerts
    from jpgb_terminal.store.tables import Customer, PreAlert

    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    with a.transaction() as s:
        csv = f"tracking_no,customer_id,contents\n{jp12(3)},C1,figures\n".encode()
        import_prealerts(s, Actor("A", "aiko"), csv)
        set_customer_status(s, Actor("A", "kenji"), "C2", "suspended")
    assert sync_once(a, central_url, "A").ok
    assert sync_once(b, central_url, "B").ok
    with b.transaction() as s:
        assert s.get(Customer, "C1").name == "Customer 1"  # type: ignore[union-attr]
        assert s.get(Customer, "C2").status == "suspended"  # type: ignore[union-attr]
        assert s.get(PreAlert, jp12(3)).customer_id == "C1"  # type: ignore[union-attr]
        receipt = receive(s, Actor("B", "aiko"), jp12(3))
        assert receipt.prealert is not None and not receipt.held


def test_a_bench_syncing_with_its_own_store_is_refused(tmp_path: Path) -> None:
    """A `central` setting that names the bench's own file would make the bench central to
    itself; the round is refused before anything is read or written."""
    a = station(tmp_path, "A")
    write_parcels(a, "A", [1])
    (tmp_path / "link.db").symlink_to(tmp_path / "A.db")
    queued = sync_status(a, "A").queued
    for spelling in (
        str(tmp_path / "A.db"),
        f"sqlite:///{tmp_path}/./A.db",
        str(tmp_path / "link.db"),
    ):
        report = sync_once(a, spelling, "A")
        assert not report.ok and report.error_kind == "rejected"
        assert "names this bench's own store" in (report.error or "")
    assert sync_status(a, "A").queued == queued > 0
    write_parcels(a, "A", [2])  # the bench still records


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("/var/lib/jpgb/a.db", "sqlite:////var/lib/jpgb/a.db", True),
        ("/var/lib/jpgb/a.db", "/var/lib/jpgb/../jpgb/a.db", True),
        ("/var/lib/jpgb/a.db", "/var/lib/jpgb/b.db", False),
        ("postgresql://u:x@h/db", "postgresql+psycopg://u@h/db", True),
        (
            "postgresql://u@h/db?options=-csearch_path%3Da",
            "postgresql://u@h/db?options=-csearch_path%3Db",
            False,
        ),
        ("postgresql://u@h/db", "postgresql://u@other/db", False),
        ("/var/lib/jpgb/a.db", "postgresql://u@h/db", False),
        ("sqlite://", "sqlite://", False),  # two in-memory stores are two stores
    ],
)
def test_same_store(a: str, b: str, same: bool) -> None:
    assert same_store(a, b) is same


def test_a_missing_sqlite_central_is_named_and_not_created(tmp_path: Path) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", [1])
    queued = sync_status(a, "A").queued
    missing = tmp_path / "typo"
    report = sync_once(a, str(missing), "A")
    assert not report.ok and report.error_kind == "rejected"
    assert f"no central store at {missing}" in (report.error or "")
    assert "jpgb central init" in (report.error or "")
    assert not missing.exists() and sync_status(a, "A").queued == queued
    shown = runner.invoke(app, ["central", "status", "--db", str(missing)])
    assert shown.exit_code == 1 and "no central store" in shown.stderr and not missing.exists()
