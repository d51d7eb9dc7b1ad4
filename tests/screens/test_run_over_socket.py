"""The bench against `jpgb devices simulate scale --listen`, a separate process on a socket."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from jpgb_terminal.app import JpgbApp
from jpgb_terminal.settings import load_settings
from jpgb_terminal.store.tables import WeightRecord
from tests.factories import jp12
from tests.screens.helpers import Bench, login, scan, until

JPGB = str(Path(sys.executable).with_name("jpgb"))


@pytest.fixture(params=["toledo-8217", "sma"])
def scale_process(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A simulated scale in its own process: empty, then 1,850 g, over and over."""
    script = tmp_path / "scale.txt"
    # A cycle, so the bench sees the empty scale whenever it connects.
    script.write_text("remove\nwait 1\nplace 1850 0.2\nwait 3\nloop\n")
    proc = subprocess.Popen(
        [
            JPGB,
            "devices",
            "simulate",
            "scale",
            "--protocol",
            request.param,
            "--listen",
            "127.0.0.1:0",
            "--script",
            str(script),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("socket://"), url
        yield url, request.param
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_run_settings_against_a_simulator_process(
    bench: Bench, scale_process: tuple[str, str]
) -> None:
    url, protocol = scale_process
    # The settings `jpgb run --scale URL --scale-protocol P` builds.
    settings = load_settings(
        None,
        db=bench.settings.db,
        station_id="ST01",
        scale=url,
        scale_protocol=protocol,
        scanner="keyboard",
        printer=str(bench.labels),
    )
    app = JpgbApp(settings)
    async with app.run_test(size=(160, 50)) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.device_states["scale"] == "connected")
        await scan(pilot, jp12(2))
        await until(pilot, lambda: app.screen.current.weight_g == 1850, timeout=30)
        await pilot.press("f2")
        await until(pilot, lambda: app.screen.current.state == "cleared")
    with bench.store.transaction() as s:
        record = s.exec(select(WeightRecord)).one()
    assert record.grams == 1850 and record.protocol == protocol
    assert record.raw_frame and b"1850" in record.raw_frame.replace(b".", b"").replace(b" ", b"")
