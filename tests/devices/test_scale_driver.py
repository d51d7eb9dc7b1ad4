"""The scale driver over sockets and ptys: round trips, faults, unplug and replug."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from jpgb_terminal.devices.reading import ScaleReading
from jpgb_terminal.devices.scale import DriverState, ScaleDriver
from jpgb_terminal.devices.simulators import ScaleSimulator
from tests.devices.helpers import FakeDevice, Recorder, wait_until


def billable(items: list[object], grams: int) -> bool:
    return any(isinstance(x, ScaleReading) and x.billable and x.grams == grams for x in items)


@pytest.fixture
def recorders() -> tuple[Recorder, Recorder, Recorder]:
    return Recorder(), Recorder(), Recorder()


def make_driver(
    url: str, protocol: str, recs: tuple[Recorder, Recorder, Recorder], **kw: object
) -> ScaleDriver:
    readings, states, errors = recs
    return ScaleDriver(
        url,
        protocol,
        on_reading=readings,
        on_state=states,
        on_frame_error=errors,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("protocol", "mode"),
    [
        ("mt-sics", "poll"),
        ("mt-sics", "stream"),
        ("toledo-8217", "poll"),
        ("ad", "poll"),
        ("sma", "poll"),
        ("sma", "stream"),
    ],
)
def test_socket_round_trip(
    protocol: str, mode: str, recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    with ScaleSimulator(protocol) as sim:
        port = sim.serve_tcp()
        sim.place(1234, 0)
        driver = make_driver(f"socket://127.0.0.1:{port}", protocol, recorders, mode=mode)
        with driver:
            assert recorders[0].wait_for(lambda xs: billable(xs, 1234))
            assert driver.latest is not None and driver.latest.at is not None
            assert driver.latest.at.tzinfo is not None
            first = sim.commands[0]
            proto = driver.proto
            assert first == (proto.stream_command if mode == "stream" else proto.poll)
        assert driver.protocol == protocol
        assert driver.scale_id == f"socket://127.0.0.1:{port}"


def test_ad_stream_mode_needs_no_command(recorders: tuple[Recorder, Recorder, Recorder]) -> None:
    with ScaleSimulator("ad", stream_on_connect=True, stream_hz=50) as sim:
        port = sim.serve_tcp()
        sim.place(2000, 0)
        with make_driver(f"socket://127.0.0.1:{port}", "ad", recorders, mode="stream"):
            assert recorders[0].wait_for(lambda xs: billable(xs, 2000))
        assert sim.commands == []


@pytest.mark.parametrize("protocol", ["mt-sics", "toledo-8217", "ad", "sma"])
def test_pty_round_trip(protocol: str, recorders: tuple[Recorder, Recorder, Recorder]) -> None:
    with ScaleSimulator(protocol) as sim:
        path = sim.serve_pty()
        sim.place(750, 0)
        with make_driver(path, protocol, recorders):
            assert recorders[0].wait_for(lambda xs: billable(xs, 750))


def test_motion_then_stable_and_overload(recorders: tuple[Recorder, Recorder, Recorder]) -> None:
    with ScaleSimulator("mt-sics") as sim:
        port = sim.serve_tcp()
        sim.place(1000, settle=3600)
        with make_driver(f"socket://127.0.0.1:{port}", "mt-sics", recorders):
            readings = recorders[0]
            assert readings.wait_for(lambda xs: any(x and x.status == "motion" for x in xs))
            assert not any(x and x.billable for x in readings.items)
            sim.settle()
            assert readings.wait_for(lambda xs: billable(xs, 1000))
            sim.overload()
            assert readings.wait_for(
                lambda xs: bool(xs) and xs[-1] is not None and xs[-1].status == "overload"
            )


def test_socket_unplug_clears_and_recovers_within_two_seconds(
    recorders: tuple[Recorder, Recorder, Recorder],
) -> None:
    readings, states, _ = recorders
    with ScaleSimulator("mt-sics") as sim:
        port = sim.serve_tcp()
        sim.place(1500, 0)
        with make_driver(f"socket://127.0.0.1:{port}", "mt-sics", recorders) as driver:
            assert readings.wait_for(lambda xs: billable(xs, 1500))
            sim.unplug()
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "offline")
            assert readings.wait_for(lambda xs: bool(xs) and xs[-1] is None)
            assert driver.latest is None
            # Stay unplugged across a few failed reopen attempts so the backoff grows.
            assert states.wait_for(
                lambda xs: sum(1 for s in xs if "cannot open" in (s.reason or "")) >= 1
            )
            wait_until(lambda: False, 1.2)
            mark = readings.mark()
            sim.replug()
            back = time.monotonic()
            assert readings.wait_for(
                lambda xs: any(x is not None and x.billable for x in xs[mark:]), 3.0
            )
            assert time.monotonic() - back < 2.0
            assert driver.state == DriverState("connected")


def test_pty_unplug_and_replug_behind_a_link(
    tmp_path: object, recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    readings, states, _ = recorders
    link = f"{tmp_path}/scale-by-id"
    with ScaleSimulator("toledo-8217") as sim:
        sim.serve_pty(link)
        sim.place(600, 0)
        with make_driver(link, "toledo-8217", recorders) as driver:
            assert readings.wait_for(lambda xs: billable(xs, 600))
            sim.unplug()
            assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "offline")
            assert driver.latest is None
            mark = readings.mark()
            sim.place(650, 0)
            sim.replug()
            back = time.monotonic()
            assert readings.wait_for(lambda xs: billable(xs[mark:], 650), 3.0)
            assert time.monotonic() - back < 2.0


def test_close_returns_promptly(recorders: tuple[Recorder, Recorder, Recorder]) -> None:
    with ScaleSimulator("sma") as sim:
        port = sim.serve_tcp()
        driver = make_driver(f"socket://127.0.0.1:{port}", "sma", recorders)
        driver.start()
        assert recorders[1].wait_for(lambda xs: bool(xs) and xs[-1].state == "connected")
        started = time.monotonic()
        driver.close()
        assert time.monotonic() - started < 1.0
        assert driver.state.state == "closed"


def test_dead_port_reports_offline_and_never_raises(
    recorders: tuple[Recorder, Recorder, Recorder],
) -> None:
    with make_driver("socket://127.0.0.1:1", "mt-sics", recorders):
        assert recorders[1].wait_for(
            lambda xs: xs and xs[-1].state == "offline" and "cannot open" in xs[-1].reason
        )
    with make_driver("/nonexistent/ttyUSB9", "ad", recorders):
        assert recorders[1].wait_for(lambda xs: bool(xs) and "ttyUSB9" in (xs[-1].reason or ""))


# -- a fake device fed byte by byte ---------------------------------------------


@pytest.fixture
def streaming(
    fake_device: FakeDevice, recorders: tuple[Recorder, Recorder, Recorder]
) -> Iterator[tuple[FakeDevice, ScaleDriver]]:
    driver = make_driver(fake_device.url, "ad", recorders, mode="stream", silence_timeout=30)
    driver.start()
    assert fake_device.wait_ready(driver)
    yield fake_device, driver
    driver.close()


def test_noise_before_frame_is_skipped_and_counted(
    streaming: tuple[FakeDevice, ScaleDriver], recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    dev, driver = streaming
    dev.send(b"\x00\xff\xfe\x80ST,+0001.000 kg\r\n")
    assert recorders[0].wait_for(lambda xs: billable(xs, 1000))
    assert driver.framer.stats.garbage_bytes == 4


def test_frame_cut_in_half_is_reassembled(
    streaming: tuple[FakeDevice, ScaleDriver], recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    dev, driver = streaming
    dev.send(b"ST,+0001")
    assert wait_until(lambda: driver.framer.pending == 8)
    assert recorders[0].items == []
    dev.send(b".500 kg\r\n")
    assert recorders[0].wait_for(lambda xs: billable(xs, 1500))


def test_ten_kilobytes_without_terminator(
    streaming: tuple[FakeDevice, ScaleDriver], recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    dev, driver = streaming
    dev.send(b"9" * 11000)
    assert wait_until(lambda: driver.framer.stats.overflows == 1)
    dev.send(b"\r\nST,+0002.000 kg\r\n")
    assert recorders[0].wait_for(lambda xs: billable(xs, 2000))
    assert driver.framer.pending == 0


def test_unknown_unit_and_garbage_are_reported_never_billable(
    streaming: tuple[FakeDevice, ScaleDriver], recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    dev, driver = streaming
    dev.send(b"ST,+00012345 PC\r\nhello\r\nST,+0001.000 xx\r\n")
    assert recorders[2].wait_for(lambda xs: len(xs) == 3)
    assert driver.frame_errors == 3
    assert not any(x and x.billable for x in recorders[0].items)
    assert driver.state.state == "connected"


def test_negative_and_overload_are_states_not_weights(
    streaming: tuple[FakeDevice, ScaleDriver], recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    dev, _ = streaming
    dev.send(b"ST,-0000.500 kg\r\nOL,+9999.999 kg\r\n")
    assert recorders[0].wait_for(lambda xs: [x.status for x in xs] == ["negative", "overload"])
    assert not any(x.billable for x in recorders[0].items)


def test_port_vanishes_mid_frame(
    fake_device: FakeDevice, recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    readings, states, errors = recorders
    with make_driver(fake_device.url, "ad", recorders, mode="stream", silence_timeout=30) as driver:
        assert fake_device.wait_ready(driver)
        fake_device.send(b"ST,+0001.000 kg\r\nST,+0003")
        assert readings.wait_for(lambda xs: billable(xs, 1000))
        fake_device.server.unplug()
        assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "offline")
        assert readings.wait_for(lambda xs: bool(xs) and xs[-1] is None)
        fake_device.server.replug()
        assert states.wait_for(lambda xs: bool(xs) and xs[-1].state == "connected", 3.0)
        assert fake_device.wait_ready(driver)
        # The rest of the cut frame arrives on the new connection: reported, never a weight.
        fake_device.send(b".000 kg\r\n")
        assert errors.wait_for(lambda xs: len(xs) == 1)
        assert driver.latest is None


def test_silent_scale_goes_offline(
    fake_device: FakeDevice, recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    with make_driver(fake_device.url, "mt-sics", recorders, silence_timeout=0.3):
        assert recorders[1].wait_for(lambda xs: bool(xs) and "no answer" in (xs[-1].reason or ""))
        # It kept polling, byte-exact.
        assert fake_device.received.wait_for(lambda xs: b"".join(xs).startswith(b"SI\r\nSI\r\n"))


def test_callback_failure_does_not_kill_the_reader(fake_device: FakeDevice) -> None:
    seen = Recorder()

    def bad(reading: ScaleReading | None) -> None:
        seen(reading)
        raise RuntimeError("subscriber bug")

    with ScaleDriver(fake_device.url, "ad", mode="stream", on_reading=bad) as driver:
        assert fake_device.wait_ready(driver)
        fake_device.send(b"ST,+0001.000 kg\r\n")
        assert seen.wait_for(lambda xs: len(xs) == 1)
        fake_device.send(b"ST,+0002.000 kg\r\n")
        assert seen.wait_for(lambda xs: len(xs) == 2)
        assert driver.state.state == "connected"


def test_high_rate_keeps_only_latest(
    fake_device: FakeDevice, recorders: tuple[Recorder, Recorder, Recorder]
) -> None:
    with make_driver(fake_device.url, "ad", recorders, mode="stream") as driver:
        assert fake_device.wait_ready(driver)
        burst = b"".join(f"US,+{g / 1000:08.3f} kg\r\n".encode() for g in range(1, 501))
        fake_device.send(burst + b"ST,+0000.777 kg\r\n")
        assert recorders[0].wait_for(lambda xs: len(xs) == 501)
        assert driver.latest is not None and driver.latest.grams == 777


def test_zero_and_tare_are_sent_and_acknowledged(
    recorders: tuple[Recorder, Recorder, Recorder],
) -> None:
    acks = Recorder()
    with ScaleSimulator("mt-sics") as sim:
        port = sim.serve_tcp()
        driver = ScaleDriver(f"socket://127.0.0.1:{port}", "mt-sics", on_ack=acks)
        with driver:
            driver.zero()
            driver.tare()
            assert acks.wait_for(lambda xs: {a.command for a in xs} == {"zero", "tare"})
        assert b"Z\r\n" in sim.commands and b"T\r\n" in sim.commands
