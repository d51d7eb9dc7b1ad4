"""Serving a simulated device on a TCP port or a pseudo-terminal, unpluggable and pluggable."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import selectors
import socket
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class Link:
    """One peer of a simulated device: a TCP connection or a pty master."""

    def __init__(self, kind: str, fd: int, sock: socket.socket | None = None) -> None:
        """`fd` is what the selector watches; `sock` is set for TCP links."""
        self.kind = kind
        self.fd = fd
        self.sock = sock
        self.inbox = bytearray()
        self.streaming = False
        self.next_stream = 0.0
        self.closed = False

    def send(self, data: bytes) -> None:
        """Send `data`; a peer that cannot take it loses it, as on a real line."""
        if self.closed or not data:
            return
        try:
            if self.sock is not None:
                self.sock.sendall(data)
            else:
                os.write(self.fd, data)
        except BlockingIOError:
            log.debug("peer not reading; %d bytes dropped", len(data))
        except OSError:
            self.closed = True

    def recv(self) -> bytes:
        """Whatever the peer sent; b"" and `closed` set when it went away."""
        try:
            data = self.sock.recv(4096) if self.sock is not None else os.read(self.fd, 4096)
        except BlockingIOError:
            return b""
        except OSError:
            data = b""
        if not data and self.sock is not None:
            self.closed = True
        return data


DataHandler = Callable[[Link, bytes], None]
TickHandler = Callable[[Link, float], float | None]


class DeviceServer:
    """Runs one thread that accepts peers, hands their bytes over, and ticks streams."""

    def __init__(
        self,
        on_data: DataHandler,
        on_tick: TickHandler | None = None,
        on_connect: Callable[[Link], None] | None = None,
    ) -> None:
        """`on_tick` returns seconds until it wants to run again for that link (or None)."""
        self.on_data = on_data
        self.on_tick = on_tick
        self.on_connect = on_connect
        self.links: list[Link] = []
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None
        self._tcp: tuple[str, int] | None = None
        self._pty_link: Path | None = None
        self._pty_fds: tuple[int, int] | None = None
        self.pty_path: str | None = None
        self.plugged = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)

    # -- endpoints -----------------------------------------------------------

    def serve_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on host:port (0 = any free port); returns the bound port."""
        with self._lock:
            self._tcp = (host, port)
            bound = self._listen()
            self._tcp = (host, bound)
            self.plugged = True
        self._ensure_thread()
        return bound

    def serve_pty(self, link: str | Path | None = None) -> str:
        """Open a pseudo-terminal; returns the path to open (`link` when given, kept current)."""
        with self._lock:
            self._pty_link = Path(link) if link is not None else None
            path = self._open_pty()
            self.plugged = True
        self._ensure_thread()
        return path

    def _listen(self) -> int:
        assert self._tcp is not None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(self._tcp)
        sock.listen(8)
        sock.setblocking(False)
        self._listener = sock
        self._wake()
        return int(sock.getsockname()[1])

    def _open_pty(self) -> str:
        master, slave = os.openpty()
        # Raw mode: no echo and no CR/LF translation, like a real serial device.
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._pty_fds = (master, slave)
        self.pty_path = os.ttyname(slave)
        link = Link("pty", master)
        self.links.append(link)
        if self.on_connect is not None:
            self.on_connect(link)
        if self._pty_link is not None:
            tmp = self._pty_link.with_name(self._pty_link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(self.pty_path)
            os.replace(tmp, self._pty_link)
            self._wake()
            return str(self._pty_link)
        self._wake()
        return self.pty_path

    # -- plug ---------------------------------------------------------------

    def unplug(self) -> None:
        """The device disappears: listener and peers closed, pty gone."""
        with self._lock:
            self.plugged = False
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            for link in self.links:
                self._drop(link)
            self.links.clear()
            if self._pty_fds is not None:
                for fd in self._pty_fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                self._pty_fds = None
                if self._pty_link is not None:
                    with contextlib.suppress(FileNotFoundError):
                        self._pty_link.unlink()
        self._wake()

    def replug(self) -> None:
        """The device comes back on the same TCP port, or on a new pty behind the same link."""
        with self._lock:
            if self.plugged:
                return
            if self._tcp is not None:
                self._listen()
            if self._pty_link is not None or self.pty_path is not None:
                self._open_pty()
            self.plugged = True
        self._wake()

    def close(self) -> None:
        """Stop serving for good (a second call does nothing)."""
        if self._stop.is_set():
            return
        self.unplug()
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        # Closed once only: a closed descriptor number is soon reused by another socket.
        fds, self._wake_r, self._wake_w = (self._wake_r, self._wake_w), -1, -1
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    def each_link(self, fn: Callable[[Link], None]) -> None:
        """Run `fn` on every connected peer, under the server's lock."""
        with self._lock:
            for link in list(self.links):
                fn(link)

    def broadcast(self, data: bytes) -> None:
        """Send `data` to every connected peer."""
        with self._lock:
            for link in list(self.links):
                link.send(data)

    # -- thread -------------------------------------------------------------

    def _wake(self) -> None:
        if self._wake_w < 0:
            return
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="device-sim", daemon=True)
            self._thread.start()

    def _drop(self, link: Link) -> None:
        link.closed = True
        if link.sock is not None:
            with contextlib.suppress(OSError):
                link.sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._once()
            except Exception:
                log.exception("simulator loop failed")
                self._stop.wait(0.05)

    def _once(self) -> None:
        wait_s = 0.05
        with self._lock:
            now = time.monotonic()
            if self.on_tick is not None:
                for link in self.links:
                    wait = self.on_tick(link, now)
                    if wait is not None:
                        wait_s = min(wait_s, max(wait, 0.0005))
            sel = selectors.DefaultSelector()
            sel.register(self._wake_r, selectors.EVENT_READ, None)
            if self._listener is not None:
                sel.register(self._listener, selectors.EVENT_READ, "listen")
            for link in self.links:
                if not link.closed:
                    sel.register(link.fd, selectors.EVENT_READ, link)
        try:
            events = sel.select(wait_s)
        finally:
            sel.close()
        with self._lock:
            for key, _ in events:
                if key.data is None:
                    with contextlib.suppress(OSError):
                        os.read(self._wake_r, 4096)
                elif key.data == "listen":
                    self._accept()
                elif isinstance(key.data, Link) and key.data in self.links:
                    link = key.data
                    data = link.recv()
                    if data:
                        self.on_data(link, data)
            for link in [x for x in self.links if x.closed and x.kind == "tcp"]:
                self._drop(link)
                self.links.remove(link)

    def _accept(self) -> None:
        if self._listener is None:
            return
        try:
            conn, _ = self._listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                log.debug("accept failed: %s", exc)
            return
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(0.5)
        link = Link("tcp", conn.fileno(), conn)
        self.links.append(link)
        if self.on_connect is not None:
            self.on_connect(link)
