"""A TCP forwarder in front of a real server (the test Postgres) that a test can take down or stall.

Down: every live connection is closed under its client and new ones are refused (the server crashed or
restarted). Stalled: new connections are accepted and never answered (a hung server, a black hole).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

from tests.support.anvil import free_port


class TcpProxy:
    """Forwards ``bind``:``port`` (127.0.0.1 unless given) to ``upstream`` until told otherwise."""

    def __init__(self, upstream_host: str, upstream_port: int, bind: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.bind = bind
        self.port = free_port()
        self.state = "up"
        self.accepted = 0
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._listen()

    @classmethod
    def for_url(cls, url: str) -> tuple[TcpProxy, str]:
        """A proxy in front of the server of database ``url``, and the same URL pointed at the proxy."""
        parts = urlsplit(url)
        proxy = cls(parts.hostname or "127.0.0.1", parts.port or 5432)
        auth = parts.netloc.rpartition("@")[0]
        netloc = f"{auth}@127.0.0.1:{proxy.port}" if auth else f"127.0.0.1:{proxy.port}"
        return proxy, urlunsplit(parts._replace(netloc=netloc))

    # --- what a test does ------------------------------------------------------------------------
    def down(self) -> None:
        """Close every live connection and refuse new ones."""
        self.state = "down"
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self._drop_all()

    def stall(self) -> None:
        """Close every live connection; accept new ones and never answer them."""
        self.state = "stalled"
        self._drop_all()
        if self._listener is None:
            self._listen()

    def up(self) -> None:
        """Forward again (connections held by a stall are closed)."""
        self.state = "up"
        self._drop_all()
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        """Stop listening and close everything."""
        self.down()

    # --- the forwarder ---------------------------------------------------------------------------
    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.bind, self.port))
        listener.listen(64)
        listener.settimeout(0.1)  # the accept loop notices a closed listener within this
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name="tcp-proxy", daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            if self.state == "stalled":
                self._keep(client)  # held open, never read, never answered
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            self._keep(client)
            self._keep(server)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            self._shut(sock)

    def _shut(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes a pump blocked in recv; the peer reads EOF
        with self._lock:
            self._sockets.discard(sock)
        sock.close()

    def _drop_all(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)
