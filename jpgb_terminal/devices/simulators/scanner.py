"""A virtual serial barcode scanner: sends codes CR LF terminated, optionally AIM-prefixed."""

from __future__ import annotations

from pathlib import Path

from jpgb_terminal.devices.simulators.transport import DeviceServer, Link


class ScannerSimulator:
    """Sends scans to whoever has the port open, as a CDC-ACM or RS-232 scanner does."""

    def __init__(self, terminator: bytes = b"\r\n") -> None:
        """`terminator` ends every code (CR LF by default)."""
        self.terminator = terminator
        self._server = DeviceServer(self._ignore)
        self.sent: list[bytes] = []

    @staticmethod
    def _ignore(link: Link, data: bytes) -> None:
        """Scanners do not answer what the host sends."""

    def serve_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Serve on TCP; returns the bound port."""
        return self._server.serve_tcp(host, port)

    def serve_pty(self, link: str | Path | None = None) -> str:
        """Serve on a pty; returns the path to open."""
        return self._server.serve_pty(link)

    @property
    def peers(self) -> int:
        """How many hosts are connected."""
        return len(self._server.links)

    def scan(self, code: str, aim: str | None = None) -> bytes:
        """Send one code (with AIM identifier such as `]C1` when given); returns the bytes sent."""
        data = (aim or "").encode("ascii") + code.encode("utf-8") + self.terminator
        self.send_raw(data)
        return data

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are (half codes, noise) for fault tests."""
        self.sent.append(data)
        self._server.broadcast(data)

    def unplug(self) -> None:
        """The scanner is pulled out."""
        self._server.unplug()

    def replug(self) -> None:
        """The scanner is plugged back in."""
        self._server.replug()

    def close(self) -> None:
        """Stop serving."""
        self._server.close()

    def __enter__(self) -> ScannerSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
