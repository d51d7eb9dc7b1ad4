"""Split a byte stream into frames by terminator or start byte, never by silence."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FRAME = 10 * 1024
"""A run of bytes longer than this without a terminator is discarded."""

_LINE = re.compile(rb"([^\r\n]*)(\r\n|\r|\n)")
SCALE_NOISE = rb"[^\x20-\x7e]"
"""Line noise a scale never sends at the start of a frame (anything not printable ASCII)."""


@dataclass
class FramerStats:
    """Counters a bench or probe can show: frames out, bytes thrown away, overlong runs."""

    frames: int = 0
    garbage_bytes: int = 0
    overflows: int = 0


class Framer:
    """Incremental framer: feed bytes as they come, get whole frames back.

    Line mode (`start` None): a frame ends at CR, LF or CR LF; empty lines are
    dropped. Marker mode: a frame runs from `start` to `end`; bytes outside a
    frame are garbage, and a second `start` before `end` restarts the frame (the
    cut-off part is garbage). Frames are returned with their markers, as raw
    evidence. A run longer than `max_len` without its end is dropped, counted,
    and everything up to the next end is dropped with it.
    """

    def __init__(
        self,
        *,
        start: bytes | None = None,
        end: bytes = b"\r",
        max_len: int = MAX_FRAME,
        lead_noise: bytes | None = SCALE_NOISE,
    ) -> None:
        """Line mode when `start` is None; `lead_noise` is a byte class skipped before a line."""
        self.start = start
        self.end = end
        self.max_len = max_len
        self.stats = FramerStats()
        self._buf = bytearray()
        self._skipping = False
        self._noise = re.compile(b"^" + lead_noise + b"+") if lead_noise else None

    def reset(self) -> None:
        """Forget a partial frame (the port was closed or reopened)."""
        if self._buf:
            self.stats.garbage_bytes += len(self._buf)
        self._buf.clear()
        self._skipping = False

    @property
    def pending(self) -> int:
        """Bytes held waiting for a terminator."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        """Add `data` and return the frames it completed."""
        if not data:
            return []
        self._buf += data
        if self.start is None:
            return self._lines()
        return self._marked(self.start)

    def _lines(self) -> list[bytes]:
        buf = self._buf
        out: list[bytes] = []
        pos = 0
        noise = self._noise
        stats = self.stats
        # Only scan up to the last terminator: a long unterminated tail would make
        # the regex quadratic.
        last = max(buf.rfind(b"\r"), buf.rfind(b"\n"))
        for m in _LINE.finditer(buf, 0, last + 1) if last >= 0 else ():
            pos = m.end()
            body = m.group(1)
            if self._skipping:
                stats.garbage_bytes += len(body)
                self._skipping = False
                continue
            if not body:
                continue
            if noise is not None:
                lead = noise.match(body)
                if lead is not None:
                    stats.garbage_bytes += lead.end()
                    if lead.end() == len(body):
                        continue
                    out.append(bytes(buf[m.start() + lead.end() : pos]))
                    continue
            out.append(bytes(buf[m.start() : pos]))
        if pos:
            del buf[:pos]
        if len(buf) > self.max_len:
            self._overflow()
        stats.frames += len(out)
        return out

    def _marked(self, start: bytes) -> list[bytes]:
        buf = self._buf
        end = self.end
        out: list[bytes] = []
        stats = self.stats
        while buf:
            if self._skipping:
                cut = buf.find(end)
                if cut < 0:
                    stats.garbage_bytes += len(buf)
                    buf.clear()
                    break
                stats.garbage_bytes += cut + len(end)
                del buf[: cut + len(end)]
                self._skipping = False
                continue
            begin = buf.find(start)
            if begin < 0:
                stats.garbage_bytes += len(buf)
                buf.clear()
                break
            if begin:
                stats.garbage_bytes += begin
                del buf[:begin]
            stop = buf.find(end, len(start))
            if stop < 0:
                # A newer start before any end means the older frame was cut off.
                again = buf.rfind(start, len(start))
                if again > 0:
                    stats.garbage_bytes += again
                    del buf[:again]
                break
            again = buf.rfind(start, len(start), stop)
            if again > 0:
                stats.garbage_bytes += again
                del buf[:again]
                continue
            out.append(bytes(buf[: stop + len(end)]))
            del buf[: stop + len(end)]
        if len(buf) > self.max_len:
            self._overflow()
        stats.frames += len(out)
        return out

    def _overflow(self) -> None:
        self.stats.overflows += 1
        self.stats.garbage_bytes += len(self._buf)
        self._buf.clear()
        self._skipping = True
