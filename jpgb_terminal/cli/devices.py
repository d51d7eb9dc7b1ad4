"""`jpgb devices ...`: simulators, port probe and port listing."""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import termios
import threading
import tty
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.table import Table

from jpgb_terminal.cli.common import console, err_console, fail
from jpgb_terminal.devices.ports import list_serial_ports
from jpgb_terminal.devices.probe import probe as run_probe
from jpgb_terminal.devices.protocols import PROTOCOLS, LineSettings
from jpgb_terminal.devices.reading import ScaleReading
from jpgb_terminal.devices.scale import DriverState, ScaleDriver
from jpgb_terminal.devices.simulators import ScaleSimulator, ScannerSimulator
from jpgb_terminal.devices.simulators.script import parse_script, run_script

app = typer.Typer(
    help="Scales, scanners and label printers: probe, list, simulate.", no_args_is_help=True
)
simulate_app = typer.Typer(help="Serve a simulated scale or scanner.", no_args_is_help=True)
app.add_typer(simulate_app, name="simulate")

ListenOpt = Annotated[
    str | None,
    typer.Option(
        "--listen", help="Serve on TCP HOST:PORT (port 0 = any free one).", metavar="HOST:PORT"
    ),
]
PtyOpt = Annotated[bool, typer.Option("--pty", help="Serve on a pseudo-terminal.")]
LinkOpt = Annotated[
    Path | None,
    typer.Option(
        "--link", help="With --pty: keep this symlink pointing at the pty.", metavar="PATH"
    ),
]

KEYS_HELP = (
    "keys: + add 250 g, - take 250 g off, 0 empty, o overload, w wobble, u unplug/replug, q quit"
)


def _split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        fail(f"--listen wants HOST:PORT, got {listen!r}")
    return host, int(port)


def _serve(
    server: ScaleSimulator | ScannerSimulator, listen: str | None, pty: bool, link: Path | None
) -> str:
    if bool(listen) == pty:
        fail("give exactly one of --listen HOST:PORT or --pty")
    if listen:
        host, port = _split_listen(listen)
        try:
            bound = server.serve_tcp(host, port)
        except OSError as exc:
            fail(f"cannot listen on {listen}: {exc}")
        return f"socket://{host}:{bound}"
    return server.serve_pty(link)


def _wait_for_signal(stop: threading.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())


def _keys(sim: ScaleSimulator, stop: threading.Event) -> None:
    """Drive the simulator from single key presses (or lines, when stdin is not a terminal)."""
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    if saved is not None:
        tty.setcbreak(fd)
    try:
        while not stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            chunk = os.read(fd, 64).decode("utf-8", "replace")
            if not chunk:
                stop.wait()
                return
            for key in chunk:
                if key == "+":
                    sim.place(sim.grams + 250)
                elif key == "-":
                    sim.place(max(0, sim.grams - 250))
                elif key == "0":
                    sim.remove()
                elif key == "o":
                    sim.overload()
                elif key == "w":
                    sim.wobble()
                elif key == "u":
                    sim.replug() if not sim.plugged else sim.unplug()
                elif key == "q":
                    stop.set()
                    return
                else:
                    continue
                err_console.print(f"load {sim.grams} g, plugged={sim.plugged}", highlight=False)
    finally:
        if saved is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@simulate_app.command("scale")
def simulate_scale(
    protocol: Annotated[str, typer.Option("--protocol", help="mt-sics, toledo-8217, ad or sma.")],
    listen: ListenOpt = None,
    pty: PtyOpt = False,
    link: LinkOpt = None,
    script: Annotated[
        Path | None, typer.Option("--script", help="Timed steps (see README).", metavar="FILE")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="A unit the real scale reports in (8217: kg or lb)."),
    ] = None,
    stream: Annotated[
        bool, typer.Option("--stream", help="Stream without being asked (A&D stream mode).")
    ] = False,
    place: Annotated[int | None, typer.Option("--place", help="Start with this load (g).")] = None,
    exit_at_end: Annotated[
        bool, typer.Option("--exit-at-end", help="Stop when the script ends.")
    ] = False,
) -> None:
    """Serve a virtual scale speaking PROTOCOL byte-exact; a script or keys drive it."""
    if protocol not in PROTOCOLS:
        fail(f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
    steps = []
    if script is not None:
        try:
            steps = parse_script(script.read_text())
        except (OSError, ValueError) as exc:
            fail(f"{script}: {exc}")
    try:
        sim = ScaleSimulator(protocol, unit=unit, stream_on_connect=stream)
    except ValueError as exc:
        fail(str(exc))
    if place is not None:
        sim.place(place, 0)
    where = _serve(sim, listen, pty, link)
    print(where, flush=True)
    err_console.print(f"{protocol} scale on {where}", highlight=False)
    stop = threading.Event()
    _wait_for_signal(stop)
    try:
        if script is not None:
            worker = threading.Thread(target=run_script, args=(sim, steps, stop), daemon=True)
            worker.start()
            while worker.is_alive() and not stop.is_set():
                worker.join(0.2)
            if not exit_at_end:
                stop.wait()
        else:
            err_console.print(KEYS_HELP, highlight=False)
            _keys(sim, stop)
    finally:
        sim.close()


@simulate_app.command("scanner")
def simulate_scanner(
    listen: ListenOpt = None,
    pty: PtyOpt = False,
    link: LinkOpt = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Codes to send, one a line.", metavar="CODES")
    ] = None,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between codes.")] = 1.0,
    aim: Annotated[
        str | None, typer.Option("--aim", help="AIM identifier to put before each code (]C1).")
    ] = None,
) -> None:
    """Serve a virtual serial scanner sending CR LF terminated codes (from FILE or stdin)."""
    sim = ScannerSimulator()
    where = _serve(sim, listen, pty, link)
    print(where, flush=True)
    stop = threading.Event()
    _wait_for_signal(stop)
    try:
        if file is not None:
            codes = [c for c in file.read_text().splitlines() if c.strip()]
            while sim.peers == 0 and not stop.wait(0.05):
                pass
            for code in codes:
                if stop.is_set():
                    break
                sim.scan(code, aim)
                err_console.print(f"sent {code!r}", highlight=False)
                stop.wait(interval)
            stop.wait()
        else:
            err_console.print("type a code and Enter to scan it", highlight=False)
            for line in sys.stdin:
                if stop.is_set():
                    break
                if line.strip():
                    sim.scan(line.strip(), aim)
            stop.wait()
    finally:
        sim.close()


def reading_json(reading: ScaleReading, protocol: str, line: str, url: str) -> dict[str, Any]:
    """The JSON form of a reading printed by `probe --json`."""
    return {
        "url": url,
        "protocol": protocol,
        "line": line,
        "grams": reading.grams,
        "stable": reading.stable,
        "net": reading.net,
        "status": reading.status,
        "unit": reading.unit,
        "billable": reading.billable,
        "raw": reading.raw.decode("latin-1"),
        "raw_hex": reading.raw.hex(" "),
    }


def _table(
    url: str, protocol: str, line: str, reading: ScaleReading | None, state: DriverState, stats: str
) -> Table:
    table = Table(title=f"{url}  {protocol}  {line}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("state", state.state + (f" ({state.reason})" if state.reason else ""))
    if reading is None:
        table.add_row("weight", "-")
    else:
        table.add_row("weight", "-" if reading.grams is None else f"{reading.grams} g")
        table.add_row("status", f"{reading.status} {'stable' if reading.stable else 'moving'}")
        table.add_row("gross/net", "net" if reading.net else "gross")
        table.add_row("billable", "yes" if reading.billable else "no")
        table.add_row("raw", repr(reading.raw))
    table.add_row("framing", stats)
    return table


@app.command("probe")
def probe(
    url: Annotated[str, typer.Argument(help="pyserial URL: /dev/ttyUSB0, socket://host:port ...")],
    protocol: Annotated[str, typer.Option("--protocol", help="A protocol name or auto.")] = "auto",
    once: Annotated[bool, typer.Option("--once", help="Print one reading and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reading as JSON.")] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for a reading.")
    ] = 5.0,
) -> None:
    """Find the protocol and line settings of the scale at URL and show its readings."""
    if protocol != "auto" and protocol not in PROTOCOLS:
        fail(f"unknown protocol {protocol!r} (known: auto, {', '.join(PROTOCOLS)})")
    from jpgb_terminal.devices.ports import port_problem

    problem = port_problem(url)
    if problem:
        fail(problem)
    outcome = run_probe(url, protocol, timeout)
    if outcome.reading is None or outcome.protocol is None or outcome.line is None:
        tried = ", ".join(outcome.tried) or "nothing"
        detail = f"; errors: {'; '.join(outcome.errors[:3])}" if outcome.errors else ""
        fail(f"no reading from {url} within {timeout:g} s; tried {tried}{detail}")
    proto, line = outcome.protocol.name, outcome.line.label
    if not as_json:
        # What the bench's settings need to read this scale (stderr: stdout stays the reading).
        err_console.print(
            f'settings: scale = "{url}", scale_protocol = "{proto}", scale_line = "{line}"',
            highlight=False,
            soft_wrap=True,
        )
    if once:
        if as_json:
            print(json.dumps(reading_json(outcome.reading, proto, line, url)), flush=True)
        else:
            r = outcome.reading
            grams = "-" if r.grams is None else f"{r.grams} g"
            motion = "stable" if r.stable else "moving"
            console.print(
                f"{proto} {line}: {grams} {r.status} {motion} raw={r.raw!r}", highlight=False
            )
        return
    _follow(url, proto, outcome.line, outcome.reading, as_json)


def _follow(url: str, proto: str, line: LineSettings, first: ScaleReading, as_json: bool) -> None:
    """Show live readings until Ctrl-C: a rich table, or JSON lines with --json."""
    latest: list[ScaleReading | None] = [first]
    changed = threading.Event()

    def on_reading(reading: ScaleReading | None) -> None:
        latest[0] = reading
        changed.set()

    driver = ScaleDriver(url, proto, line=line, on_reading=on_reading)
    driver.start()
    try:
        if as_json:
            while True:
                changed.wait(0.5)
                changed.clear()
                if latest[0] is not None:
                    print(json.dumps(reading_json(latest[0], proto, line.label, url)), flush=True)
        with Live(console=console, refresh_per_second=10) as live:
            while True:
                changed.wait(0.1)
                changed.clear()
                s = driver.framer.stats
                stats = (
                    f"{s.frames} frames, {driver.frame_errors} bad, "
                    f"{s.garbage_bytes} garbage bytes, {s.overflows} overflows"
                )
                live.update(_table(url, proto, line.label, latest[0], driver.state, stats))
    except KeyboardInterrupt:
        pass
    finally:
        driver.close()


@app.command("list")
def list_ports() -> None:
    """Show serial ports with their by-id paths, USB ids and serial numbers."""
    ports = list_serial_ports()
    if not ports:
        console.print("No serial ports found. Is the scale or scanner plugged in and powered on?")
        return
    table = Table("device", "by-id", "usb id", "serial number", "description")
    for p in ports:
        table.add_row(
            p.device, p.by_id or "-", p.usb_id or "-", p.serial_number or "-", p.description
        )
    console.print(table)
