"""Opening pyserial URLs with their line settings, reading what is there, naming ports."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import serial
from serial.tools import list_ports

from jpgb_terminal.devices.protocols.base import LineSettings

READ_TIMEOUT = 0.05
"""Seconds a read may block: short enough that a stop request is seen at once."""
WRITE_TIMEOUT = 1.0

PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError)
"""What a port that vanished, or never was, raises."""


def is_socket_url(url: str) -> bool:
    """True for network URLs, where line settings mean nothing."""
    return url.startswith(("socket://", "rfc2217://"))


def open_port(url: str, line: LineSettings, *, timeout: float = READ_TIMEOUT) -> serial.SerialBase:
    """Open `url` with every line setting given at open time and a finite read timeout."""
    if not timeout > 0:
        raise ValueError("a port needs a positive read timeout")
    return serial.serial_for_url(
        url,
        baudrate=line.baudrate,
        bytesize=line.bytesize,
        parity=line.parity,
        stopbits=line.stopbits,
        timeout=timeout,
        write_timeout=WRITE_TIMEOUT,
        exclusive=None if "://" in url else True,
    )


def port_problem(url: str) -> str | None:
    """Why `url` can never be opened as a port (no such device, a folder, a URL scheme pyserial
    does not know), in one line; None when it may open (a busy or silent port is not judged)."""
    if "://" in url:
        scheme = url.split("://", 1)[0]
        if scheme not in ("socket", "rfc2217", "loop", "spy", "alt", "hwgrep", "cp2110"):
            return (
                f"{url} is not a port: unknown URL scheme {scheme}:// (use a device path, "
                "socket://host:port, rfc2217://host:port or loop://)"
            )
        return None
    path = Path(url)
    if not path.exists():
        return f"no serial port {url}: no such device (`jpgb devices list` shows the ports)"
    if path.is_dir():
        return f"{url} is a folder, not a serial port (`jpgb devices list` shows the ports)"
    return None


def read_available(port: serial.SerialBase) -> bytes:
    """Block up to the port's timeout for one byte, then take whatever else is waiting."""
    first = port.read(1)
    if not first:
        return b""
    chunks = [first]
    # socket:// reports 1 for "something is there", so loop until it reports 0.
    for _ in range(4096):
        waiting = port.in_waiting
        if not waiting:
            break
        chunks.append(port.read(waiting))
    return b"".join(chunks)


@dataclass(frozen=True)
class PortInfo:
    """A serial port the system knows, with what identifies the device behind it."""

    device: str
    by_id: str | None
    vid: int | None
    pid: int | None
    serial_number: str | None
    manufacturer: str | None
    product: str | None
    description: str

    @property
    def usb_id(self) -> str | None:
        """`vvvv:pppp` in hex, or None for a non-USB port."""
        if self.vid is None or self.pid is None:
            return None
        return f"{self.vid:04x}:{self.pid:04x}"


def _by_id_links() -> dict[str, str]:
    base = Path("/dev/serial/by-id")
    links: dict[str, str] = {}
    if base.is_dir():
        for link in sorted(base.iterdir()):
            links[os.path.realpath(link)] = str(link)
    return links


def list_serial_ports() -> list[PortInfo]:
    """Every serial port pyserial can see, with by-id path, USB ids and serial number."""
    links = _by_id_links()
    out: list[PortInfo] = []
    for p in sorted(list_ports.comports(), key=lambda p: p.device):
        out.append(
            PortInfo(
                device=p.device,
                by_id=links.get(os.path.realpath(p.device)),
                vid=p.vid,
                pid=p.pid,
                serial_number=p.serial_number,
                manufacturer=p.manufacturer,
                product=p.product,
                description=p.description or "",
            )
        )
    return out


def device_identity(url: str) -> str:
    """A stable name for the device at `url`: its USB serial number or by-id path, else the URL."""
    if "://" in url or url.startswith("/dev/serial/by-id/"):
        return url
    real = os.path.realpath(url)
    for info in list_serial_ports():
        if os.path.realpath(info.device) == real:
            if info.serial_number:
                return f"usb:{info.usb_id}:{info.serial_number}"
            if info.by_id:
                return info.by_id
    return url
