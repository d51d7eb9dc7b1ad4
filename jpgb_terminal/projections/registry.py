"""Every projection by event kind, in one registry, and the one way a batch is applied.

`APPLIERS` maps each event kind to the function that projects it; each aggregate's module
contributes its own kinds, and a kind claimed twice fails at import.  `apply_events` is the
path central (merging a push) and a station (storing a pull) both take.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from sqlalchemy import Connection

from jpgb_terminal.events import EventPayloadError, decode
from jpgb_terminal.projections import (
    imports,
    outbound,
    parcels,
    people,
    price_lists,
    sync_records,
    tracking_blocks,
)
from jpgb_terminal.projections.events import ApplyError, ApplyOutcome, Snapshots, SyncEvent
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork

AGGREGATES: Mapping[str, Mapping[str, Applier]] = MappingProxyType(
    {
        "parcels": parcels.APPLIERS,
        "people": people.APPLIERS,
        "outbound": outbound.APPLIERS,
        "price_lists": price_lists.APPLIERS,
        "sync_records": sync_records.APPLIERS,
        "tracking_blocks": tracking_blocks.APPLIERS,
        "imports": imports.APPLIERS,
    }
)


def _registry(aggregates: Mapping[str, Mapping[str, Applier]]) -> dict[str, Applier]:
    merged: dict[str, Applier] = {}
    owner: dict[str, str] = {}
    for name, appliers in aggregates.items():
        for kind, fn in appliers.items():
            if kind in merged:
                raise RuntimeError(f"event kind {kind!r} is projected by {owner[kind]} and {name}")
            merged[kind], owner[kind] = fn, name
    return merged


APPLIERS: Mapping[str, Applier] = MappingProxyType(_registry(AGGREGATES))
"""Event kind -> the function that projects it (read-only: a kind is added in its module)."""


def applied_kinds() -> frozenset[str]:
    """Every event kind some projection applies."""
    return frozenset(APPLIERS)


def aggregate_of(kind: str) -> str | None:
    """The aggregate whose module projects `kind`, or None for a kind nothing applies."""
    return next((name for name, fns in AGGREGATES.items() if kind in fns), None)


def _apply(uow: UnitOfWork, events: Iterable[SyncEvent]) -> None:
    """Apply events in the order given, each payload decoded once into its typed event;
    unknown kinds are noted, misfits raise ApplyError."""
    for event in events:
        fn = APPLIERS.get(event.kind)
        if fn is None:
            uow.outcome.unknown.append((event.event_id, event.kind))
            uow.note(event, f"unknown event kind {event.kind!r}: stored, not projected")
            continue
        try:
            typed = decode(event.kind, event.payload)
        except EventPayloadError as exc:
            raise ApplyError(event, f"payload does not fit ({exc})") from exc
        try:
            fn(uow, event, typed)
        except ApplyError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise ApplyError(event, f"payload does not fit ({exc!r})") from exc
        uow.outcome.applied += 1


def apply_events(
    conn: Connection, events: Sequence[SyncEvent], snapshots: Snapshots | None = None
) -> ApplyOutcome:
    """Project `events` (already stored in `event`) onto the tables reachable through `conn`."""
    uow = UnitOfWork(conn, events)
    if snapshots:
        people.take_snapshots(uow, snapshots)
    _apply(uow, events)
    parcels.settle_receipts(uow)
    return uow.flush()
