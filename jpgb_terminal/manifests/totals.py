"""Totals a manifest adds up while its rows stream past: per station, state and reason."""

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
