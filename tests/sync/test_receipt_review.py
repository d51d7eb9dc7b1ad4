"""A parcel received at two benches offline: listed for review, reviewed by a supervisor at a
bench, and the review reaches central and the other bench."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotAllowed, NotFound
from jpgb_terminal.services.parcels import parcel_view
from jpgb_terminal.services.receipts import review_duplicate_receipts
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import Store
from jpgb_terminal.store.sync_tables import Receipt
from jpgb_terminal.sync import sync_once
from tests.factories import jp12
from tests.sync.helpers import assert_central_is_union, seed_people, station

runner = CliRunner()
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
NUMBER = jp12(21)


def _receipts(store: Store) -> list[tuple[str, bool, str | None]]:
    with store.transaction() as s:
        rows = s.execute(select(Receipt).order_by(Receipt.received_at)).scalars().all()
        return [(r.station_id, r.duplicate, r.reviewed_by) for r in rows]


def _listed(url: str, *extra: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["receipts", "list", "--json", "--db", url, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def received_twice(tmp_path: Path, central_url: str) -> tuple[Store, Store]:
    """B scans the parcel first, A five minutes later, both offline; then both sync."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    assert sync_once(a, central_url, "A").ok and sync_once(b, central_url, "B").ok
    with b.transaction() as s:
        receive(s, Actor("B", "aiko", "staff"), NUMBER, at=T0)
    with a.transaction() as s:
        receive(s, Actor("A", "aiko", "staff"), NUMBER, at=T0 + timedelta(minutes=5))
    assert sync_once(a, central_url, "A").ok
    assert sync_once(b, central_url, "B").duplicate_receipts == [NUMBER]
    assert sync_once(a, central_url, "A").ok  # A hears of B's earlier receipt
    return a, b


def test_a_duplicate_receipt_is_listed_reviewed_and_the_review_travels(
    received_twice: tuple[Store, Store], central_url: str, tmp_path: Path
) -> None:
    a, b = received_twice
    listed = _listed(central_url)
    assert [(r["station_id"], r["duplicate"]) for r in listed] == [("B", False), ("A", True)]
    status = runner.invoke(app, ["central", "status", "--json", "--db", central_url])
    assert json.loads(status.stdout)["duplicate_receipts"] == 1

    a_url = f"sqlite:///{tmp_path / 'A.db'}"
    args = ["receipts", "review", NUMBER, "--db", a_url, "--station", "A", "--pin-stdin"]
    done = runner.invoke(app, [*args, "--operator", "kenji", "--note", "one box"], input="2222\n")
    assert done.exit_code == 0, done.output
    assert "1 duplicate receipt(s) reviewed by kenji" in done.stdout
    again = runner.invoke(app, [*args, "--operator", "kenji"], input="2222\n")
    assert again.exit_code == 1 and "reviewed already" in again.stderr
    assert _receipts(a) == [("B", False, None), ("A", True, "kenji")]

    assert sync_once(a, central_url, "A").ok
    assert _listed(central_url) == []
    [billed, duplicate] = _listed(central_url, "--all")
    assert billed["reviewed_by"] is None and duplicate["reviewed_by"] == "kenji"
    status = runner.invoke(app, ["central", "status", "--json", "--db", central_url])
    assert json.loads(status.stdout)["duplicate_receipts"] == 0

    assert sync_once(b, central_url, "B").ok
    assert _receipts(b) == [("B", False, None), ("A", True, "kenji")]
    with b.transaction() as s:
        receipts = parcel_view(s, NUMBER)["receipts"]
    assert [(r["duplicate"], r["reviewed_by"]) for r in receipts] == [
        (False, None),
        (True, "kenji"),
    ]
    assert_central_is_union(central_url, {"A": a, "B": b})


def test_staff_may_not_review_and_nothing_changes(received_twice: tuple[Store, Store]) -> None:
    a, _ = received_twice
    with (
        pytest.raises(
            NotAllowed, match="only a supervisor or lead may review a parcel received twice"
        ),
        a.transaction() as s,
    ):
        review_duplicate_receipts(s, Actor("A", "aiko", "staff"), NUMBER)
    with pytest.raises(NotAllowed), a.transaction() as s:
        review_duplicate_receipts(s, Actor("A"), NUMBER)  # the administrator decides nothing
    assert _receipts(a) == [("B", False, None), ("A", True, None)]


def test_a_parcel_received_once_has_nothing_to_review(received_twice: tuple[Store, Store]) -> None:
    a, _ = received_twice
    with a.transaction() as s:
        receive(s, Actor("A", "aiko", "staff"), jp12(22), at=T0)
    with pytest.raises(NotFound, match="not received more than once"), a.transaction() as s:
        review_duplicate_receipts(s, Actor("A", "kenji", "supervisor"), jp12(22))
