"""Device benchmarks: frame parsing per protocol, and scale-to-capture latency over a socket."""

from __future__ import annotations

import socket
import statistics
import threading
import time
from datetime import UTC, datetime

from bench.harness import Result, percentile
from jpgb_terminal.devices.capture import Capture, CaptureRule
from jpgb_terminal.devices.protocols import PROTOCOLS, Display, Protocol
from jpgb_terminal.devices.reading import FrameError, ScaleReading
from jpgb_terminal.devices.scale import ScaleDriver, framer_for
from jpgb_terminal.devices.simulators import ScaleSimulator

FRAMES = 20000
CHUNK = 64
CYCLES = 20


def _stream(proto: Protocol) -> bytes:
    frames = [
        proto.encode(Display(grams=100 + i % 30000, stable=i % 4 != 0), proto.default_unit)
        for i in range(FRAMES)
    ]
    return b"".join(frames)


def _parse_rate(proto: Protocol, stream: bytes) -> float:
    framer = framer_for(proto)
    chunks = [stream[i : i + CHUNK] for i in range(0, len(stream), CHUNK)]
    parse, unit = proto.parse, proto.default_unit
    count = 0
    start = time.perf_counter()
    for chunk in chunks:
        for frame in framer.feed(chunk):
            try:
                parse(frame, unit)
                count += 1
            except FrameError:
                pass
    elapsed = time.perf_counter() - start
    assert count == FRAMES, (proto.name, count)
    return count / elapsed


def _split_rate(proto: Protocol, stream: bytes) -> float:
    start = time.perf_counter()
    pieces = stream.split(proto.frame_end)
    elapsed = time.perf_counter() - start
    return (len(pieces) - 1) / elapsed


def frame_parse() -> list[Result]:
    """frames/s through the real framer and parser, against a bare bytes.split."""
    results = []
    for name, proto in PROTOCOLS.items():
        stream = _stream(proto)
        value = max(_parse_rate(proto, stream) for _ in range(3))
        baseline = max(_split_rate(proto, stream) for _ in range(3))
        results.append(
            Result(
                f"frame_parse.{name}",
                value,
                "frames/s",
                baseline,
                {"frames": FRAMES, "chunk": CHUNK, "bytes": len(stream)},
            )
        )
    return results


class _Sent:
    """First send time of each distinct frame the simulator writes."""

    def __init__(self) -> None:
        self.first: dict[bytes, float] = {}

    def __call__(self, frame: bytes, at: float) -> None:
        self.first.setdefault(frame, at)


def _capture_latencies(sim: ScaleSimulator, url: str, sent: _Sent) -> list[float]:
    rule = CaptureRule()
    captured = threading.Event()
    empty = threading.Event()
    latencies: list[float] = []

    def on_reading(reading: ScaleReading | None) -> None:
        now = time.perf_counter()
        if reading is None:
            return
        if reading.grams is not None and reading.grams < rule.empty_threshold_g:
            empty.set()
        got = rule.offer(reading, reading.at or datetime.now(UTC))
        if isinstance(got, Capture):
            latencies.append((now - sent.first[got.raw]) * 1000)
            captured.set()

    driver = ScaleDriver(url, "ad", mode="stream", on_reading=on_reading)
    driver.start()
    try:
        for cycle in range(CYCLES):
            empty.clear()
            sim.remove(settle=0)
            empty.wait(2)
            captured.clear()
            rule.parcel_scanned(datetime.now(UTC))
            sim.place(1000 + cycle * 7, settle=0)
            captured.wait(2)
    finally:
        driver.close()
    return latencies


def _recv_latencies(sim: ScaleSimulator, port: int, sent: _Sent) -> list[float]:
    latencies: list[float] = []
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(0.5)
    try:
        for cycle in range(CYCLES):
            grams = 5000 + cycle * 7
            want = sim.proto.encode(Display(grams, True), sim.unit)
            sim.place(grams, settle=0)
            deadline = time.perf_counter() + 2
            buf = b""
            while time.perf_counter() < deadline:
                try:
                    data = sock.recv(4096)
                except TimeoutError:
                    continue
                now = time.perf_counter()
                buf += data
                if want in buf:
                    latencies.append((now - sent.first[want]) * 1000)
                    break
                buf = buf[-64:]
    finally:
        sock.close()
    return latencies


def capture_latency() -> Result:
    """Median ms from a stable frame on the wire to the capture callback, at 10 frames/s."""
    sent = _Sent()
    with ScaleSimulator("ad", stream_on_connect=True, stream_hz=10) as sim:
        sim.on_frame_sent = sent
        port = sim.serve_tcp()
        ours = _capture_latencies(sim, f"socket://127.0.0.1:{port}", sent)
        bare = _recv_latencies(sim, port, sent)
    return Result(
        "capture_latency",
        statistics.median(ours),
        "ms",
        statistics.median(bare),
        {
            "p99": f"{percentile(ours, 99):.3f}",
            "baseline_p99": f"{percentile(bare, 99):.3f}",
            "samples": len(ours),
            "goal_ms": 5,
        },
    )


def run() -> list[Result]:
    """Every device benchmark."""
    return [*frame_parse(), capture_latency()]
