"""Random interleavings of station writes, sync attempts and link faults end in one truth."""

from __future__ import annotations

import itertools
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from jpgb_terminal.sync import sync_once
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import FAST, assert_central_is_union, parcel_count, station, write_parcels

pytestmark = pytest.mark.postgres

QUICK = replace(FAST, step_s=2.0, connect_s=1.0, overall_s=10)
_numbers = itertools.count(1)

step = st.one_of(
    st.tuples(st.just("write"), st.integers(0, 1), st.integers(1, 4)),
    st.tuples(st.just("sync"), st.integers(0, 1), st.sampled_from(["ok", "refuse", "cut"])),
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_any_interleaving_converges(pg_central: str, steps: list[tuple[str, int, object]]) -> None:
    # One central for all examples; each example has its own stations and parcels.
    tag = uuid.uuid4().hex[:6]
    ids = [f"P{tag}a", f"P{tag}b"]
    parsed = make_url(pg_central)
    proxy = FaultProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    url = proxy.url(pg_central)
    with tempfile.TemporaryDirectory() as folder:
        stores = {sid: station(Path(folder), sid) for sid in ids}
        written = 0
        try:
            for action, who, arg in steps:
                sid = ids[who]
                if action == "write":
                    count = int(str(arg))
                    start = 500_000 + next(_numbers) * 10
                    write_parcels(stores[sid], sid, range(start, start + count))
                    written += count
                    continue
                if arg == "refuse":
                    proxy.refuse()
                elif arg == "cut":
                    proxy.cut_commit_reply_after(b"sync_copy")
                sync_once(stores[sid], url, sid, deadlines=QUICK, batch_size=3)
                proxy.restore()
            for sid in ids:
                assert sync_once(stores[sid], url, sid, deadlines=QUICK).ok
            for sid in ids:  # the second station's pushes reach the first one
                assert sync_once(stores[sid], url, sid, deadlines=QUICK).ok
            assert_central_is_union(pg_central, stores)
            total = parcel_count(pg_central)  # earlier examples' parcels are on central too
            assert total >= written
            for sid in ids:
                assert parcel_count(stores[sid]) == total
        finally:
            proxy.close()
            for store in stores.values():
                store.dispose()
