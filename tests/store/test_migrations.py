"""Migrations stand alone: they import only the store, and 0005 chains history with its own hash."""

from __future__ import annotations

import ast
import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jpgb_terminal.events.chain import GENESIS, event_hash
from jpgb_terminal.store.engine import MIGRATIONS

VERSIONS = MIGRATIONS / "versions"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _program_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {n for n in names if n.split(".")[0] == "jpgb_terminal"}


def test_migrations_import_nothing_of_the_program_but_the_store() -> None:
    """A migration replays history: live services or audit code would change it under foot."""
    files = [*sorted(VERSIONS.glob("*.py")), MIGRATIONS / "env.py"]
    assert len(files) > 5
    outside = {
        f.name: sorted(n for n in _program_imports(f) if not n.startswith("jpgb_terminal.store"))
        for f in files
    }
    assert {name: names for name, names in outside.items() if names} == {}


FROZEN = _load(next(VERSIONS.glob("0005_*.py")))

# An event chained at revision 0005; its digest must never change.
GOLDEN = {
    "event_id": "0190f6d2-7c1a-7000-8000-000000000001",
    "station_id": "ST01",
    "seq": 1,
    "kind": "parcel.received",
    "tracking_no": "EX123456785JP",
    "operator": "hanako",
    "occurred_at": datetime(2026, 11, 26, 1, 30, 0, 123456, tzinfo=UTC),
    "payload": {"scheme": "S10", "note": '壊れ物 "fragile"\n', "grams": 1250},
    "prev_hash": GENESIS,
}


def test_frozen_hash_of_a_known_event_is_fixed() -> None:
    assert FROZEN.event_hash(**GOLDEN) == (
        "d6a22e062a6ca8786d88d219a71d8e084f81682b484a69513ab2c1090c1b23f9"
    )
    assert FROZEN.GENESIS == GENESIS


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
payloads: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(
    event_id=texts,
    station_id=texts,
    seq=st.integers(min_value=0, max_value=2**40),
    kind=texts,
    tracking_no=st.none() | texts,
    operator=st.none() | texts,
    occurred_at=instants,
    as_sqlite_text=st.booleans(),
    payload=payloads,
    prev_hash=st.just(GENESIS) | st.text("0123456789abcdef", min_size=64, max_size=64),
)
def test_frozen_hash_matches_the_chain_it_was_copied_from(
    event_id: str,
    station_id: str,
    seq: int,
    kind: str,
    tracking_no: str | None,
    operator: str | None,
    occurred_at: datetime,
    as_sqlite_text: bool,
    payload: Any,
    prev_hash: str,
) -> None:
    """Today the two agree on every event; should the live chain change, this revision must not."""
    at: datetime | str = occurred_at
    if as_sqlite_text:
        # SQLite hands the migration UTC as text without a zone.
        at = occurred_at.replace(tzinfo=None).isoformat(" ", "microseconds")
    fields = {
        "event_id": event_id,
        "station_id": station_id,
        "seq": seq,
        "kind": kind,
        "tracking_no": tracking_no,
        "operator": operator,
        "occurred_at": at,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    assert FROZEN.event_hash(**fields) == event_hash(**fields)
