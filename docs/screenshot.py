"""Regenerate docs/bench.svg: the bench after a few parcels, with a simulated scale.

Run with `.venv/bin/python docs/screenshot.py`.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from jpgb_terminal.app import JpgbApp
from jpgb_terminal.devices.simulators.scale import ScaleSimulator
from jpgb_terminal.services.demo import plan_demo, seed_demo
from jpgb_terminal.settings import Settings
from jpgb_terminal.store import open_store


async def main() -> None:
    """Seed a demo store, drive three parcels through the bench, save the screen."""
    folder = Path(tempfile.mkdtemp(prefix="jpgb-shot-"))
    url = f"sqlite:///{folder / 'demo.db'}"
    store = open_store(url)
    seed_demo(store, "ST01", parcels=10, seed=1)
    store.dispose()
    plan = plan_demo(10, 1)
    waiting = [p[0] for p in plan.prealerts[len(plan.parcels) :]][:3]
    scale = ScaleSimulator("mt-sics", seed=1)
    port = scale.serve_tcp()
    settings = Settings(
        station_id="ST01",
        db=url,
        scale=f"socket://127.0.0.1:{port}",
        scanner="keyboard",
        printer=str(folder),
    )
    fixed = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    app = JpgbApp(settings, clock=lambda: fixed, cursor_blink=False)
    async with app.run_test(size=(150, 44)) as pilot:
        await app.ready.wait()
        await pilot.press(*"aiko", "enter", *"1111", "enter")
        while app.bench is None or app.device_states["scale"] != "connected":
            await pilot.pause()
        for i, code in enumerate(waiting):
            await pilot.press(*code, "enter")
            scale.place(1200 + 350 * i, settle=0)
            while app.bench.current is None or app.bench.current.weight_g is None:
                await pilot.pause()
            if i < len(waiting) - 1:
                await pilot.press("f2")
                while app.bench.current.step != "done":
                    await pilot.pause()
                scale.remove(settle=0)
        await pilot.press("o")
        await app.workers.wait_for_complete()
        app.save_screenshot("bench.svg", str(Path(__file__).parent))
    scale.close()


if __name__ == "__main__":
    asyncio.run(main())
