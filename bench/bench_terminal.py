"""The terminal: scan_burst (wedge scans into the running app), startup, and memory."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from textual import events

from bench.harness import Result, percentile
from jpgb_terminal.app import JpgbApp
from jpgb_terminal.screens.bench import BenchScreen
from jpgb_terminal.screens.messages import ParcelShown
from jpgb_terminal.screens.widgets import ScanField
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.settings import Settings
from jpgb_terminal.store import open_store
from jpgb_terminal.store.tables import Parcel, PreAlert
from jpgb_terminal.tracking import jp12_check_digit

BURST = 100
RATE_HZ = 20


def _numbers(n: int, base: int) -> list[str]:
    out = []
    for i in range(n):
        body = f"{base + i:011d}"
        out.append(body + str(jp12_check_digit(body)))
    return out


def _store(folder: Path, numbers: list[str]) -> str:
    url = f"sqlite:///{folder / 'bench.db'}"
    store = open_store(url)
    from jpgb_terminal.clock import now

    with store.transaction() as s:
        add_operator(s, Actor("BENCH"), "aiko", "staff", "1111")
        add_customer(s, Actor("BENCH"), "C1", name="Bench Customer")
        for number in numbers:
            s.add(PreAlert(tracking_no=number, customer_id="C1", created_at=now()))
    store.dispose()
    return url


class _TimedApp(JpgbApp):
    """The real app, noting when each parcel reaches the screen."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, start_devices=False)
        self.shown: dict[str, float] = {}

    def on_parcel_shown(self, message: ParcelShown) -> None:
        self.shown[message.card.tracking_no] = time.perf_counter()


def _type(field: ScanField, code: str) -> None:
    # What a terminal driver does for a wedge scanner: one Key event per character.
    for ch in code:
        field.post_message(events.Key(ch, ch))
    field.post_message(events.Key("enter", "\r"))


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def _drive(
    url: str, numbers: list[str], *, rate_hz: float | None, marks: list[int]
) -> tuple[dict[str, float], dict[str, float], dict[int, int]]:
    settings = Settings(station_id="BENCH", db=url, scanner="keyboard", printer=None, scale=None)
    app = _TimedApp(settings)
    sent: dict[str, float] = {}
    rss: dict[int, int] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        await app.ready.wait()
        await pilot.press(*"aiko", "enter", *"1111", "enter")
        while not isinstance(app.screen, BenchScreen):
            await pilot.pause()
        field = app.screen.query_one(ScanField)
        start = time.perf_counter()
        for i, code in enumerate(numbers):
            if rate_hz:
                due = start + i / rate_hz
                while time.perf_counter() < due:
                    await pilot.pause()
            sent[code] = time.perf_counter()
            _type(field, code)
            if not rate_hz and i % 50 == 49:
                # Keep the queue short when scanning as fast as possible.
                while len(app.shown) < i - 10:
                    await pilot.pause()
            if i + 1 in marks:
                while len(app.shown) < i + 1:
                    await pilot.pause()
                rss[i + 1] = _rss_kb()
        deadline = time.perf_counter() + 30
        while len(app.shown) < len(numbers) and time.perf_counter() < deadline:
            await app.workers.wait_for_complete()
            await pilot.pause()
    return sent, app.shown, rss


def scan_burst() -> Result:
    """100 wedge scans at 20 per second: p99 scan-to-screen, and scans lost."""
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-") as tmp:
        numbers = _numbers(BURST, 6000_0000_000)
        url = _store(Path(tmp), numbers)
        sent, shown, _ = asyncio.run(_drive(url, numbers, rate_hz=RATE_HZ, marks=[]))
        store = open_store(url)
        with store.transaction() as s:
            from sqlmodel import func, select

            recorded = s.exec(select(func.count()).select_from(Parcel)).one()
        store.dispose()
    latencies = [(shown[c] - sent[c]) * 1000 for c in numbers if c in shown]
    lost = BURST - recorded
    # Baseline: the same receive through the service layer alone, no screen.
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-") as tmp:
        numbers = _numbers(BURST, 6100_0000_000)
        url = _store(Path(tmp), numbers)
        from jpgb_terminal.workflow.receiving import ReceivingFlow

        store = open_store(url)
        flow = ReceivingFlow(store, "BENCH", "aiko")
        base = []
        for code in numbers:
            t0 = time.perf_counter()
            flow.scan(code)
            base.append((time.perf_counter() - t0) * 1000)
        store.dispose()
    return Result(
        "scan_burst",
        percentile(latencies, 99) if latencies else float("inf"),
        "ms",
        percentile(base, 99),
        {
            "lost": lost,
            "p50": f"{percentile(latencies, 50):.2f}" if latencies else "-",
            "goal_ms": 100,
        },
    )


def _memory_marks() -> dict[int, int]:
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-") as tmp:
        numbers = _numbers(10_000, 7000_0000_000)
        url = _store(Path(tmp), numbers)
        _, _, rss = asyncio.run(_drive(url, numbers, rate_hz=None, marks=[100, 10_000]))
    return rss


def memory() -> Result:
    """Resident memory of the running terminal after 10,000 parcels against after 100."""
    # In a process of its own: in this one, the heap the earlier benchmarks left behind (a
    # million-parcel store among them) would be counted as the terminal's.
    code = "import json; from bench.bench_terminal import _memory_marks; "
    code += "print(json.dumps(_memory_marks()))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    ).stdout
    rss = {int(k): int(v) for k, v in json.loads(out.strip().splitlines()[-1]).items()}
    return Result(
        "memory",
        rss[10_000] / 1024,
        "MiB",
        rss[100] / 1024,
        {"kib_after_100": rss[100], "kib_after_10000": rss[10_000], "goal_ratio": 1.2},
    )


_FIRST_PAINT = """
import os, sys, time
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("JPGB Terminal")
    def on_mount(self):
        self.call_after_refresh(self.painted)
    def painted(self):
        with open(os.environ["JPGB_FIRST_PAINT_FILE"], "w") as fh:
            fh.write(repr(time.time()))
        self.exit()

Bare().run()
"""


def _first_paint(cmd: list[str], folder: Path) -> float:
    marker = folder / "painted"
    marker.unlink(missing_ok=True)
    env = dict(os.environ, JPGB_FIRST_PAINT_FILE=str(marker), TERM="xterm-256color")
    t0 = time.time()
    subprocess.run(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False
    )
    return float(marker.read_text()) - t0


def startup() -> Result:
    """Time to the first painted frame of `jpgb demo`, against a bare Textual app with a label."""
    jpgb = str(Path(sys.executable).with_name("jpgb"))
    with tempfile.TemporaryDirectory(prefix="jpgb-bench-") as tmp:
        folder = Path(tmp)
        bare_script = folder / "bare.py"
        bare_script.write_text(textwrap.dedent(_FIRST_PAINT))
        bare, demo = [], []
        for _ in range(5):
            bare.append(_first_paint([sys.executable, str(bare_script)], folder))
            demo.append(_first_paint([jpgb, "demo"], folder))
    return Result(
        "startup",
        percentile(demo, 50) * 1000,
        "ms",
        percentile(bare, 50) * 1000,
        {"goal_ratio": 1.5},
    )


def run() -> list[Result]:
    """All three terminal benchmarks."""
    return [scan_burst(), startup(), memory()]
