"""The simulator's in-process API and its script format."""

from __future__ import annotations

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
