"""A bench for each screen test: a SQLite file with operators and pre-alerts, a simulated scale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jpgb_terminal.devices.simulators.scale import ScaleSimulator
from jpgb_terminal.settings import Settings
from jpgb_terminal.store import open_store
from tests.factories import populate
from tests.screens.helpers import Bench


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    """Store with aiko (staff, 1111), kenji (supervisor, 2222), yui (lead, 3333) and 5 pre-alerts."""
    url = f"sqlite:///{tmp_path / 'station.db'}"
    store = open_store(url)
    populate(store)
    scale = ScaleSimulator("mt-sics", seed=1)
    port = scale.serve_tcp()
    labels = tmp_path / "labels"
    labels.mkdir()
    settings = Settings(
        station_id="ST01",
        db=url,
        scale=f"socket://127.0.0.1:{port}",
        scale_protocol="mt-sics",
        scanner="keyboard",
        printer=str(labels),
    )
    try:
        yield Bench(store, scale, settings, labels)
    finally:
        scale.close()
        store.dispose()
