"""The receiving flow owns the parcel in hand: it tells the weight gate, and claims captures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jpgb_terminal.devices.capture import Capture
from jpgb_terminal.devices.reading import ScaleReading
from jpgb_terminal.services.errors import DuplicateScan
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import WEIGHT_RECORD as WEIGHTS
from jpgb_terminal.workflow.receiving import ReceivingFlow, card_in, parcel_card
from jpgb_terminal.workflow.session import OperatorSession
from tests.factories import jp12, populate

T0 = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)


@dataclass
class FakeGate:
    """Records what the flow tells the weight gate."""

    calls: list[tuple[str, datetime | None]] = field(default_factory=list)

    def parcel_scanned(self, at: datetime) -> None:
        """Noted as ("scanned", at)."""
        self.calls.append(("scanned", at))

    def parcel_done(self) -> None:
        """Noted as ("done", None)."""
        self.calls.append(("done", None))


def _capture(scanned_at: datetime, grams: int = 1234) -> Capture:
    frame = f"S S {grams} g\r\n".encode()
    reading = ScaleReading(grams=grams, stable=True, net=False, status="ok", raw=frame)
    return Capture(
        grams=grams,
        raw=frame,
        reading=reading,
        at=scanned_at + timedelta(seconds=2),
        scanned_at=scanned_at,
        scale_id="SCALE-7",
        protocol="mt-sics",
    )


@pytest.fixture
def flow(sqlite_store: Store) -> tuple[ReceivingFlow, FakeGate]:
    """A flow for aiko (staff) at ST01 with a recording gate, on a populated store."""
    populate(sqlite_store)
    gate = FakeGate()
    session = OperatorSession("aiko", "staff")
    return ReceivingFlow(sqlite_store, "ST01", session=session, gate=gate), gate


def test_a_scan_takes_the_parcel_in_hand_and_tells_the_gate(
    flow: tuple[ReceivingFlow, FakeGate],
) -> None:
    f, gate = flow
    card = f.scan(jp12(1), T0)
    assert f.in_hand == card and card.step == "weight"
    # The previous parcel is let go before the new one is received, then the new one armed.
    assert gate.calls == [("done", None), ("scanned", T0)]


def test_a_refused_scan_keeps_the_parcel_in_hand_waiting_for_its_weight(
    flow: tuple[ReceivingFlow, FakeGate],
) -> None:
    f, gate = flow
    card = f.scan(jp12(1), T0)
    gate.calls.clear()
    with pytest.raises(DuplicateScan):
        f.scan(jp12(1), T0 + timedelta(seconds=5))
    assert f.in_hand == card
    assert gate.calls == [("done", None), ("scanned", T0)]


@pytest.mark.parametrize(
    ("scanned_at", "put_aside", "claimed"),
    [
        (T0, False, True),  # made for this parcel's scan
        (T0 - timedelta(seconds=30), False, False),  # made for the scan before
        (T0, True, False),  # nothing in hand any more
    ],
)
def test_a_capture_is_claimed_only_for_the_scan_of_the_parcel_in_hand(
    flow: tuple[ReceivingFlow, FakeGate], scanned_at: datetime, put_aside: bool, claimed: bool
) -> None:
    f, _ = flow
    f.scan(jp12(1), T0)
    if put_aside:
        assert f.put_aside() is not None
    assert f.claim(_capture(scanned_at)) == (jp12(1) if claimed else None)


def test_a_weighed_parcel_claims_no_second_capture(flow: tuple[ReceivingFlow, FakeGate]) -> None:
    f, _ = flow
    f.scan(jp12(1), T0)
    f.record_capture(jp12(1), _capture(T0))
    assert f.claim(_capture(T0, grams=999)) is None


def test_putting_aside_lets_the_gate_go(flow: tuple[ReceivingFlow, FakeGate]) -> None:
    f, gate = flow
    card = f.scan(jp12(1), T0)
    gate.calls.clear()
    assert f.put_aside() == card
    assert f.in_hand is None
    assert gate.calls == [("done", None)]


def test_a_stored_capture_names_its_scale_and_returns_the_card_it_wrote(
    flow: tuple[ReceivingFlow, FakeGate], sqlite_store: Store
) -> None:
    f, gate = flow
    f.scan(jp12(1), T0)
    gate.calls.clear()
    card = f.record_capture(jp12(1), _capture(T0))
    assert (card.weight_g, card.weight_source, card.step) == (1234, "scale", "inspect")
    assert f.in_hand == card
    assert gate.calls == []  # the rule captured once already; the parcel still waits to inspect
    with sqlite_store.transaction() as s:
        row = s.connection().execute(select(WEIGHTS.c.scale_id, WEIGHTS.c.protocol)).one()
    assert tuple(row) == ("SCALE-7", "mt-sics")


def test_finishing_the_parcel_in_hand_lets_the_gate_go(
    flow: tuple[ReceivingFlow, FakeGate],
) -> None:
    f, gate = flow
    f.scan(jp12(1), T0)
    f.record_capture(jp12(1), _capture(T0))
    gate.calls.clear()
    done = f.finish_inspection(jp12(1), opened=False, findings=[], note=None)
    assert done.state == "cleared" and f.in_hand == done
    assert gate.calls == [("done", None)]


def test_finishing_another_parcel_leaves_the_one_in_hand_alone(
    flow: tuple[ReceivingFlow, FakeGate],
) -> None:
    f, gate = flow
    f.scan(jp12(1), T0)
    f.record_capture(jp12(1), _capture(T0))
    second = f.scan(jp12(2), T0 + timedelta(minutes=1))
    gate.calls.clear()
    f.finish_inspection(jp12(1), opened=False, findings=[], note=None)
    assert f.in_hand == second
    assert gate.calls == []


def test_the_card_is_read_inside_the_writing_transaction(sqlite_store: Store) -> None:
    populate(sqlite_store)
    f = ReceivingFlow(sqlite_store, "ST01", "aiko", "staff")
    f.scan(jp12(1), T0)
    seen = None
    with pytest.raises(RuntimeError), sqlite_store.transaction() as s:
        record_weight(s, f.actor, jp12(1), 800, raw_frame=b"S S 800 g\r\n", at=T0)
        seen = card_in(s, jp12(1))
        raise RuntimeError("roll back")
    # The card saw the uncommitted weight; the store, after the rollback, has none.
    assert seen is not None and seen.weight_g == 800
    assert parcel_card(sqlite_store, jp12(1)).weight_g is None


def test_login_fills_the_shared_operator_session(sqlite_store: Store) -> None:
    populate(sqlite_store)
    session = OperatorSession()
    f = ReceivingFlow(sqlite_store, "ST01", session=session)
    assert f.login("kenji", "2222").ok
    assert (session.name, session.role) == ("kenji", "supervisor")
    assert (f.actor.operator, f.actor.role) == ("kenji", "supervisor")
    session.log_out()
    assert f.actor.operator is None
