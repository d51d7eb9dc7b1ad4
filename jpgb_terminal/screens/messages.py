"""Messages the terminal passes around: small dataclasses named for what happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from jpgb_terminal.devices.capture import Capture, Refusal
    from jpgb_terminal.devices.scale import DriverState
    from jpgb_terminal.devices.scanner import Scan
    from jpgb_terminal.workflow.receiving import ParcelCard


@dataclass
class ScanRead(Message, bubble=False):
    """A barcode was read (keyboard wedge or serial scanner)."""

    scan: Scan


@dataclass
class ReadingChanged(Message, bubble=False):
    """The scale has a newer reading; the screen fetches the latest one itself."""


@dataclass
class WeightCaptured(Message, bubble=False):
    """The capture rule accepted a reading as the current parcel's weight."""

    capture: Capture


@dataclass
class CaptureRefused(Message, bubble=False):
    """A billable weight came while the previous parcel was still on the scale."""

    refusal: Refusal


@dataclass
class DeviceStateChanged(Message, bubble=False):
    """A device connected, went offline or failed."""

    device: str
    state: DriverState


@dataclass
class ParcelShown(Message, bubble=False):
    """The bench now shows this parcel (what the scan-to-screen timing waits for)."""

    card: ParcelCard


@dataclass
class StationReady(Message, bubble=False):
    """The store is open and the devices are started."""


@dataclass
class StationFailed(Message, bubble=False):
    """The station could not start; the message says why."""

    reason: str


@dataclass
class SyncReported(Message, bubble=False):
    """A sync round ended; `line` says where the station stands with central."""

    line: str
