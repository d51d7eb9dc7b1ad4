"""Central re-checks what it is told: role, transition, hash and chain, re-sent content; each
refusal quarantined with its reason, nothing applied, the rest delivered, the alarm shown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.events.chain import event_hash
from jpgb_terminal.ids import new_id
from jpgb_terminal.rules.event_checks import CentralView, EventFacts, check_events
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import decide
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.services.prealerts import import_prealerts
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.handles import (
    DECISION,
    EVENT,
    OPERATOR,
    PARCEL,
    QUARANTINE,
    SYNC_ISSUE,
    WEIGHT_RECORD,
)
from jpgb_terminal.sync import sync_once, sync_status
from jpgb_terminal.sync.merge import RESENT
from tests.factories import jp12
from tests.sync.helpers import FRAME, parcel_count, seed_people, station, write_parcels

runner = CliRunner()
REASON = "terms_violation"
STAFF = Actor("A", "aiko", "staff")

# -- the rules, table-driven ---------------------------------------------------------------

T = "T1"
ROLES = {"aiko": "staff", "kenji": "supervisor", "yui": "lead"}


def _decided(
    action: str, operator: str | None, *, to: str = "", frm: str = "held", role: str | None = None
) -> EventFacts:
    targets = {"release": "released", "sell": "sold", "report": "reported"}
    payload = {"action": action, "from_state": frm, "to_state": to or targets.get(action, "")}
    return EventFacts(
        "parcel.decided", T, operator, {**payload, "role": role or ROLES.get(operator or "")}
    )


def _m(kind: str, operator: str | None, frm: str | None, **payload: str) -> EventFacts:
    """A move of parcel T from `frm` (None: the event names no state)."""
    return EventFacts(kind, T, operator, {**payload, **({"from_state": frm} if frm else {})})


# (event, the parcel's state at central, another bench changed it, the refusal or None)
# fmt: off
CASES = [
    (_decided("release", "kenji"), "held", False, None),
    (_decided("release", "yui"), "held", False, None),
    (_decided("release", "aiko"), "held", False, "only a supervisor or lead may release"),
    (_decided("release", "kenji", role="lead"), "held", False, "central holds a supervisor"),
    (_decided("sell", None), "held", False, "recorded with no operator"),
    (_decided("release", "ghost"), "held", False, "'ghost' is not known at central"),
    (_decided("burn", "kenji", to="disposed"), "held", False, "no decision 'burn'"),
    (_decided("release", "kenji", to="sold"), "held", False, "the event says 'sold'"),
    (_decided("release", "kenji"), "weighed", False, "central holds parcel T1 as weighed"),
    (_decided("release", "kenji"), "packed", True, None),  # another bench moved it
    (_decided("release", "kenji", frm="cleared"), "cleared", False, "cannot become released"),
    (_m("parcel.cleared", "aiko", "received"), "received", False,
     "it cannot become cleared (from received: held, weighed)"),
    (_m("parcel.cleared", "aiko", "weighed"), "weighed", False, None),
    (_m("parcel.cleared", "aiko", "limbo"), "weighed", False, "'limbo' is no parcel state"),
    (_m("parcel.cleared", "aiko", None), "received", False, "cannot become cleared"),
    (_m("parcel.weighed", "ghost", "received", source="scale"), "received", False, None),
    (_m("parcel.weighed", "aiko", "sold", source="scale"), "sold", False,
     "can no longer be weighed"),
    (_m("parcel.weighed", "aiko", "received", source="manual", approved_by="aiko"),
     "received", False, "only a supervisor or lead may approve a manual weight"),
    (_m("parcel.weighed", "ghost", "received", source="manual", approved_by="aiko"),
     "received", False, "approve a manual weight (role: staff) at central (aiko)"),
    (_m("parcel.held", None, "held"), "held", False, None),
    (_m("parcel.held", None, "shipped"), "shipped", False, "cannot become held"),
    (_m("parcel.shipped", "kenji", "packed"), "packed", False,
     "only a lead may hand boxes over"),
    (_m("parcel.packed", None, "cleared"), "cleared", False,
     "recorded with no operator; only a staff, supervisor or lead may pack a box"),
    (EventFacts("operator.unlocked", None, "aiko", {"name": "kenji"}), None, False,
     "only a supervisor or lead may unlock an operator (role: staff)"),
    (EventFacts("customer.anonymised", None, "yui", {"customer_id": "C1"}), None, False, None),
    (EventFacts("prealert.recorded", T, None, {"customer_id": "C1"}), None, False, None),
    (EventFacts("parcel.inspected", "T9", "aiko", {}), None, False, None),  # no parcel here
]
# fmt: on


@pytest.mark.parametrize(("event", "state", "contested", "refused"), CASES)
def test_rules_refuse_what_the_table_and_the_states_forbid(
    event: EventFacts, state: str | None, contested: bool, refused: str | None
) -> None:
    view = CentralView(
        states={T: state} if state else {},
        roles=ROLES,
        contested=frozenset({T}) if contested else frozenset(),
    )
    found = check_events([event], view)
    if refused is None:
        assert found == []
    else:
        assert len(found) == 1 and refused in found[0].reason, found


def test_rules_follow_the_batch_in_order() -> None:
    batch = [
        EventFacts("operator.added", None, None, {"name": "mei", "role": "supervisor"}),
        EventFacts("parcel.received", T, "aiko", {}),
        EventFacts("parcel.weighed", T, "aiko", {"source": "scale", "from_state": "received"}),
        EventFacts("parcel.held", T, "aiko", {"from_state": "weighed"}),
        _decided("release", "mei"),  # added earlier in the batch: central knows her role
        EventFacts("parcel.cleared", "T2", "aiko", {"from_state": "weighed"}),  # T2 unknown
        _decided("release", "aiko"),  # T1 is released now: refused on the role first
        EventFacts("parcel.packed", T, "aiko", {"from_state": "released"}),  # follows it
    ]
    found = check_events(batch, CentralView(roles=ROLES))
    assert [r.index for r in found] == [6]
    held = check_events(batch, CentralView(roles=ROLES, held=frozenset({T})))
    assert held == []  # a parcel already in quarantine: its events follow it, unchecked


# -- on a central store ----------------------------------------------------------------------

HASHED = ("event_id", "station_id", "seq", "kind", "tracking_no", "operator", "occurred_at")


def _forge(
    store: Store,
    station_id: str,
    kind: str,
    tracking_no: str | None,
    operator: str | None,
    payload: dict[str, Any],
    *,
    prev_hash: str | None = None,
    digest: str | None = None,
) -> int:
    """Write an event straight into the store's table, past the services, with a valid hash
    (unless `digest` is given) linked to the station's last event (unless `prev_hash` is)."""
    with store.engine.begin() as conn:
        tail = conn.execute(
            select(EVENT.c.seq, EVENT.c.hash)
            .where(EVENT.c.station_id == station_id)
            .order_by(EVENT.c.seq.desc())
            .limit(1)
        ).first()
        seq = (tail.seq if tail else 0) + 1
        row = {
            "event_id": new_id(),
            "station_id": station_id,
            "seq": seq,
            "kind": kind,
            "tracking_no": tracking_no,
            "operator": operator,
            "occurred_at": datetime.now(UTC),
            "payload": payload,
            "prev_hash": prev_hash or (tail.hash if tail else "0" * 64),
        }
        row["hash"] = digest or event_hash(**{k: row[k] for k in (*HASHED, "payload", "prev_hash")})
        conn.execute(EVENT.insert(), row)
    return seq


def _alerted(store: Store, station_id: str, numbers: list[int], *, weigh: bool = True) -> None:
    """Pre-alert parcels for C1, then receive (and weigh) them: they are not held."""
    lines = "".join(f"{jp12(n)},C1,books\n" for n in numbers)
    with store.transaction() as s:
        import_prealerts(
            s, Actor(station_id), f"tracking_no,customer_id,contents\n{lines}".encode()
        )
    write_parcels(store, station_id, numbers, weigh=weigh)


def _held_parcel(store: Store, number: int) -> str:
    """Receive and weigh parcel `number` at A and hold it there; returns its hold id."""
    _alerted(store, "A", [number])
    with store.transaction() as s:
        return hold_by_operator(s, STAFF, jp12(number), REASON)


def _release(hold_id: str) -> dict[str, Any]:
    return {
        "decision_id": new_id(),
        "action": "release",
        "article": "15.3",
        "note": "customer sent the pre-alert",
        "role": "supervisor",  # what the event claims; central reads the role it holds
        "from_state": "held",
        "to_state": "released",
        "hold_ids": [hold_id],
        "reasons": [REASON],
        "deadline": None,
        "consent_reference": None,
        "report_reference": None,
        "sale": None,
    }


def _one(url: str, stmt: Any) -> Any:
    store = open_store(url, ensure=False)
    try:
        with store.engine.connect() as conn:
            return conn.execute(stmt).scalar()
    finally:
        store.dispose()


def _state(url: str, number: int) -> str | None:
    return _one(url, select(PARCEL.c.state).where(PARCEL.c.tracking_no == jp12(number)))


def _quarantine(url: str) -> list[dict[str, Any]]:
    store = open_store(url, ensure=False)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(QUARANTINE).order_by(QUARANTINE.c.seq)).mappings()
            return [dict(r) for r in rows]
    finally:
        store.dispose()


def _central_status(url: str) -> str:
    """`central status` as one line (the console wraps long lines)."""
    return " ".join(runner.invoke(app, ["central", "status", "--db", url]).stdout.split())


def test_forged_decision_is_quarantined_and_the_rest_delivered(
    tmp_path: Path, central_url: str
) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    hold_id = _held_parcel(a, 1)
    forged = _forge(a, "A", "parcel.decided", jp12(1), "aiko", _release(hold_id))
    _alerted(a, "A", [2, 3])  # later valid events
    report = sync_once(a, central_url, "A")
    assert report.ok, report.error
    [line] = report.quarantined
    assert f"A seq {forged} parcel.decided {jp12(1)}" in line
    assert "role: only a supervisor or lead may release a held parcel (role: staff)" in line
    assert _state(central_url, 1) == "held"  # nothing applied
    assert _one(central_url, select(func.count()).select_from(DECISION)) == 0
    assert parcel_count(central_url) == 3 and _state(central_url, 3) == "weighed"
    assert sync_status(a, "A").queued == 0
    assert f"in central's quarantine, first A seq {forged}" in (sync_status(a, "A").alarm or "")
    assert "role: only a supervisor or lead" in _central_status(central_url)
    shown = runner.invoke(app, ["sync", "status", "--db", f"sqlite:///{tmp_path / 'A.db'}"])
    shown_line = " ".join(shown.stdout.split())
    assert f"alarm 1 event(s) in central's quarantine, first A seq {forged}" in shown_line
    [row] = _quarantine(central_url)
    assert row["stored"] and row["state"] == "open"
    assert sync_once(b, central_url, "B").ok  # B keeps the event in its log, unapplied
    assert _state(f"sqlite:///{tmp_path / 'B.db'}", 1) == "held"


def test_a_forged_operator_does_not_get_in_beside_its_event(
    tmp_path: Path, central_url: str
) -> None:
    a = station(tmp_path, "A")
    seed_people(a, "A")
    hold_id = _held_parcel(a, 1)
    with a.engine.begin() as conn:  # a lead "boss" slipped into the bench's own tables
        conn.execute(
            OPERATOR.insert(),
            {
                "name": "boss",
                "role": "lead",
                "pin_hash": "x",
                "failed_attempts": 0,
                "locked_until": None,
                "active": True,
                "created_at": datetime.now(UTC),
            },
        )
    added = _forge(a, "A", "operator.added", None, "aiko", {"name": "boss", "role": "lead"})
    decided = _forge(a, "A", "parcel.decided", jp12(1), "boss", _release(hold_id))
    report = sync_once(a, central_url, "A")
    assert report.ok, report.error
    first, second = report.quarantined
    assert f"A seq {added} operator.added" in first
    assert "only a lead may manage operators (role: staff)" in first
    assert f"A seq {decided} parcel.decided" in second
    assert "operator 'boss' is not known at central" in second
    assert _one(central_url, select(OPERATOR.c.role).where(OPERATOR.c.name == "boss")) is None
    assert _state(central_url, 1) == "held"


def test_illegal_transitions_are_quarantined_with_their_reason(
    tmp_path: Path, central_url: str
) -> None:
    a = station(tmp_path, "A")
    seed_people(a, "A")
    _alerted(a, "A", [4], weigh=False)
    _alerted(a, "A", [5])
    assert sync_once(a, central_url, "A").ok
    cleared = _forge(a, "A", "parcel.cleared", jp12(4), "aiko", {"from_state": "received"})
    decided = _forge(a, "A", "parcel.decided", jp12(5), "kenji", _release("H-none"))
    _alerted(a, "A", [6])
    report = sync_once(a, central_url, "A")
    assert report.ok, report.error
    first, second = report.quarantined
    assert f"A seq {cleared} parcel.cleared {jp12(4)}" in first
    assert "transition: parcel" in first and "it cannot become cleared" in first
    assert f"A seq {decided} parcel.decided {jp12(5)}" in second
    assert f"central holds parcel {jp12(5)} as weighed and no other bench changed it" in second
    assert _state(central_url, 4) == "received" and _state(central_url, 5) == "weighed"
    assert _one(central_url, select(func.count()).select_from(DECISION)) == 0
    assert _state(central_url, 6) == "weighed"
    assert "QUARANTINE (2)" in report.summary()
    assert "ALARM: 2 event(s) in central's quarantine" in sync_status(a, "A").line()


@pytest.mark.parametrize("fault", ["hash", "prev_hash"])
def test_hash_and_chain_breaks_stop_the_push_at_them(
    tmp_path: Path, central_url: str, fault: str
) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    write_parcels(a, "A", [1, 2])
    payload = {"inspection_id": "I1", "opened": False, "findings": [], "note": None}
    if fault == "hash":
        bad = _forge(a, "A", "parcel.inspected", jp12(1), "aiko", payload, digest="f" * 64)
        reason = "hash-broken: its stored hash does not match its content"
    else:
        bad = _forge(a, "A", "parcel.inspected", jp12(1), "aiko", payload, prev_hash="a" * 64)
        reason = "hash-broken: its prev_hash does not link to the station's previous event"
    write_parcels(a, "A", [3])
    report = sync_once(a, central_url, "A")
    assert not report.ok and f"push stopped at A seq {bad} parcel.inspected" in (report.error or "")
    assert reason in (report.error or "")
    [row] = _quarantine(central_url)
    assert row["seq"] == bad and not row["stored"] and reason in row["reason"]
    assert _one(central_url, select(func.count()).where(EVENT.c.seq >= bad)) == 0  # nothing of it
    assert parcel_count(central_url) == 2  # the events before it are delivered
    assert sync_status(a, "A").pushed_seq == bad - 1
    assert "in central's quarantine" in (sync_status(a, "A").alarm or "")
    assert f"QUARANTINE: A seq {bad} parcel.inspected" in _central_status(central_url)
    write_parcels(b, "B", [9])  # another bench's later events still go through
    assert sync_once(b, central_url, "B").ok and _state(central_url, 9) is not None


def test_resent_event_with_other_content_is_an_alarm_not_applied(
    tmp_path: Path, central_url: str
) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    write_parcels(a, "A", [1, 2])
    assert sync_once(a, central_url, "A").ok
    with a.engine.begin() as conn:  # the last weighing re-recorded with other grams
        last = conn.execute(select(EVENT).order_by(EVENT.c.seq.desc()).limit(1)).one()
        payload = {**last.payload, "grams": 9999}
        changed = {**last._mapping, "payload": payload}
        digest = event_hash(**{k: changed[k] for k in (*HASHED, "payload", "prev_hash")})
        conn.execute(
            EVENT.update()
            .where(EVENT.c.event_id == last.event_id)
            .values(payload=payload, hash=digest)
        )
        conn.execute(text("UPDATE sync_state SET pushed_seq = 0"))
    report = sync_once(a, central_url, "A")
    assert report.ok, report.error
    assert any(last.event_id in x and "other content" in x for x in report.alarms), report
    grams = select(WEIGHT_RECORD.c.grams).where(WEIGHT_RECORD.c.tracking_no == jp12(2))
    assert _one(central_url, grams) == 1002  # the stored event stands
    [row] = _quarantine(central_url)
    assert row["seq"] == last.seq and not row["stored"] and row["reason"] == RESENT
    issue = select(SYNC_ISSUE.c.problem).where(SYNC_ISSUE.c.event_id == last.event_id)
    assert _one(central_url, issue) == RESENT
    assert "the stored event stands" in _central_status(central_url)
    assert "in central's quarantine" in (sync_status(a, "A").alarm or "")
    write_parcels(b, "B", [9])
    assert sync_once(b, central_url, "B").ok and _state(central_url, 9) is not None
    again = sync_once(a, central_url, "A")  # sent already: no second entry, alarm kept
    assert again.ok and len(_quarantine(central_url)) == 1 and again.open_quarantine


def test_a_legit_two_bench_run_syncs_clean(tmp_path: Path, central_url: str) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    _alerted(a, "A", [1, 2, 3])
    with a.transaction() as s:
        inspect(s, STAFF, jp12(1), opened=False, findings=[])
        hold_by_operator(s, STAFF, jp12(2), REASON)
    assert sync_once(a, central_url, "A").ok
    assert sync_once(b, central_url, "B").ok
    with b.transaction() as s:
        add_operator(s, Actor("B"), "yui", "lead", "3333")
        decide(s, Actor("B", "kenji", "supervisor"), jp12(2), "release", "pre-alert came")
        hold_by_operator(s, Actor("B", "yui", "lead"), jp12(3), REASON)
    # Meanwhile, at A: parcel 3 weighed again while B holds it (a conflict, not a forgery).
    with a.transaction() as s:
        record_weight(s, STAFF, jp12(3), 1500, raw_frame=FRAME)
    for store, sid in ((b, "B"), (a, "A"), (b, "B"), (a, "A")):
        report = sync_once(store, central_url, sid)
        assert report.ok and not report.quarantined and not report.alarms, report
    assert _quarantine(central_url) == []
    for url in (central_url, f"sqlite:///{tmp_path / 'A.db'}", f"sqlite:///{tmp_path / 'B.db'}"):
        assert [_state(url, n) for n in (1, 2, 3)] == ["cleared", "released", "held"]
    with a.transaction() as s:  # yui, added at B, decides at A
        decide(s, Actor("A", "yui", "lead"), jp12(3), "release", "checked")
    report = sync_once(a, central_url, "A")
    assert report.ok and not report.quarantined and _state(central_url, 3) == "released"
