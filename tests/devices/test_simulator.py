"""The simulator's in-process API and its script format."""

from __future__ import annotations

import re
import threading

import pytest

from jpgb_terminal.devices.simulators import ScaleSimulator, parse_script, run_script

SCRIPT = """
# a parcel arrives
place 1234 0
settle 0
wobble 0
overload
remove
unplug 0
wait 0
"""


def test_parse_script() -> None:
    steps = parse_script(SCRIPT)
    assert [s.action for s in steps] == [
        "place",
        "settle",
        "wobble",
        "overload",
        "remove",
        "unplug",
        "wait",
    ]
    assert steps[0].args == (1234.0, 0.0)


@pytest.mark.parametrize("bad", ["jump 3", "place", "place x", "wait -1", "remove 3"])
def test_script_errors_name_the_line(bad: str) -> None:
    with pytest.raises(ValueError, match="line 1"):
        parse_script(bad)


def test_run_script_drives_the_simulator() -> None:
    sim = ScaleSimulator("ad")
    run_script(sim, parse_script("place 500 0\nsettle 0\noverload"), threading.Event())
    assert sim.display().overload and sim.grams == 500
    run_script(sim, parse_script("remove\nunplug 0"), threading.Event())
    assert (sim.grams == 0 and sim.plugged is False) or sim.plugged is True
    sim.close()


def test_clock_controls_settling() -> None:
    now = [100.0]
    sim = ScaleSimulator("mt-sics", clock=lambda: now[0], seed=1)
    sim.place(2000, settle=0.8)
    assert sim.frame().startswith(b"S D")
    now[0] += 1.0
    assert sim.frame() == b"S S     2000.0 g\r\n"
    sim.wobble(0.5)
    assert not sim.display().stable
    sim.overload()
    assert sim.frame() == b"S +\r\n"


# -- frames in the shape real scales send them -----------------------------------------

# What each real scale's frames look like (see test_device_frames for the manuals):
# MT-SICS `S S`/`S D`, value and unit; A&D header, sign and 8 characters, 3-character
# unit; 8217 WW.WWW (kg) or WW.WW (lb), or ? and a status byte with bit 6 set; SMA five
# status bytes, 10-character weight and 3-character unit.
SHAPES = {
    "mt-sics": rb"S [SD] +-?[0-9]+(\.[0-9]+)? (g|kg|lb|oz|mg)\r\n|S [+\-I]\r\n",
    "ad": rb"(ST|US|OL),(NT,)?[+-][0-9.]{8}( {2}g| kg| lb| oz| mg)\r\n",
    "toledo-8217": rb"\x02([0-9]{2,3}\.[0-9]{3}N?|\?[\x40-\x7f])\r",
    "sma": rb"\n[ ZOU]1[GN][ M] [ 0-9.\-]{10}(g  |kg |lb |oz )\r",
}
LOADS = [0, 1, 499, 1234, 29999, -40]


@pytest.mark.parametrize("protocol", sorted(SHAPES))
@pytest.mark.parametrize("unit", ["g", "kg", "lb", "oz", "mg"])
def test_simulated_frames_have_the_real_shape_and_parse(protocol: str, unit: str) -> None:
    now = [0.0]
    try:
        sim = ScaleSimulator(protocol, unit=unit, clock=lambda: now[0], seed=2)
    except ValueError as exc:
        assert unit in str(exc)
        return
    shape = SHAPES[protocol]
    if protocol == "toledo-8217" and unit == "lb":
        shape = rb"\x02([0-9]{2,3}\.[0-9]{2}N?|\?[\x40-\x7f])\r"
    for grams in LOADS:
        for settle in (0.0, 5.0):
            sim.place(grams, settle=settle)
            for net in (False, True):
                sim.set_net(net)
                frame = sim.frame()
                assert re.fullmatch(shape, frame), frame
                reading = sim.proto.parse(frame, unit)
                if reading.grams is not None and settle == 0.0:
                    assert abs(reading.grams - grams) <= 3, frame  # 0.01 lb on an 8217
        sim.overload()
        assert re.fullmatch(shape, sim.frame())
        assert sim.proto.parse(sim.frame(), unit).status == "overload"
    sim.close()


def test_8217_simulator_answers_only_kg_or_lb() -> None:
    with pytest.raises(ValueError, match="kg, lb"):
        ScaleSimulator("toledo-8217", unit="g")
    sim = ScaleSimulator("toledo-8217", unit="lb", clock=lambda: 0.0)
    sim.place(998, settle=0)
    assert sim.frame() == b"\x0202.20\r"
    sim.place(0, settle=0)
    assert sim.frame() == b"\x0200.00\r"  # an empty, stable scale still answers a weight
    sim.close()


def test_sma_simulator_flags_below_zero_and_zero() -> None:
    sim = ScaleSimulator("sma", clock=lambda: 0.0)
    sim.place(-500, settle=0)
    assert sim.frame() == b"\nU1G      -0.500kg \r"
    sim.remove(settle=0)
    assert sim.frame() == b"\nZ1G       0.000kg \r"
    sim.close()
