"""Receiving, weighing, inspecting and holding check the operator's role, whatever the caller."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotAllowed
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Event
from tests.factories import STAFF, jp12, populate

FRAME = b"S S 900 g\r\n"
ROLES = [("staff", True), ("supervisor", True), ("lead", True), ("visitor", False)]


def _events(store: Store) -> int:
    with store.transaction() as s:
        return s.exec(select(func.count()).select_from(Event)).one()


@pytest.mark.parametrize(("role", "ok"), ROLES)
def test_receive_and_weigh_by_role(store: Store, role: str, ok: bool) -> None:
    numbers = populate(store)
    actor = Actor("ST01", "someone", role)
    before = _events(store)
    if ok:
        with store.transaction() as s:
            receive(s, actor, numbers[0])
            record_weight(s, actor, numbers[0], 900, raw_frame=FRAME)
        assert _events(store) == before + 2
        return
    with pytest.raises(NotAllowed, match="visitor"), store.transaction() as s:
        receive(s, actor, numbers[0])
    with store.transaction() as s:
        receive(s, STAFF, numbers[0])
    with pytest.raises(NotAllowed, match="visitor"), store.transaction() as s:
        record_weight(s, actor, numbers[0], 900, raw_frame=FRAME)
    assert _events(store) == before + 1


@pytest.mark.parametrize(("role", "ok"), ROLES)
def test_inspect_and_hold_by_role(store: Store, role: str, ok: bool) -> None:
    numbers = populate(store)
    with store.transaction() as s:
        receive(s, STAFF, numbers[0])
        record_weight(s, STAFF, numbers[0], 900, raw_frame=FRAME)
    actor = Actor("ST01", "someone", role)
    before = _events(store)
    if ok:
        with store.transaction() as s:
            hold_by_operator(s, actor, numbers[0], "refused", "customer refused it")
            inspect(s, actor, numbers[0], opened=False, findings=[])
        assert _events(store) == before + 2
        return
    with pytest.raises(NotAllowed, match="hold a parcel"), store.transaction() as s:
        hold_by_operator(s, actor, numbers[0], "refused", "customer refused it")
    with pytest.raises(NotAllowed, match="inspect a parcel"), store.transaction() as s:
        inspect(s, actor, numbers[0], opened=False, findings=[])
    assert _events(store) == before


def test_administrator_context_is_not_an_operator(store: Store) -> None:
    """Setup and seeding run as the station (no role); the table covers operators only."""
    populate(store)
    with store.transaction() as s:
        receive(s, Actor("ST01"), jp12(1))
    assert _events(store) > 0
