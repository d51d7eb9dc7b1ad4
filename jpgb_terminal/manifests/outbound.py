"""The carrier manifest: one row per box packed on one Japan day; no recipient details at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, func, select

from jpgb_terminal.clock import WAREHOUSE_TZ, day_bounds
from jpgb_terminal.manifests.totals import Totals
from jpgb_terminal.services.shipments import BOX, SHIPMENT, SHIPMENT_PARCEL

OUTBOUND_COLUMNS = (
    "packed_at",
    "station_id",
    "operator",
    "outbound_tracking_no",
    "service",
    "destination",
    "weight_g",
    "length_cm",
    "width_cm",
    "height_cm",
    "chargeable_g",
    "fee",
    "currency",
    "price_list_version",
    "declared_value",
    "declared_currency",
    "customs_form",
    "export_declaration",
    "category",
    "pieces",
    "inbound_tracking_nos",
    "customer_id",
    "shipment_id",
    "handed_over_at",
)
SEPARATOR = ";"


@dataclass
class OutboundTotals(Totals):
    """Boxes, weight and fees per service and per destination."""

    by_service: Counter[str] = field(default_factory=Counter)
    by_destination: Counter[str] = field(default_factory=Counter)
    fee_by_service: Counter[str] = field(default_factory=Counter)
    grams_by_service: Counter[str] = field(default_factory=Counter)
    fee_total: int = 0

    def add_box(self, station: str, service: str, country: str, grams: int, fee: int) -> None:
        """Count one box."""
        self.add(station, "packed", (), grams)
        self.by_service[service] += 1
        self.by_destination[country] += 1
        self.fee_by_service[service] += fee
        self.grams_by_service[service] += grams
        self.fee_total += fee

    def sections(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Titled (label, value) lists for the XLSX and PDF summaries."""
        return [
            ("boxes", [("total", self.rows), ("grams", self.billable_g), ("fees", self.fee_total)]),
            ("per station", sorted(self.by_station.items())),
            ("boxes per service", sorted(self.by_service.items())),
            ("grams per service", sorted(self.grams_by_service.items())),
            ("fees per service", sorted(self.fee_by_service.items())),
            ("boxes per destination", sorted(self.by_destination.items())),
        ]


def outbound_query(day: date, service: str | None = None) -> Select[Any]:
    """Boxes packed on `day` (Japan time) with their request, one row per box."""
    start, end = day_bounds(day)
    stmt = (
        select(
            BOX, SHIPMENT.c.service, SHIPMENT.c.country, SHIPMENT.c.category, SHIPMENT.c.customer_id
        )
        .select_from(BOX.join(SHIPMENT, SHIPMENT.c.id == BOX.c.shipment_id))
        .where(BOX.c.packed_at >= start, BOX.c.packed_at < end)
        .order_by(BOX.c.packed_at, BOX.c.outbound_tracking_no)
    )
    if service:
        stmt = stmt.where(SHIPMENT.c.service == service.lower())
    return stmt


def count_outbound(conn: Connection, day: date, service: str | None = None) -> int:
    """How many boxes were packed on `day`."""
    inner = outbound_query(day, service).subquery()
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def iter_outbound(
    conn: Connection, day: date, totals: OutboundTotals | None = None, service: str | None = None
) -> Iterator[tuple[Any, ...]]:
    """Manifest rows in OUTBOUND_COLUMNS order; `totals` fills as they pass."""
    rows = list(conn.execute(outbound_query(day, service)).mappings())
    ids = [r["shipment_id"] for r in rows]
    parcels: dict[str, list[str]] = {}
    for i in range(0, len(ids), 500):
        for sid, t in conn.execute(
            select(SHIPMENT_PARCEL.c.shipment_id, SHIPMENT_PARCEL.c.tracking_no)
            .where(SHIPMENT_PARCEL.c.shipment_id.in_(ids[i : i + 500]))
            .order_by(SHIPMENT_PARCEL.c.tracking_no)
        ):
            parcels.setdefault(sid, []).append(t)
    for r in rows:
        inbound = parcels.get(r["shipment_id"], [])
        if totals is not None:
            totals.add_box(r["station_id"], r["service"], r["country"], r["weight_g"], r["fee"])
        handed = r["handed_over_at"]
        yield (
            r["packed_at"].astimezone(WAREHOUSE_TZ).isoformat(),
            r["station_id"],
            r["operator"],
            r["outbound_tracking_no"],
            r["service"],
            r["country"],
            r["weight_g"],
            r["length_cm"],
            r["width_cm"],
            r["height_cm"],
            r["chargeable_g"],
            r["fee"],
            r["currency"],
            r["price_list_version"],
            f"{r['declared_value']:.2f}",
            r["declared_currency"],
            r["customs_form"],
            "yes" if r["export_declaration"] else "no",
            r["category"],
            len(inbound),
            SEPARATOR.join(inbound),
            r["customer_id"],
            r["shipment_id"],
            handed.astimezone(WAREHOUSE_TZ).isoformat() if handed else "",
        )
