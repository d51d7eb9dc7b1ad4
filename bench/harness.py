"""Shared benchmark plumbing: a result type, percentiles, and the BENCH line format."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Result:
    """One benchmark figure next to a baseline measured in the same run."""

    name: str
    value: float
    unit: str
    baseline: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """value / baseline (inf when the baseline is zero)."""
        return self.value / self.baseline if self.baseline else math.inf

    def line(self) -> str:
        """The `BENCH name value=... unit=... baseline=... ratio=...` line."""
        parts = [
            f"BENCH {self.name}",
            f"value={self.value:.4g}",
            f"unit={self.unit}",
            f"baseline={self.baseline:.4g}",
            f"ratio={self.ratio:.3g}",
        ]
        parts += [f"{k}={v}" for k, v in self.extra.items()]
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """JSON form for bench/results.json."""
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "ratio": self.ratio,
            **self.extra,
        }


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile of `samples` (pct in 0..100)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def write_results(results: list[Result], path: Path) -> None:
    """Write every result to `path` as JSON."""
    path.write_text(json.dumps([r.as_dict() for r in results], indent=2) + "\n")
