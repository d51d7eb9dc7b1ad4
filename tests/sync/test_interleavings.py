"""Random interleavings of station writes, sync attempts, link faults, refused entries and
forged events end in one truth: central is the union of the benches, forgeries quarantined."""

from __future__ import annotations

import itertools
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import make_url

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.handles import DECISION, QUARANTINE
from jpgb_terminal.sync import sync_once
from tests.factories import jp12
from tests.sync.faultproxy import FaultProxy
from tests.sync.forgery import (
    ENTRY_FAULTS,
    FORGERIES,
    footprint,
    forge,
    hold_then_forge_release,
    refused_entry,
)
from tests.sync.helpers import (
    FAST,
    PARCEL,
    assert_central_is_union,
    parcel_count,
    station,
    write_parcels,
)

pytestmark = pytest.mark.postgres

QUICK = replace(FAST, step_s=2.0, connect_s=1.0, overall_s=10)
_numbers = itertools.count(1)

step = st.one_of(
    st.tuples(st.just("write"), st.integers(0, 1), st.integers(1, 4)),
    st.tuples(st.just("sync"), st.integers(0, 1), st.sampled_from(["ok", "refuse", "cut"])),
    st.tuples(st.just("refuse"), st.integers(0, 1), st.sampled_from(ENTRY_FAULTS)),
    st.tuples(st.just("forge"), st.integers(0, 1), st.sampled_from(FORGERIES)),
)
# What each refused entry's line names.
REFUSALS = {
    "customer_name": "longer than 200",
    "customer_phone": "longer than 40",
    "hold_note": "longer than 2000",
    "weight_reason": "longer than 500",
    "prealert_nul": "NUL",
}


class Example:
    """One example's benches, their people and what the steps did to them."""

    def __init__(self, folder: Path, tag: str) -> None:
        self.ids = [f"P{tag}a", f"P{tag}b"]
        self.stores = {sid: station(folder, sid) for sid in self.ids}
        # Each bench adds its own people (names differ: central is shared by all examples).
        self.staff = {sid: f"s{tag}{i}" for i, sid in enumerate(self.ids)}
        self.approver = {sid: f"v{tag}{i}" for i, sid in enumerate(self.ids)}
        for sid, store in self.stores.items():
            with store.transaction() as s:
                add_operator(s, Actor(sid), self.staff[sid], "staff", "1111")
                add_operator(s, Actor(sid), self.approver[sid], "supervisor", "2222")
        self.written = 0
        self.forged: dict[str, tuple[str, str]] = {}  # event id -> (parcel, its state before)

    def write(self, sid: str, count: int, *, weigh: bool = True) -> int:
        """Receive (and weigh) `count` new parcels at `sid`; returns the first one's number."""
        start = 500_000 + next(_numbers) * 10
        write_parcels(self.stores[sid], sid, range(start, start + count), weigh=weigh)
        self.written += count
        return start

    def refuse(self, sid: str, fault: str) -> None:
        """An entry central would refuse: one clear line at the bench, nothing written."""
        store = self.stores[sid]
        number = self.write(sid, 1)
        before = footprint(store)
        line = refused_entry(
            store, sid, fault, number, staff=self.staff[sid], approver=self.approver[sid]
        )
        assert REFUSALS[fault] in line, line
        assert footprint(store) == before, f"{fault}: the refused entry wrote something"

    def forge(self, sid: str, what: str) -> None:
        """A forged event with a valid hash and chain link in the bench's table."""
        store = self.stores[sid]
        if what == "staff_release":
            number = self.write(sid, 1)
            eid = hold_then_forge_release(store, sid, number, self.staff[sid])
        else:  # received with no pre-alert, so held at the scan: it cannot become cleared
            number = self.write(sid, 1, weigh=False)
            payload = {"from_state": _states(store)[jp12(number)]}
            eid = forge(store, sid, "parcel.cleared", jp12(number), self.staff[sid], payload)
        self.forged[eid] = (jp12(number), _states(store)[jp12(number)])

    def dispose(self) -> None:
        for store in self.stores.values():
            store.dispose()


def _states(store: Store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return {
            str(t): str(s) for t, s in conn.execute(select(PARCEL.c.tracking_no, PARCEL.c.state))
        }


def assert_forgeries_quarantined(central_url: str, ex: Example) -> None:
    """Central quarantined exactly the forged events, applied none of them, and otherwise
    holds every parcel as the benches do."""
    central = open_store(central_url, ensure=False)
    try:
        with central.engine.connect() as conn:
            rows = conn.execute(
                select(QUARANTINE.c.event_id, QUARANTINE.c.stored, QUARANTINE.c.state).where(
                    QUARANTINE.c.station_id.in_(ex.ids)
                )
            ).all()
            decided = conn.execute(
                select(DECISION.c.tracking_no).where(
                    DECISION.c.tracking_no.in_([t for t, _ in ex.forged.values()])
                )
            ).all()
        assert {r.event_id for r in rows} == set(ex.forged), rows
        assert all(r.stored and r.state == "open" for r in rows), rows
        assert decided == []
        states = _states(central)
        quarantined = {t for t, _ in ex.forged.values()}
        for tracking_no, before in ex.forged.values():
            assert states.get(tracking_no) == before, (
                f"{tracking_no}: a forgery was applied ({states.get(tracking_no)})"
            )
        benches = [_states(store) for store in ex.stores.values()]
        for bench in benches:
            others = {t: s for t, s in bench.items() if t not in quarantined}
            assert {t: states.get(t) for t in others} == others
    finally:
        central.dispose()


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_any_interleaving_converges(pg_central: str, steps: list[tuple[str, int, object]]) -> None:
    # One central for all examples; each example has its own stations, people and parcels.
    parsed = make_url(pg_central)
    proxy = FaultProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    url = proxy.url(pg_central)
    with tempfile.TemporaryDirectory() as folder:
        ex = Example(Path(folder), uuid.uuid4().hex[:6])
        try:
            for action, who, arg in steps:
                sid = ex.ids[who]
                if action == "write":
                    ex.write(sid, int(str(arg)))
                    continue
                if action == "refuse":
                    ex.refuse(sid, str(arg))
                    continue
                if action == "forge":
                    ex.forge(sid, str(arg))
                    continue
                if arg == "refuse":
                    proxy.refuse()
                elif arg == "cut":
                    proxy.cut_commit_reply_after(b"sync_copy")
                sync_once(ex.stores[sid], url, sid, deadlines=QUICK, batch_size=3)
                proxy.restore()
            for sid in ex.ids:
                assert sync_once(ex.stores[sid], url, sid, deadlines=QUICK).ok
            for sid in ex.ids:  # the second station's pushes reach the first one
                assert sync_once(ex.stores[sid], url, sid, deadlines=QUICK).ok
            # Quarantined events stay in central's log (unapplied): the logs are the union.
            assert_central_is_union(pg_central, ex.stores)
            assert_forgeries_quarantined(pg_central, ex)
            total = parcel_count(pg_central)  # earlier examples' parcels are on central too
            assert total >= ex.written
            for sid in ex.ids:
                assert parcel_count(ex.stores[sid]) == total
        finally:
            proxy.close()
            ex.dispose()
