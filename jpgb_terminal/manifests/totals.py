"""Totals a manifest adds up while its rows stream past: per station, state and reason (and,
for the carrier manifest, per service and destination)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Totals:
    """Counts per station, per state and per hold reason, and the billable weight in grams."""

    rows: int = 0
    billable_g: int = 0
    billable_parcels: int = 0
    by_station: Counter[str] = field(default_factory=Counter)
    by_state: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)

    def add(self, station: str, state: str, reasons: Iterable[str], billable_g: int | None) -> None:
        """Count one parcel; `billable_g` is None when its weight may not be billed."""
        self.rows += 1
        self.by_station[station] += 1
        self.by_state[state] += 1
        self.by_reason.update(reasons)
        if billable_g is not None:
            self.billable_g += billable_g
            self.billable_parcels += 1

    def sections(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Titled (label, count) lists in a fixed order, for the XLSX and PDF summaries."""
        return [
            ("parcels", [("total", self.rows)]),
            ("per station", sorted(self.by_station.items())),
            ("per state", sorted(self.by_state.items())),
            ("per reason", sorted(self.by_reason.items())),
            (
                "billable weight",
                [("parcels", self.billable_parcels), ("grams", self.billable_g)],
            ),
        ]


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
