"""Finding what speaks on a port: each protocol's poll at the common line settings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from jpgb_terminal.devices.ports import PORT_ERRORS, is_socket_url, open_port, read_available
from jpgb_terminal.devices.protocols import PROTOCOLS, LineSettings, Protocol, get_protocol
from jpgb_terminal.devices.reading import FrameError, ScaleReading
from jpgb_terminal.devices.scale import framer_for

COMMON_LINES = (
    LineSettings(9600, 8, "N", 1),
    LineSettings(9600, 7, "E", 1),
    LineSettings(2400, 7, "E", 1),
    LineSettings(4800, 7, "E", 1),
    LineSettings(19200, 8, "N", 1),
)


@dataclass
class ProbeOutcome:
    """What a probe found (protocol, line settings, first reading) and what it tried."""

    protocol: Protocol | None = None
    line: LineSettings | None = None
    reading: ScaleReading | None = None
    tried: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def candidates(url: str, protocol: str) -> list[tuple[Protocol, LineSettings]]:
    """Protocol and line-setting pairs to try, most likely first."""
    protos = list(PROTOCOLS.values()) if protocol == "auto" else [get_protocol(protocol)]
    if is_socket_url(url):
        return [(p, p.line) for p in protos]
    pairs = [(p, p.line) for p in protos]
    for line in COMMON_LINES:
        pairs += [(p, line) for p in protos if line != p.line]
    return pairs


def try_one(url: str, proto: Protocol, line: LineSettings, budget: float) -> ScaleReading | None:
    """Open, poll, and wait up to `budget` seconds for a frame `proto` can parse."""
    framer = framer_for(proto)
    port = open_port(url, line)
    try:
        deadline = time.monotonic() + budget
        next_poll = 0.0
        bad = 0
        # Two frames this protocol cannot read mean another protocol is talking.
        while time.monotonic() < deadline and bad < 2:
            if time.monotonic() >= next_poll:
                port.write(proto.poll)
                next_poll = time.monotonic() + 0.25
            for frame in framer.feed(read_available(port)):
                try:
                    return proto.parse(frame, proto.default_unit)
                except FrameError:
                    bad += 1
        return None
    finally:
        port.close()


def probe(url: str, protocol: str = "auto", timeout: float = 5.0) -> ProbeOutcome:
    """Try each candidate within `timeout` seconds in all; the first that reads a weight wins."""
    outcome = ProbeOutcome()
    pairs = candidates(url, protocol)
    deadline = time.monotonic() + timeout
    # A scale answers a poll well within a second; more time per try only slows auto.
    share = min(1.0, max(0.3, timeout / len(pairs))) if len(pairs) > 1 else timeout
    for proto, line in pairs:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        outcome.tried.append(f"{proto.name} {line.label}")
        try:
            reading = try_one(url, proto, line, min(share, left))
        except PORT_ERRORS as exc:
            outcome.errors.append(f"{proto.name} {line.label}: {exc}")
            continue
        if reading is not None:
            outcome.protocol, outcome.line, outcome.reading = proto, line, reading
            return outcome
    return outcome
