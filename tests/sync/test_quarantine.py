"""A refused event is quarantined, the rest go on, a supervisor resolves it; re-sent and
hash-broken events; on two benches and a real PostgreSQL central."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, text
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.events.chain import event_hash
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.handles import EVENT, QUARANTINE, SYNC_ISSUE
from jpgb_terminal.sync import sync_once, sync_status
from tests.factories import RawEvent, jp12
from tests.sync.helpers import parcel_count, seed_people, station, write_parcels

runner = CliRunner()
HASHED = ("event_id", "station_id", "seq", "kind", "tracking_no", "operator", "occurred_at")
HASHED = (*HASHED, "payload", "prev_hash")


def _orphan_event(store: Store, number: int) -> int:
    """An inspection of a parcel whose receipt is gone (never reached any store)."""
    with store.transaction() as s:
        appended = append_event(
            s,
            Actor("A", "aiko", "staff"),
            RawEvent(
                "parcel.inspected", {"inspection_id": f"I{number}", "opened": False, "findings": []}
            ),
            tracking_no=jp12(number),
        )
    return appended.seq


def _rows(url: str) -> list[dict[str, object]]:
    store = open_store(url, ensure=False)
    try:
        with store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(QUARANTINE).order_by("seq")).mappings()]
    finally:
        store.dispose()


def _verifies(url: str) -> bool:
    return runner.invoke(app, ["audit", "verify", "--db", url]).exit_code == 0


def test_refused_event_is_quarantined_and_the_rest_go_on(tmp_path: Path, central_url: str) -> None:
    pg_central = central_url  # either backend: the merge is the same
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    write_parcels(a, "A", [1])
    bad = _orphan_event(a, 99)
    follower = _orphan_event(a, 99)  # about the same parcel: quarantined with it
    write_parcels(a, "A", [2, 3])
    report = sync_once(a, pg_central, "A", batch_size=50)
    assert report.ok, report.error
    assert sync_status(a, "A").queued == 0
    assert len(report.quarantined) == 2
    assert f"A seq {bad} parcel.inspected {jp12(99)}" in report.quarantined[0]
    assert "no receipt of this parcel is known" in report.quarantined[0]
    assert "follows a quarantined event" in report.quarantined[1]
    assert "QUARANTINE (2)" in report.summary()
    assert "in central's quarantine" in (sync_status(a, "A").alarm or "")
    assert (
        f"ALARM: 2 event(s) in central's quarantine, first A seq {bad}"
        in sync_status(a, "A").line()
    )
    assert parcel_count(pg_central) == 3  # the good events after it were applied
    rows = _rows(pg_central)
    assert [(r["seq"], r["stored"], r["state"]) for r in rows] == [
        (bad, True, "open"),
        (follower, True, "open"),
    ]
    shown = runner.invoke(app, ["central", "status", "--db", pg_central])
    assert f"QUARANTINE: A seq {bad} parcel.inspected {jp12(99)}" in shown.stdout
    a_url = f"sqlite:///{tmp_path / 'A.db'}"
    remote = [
        "sync",
        "status",
        "--remote",
        "--central",
        pg_central,
        "--db",
        a_url,
        "--station",
        "A",
    ]
    seen = runner.invoke(app, remote)
    assert f"quarantine  A seq {bad} parcel.inspected" in seen.stdout, seen.output

    # B pulls every event (the chain stays whole) and projects none of the quarantined ones.
    assert sync_once(b, pg_central, "B").ok
    assert parcel_count(b) == 3
    assert _verifies(f"sqlite:///{tmp_path / 'B.db'}") and _verifies(pg_central)

    b_url = f"sqlite:///{tmp_path / 'B.db'}"
    args = ["sync", "quarantine", "resolve", "A", str(bad), "--central", pg_central]
    args += ["--db", b_url, "--station", "B", "--pin-stdin", "--operator", "kenji"]
    wrong = runner.invoke(app, [*args[:4], "77", *args[5:], "--note", "x"], input="2222\n")
    assert wrong.exit_code == 1 and "no quarantined event A seq 77" in wrong.stderr
    staff = [*args[:-1], "aiko", "--note", "x"]
    refused = runner.invoke(app, staff, input="1111\n")
    assert refused.exit_code == 1
    done = runner.invoke(app, [*args, "--note", "receipt lost; parcel re-received"], input="2222\n")
    assert done.exit_code == 0, done.output
    assert sync_once(b, pg_central, "B").ok
    resolved = _rows(pg_central)[0]
    assert resolved["state"] == "resolved" and resolved["resolved_by"] == "kenji"
    listed = runner.invoke(
        app, ["sync", "quarantine", "list", "--central", pg_central, "--db", b_url]
    )
    assert f"A seq {follower}" in listed.stdout and f"A seq {bad} " not in listed.stdout
    again = runner.invoke(app, [*args, "--note", "twice"], input="2222\n")
    assert again.exit_code == 1 and "already resolved by kenji" in again.stderr


def test_value_postgres_refuses_delivers_up_to_it(tmp_path: Path, pg_central: str) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", [1, 2])
    seed_people(a, "A")
    # Written before the entry checks existed: a tracking number PostgreSQL will not take.
    long_no = "X" * 60
    with a.transaction() as s:
        appended = append_event(
            s,
            Actor("A", "aiko", "staff"),
            RawEvent("parcel.received", {"note": None}),
            tracking_no="X",
        )
    # Raw SQL, as an older program would have written it: the entry checks do not see it.
    with a.engine.begin() as conn:
        last = conn.execute(select(EVENT).where(EVENT.c.seq == appended.seq)).one()
        changed = {**last._mapping, "tracking_no": long_no}
        digest = event_hash(**{k: changed[k] for k in HASHED})
        conn.execute(
            text("UPDATE event SET tracking_no = :t, hash = :h WHERE seq = :s"),
            {"t": long_no, "h": digest, "s": appended.seq},
        )
    write_parcels(a, "A", [3])
    report = sync_once(a, pg_central, "A")
    assert not report.ok and report.error_kind == "rejected"
    assert f"push stopped at A seq {appended.seq} parcel.received {long_no}" in (report.error or "")
    assert "too long" in (report.error or "")
    status = sync_status(a, "A")
    assert status.pushed_seq == appended.seq - 1
    assert status.queued == status.local_max_seq - appended.seq + 1
    assert parcel_count(pg_central) == 2
    [row] = _rows(pg_central)
    assert row["seq"] == appended.seq and row["stored"] is False
    assert _verifies(pg_central)
    again = sync_once(a, pg_central, "A")  # the same stop, named again; nothing else moves
    assert not again.ok and sync_status(a, "A").pushed_seq == appended.seq - 1


def test_resent_event_with_other_content_raises_an_alarm(tmp_path: Path, pg_central: str) -> None:
    a = station(tmp_path, "A")
    write_parcels(a, "A", [1, 2])
    assert sync_once(a, pg_central, "A").ok
    # The bench's last event rewritten with a hash of its own (a restored, re-recorded store).
    with a.engine.begin() as conn:
        last = conn.execute(select(EVENT).order_by(EVENT.c.seq.desc()).limit(1)).one()
        eid = last.event_id
        changed = {**last._mapping, "operator": "kenji"}
        digest = event_hash(**{k: changed[k] for k in HASHED})
        conn.execute(
            text("UPDATE event SET operator = 'kenji', hash = :h WHERE event_id = :e"),
            {"h": digest, "e": eid},
        )
        conn.execute(text("UPDATE sync_state SET pushed_seq = 0"))
    report = sync_once(a, pg_central, "A")
    assert any(eid in alarm and "other content" in alarm for alarm in report.alarms), report
    store = open_store(pg_central, ensure=False)
    with store.engine.connect() as conn:
        assert conn.execute(
            select(SYNC_ISSUE.c.problem).where(SYNC_ISSUE.c.event_id == eid)
        ).scalar()
    store.dispose()
    shown = runner.invoke(app, ["central", "status", "--json", "--db", pg_central])
    assert eid in [i["event_id"] for i in json.loads(shown.stdout)["issue_list"]]


def test_hash_broken_event_is_refused_and_pullers_verify(tmp_path: Path, pg_central: str) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    write_parcels(a, "A", [1, 2, 3])
    with a.engine.begin() as conn:  # an edit behind the chain's back
        conn.execute(text("UPDATE event SET tracking_no = :t WHERE seq = 3"), {"t": jp12(7)})
    report = sync_once(a, pg_central, "A")
    assert not report.ok and "A seq 3" in (report.error or "")
    assert "stored hash does not match its content" in (report.error or "")
    [row] = _rows(pg_central)
    assert row["seq"] == 3 and row["stored"] is False
    assert sync_status(a, "A").pushed_seq == 2
    assert sync_once(b, pg_central, "B").ok
    assert _verifies(f"sqlite:///{tmp_path / 'B.db'}") and _verifies(pg_central)
    with b.engine.connect() as conn:
        seqs = conn.execute(select(EVENT.c.seq).where(EVENT.c.station_id == "A")).scalars()
        assert sorted(seqs) == [1, 2]


def test_quarantine_commands_refuse_bad_input_in_one_line(tmp_path: Path, pg_central: str) -> None:
    b = station(tmp_path, "B")
    seed_people(b, "B")
    b_url = f"sqlite:///{tmp_path / 'B.db'}"
    dead = "postgresql://postgres@127.0.0.1:1/test"
    listed = runner.invoke(app, ["sync", "quarantine", "list", "--central", dead, "--db", b_url])
    assert listed.exit_code == 1 and "central unavailable" in listed.stderr
    assert len(listed.stderr.strip().splitlines()) == 1
    a = station(tmp_path, "A")
    seed_people(a, "A")
    bad = _orphan_event(a, 5)
    assert sync_once(a, pg_central, "A").ok
    before = sync_status(b, "B").local_max_seq
    args = ["sync", "quarantine", "resolve", "A", str(bad), "--central", pg_central]
    args += ["--db", b_url, "--station", "B", "--pin-stdin", "--operator", "kenji"]
    blank = runner.invoke(app, [*args, "--note", "   "], input="2222\n")
    assert blank.exit_code == 1 and "--note" in blank.stderr
    offline = [*args[:5], "--central", dead, *args[7:], "--note", "x"]
    unreachable = runner.invoke(app, offline, input="2222\n")
    assert unreachable.exit_code == 1 and "central unavailable" in unreachable.stderr
    assert sync_status(b, "B").local_max_seq == before  # nothing recorded
    assert _rows(pg_central)[0]["state"] == "open"
