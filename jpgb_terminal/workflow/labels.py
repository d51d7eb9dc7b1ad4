"""Printing a parcel's label to the configured printer (a folder gets one file per label)."""

from __future__ import annotations

from pathlib import Path

from jpgb_terminal.devices.printer import print_label
from jpgb_terminal.workflow.receiving import ParcelCard


def label_target(printer_url: str, parcel_id: str) -> str:
    """Where the label goes: the printer URL, or a file named after the parcel in a folder."""
    path = Path(printer_url.removeprefix("file:"))
    if "://" not in printer_url and not printer_url.startswith("lp:") and path.is_dir():
        return str(path / f"{parcel_id}.svg")
    return printer_url


def print_parcel_label(card: ParcelCard, printer_url: str) -> str:
    """Render and send the label (blocking: call it from a worker); returns where it went."""
    target = label_target(printer_url, card.parcel_id)
    print_label(card.label(), target)
    return target
