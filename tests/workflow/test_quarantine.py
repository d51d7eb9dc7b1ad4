"""Resolving a quarantined event directly through the use case, against a real SQLite central."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import AuthError, NotAllowed, NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.sync import sync_once
from jpgb_terminal.workflow.auth import Credentials
from jpgb_terminal.workflow.quarantine import list_quarantine, resolve_quarantined
from tests.factories import RawEvent, event_count, jp12
from tests.sync.helpers import seed_people, station, write_parcels


def orphan_event(store: Store) -> int:
    """An inspection of a parcel no store ever received: central quarantines it."""
    with store.transaction() as s:
        appended = append_event(
            s,
            Actor("A", "aiko", "staff"),
            RawEvent("parcel.inspected", {"inspection_id": "I1", "opened": False, "findings": []}),
            tracking_no=jp12(99),
        )
    return appended.seq


@pytest.fixture
def quarantined(tmp_path: Path) -> Iterator[tuple[Store, str, int]]:
    """Bench B (which pulled A's operators), a central, and A's quarantined seq."""
    central = f"sqlite:///{tmp_path / 'central.db'}"
    open_store(central).dispose()
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    write_parcels(a, "A", [1])
    bad = orphan_event(a)
    assert sync_once(a, central, "A").ok
    a.dispose()
    assert sync_once(b, central, "B").ok
    yield b, central, bad
    b.dispose()


def test_a_supervisor_resolves_and_the_next_sync_carries_it(
    quarantined: tuple[Store, str, int],
) -> None:
    bench, central, bad = quarantined
    done = resolve_quarantined(
        bench, Credentials("B", "kenji", "2222"), central, "A", bad, note="receipt lost"
    )
    assert done.operator == "kenji" and done.event_id
    assert sync_once(bench, central, "B").ok
    [row] = list_quarantine(central)
    assert row.state == "resolved" and row.resolved_by == "kenji"
    with pytest.raises(ServiceError, match="already resolved by kenji"):
        resolve_quarantined(bench, Credentials("B", "kenji", "2222"), central, "A", bad, note="x")


@pytest.mark.parametrize(
    ("name", "pin", "seq", "note", "error"),
    [
        ("kenji", "0000", None, "x", AuthError),
        ("aiko", "1111", None, "x", NotAllowed),
        ("kenji", "2222", 77, "x", NotFound),
        ("kenji", "2222", None, "   ", ServiceError),
    ],
)
def test_refusals_record_no_resolution(
    quarantined: tuple[Store, str, int],
    name: str,
    pin: str,
    seq: int | None,
    note: str,
    error: type[Exception],
) -> None:
    bench, central, bad = quarantined
    with bench.transaction() as s:
        before = event_count(s)
    with pytest.raises(error):
        resolve_quarantined(bench, Credentials("B", name, pin), central, "A", seq or bad, note=note)
    with bench.transaction() as s:
        assert event_count(s) - before <= 1  # a wrong PIN is counted, nothing else
    assert sync_once(bench, central, "B").ok
    assert [r.state for r in list_quarantine(central)] == ["open"]
