"""The transport carries no policy: what a pull means for a bench is the caller's hook."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from jpgb_terminal.projections.events import SyncEvent
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import set_customer_status
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.sync import pull, push, status, sync_once
from jpgb_terminal.sync import round as one_round
from tests.factories import jp12
from tests.sync.helpers import seed_people, station


def _suspended_at_a_after_b_received(tmp_path: Path, central_url: str) -> Path:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    assert sync_once(a, central_url, "A").ok and sync_once(b, central_url, "B").ok
    with b.transaction() as s:
        receive(s, Actor("B", "aiko"), jp12(1))
    with a.transaction() as s:
        set_customer_status(s, Actor("A", "kenji"), "C1", "suspended")
    assert sync_once(a, central_url, "A").ok
    return tmp_path


def test_the_transport_alone_holds_nothing(tmp_path: Path, central_url: str) -> None:
    _suspended_at_a_after_b_received(tmp_path, central_url)
    b = station(tmp_path, "B")
    report = sync_once(b, central_url, "B")
    assert report.ok, report.error
    assert report.held_here == [] and report.pulled > 0


def test_the_callers_hook_sees_the_applied_events_in_the_page_transaction(
    tmp_path: Path, central_url: str
) -> None:
    _suspended_at_a_after_b_received(tmp_path, central_url)
    b = station(tmp_path, "B")
    seen: list[tuple[str, list[str]]] = []

    def hook(conn: Connection, station_id: str, events: list[SyncEvent]) -> list[str]:
        assert conn.in_transaction()
        seen.append((station_id, [e.kind for e in events]))
        return ["X1"]

    report = sync_once(b, central_url, "B", after_pull=hook)
    assert report.ok and report.held_here == ["X1"]
    assert len(seen) == 1 and seen[0][0] == "B" and "customer.status_changed" in seen[0][1]


def test_after_commit_is_called_once_per_batch_with_its_last_seq(
    tmp_path: Path, central_url: str
) -> None:
    a = station(tmp_path, "A")
    seed_people(a, "A")  # 4 events
    committed: list[int] = []
    report = sync_once(a, central_url, "A", batch_size=3, after_commit=committed.append)
    assert report.ok and committed == [3, 4]


def test_no_crash_switch_is_left_in_the_environment_path() -> None:
    """The kill between commit and mark is a hook a test passes, not a variable production reads."""
    for module in (one_round, push, pull, status):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert "os.environ" not in source and "SIGKILL" not in source, module.__name__
