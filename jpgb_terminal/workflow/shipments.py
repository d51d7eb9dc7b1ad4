"""Shipment requests and carrier numbers: hand over a day's boxes, show a request, ranges.

Handing over takes a shift lead's PIN (or the logged-in lead); registering a carrier's range
and giving numbers to another station are setup, done by the station's administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.packing import Handover, hand_over
from jpgb_terminal.services.shipment_batches import ShipmentImport, import_shipment_file
from jpgb_terminal.services.shipment_views import ShipmentView
from jpgb_terminal.services.shipments import add_range, list_ranges, load_shipment
from jpgb_terminal.services.tracking_blocks import BlockView, hand_over_block, list_blocks
from jpgb_terminal.services.tracking_ranges import RangeView
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.auth import Who, act_with_pin


@dataclass(frozen=True)
class HandedOver:
    """Who handed the day's boxes over, and what the service recorded."""

    operator: str
    handover: Handover


@dataclass(frozen=True)
class RangeAdded:
    """A carrier's range as registered, and the blocks it was split into."""

    range: RangeView
    blocks: tuple[BlockView, ...]


@dataclass(frozen=True)
class RangeListing:
    """Every range (of one service, or all) and every block of them this store knows."""

    ranges: tuple[RangeView, ...]
    blocks: tuple[BlockView, ...]

    def blocks_of(self, range_id: str) -> tuple[BlockView, ...]:
        """The blocks of one range, in serial order."""
        mine = (b for b in self.blocks if b.range_id == range_id)
        return tuple(sorted(mine, key=lambda b: b.first_serial))


def hand_over_day(
    store: Store,
    who: Who,
    day: date,
    *,
    service: str | None = None,
    at: datetime | None = None,
) -> HandedOver:
    """Check the shift lead, then mark the boxes packed on `day` (Japan) as shipped."""
    return act_with_pin(
        store,
        who,
        lambda session, actor: HandedOver(
            actor.operator or "", hand_over(session, actor, day, service=service, at=at)
        ),
        at=at,
    )


def import_requests(
    store: Store, station_id: str, data: bytes, *, source: str, abandon: bool = False
) -> ShipmentImport:
    """Import a shipment-request CSV as the station's administrator, all or nothing (in
    batches that a crash resumes); `abandon` gives up an unfinished import first."""
    return import_shipment_file(store, Actor(station_id), data, source=source, abandon=abandon)


def shipment_detail(store: Store, request_id: str) -> ShipmentView:
    """One shipment request with its parcels, customs lines and box (recipient sealed)."""
    with store.transaction() as session:
        return load_shipment(session.connection(), request_id)


def register_range(
    store: Store,
    station_id: str,
    service: str,
    prefix: str,
    first: int,
    last: int,
    *,
    country: str = "JP",
    stations: list[str] | None = None,
) -> RangeAdded:
    """Register a carrier's range as the station's administrator, split between `stations`."""
    with store.transaction() as session:
        added = add_range(
            session,
            Actor(station_id),
            service,
            prefix,
            first,
            last,
            country=country,
            stations=stations or [],
        )
        blocks = list_blocks(session.connection(), service)
    return RangeAdded(added, tuple(b for b in blocks if b.range_id == added.id))


def give_numbers(
    store: Store, station_id: str, service: str, to_station: str, count: int
) -> BlockView:
    """Hand the last `count` unused numbers of this station's block to `to_station`."""
    with store.transaction() as session:
        return hand_over_block(session, Actor(station_id), service, to_station, count)


def number_ranges(store: Store, service: str | None = None) -> RangeListing:
    """Every range and block (of `service`, or all), as far as this store knows."""
    with store.transaction() as session:
        conn = session.connection()
        return RangeListing(tuple(list_ranges(conn, service)), tuple(list_blocks(conn, service)))
