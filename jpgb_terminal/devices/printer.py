"""Sending a label to a printer URL: raw TCP (`socket://host:9100`), `lp:QUEUE`, or a file."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from jpgb_terminal.devices.label import LabelData, LabelFormat, render


class PrinterError(Exception):
    """The label could not be handed to the printer; the message says where and why."""


def format_for(url: str) -> LabelFormat:
    """The label format a printer URL wants: ZPL for printers, by suffix for files."""
    if url.startswith(("socket://", "lp:")):
        return "zpl"
    suffix = Path(url.removeprefix("file:")).suffix.lower()
    if suffix == ".png":
        return "png"
    if suffix == ".svg":
        return "svg"
    return "zpl"


def send_to_printer(payload: bytes, url: str, *, timeout: float = 10.0) -> None:
    """Deliver `payload` to `url`, blocking (run it in a worker thread); PrinterError on failure."""
    if url.startswith("socket://"):
        parts = urlsplit(url)
        if not parts.hostname or parts.port is None:
            raise PrinterError(f"printer URL needs host and port: {url}")
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
                sock.sendall(payload)
                sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise PrinterError(f"cannot send to printer at {url}: {exc}") from exc
        return
    if url.startswith("lp:"):
        queue = url[3:]
        if not queue:
            raise PrinterError("lp printer URL needs a queue name: lp:QUEUE")
        try:
            done = subprocess.run(
                ["lp", "-d", queue], input=payload, capture_output=True, timeout=timeout
            )
        except FileNotFoundError as exc:
            raise PrinterError("the `lp` command is not installed (CUPS client)") from exc
        except subprocess.TimeoutExpired as exc:
            raise PrinterError(f"lp -d {queue} did not finish in {timeout:g} s") from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            raise PrinterError(f"lp -d {queue} failed: {message}")
        return
    path = Path(url.removeprefix("file:"))
    try:
        path.write_bytes(payload)
    except OSError as exc:
        raise PrinterError(f"cannot write label to {path}: {exc}") from exc


def print_label(
    data: LabelData, url: str, *, fmt: LabelFormat | None = None, timeout: float = 10.0
) -> bytes:
    """Render `data` for the printer at `url` and send it; returns what was sent."""
    try:
        payload = render(data, fmt or format_for(url))
    except ValueError as exc:
        raise PrinterError(f"cannot render label: {exc}") from exc
    send_to_printer(payload, url, timeout=timeout)
    return payload
