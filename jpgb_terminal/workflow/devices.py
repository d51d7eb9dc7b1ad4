"""The bench's devices: scale and scanner drivers built from settings, and the weight gate.

Driver callbacks run on the drivers' own threads. The gate applies the capture rule to
every reading there (so no reading is skipped), under a lock the receiving flow shares when
it tells the rule a parcel was scanned. A capture leaves the gate stamped with the scale's
identity and protocol, so nothing downstream asks the driver for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jpgb_terminal.clock import now
from jpgb_terminal.devices.capture import Capture, CaptureRule, Refusal
from jpgb_terminal.devices.protocols import LineSettings
from jpgb_terminal.devices.reading import ScaleReading
from jpgb_terminal.devices.scale import DriverState, ScaleDriver
from jpgb_terminal.devices.scanner import Scan, SerialScanner
from jpgb_terminal.settings import Settings

ReadingSink = Callable[[ScaleReading | None, Capture | Refusal | None], None]


class WeightGate:
    """The capture rule behind a lock: offered every reading, told of every scan."""

    def __init__(self, empty_threshold_g: int = 20) -> None:
        """A fresh rule: the first parcel still needs an empty scale first."""
        self._lock = threading.Lock()
        self.rule = CaptureRule(empty_threshold_g)

    def parcel_scanned(self, at: datetime) -> None:
        """The next billable reading after `at` (with an emptied scale) is this parcel's."""
        with self._lock:
            self.rule.parcel_scanned(at)

    def parcel_done(self) -> None:
        """No parcel waits for a weight any more (finished or abandoned)."""
        with self._lock:
            self.rule.scanned_at = None

    def offer(
        self,
        reading: ScaleReading | None,
        at: datetime,
        *,
        scale_id: str | None = None,
        protocol: str | None = None,
    ) -> Capture | Refusal | None:
        """Apply the rule to one reading from the scale `scale_id` speaking `protocol`."""
        with self._lock:
            if reading is None:
                self.rule.port_lost(at)
                return None
            return self.rule.offer(reading, at, scale_id=scale_id, protocol=protocol)


@dataclass
class BenchDevices:
    """The scale and scanner of one bench, started and closed together."""

    scale: ScaleDriver | None
    scanner: SerialScanner | None
    gate: WeightGate

    def start(self) -> None:
        """Start every driver's reader thread."""
        for device in (self.scale, self.scanner):
            if device is not None:
                device.start()

    def close(self) -> None:
        """Stop every driver; returns once their threads have ended."""
        for device in (self.scanner, self.scale):
            if device is not None:
                device.close()


def build_devices(
    settings: Settings,
    *,
    on_reading: ReadingSink,
    on_scale_state: Callable[[DriverState], None],
    on_scan: Callable[[Scan], None],
    on_scanner_state: Callable[[DriverState], None],
) -> BenchDevices:
    """Drivers for the scale and scanner the settings name (none started yet)."""
    gate = WeightGate(settings.empty_threshold_g)
    scale: ScaleDriver | None = None

    def reading(r: ScaleReading | None) -> None:
        # Only the scale's own reader thread calls this, so `scale` is set by then; its id
        # was read when the driver started.
        assert scale is not None
        on_reading(r, gate.offer(r, now(), scale_id=scale.scale_id, protocol=scale.protocol))

    if settings.scale:
        scale = ScaleDriver(
            settings.scale,
            settings.scale_protocol,
            line=LineSettings.parse(settings.scale_line) if settings.scale_line else None,
            on_reading=reading,
            on_state=on_scale_state,
        )
    scanner = None
    if settings.scanner and settings.scanner != "keyboard":
        scanner = SerialScanner(settings.scanner, on_scan=on_scan, on_state=on_scanner_state)
    return BenchDevices(scale, scanner, gate)
