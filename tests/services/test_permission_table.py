"""Every action of data/permissions.toml, for every role and the administrator, through the
services: allowed roles succeed, the others are refused in the table's words and the store is
left exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from jpgb_terminal.privacy.erase import erase_customer
from jpgb_terminal.privacy.purge import purge_personal_data
from jpgb_terminal.privacy.reveal import reveal_customer
from jpgb_terminal.rules.permissions import ACTIONS, ROLES, permission_table, refusal
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import set_customer_status
from jpgb_terminal.services.decisions import SaleAmounts, decide
from jpgb_terminal.services.errors import NotAllowed
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.holds_queue import held_parcels
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.manifest_rows import build_manifest
from jpgb_terminal.services.operators import add_operator, set_pin, unlock_operator
from jpgb_terminal.services.packing import confirm_parcel, hand_over, pack_box, record_box_weight
from jpgb_terminal.services.receipts import review_duplicate_receipts
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.shipments import import_shipments
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.sync_tables import Receipt
from jpgb_terminal.tracking import make_s10
from tests.factories import STAFF, STATION, jp12
from tests.rules.test_permissions import EXPECTED, OPERATOR
from tests.services.test_shipments import AT, csv_bytes, row, stock

ADMIN = "administrator"  # the station's own context: Actor with no operator and no role
# What the administrator context may do: the services behind the setup commands and seeding.
ADMIN_MAY = {
    "receive",
    "inspect",
    "hold",
    "set_customer_status",
    "export_manifests",
    "manage_operators",
    "review_holds",
}
FRAME = b"S S 900 g\r\n"
RECEIVED = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)  # past the 60-day custody deadline
BEFORE = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)  # a release must come within it
UNKNOWN = jp12(10)  # not pre-alerted: held at the scan (no_prealert)
PACK_DAY = date(2026, 11, 26)


def actor_for(who: str) -> Actor:
    """The logged-in operator of each role, as the screens build it; or the administrator."""
    if who == ADMIN:
        return Actor(STATION)
    return Actor(STATION, OPERATOR[who][0], who)


def snapshot(store: Store) -> dict[str, list[str]]:
    """Every row of every table, as text, so any change at all shows."""
    with store.transaction() as s:
        conn = s.connection()
        return {
            t.name: sorted(repr(tuple(r)) for r in conn.execute(select(t)))
            for t in SQLModel.metadata.sorted_tables
        }


# Each case: prepare the store (as an allowed operator), then the call under test.


def _received(store: Store, tracking: str = UNKNOWN, at: datetime = RECEIVED) -> None:
    with store.transaction() as s:
        receive(s, STAFF, tracking, at=at)


def _weighed(store: Store) -> None:
    with store.transaction() as s:
        receive(s, STAFF, jp12(2))
        record_weight(s, STAFF, jp12(2), 900, raw_frame=FRAME)


def _requested(store: Store) -> None:
    with store.transaction() as s:
        import_shipments(s, Actor(STATION), csv_bytes(row(parcels=jp12(1))), at=AT)


def _packed(store: Store) -> None:
    _requested(store)
    staff = actor_for("staff")
    with store.transaction() as s:
        confirm_parcel(s, staff, "SR-000001", jp12(1), at=AT)
        record_box_weight(
            s, staff, "SR-000001", 900, raw_frame=FRAME, scale_id="x", protocol="p", at=AT
        )
        pack_box(s, staff, "SR-000001", (30, 20, 10), scanned_label=make_s10("EE", 7, "JP"), at=AT)


def _received_twice(store: Store) -> None:
    """jp12(2) received here and, offline, at another bench: as a pull leaves the receipts."""
    _weighed(store)
    with store.transaction() as s:
        for event_id, station, duplicate in (("e-there", "ST09", False), ("e-here", STATION, True)):
            s.add(
                Receipt(
                    event_id=event_id,
                    tracking_no=jp12(2),
                    station_id=station,
                    received_at=RECEIVED,
                    duplicate=duplicate,
                )
            )


def _decide(action: str) -> Callable[[Session, Actor], Any]:
    def call(s: Session, actor: Actor) -> Any:
        return decide(
            s,
            actor,
            UNKNOWN,
            action,
            "decided in a test",
            report_reference="POL-1" if action == "report" else None,
            sale=SaleAmounts(5000) if action == "sell" else None,
            at=BEFORE if action == "release" else AFTER,
        )

    return call


def _pack(s: Session, actor: Actor) -> None:
    confirm_parcel(s, actor, "SR-000001", jp12(1), at=AT)
    record_box_weight(s, actor, "SR-000001", 900, raw_frame=FRAME, scale_id="x", protocol="p")
    pack_box(s, actor, "SR-000001", (30, 20, 10), scanned_label=make_s10("EE", 7, "JP"), at=AT)


def _manual_weight(s: Session, actor: Actor) -> None:
    # The weigher is staff; the actor under test is the approver the weight names.
    record_weight(
        s, STAFF, UNKNOWN, 900, source="manual", reason="scale broken", approved_by=actor.operator
    )


def _manage_operators(s: Session, actor: Actor) -> None:
    add_operator(s, actor, "newbie", "staff", "4444")
    set_pin(s, actor, "aiko", "9999")


def _export(s: Session, actor: Actor) -> None:
    list(build_manifest(s.connection(), actor, "inbound", PACK_DAY).rows)


CASES: dict[str, tuple[Callable[[Store], None] | None, Callable[[Session, Actor], Any]]] = {
    "receive": (None, lambda s, a: receive(s, a, jp12(2))),
    "inspect": (_weighed, lambda s, a: inspect(s, a, jp12(2), opened=False, findings=[])),
    "hold": (_weighed, lambda s, a: hold_by_operator(s, a, jp12(2), "refused", "refused")),
    "manual_weight": (_received, _manual_weight),
    "review_holds": (_received, lambda s, a: held_parcels(s, a)),
    "review_receipts": (
        _received_twice,
        lambda s, a: review_duplicate_receipts(s, a, jp12(2), note="one box"),
    ),
    **{d: (_received, _decide(d)) for d in ("release", "return", "dispose", "sell", "report")},
    "pack": (_requested, _pack),
    "hand_over": (_packed, lambda s, a: hand_over(s, a, PACK_DAY)),
    "set_customer_status": (None, lambda s, a: set_customer_status(s, a, "C1", "suspended")),
    "export_manifests": (None, _export),
    "manage_operators": (None, _manage_operators),
    "unlock_operator": (None, lambda s, a: unlock_operator(s, a, "aiko")),
    "reveal_personal_data": (_weighed, lambda s, a: reveal_customer(s, a, jp12(2))),
    "purge": (None, lambda s, a: purge_personal_data(s, a, 365)),
    "erase_customer": (None, lambda s, a: erase_customer(s, a, "C3")),
}


def test_every_action_of_the_table_has_a_case() -> None:
    assert set(CASES) == set(ACTIONS) == set(permission_table())


@pytest.mark.parametrize("who", [*ROLES, ADMIN])
@pytest.mark.parametrize("action", ACTIONS)
def test_action_by_role_through_the_services(sqlite_store: Store, action: str, who: str) -> None:
    stock(sqlite_store, cleared=1)  # operators, C1..C3 with names and phones, jp12(1) cleared
    prepare, call = CASES[action]
    if prepare is not None:
        prepare(sqlite_store)
    actor = actor_for(who)
    may = who in EXPECTED[action] or (who == ADMIN and action in ADMIN_MAY)
    before = snapshot(sqlite_store)
    if may:
        with sqlite_store.transaction() as s:
            result = call(s, actor)
        if action == "review_holds":  # a read: the held parcel is in the queue
            assert [h.tracking_no for h in result] == [UNKNOWN]
        elif action not in ("export_manifests", "purge"):  # these read, or find nobody to purge
            assert snapshot(sqlite_store) != before
        return
    with pytest.raises(NotAllowed) as refused, sqlite_store.transaction() as s:
        call(s, actor)
    role = None if who == ADMIN else who
    assert refusal(role, action) in str(refused.value)
    assert snapshot(sqlite_store) == before


@pytest.mark.parametrize("who", ["staff", "supervisor", "lead"])
def test_an_operator_without_a_role_is_looked_up(sqlite_store: Store, who: str) -> None:
    """A caller that names the operator but leaves the role out is checked all the same."""
    stock(sqlite_store, cleared=1)
    _packed(sqlite_store)
    named = Actor(STATION, OPERATOR[who][0])
    if who in EXPECTED["hand_over"]:
        with sqlite_store.transaction() as s:
            assert hand_over(s, named, PACK_DAY).shipments == ("SR-000001",)
        return
    before = snapshot(sqlite_store)
    with pytest.raises(NotAllowed, match=rf"\(role: {who}\)"), sqlite_store.transaction() as s:
        hand_over(s, named, PACK_DAY)
    assert snapshot(sqlite_store) == before


def test_an_unknown_operator_may_do_nothing(sqlite_store: Store) -> None:
    stock(sqlite_store, cleared=1)
    _requested(sqlite_store)
    before = snapshot(sqlite_store)
    stranger = Actor(STATION, "mallory")
    for call in (_pack, _export, _manage_operators):
        with pytest.raises(NotAllowed, match="role: unknown"), sqlite_store.transaction() as s:
            call(s, stranger)
    assert snapshot(sqlite_store) == before
