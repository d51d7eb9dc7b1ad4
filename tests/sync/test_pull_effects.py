"""What pulled events change at a bench beyond their own rows: holds for a customer status
changed elsewhere, PINs changed elsewhere, and a push that meets events central already has."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from jpgb_terminal import sync
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import set_customer_status
from jpgb_terminal.services.operators import set_pin, verify_pin
from jpgb_terminal.services.prealerts import import_prealerts
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.handles import HOLD
from jpgb_terminal.store.tables import Operator, Parcel
from jpgb_terminal.workflow.pull_policy import hold_for_pulled_statuses
from tests.factories import jp12
from tests.sync.helpers import assert_central_is_union, seed_people, station, write_parcels

# A round as `jpgb sync` and the terminal run it: the transport with the bench's pull policy.
sync_once = partial(sync.sync_once, after_pull=hold_for_pulled_statuses)


def _prealert(store: Store, station_id: str, numbers: list[int], customer: str) -> None:
    lines = "".join(f"{jp12(n)},{customer},books\n" for n in numbers)
    with store.transaction() as s:
        import_prealerts(
            s, Actor(station_id), f"tracking_no,customer_id,contents\n{lines}".encode()
        )


def _open_reasons(store: Store, tracking_no: str) -> list[str]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(HOLD.c.reason).where(
                HOLD.c.tracking_no == tracking_no, HOLD.c.closed_at.is_(None)
            )
        )
        return sorted(r[0] for r in rows)


def _state(store: Store, tracking_no: str) -> str:
    with store.transaction() as s:
        parcel = s.get(Parcel, tracking_no)
        assert parcel is not None
        return str(parcel.state)


def _status_changed_at_a(
    tmp_path: Path, central_url: str, numbers: list[int], customer: str, *statuses: str
) -> tuple[Store, Store]:
    """Benches A and B in sync; B then receives pre-alerted parcels that A never hears of,
    while A sets the customer's statuses (holding nothing of its own) and syncs."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    _prealert(a, "A", numbers, customer)
    assert sync_once(a, central_url, "A").ok
    assert sync_once(b, central_url, "B").ok
    with b.transaction() as s:
        for n in numbers:
            assert not receive(s, Actor("B", "aiko"), jp12(n)).held
    with a.transaction() as s:
        for status in statuses:
            assert set_customer_status(s, Actor("A", "kenji"), customer, status) == []
    assert sync_once(a, central_url, "A").ok
    return a, b


def test_status_changed_elsewhere_holds_this_benchs_parcels(
    tmp_path: Path, central_url: str
) -> None:
    a, b = _status_changed_at_a(tmp_path, central_url, [1, 2], "C1", "suspended")

    report = sync_once(b, central_url, "B")
    assert report.ok, report.error
    assert sorted(report.held_here) == [jp12(1), jp12(2)]
    assert _open_reasons(b, jp12(1)) == ["unpaid"] and _state(b, jp12(1)) == "held"

    again = sync_once(b, central_url, "B")  # the holds are B's own events: they go up
    assert again.ok and again.held_here == [] and again.pushed == 2
    assert sync_once(a, central_url, "A").ok
    assert _state(a, jp12(2)) == "held" and _open_reasons(a, jp12(2)) == ["unpaid"]
    central = open_store(central_url)
    try:
        assert _state(central, jp12(1)) == "held"
    finally:
        central.dispose()
    assert_central_is_union(central_url, {"A": a, "B": b})


def test_status_suspended_and_restored_before_the_pull_holds_nothing(
    tmp_path: Path, central_url: str
) -> None:
    _, b = _status_changed_at_a(tmp_path, central_url, [5], "C2", "suspended", "active")
    report = sync_once(b, central_url, "B")
    assert report.ok and report.held_here == []
    assert _state(b, jp12(5)) == "received"


def test_pin_changed_at_one_bench_works_at_the_others(tmp_path: Path, central_url: str) -> None:
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    assert sync_once(a, central_url, "A").ok
    assert sync_once(b, central_url, "B").ok
    with a.transaction() as s:
        set_pin(s, Actor("A"), "aiko", "9876")
    assert sync_once(a, central_url, "A").ok
    assert sync_once(b, central_url, "B").ok
    with b.transaction() as s:
        assert not verify_pin(s, "B", "aiko", "1111").ok
    with b.transaction() as s:
        assert verify_pin(s, "B", "aiko", "9876").ok
    central = open_store(central_url)
    try:
        with central.transaction() as s:
            assert verify_pin(s, "central", "aiko", "9876").ok
            operator = s.get(Operator, "aiko")
            assert operator is not None and operator.role == "staff"
    finally:
        central.dispose()


def test_push_of_a_batch_partly_on_central_takes_the_careful_path(
    tmp_path: Path, central_url: str
) -> None:
    """Half a batch already on central (an earlier answer lost): the rest goes in, once."""
    a = station(tmp_path, "A")
    write_parcels(a, "A", range(1, 6))
    first = sync_once(a, central_url, "A", batch_size=4, pull=False)
    assert first.ok and first.queued == 0
    sent = first.pushed
    write_parcels(a, "A", range(6, 9))
    # Forget the confirmation of the last 5 pushed events, as after an unanswered commit.
    mark = sent - 5
    with a.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE sync_state SET pushed_seq = {mark} WHERE station_id = 'A'")
    central = open_store(central_url)
    try:
        with central.engine.begin() as conn:
            conn.exec_driver_sql(
                f"UPDATE station_sequence SET max_contiguous_seq = {mark} WHERE station_id = 'A'"
            )
    finally:
        central.dispose()
    report = sync_once(a, central_url, "A", batch_size=100, pull=False)
    assert report.ok, report.error
    assert report.batches == 1 and report.already_central == 5 and report.pushed > 0
    assert_central_is_union(central_url, {"A": a})


def test_a_round_cut_off_after_the_page_keeps_its_holds(
    tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holds are written with the page that brought the suspension, not after the round."""
    from jpgb_terminal.sync import pull

    _, b = _status_changed_at_a(tmp_path, central_url, [7], "C1", "frozen")

    real = pull._pull_page
    calls: list[int] = []

    def second_page_fails(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) > 1:
            raise OSError("link dropped")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pull, "_pull_page", second_page_fails)
    cut = sync_once(b, central_url, "B", pull_page=1)
    assert not cut.ok and cut.error_kind == "offline" and cut.pulled == 1
    assert _open_reasons(b, jp12(7)) == ["terms_violation"]
    monkeypatch.setattr(pull, "_pull_page", real)
    again = sync_once(b, central_url, "B")
    assert again.ok and again.held_here == []
    assert _open_reasons(b, jp12(7)) == ["terms_violation"]


def test_a_hold_made_with_the_suspension_is_not_made_twice(
    tmp_path: Path, central_url: str
) -> None:
    """A knows B's parcel and holds it when it suspends the customer: B, pulling one event a
    page, takes A's hold and adds none of its own, whichever page brings the status."""
    a, b = station(tmp_path, "A"), station(tmp_path, "B")
    seed_people(a, "A")
    _prealert(a, "A", [11], "C1")
    assert sync_once(a, central_url, "A").ok and sync_once(b, central_url, "B").ok
    with b.transaction() as s:
        receive(s, Actor("B", "aiko"), jp12(11))
    assert sync_once(b, central_url, "B").ok and sync_once(a, central_url, "A").ok
    with a.transaction() as s:
        assert set_customer_status(s, Actor("A", "kenji"), "C1", "suspended") == [jp12(11)]
    assert sync_once(a, central_url, "A").ok

    report = sync_once(b, central_url, "B", pull_page=1)
    assert report.ok, report.error
    assert report.held_here == []
    assert _open_reasons(b, jp12(11)) == ["unpaid"] and _state(b, jp12(11)) == "held"
    assert_central_is_union(central_url, {"A": a, "B": b})


def test_only_the_receiving_bench_holds_for_a_status_changed_elsewhere(
    tmp_path: Path, central_url: str
) -> None:
    """B received the parcel and C has heard of it; A, which has not, suspends the customer.
    B holds it; C does not hold it again, and learns of B's hold on its next pull."""
    a, b = _status_changed_at_a(tmp_path, central_url, [12], "C1", "suspended")
    report_b = sync_once(b, central_url, "B")  # pushes the receipt, pulls the suspension
    assert report_b.ok and report_b.held_here == [jp12(12)]
    c = station(tmp_path, "C")
    report_c = sync_once(c, central_url, "C")  # the receipt and the suspension, not B's hold
    assert report_c.ok and report_c.held_here == []
    assert _state(c, jp12(12)) == "received"
    assert sync_once(b, central_url, "B").ok  # B's hold goes up
    assert sync_once(c, central_url, "C").ok
    assert _open_reasons(c, jp12(12)) == ["unpaid"] and _state(c, jp12(12)) == "held"
    assert _open_reasons(b, jp12(12)) == ["unpaid"]
    assert_central_is_union(central_url, {"A": a, "B": b, "C": c})
