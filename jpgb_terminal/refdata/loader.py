"""Find and read the reference tables shipped in `data/`, beside the source or inside the wheel."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any


def data_dir() -> Path:
    """The directory holding the reference tables."""
    package = Path(__file__).resolve().parent.parent  # jpgb_terminal/
    for candidate in (package.parent / "data", package / "_data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "reference data directory not found (expected data/ beside the package)"
    )


@cache
def load_toml(name: str) -> dict[str, Any]:
    """Parse one TOML reference table, e.g. `load_toml("hold_reasons.toml")`."""
    with (data_dir() / name).open("rb") as fh:
        return tomllib.load(fh)
