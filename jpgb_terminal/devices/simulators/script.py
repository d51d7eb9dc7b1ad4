"""Scale scripts: one step a line (`place 1234`, `settle 0.8`, `wobble 1`, `unplug 2` ...).

# comments and blank lines are ignored
place 1234 [S]   put 1234 g on the pan, in motion for S s (default 0.5) then stable
settle S         wait S seconds, then the reading is stable
wobble S         the load swings for S seconds (the script waits meanwhile)
remove           take the load off
overload         show overload until the next place or remove
unplug [S]       the device disappears for S seconds (default 2), then comes back
wait S           do nothing for S seconds
loop             start again from the first line
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from jpgb_terminal.devices.simulators.scale import DEFAULT_SETTLE, ScaleSimulator

_ARGS = {
    "place": (1, 2),
    "settle": (1, 1),
    "wobble": (0, 1),
    "remove": (0, 0),
    "overload": (0, 0),
    "unplug": (0, 1),
    "wait": (1, 1),
    "loop": (0, 0),
}


@dataclass(frozen=True)
class Step:
    """One line of a script."""

    action: str
    args: tuple[float, ...] = ()
    line: int = 0


def parse_script(text: str) -> list[Step]:
    """Parse a script; ValueError names the line that is wrong."""
    steps: list[Step] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, *rest = line.split()
        action = word.lower()
        if action not in _ARGS:
            raise ValueError(f"line {number}: unknown step {word!r}")
        low, high = _ARGS[action]
        if not low <= len(rest) <= high:
            raise ValueError(f"line {number}: {action} takes {low} to {high} numbers")
        try:
            args = tuple(float(a) for a in rest)
        except ValueError:
            raise ValueError(f"line {number}: not a number in {line!r}") from None
        if any(a < 0 for a in args):
            raise ValueError(f"line {number}: negative number in {line!r}")
        steps.append(Step(action, args, number))
    return steps


def run_script(sim: ScaleSimulator, steps: list[Step], stop: threading.Event) -> None:
    """Play `steps` on `sim` until the end (or forever with `loop`) or until `stop` is set."""
    index = 0
    while index < len(steps) and not stop.is_set():
        step = steps[index]
        index += 1
        a = step.args
        if step.action == "place":
            sim.place(int(a[0]), a[1] if len(a) > 1 else DEFAULT_SETTLE)
        elif step.action == "settle":
            sim.wobble(a[0])
            if stop.wait(a[0]):
                return
            sim.settle()
        elif step.action == "wobble":
            seconds = a[0] if a else 1.0
            sim.wobble(seconds)
            if stop.wait(seconds):
                return
        elif step.action == "remove":
            sim.remove()
        elif step.action == "overload":
            sim.overload()
        elif step.action == "unplug":
            sim.unplug()
            stop.wait(a[0] if a else 2.0)
            sim.replug()
        elif step.action == "wait":
            if stop.wait(a[0]):
                return
        elif step.action == "loop":
            index = 0
