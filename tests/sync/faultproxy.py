"""A TCP proxy on 127.0.0.1 that misbehaves on request: refuse, black-hole, delay, cut a reply.

Put between a station and PostgreSQL, it plays the half-dead links a warehouse sees:

- `refuse()`: nobody listens any more (connection refused) until `restore()`;
- `blackhole()`: connections are accepted but nothing is forwarded either way, also on
  connections already open;
- `delay_s`: every chunk is held that long in each direction (latency, not a bandwidth cap);
- `cut_commit_reply_after(marker)`: the first COMMIT sent after `marker` appeared in the
  client's bytes reaches the server, and the server's answer is swallowed and the client's
  connection dropped: the commit happened, the client cannot know;
- `blackhole_after(marker)`: a black hole from the moment `marker` goes by (mid-transaction);
- `pause_commit_after(marker)`: that COMMIT is held back until `release()`, so a test can do
  something to the server (pg_terminate_backend) while the transaction is open.

Threads only, no sleeping: waits are Event/Condition waits with timeouts.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field

CHUNK = 65536
# The simple-protocol message that ends a transaction: 'Q', length 11, "COMMIT\0".
COMMIT_MESSAGE = b"Q\x00\x00\x00\x0bCOMMIT\x00"


@dataclass
class _Pipe:
    """One accepted client and its upstream connection."""

    client: socket.socket
    server: socket.socket
    seen_marker: bool = False
    cut: bool = False
    closed: threading.Event = field(default_factory=threading.Event)


class FaultProxy:
    """Forward 127.0.0.1:<port> to `target`, with faults switched on and off by the test."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.delay_s = 0.0
        self.mode = "pass"  # pass | blackhole
        self._marker: bytes | None = None
        self._commit_action: str | None = None  # cut | pause
        self.commit_seen = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._pipes: list[_Pipe] = []
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self.port = 0
        self._listen()
        self.connections = 0

    # -- control ----------------------------------------------------------------------

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def url(self, pg_url: str) -> str:
        """`pg_url` with its host and port replaced by this proxy's."""
        from sqlalchemy.engine import make_url

        parsed = make_url(pg_url).set(host="127.0.0.1", port=self.port)
        return parsed.render_as_string(hide_password=False)

    def refuse(self) -> None:
        """Stop listening: new connections are refused."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def blackhole(self) -> None:
        """Accept, but forward nothing either way (also on open connections)."""
        self.mode = "blackhole"

    def restore(self) -> None:
        """Back to a healthy link: listening, forwarding, no armed faults."""
        self.mode = "pass"
        self._marker = None
        self._commit_action = None
        self.release()
        with self._lock:
            listening = self._listener is not None
        if not listening:
            self._listen()

    def drop_all(self) -> None:
        """Reset every open connection (a link that comes back with new NAT state)."""
        with self._lock:
            pipes = list(self._pipes)
        for pipe in pipes:
            self._close(pipe)

    def cut_commit_reply_after(self, marker: bytes) -> None:
        """Let the next COMMIT after `marker` through but swallow its reply and drop the client."""
        self.commit_seen.clear()
        self._marker, self._commit_action = marker, "cut"

    def blackhole_after(self, marker: bytes) -> None:
        """Turn into a black hole as soon as `marker` appears in a client's bytes."""
        self.commit_seen.clear()
        self._marker, self._commit_action = marker, "blackhole"

    def pause_commit_after(self, marker: bytes) -> None:
        """Hold the next COMMIT after `marker` until release(); `commit_seen` is set meanwhile."""
        self.commit_seen.clear()
        self._release.clear()
        self._marker, self._commit_action = marker, "pause"

    def release(self) -> None:
        """Let a paused COMMIT go on."""
        self._release.set()

    def close(self) -> None:
        """Stop everything."""
        self._stop.set()
        self.refuse()
        self.drop_all()
        self._release.set()

    # -- plumbing ---------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            pipe = _Pipe(client, server)
            with self._lock:
                self._pipes.append(pipe)
                self.connections += 1
            threading.Thread(target=self._pump, args=(pipe, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(pipe, False), daemon=True).start()

    def _close(self, pipe: _Pipe) -> None:
        if pipe.closed.is_set():
            return
        pipe.closed.set()
        for sock in (pipe.client, pipe.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        with self._lock:
            if pipe in self._pipes:
                self._pipes.remove(pipe)

    def _pump(self, pipe: _Pipe, upstream: bool) -> None:
        src, dst = (pipe.client, pipe.server) if upstream else (pipe.server, pipe.client)
        queue: deque[tuple[float, bytes]] = deque()
        ready = threading.Condition()
        done = threading.Event()

        def sender() -> None:
            while True:
                with ready:
                    while not queue and not done.is_set():
                        ready.wait(0.5)
                    if not queue:
                        return
                    due, data = queue[0]
                wait = due - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    return
                with ready:
                    queue.popleft()
                try:
                    dst.sendall(data)
                except OSError:
                    self._close(pipe)
                    return

        worker = threading.Thread(target=sender, daemon=True)
        worker.start()
        keep_open = False
        try:
            while not pipe.closed.is_set():
                try:
                    data = src.recv(CHUNK)
                except OSError:
                    break
                if not data:
                    if self.mode == "blackhole":
                        keep_open = True  # a black hole does not pass a FIN on either
                    break
                if upstream:
                    self._watch_client(pipe, data)
                if self.mode == "blackhole":
                    continue  # swallowed: the far end waits for ever
                if not upstream and pipe.cut:
                    # The commit's answer: swallowed, and the client loses its connection.
                    with contextlib.suppress(OSError):
                        pipe.client.shutdown(socket.SHUT_RDWR)
                    with contextlib.suppress(OSError):
                        pipe.client.close()
                    continue
                with ready:
                    queue.append((time.monotonic() + self.delay_s, data))
                    ready.notify()
        finally:
            done.set()
            with ready:
                ready.notify()
            worker.join(timeout=5)
            if not pipe.cut and not keep_open:
                self._close(pipe)

    def _watch_client(self, pipe: _Pipe, data: bytes) -> None:
        if self._marker is None:
            return
        if self._marker in data:
            pipe.seen_marker = True
            if self._commit_action == "blackhole":
                self._commit_action = None
                self.mode = "blackhole"
                self.commit_seen.set()
                return
        if pipe.seen_marker and COMMIT_MESSAGE in data and self._commit_action is not None:
            action, self._commit_action = self._commit_action, None
            self.commit_seen.set()
            if action == "cut":
                pipe.cut = True
            elif action == "pause":
                self._release.wait(30)
