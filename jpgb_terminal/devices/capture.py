"""The weight capture rule: which reading becomes a parcel's billed weight (pure, no IO)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from jpgb_terminal.devices.reading import ScaleReading


@dataclass(frozen=True)
class Capture:
    """A weight captured for the scanned parcel, with the frame and the scale it came from.

    `scale_id` and `protocol` name the scale that sent the frame, so whoever stores the
    weight needs nothing else from the driver (None where the maker does not know them).
    """

    grams: int
    raw: bytes
    reading: ScaleReading
    at: datetime
    scanned_at: datetime
    scale_id: str | None = None
    protocol: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A billable weight that may not be captured, and why."""

    reason: Literal["remove_previous"]
    message: str
    reading: ScaleReading


class CaptureRule:
    """Captures a weight only after a scan, and only once the scale has been emptied.

    A reading is captured for the current parcel when it is billable, arrived
    after the parcel was scanned, and the scale has gone below
    `empty_threshold_g` since the previous capture (or since the rule started
    or the port was lost). A billable weight without that emptying is the
    previous parcel still on the scale: the answer is a Refusal.
    """

    def __init__(self, empty_threshold_g: int = 20, *, weigh_net: bool = False) -> None:
        """`weigh_net` selects net instead of gross readings as the billable ones."""
        self.empty_threshold_g = empty_threshold_g
        self.weigh_net = weigh_net
        self.scanned_at: datetime | None = None
        self.captured: Capture | None = None
        self.emptied = False
        self._not_before: datetime | None = None
        self._latest_seen: datetime | None = None

    def parcel_scanned(self, at: datetime) -> None:
        """A new parcel was scanned at `at`: the next good weight after it is its weight."""
        self.scanned_at = at
        self.captured = None

    def port_lost(self, at: datetime | None = None) -> None:
        """The scale went away at `at`: no reading from before that may be captured.

        Whether the scale was emptied since the last capture is kept: the parcel
        captured last still has to come off before the next one counts.
        """
        self._not_before = at if at is not None else self._latest_seen

    def offer(
        self,
        reading: ScaleReading | None,
        at: datetime,
        *,
        scale_id: str | None = None,
        protocol: str | None = None,
    ) -> Capture | Refusal | None:
        """Consider one reading that arrived at `at`; a Capture, a Refusal, or None (wait).

        `scale_id` and `protocol` name the scale the reading came from; a capture carries them.
        """
        if reading is None:
            return None
        stamp = reading.at or at
        if self._not_before is not None and (stamp <= self._not_before or at <= self._not_before):
            return None
        self._latest_seen = max(at, self._latest_seen) if self._latest_seen else at
        if reading.grams is not None and reading.grams < self.empty_threshold_g:
            if reading.status in ("ok", "motion", "negative"):
                self.emptied = True
            return None
        if self.scanned_at is None or self.captured is not None or at < self.scanned_at:
            return None
        if not reading.billable_as(net=self.weigh_net):
            return None
        if not self.emptied:
            return Refusal(
                reason="remove_previous",
                message="Remove the previous parcel from the scale, then place this one.",
                reading=reading,
            )
        capture = Capture(
            grams=reading.grams or 0,
            raw=reading.raw,
            reading=reading,
            at=at,
            scanned_at=self.scanned_at,
            scale_id=scale_id,
            protocol=protocol,
        )
        self.captured = capture
        self.emptied = False
        return capture
