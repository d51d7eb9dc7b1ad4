"""Central's re-check of a pushed batch (jpgb_terminal.rules.event_checks), with the state it
reads from central's tables in a few batched lookups.

Per batch: the event ids central has already (those are not applied again, so not checked),
the parcels the batch names, and the operators it names; only when an event's bench saw a
parcel in another state than central holds, one more lookup asks whether another bench has
events about that parcel (a conflict the projection settles) before the event is refused.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, select

from jpgb_terminal.projections.bulk import where_in
from jpgb_terminal.projections.events import SyncEvent
from jpgb_terminal.rules.event_checks import CentralView, EventFacts, check_events
from jpgb_terminal.store.handles import EVENT, OPERATOR, PARCEL, QUARANTINE


def payload_of(event: SyncEvent) -> Mapping[str, Any]:
    """The event's payload as the checks read it (the one place that knows its shape)."""
    return event.payload


def facts(event: SyncEvent) -> EventFacts:
    """What the rules check of a pushed event."""
    return EventFacts(event.kind, event.tracking_no, event.operator, payload_of(event))


def stored_ids(conn: Connection, events: Sequence[SyncEvent]) -> set[str]:
    """The ids of the batch's events central has already, by the station's seq range (one
    index range read; a fresh batch finds nothing)."""
    first, last = events[0], events[-1]
    stmt = select(EVENT.c.event_id).where(
        EVENT.c.station_id == first.station_id,
        EVENT.c.seq >= first.seq,
        EVENT.c.seq <= last.seq,
    )
    return set(conn.execute(stmt).scalars())


def _parcel_states(conn: Connection, tracking: Sequence[str]) -> dict[str, str]:
    states: dict[str, str] = {}
    for match in where_in(conn, PARCEL.c.tracking_no, tracking):
        stmt = select(PARCEL.c.tracking_no, PARCEL.c.state).where(match)
        states.update((t, state) for t, state in conn.execute(stmt))
    return states


def _roles(conn: Connection, names: Sequence[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for match in where_in(conn, OPERATOR.c.name, names):
        stmt = select(OPERATOR.c.name, OPERATOR.c.role).where(match)
        roles.update((name, role) for name, role in conn.execute(stmt))
    return roles


def _contested(conn: Connection, station_id: str, tracking: Sequence[str]) -> frozenset[str]:
    """The parcels another bench has events about, or that this bench had quarantined before
    (a resolved entry leaves central's state without that event's effect)."""
    found: set[str] = set()
    for match in where_in(conn, EVENT.c.tracking_no, tracking):
        stmt = select(EVENT.c.tracking_no).where(match, EVENT.c.station_id != station_id)
        found |= set(conn.execute(stmt.distinct()).scalars())
    for match in where_in(conn, QUARANTINE.c.tracking_no, tracking):
        stmt = select(QUARANTINE.c.tracking_no).where(match, QUARANTINE.c.station_id == station_id)
        found |= set(conn.execute(stmt.distinct()).scalars())
    return frozenset(t for t in found if t is not None)


def _names(events: Sequence[SyncEvent]) -> list[str]:
    names: set[str] = set()
    for e in events:
        if e.operator:
            names.add(e.operator)
        approver = payload_of(e).get("approved_by") if e.kind == "parcel.weighed" else None
        if isinstance(approver, str):
            names.add(approver)
    return sorted(names)


def central_refusals(
    conn: Connection,
    events: Sequence[SyncEvent],
    *,
    held: Collection[str] = (),
) -> dict[str, str]:
    """event id -> why the rules refuse it, for the batch's events central does not have yet.

    `held`: parcels with an open quarantine entry of this station (their events follow it)."""
    if not events:
        return {}
    known = stored_ids(conn, events)
    fresh = [e for e in events if e.event_id not in known]
    if not fresh:
        return {}
    tracking = sorted({e.tracking_no for e in fresh if e.tracking_no})
    view = CentralView(
        states=_parcel_states(conn, tracking),
        roles=_roles(conn, _names(fresh)),
        held=frozenset(held),
    )
    batch = [facts(e) for e in fresh]
    refused = check_events(batch, view)
    disputed = sorted({r.disputed for r in refused if r.disputed})
    if disputed:
        contested = _contested(conn, fresh[0].station_id, disputed)
        if contested:
            refused = check_events(batch, replace(view, contested=contested))
    return {fresh[r.index].event_id: r.reason for r in refused}
