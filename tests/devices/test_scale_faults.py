"""Refused frames after a good weight, and a scale restarting behind an open pty, per protocol."""

from __future__ import annotations

import time

import pytest

from jpgb_terminal.devices.reading import ScaleReading
from jpgb_terminal.devices.scale import UNREADABLE, ScaleDriver
from jpgb_terminal.devices.simulators import ScaleSimulator
from jpgb_terminal.devices.simulators.faults import WRONG_MODES
from tests.devices.helpers import FakeDevice, Recorder, wait_until

SILENCE = 1.0


def billable_after(items: list[object], mark: int, grams: int) -> bool:
    return any(
        isinstance(x, ScaleReading) and x.billable and x.grams == grams for x in items[mark:]
    )


def driver_for(url: str, protocol: str, readings: Recorder, states: Recorder, **kw: object):  # type: ignore[no-untyped-def]
    return ScaleDriver(
        url,
        protocol,
        on_reading=readings,
        on_state=states,
        silence_timeout=SILENCE,
        **kw,  # type: ignore[arg-type]
    )


CASES = [(p, "poll", m) for p in ("mt-sics", "toledo-8217", "ad", "sma") for m in WRONG_MODES]
CASES += [("mt-sics", "stream", "unit"), ("sma", "stream", "count")]


@pytest.mark.parametrize(("protocol", "mode", "wrong"), CASES)
def test_refused_frames_end_the_weight_and_say_why(protocol: str, mode: str, wrong: str) -> None:
    readings, states = Recorder(), Recorder()
    with ScaleSimulator(protocol, seed=1) as sim:
        path = sim.serve_pty()
        sim.place(1200, 0)
        with driver_for(path, protocol, readings, states, mode=mode) as driver:
            assert readings.wait_for(lambda xs: billable_after(xs, 0, 1200))
            sim.set_wrong_mode(wrong)  # type: ignore[arg-type]
            switched = time.monotonic()
            assert readings.wait_for(lambda xs: bool(xs) and xs[-1] is None, SILENCE + 2)
            assert time.monotonic() - switched < SILENCE + 0.5
            assert driver.latest is None and driver.current is None
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "unreadable")
            assert driver.state.reason == UNREADABLE
            assert "check its unit and mode" in UNREADABLE
            # More refused frames keep it unreadable and bring no weight back.
            mark, errors = readings.mark(), driver.frame_errors
            assert wait_until(lambda: driver.frame_errors >= errors + 5)
            assert readings.items[mark:] == []
            assert driver.state.state == "unreadable"
            sim.set_wrong_mode(None)
            assert readings.wait_for(lambda xs: billable_after(xs, mark, 1200))
            assert driver.state.state == "connected"


def test_a_few_refused_frames_still_count_as_silence(fake_device: FakeDevice) -> None:
    readings, states = Recorder(), Recorder()
    driver = driver_for(fake_device.url, "ad", readings, states, mode="stream")
    with driver:
        assert fake_device.wait_ready(driver)
        fake_device.send(b"ST,+0001.000 kg\r\n")
        assert readings.wait_for(lambda xs: billable_after(xs, 0, 1000))
        sent = time.monotonic()
        # Two refused frames, then nothing: no run of five, yet the weight must not live on.
        fake_device.send(b"ST,+0001.000 ct\r\nhello\r\n")
        assert readings.wait_for(lambda xs: bool(xs) and xs[-1] is None, SILENCE + 2)
        assert time.monotonic() - sent < SILENCE + 0.5
        assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "unreadable")
        assert driver.frame_errors == 2


@pytest.mark.parametrize("protocol", ["mt-sics", "sma"])
def test_stream_restarted_behind_an_open_pty(protocol: str) -> None:
    readings, states = Recorder(), Recorder()
    with ScaleSimulator(protocol, stream_hz=20, seed=1) as sim:
        path = sim.serve_pty()
        sim.place(900, 0)
        with driver_for(path, protocol, readings, states, mode="stream") as driver:
            start = driver.proto.stream_command
            assert readings.wait_for(lambda xs: billable_after(xs, 0, 900))
            assert sim.commands.count(start) == 1
            before = states.mark()
            sim.restart(boot=0.2)
            # The driver may be heard again before this thread looks: find the silence itself.
            assert states.wait_for(
                lambda xs: any(x.state == "offline" for x in xs[before:]), SILENCE + 2
            )
            silent = next(x for x in states.items[before:] if x.state == "offline")
            assert "no answer" in (silent.reason or "")
            mark = readings.mark()
            assert readings.wait_for(lambda xs: billable_after(xs, mark, 900), SILENCE + 3)
            assert sim.commands.count(start) >= 2
            assert driver.stream_starts >= 2
            assert driver._loop.opens == 1  # the same open port all along
            assert driver.state.state == "connected"


def test_stream_start_is_sent_again_after_a_reconnect(tmp_path: object) -> None:
    readings, states = Recorder(), Recorder()
    link = f"{tmp_path}/scale"
    with ScaleSimulator("mt-sics", stream_hz=20, seed=1) as sim:
        sim.serve_pty(link)
        sim.place(700, 0)
        with driver_for(link, "mt-sics", readings, states, mode="stream") as driver:
            assert readings.wait_for(lambda xs: billable_after(xs, 0, 700))
            sim.unplug()
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "offline")
            mark = readings.mark()
            sim.replug()
            assert readings.wait_for(lambda xs: billable_after(xs, mark, 700), 3.0)
            assert driver._loop.opens >= 2
            assert sim.commands.count(b"SIR\r\n") >= 2
