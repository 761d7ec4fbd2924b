"""Small real TCP servers for client-side tests: a fixed HTTP answer (`answering`, from
`petsage.testing.stub_http`), a redirect, silence, a trickle.

Each listens on 127.0.0.1 on a free port in a background thread and is a real peer over real
sockets: what a probe sees from a dependency that is unhealthy, hung or pathologically slow.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# `answering` moved to petsage.testing (features test with it); tests/ and bench/ find it here.
from petsage.testing.stub_http import answering, serving  # noqa: F401

TRICKLE_INTERVAL_SECONDS = 0.1


@contextmanager
def redirecting(location: str, status: int = 302) -> Iterator[str]:
    """An HTTP server answering every GET with a redirect to `location`; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output clean."""

    with serving(Handler) as url:
        yield url


@contextmanager
def silent_listener() -> Iterator[str]:
    """A port that accepts connections (the kernel completes the handshake) and never answers."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def hanging_up() -> Iterator[str]:
    """A server that accepts each connection and closes it without a word."""
    with _accepting(lambda conn, _stop: conn.close()) as url:
        yield url


@contextmanager
def trickling() -> Iterator[str]:
    """A server that starts an HTTP answer and then sends one byte every 0.1 s, forever.

    Every read succeeds well within any socket timeout, so only a whole-exchange deadline ends
    a client's wait.
    """

    def drip(conn: socket.socket, stop: threading.Event) -> None:
        with closing(conn):
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.wait(TRICKLE_INTERVAL_SECONDS):
                    conn.sendall(b"X")
            except OSError:
                return

    def in_thread(conn: socket.socket, stop: threading.Event) -> None:
        threading.Thread(target=drip, args=(conn, stop), daemon=True).start()

    with _accepting(in_thread) as url:
        yield url


@contextmanager
def _accepting(handle: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """Accept connections in a background thread and hand each to `handle` until the end."""
    stop = threading.Event()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            handle(conn, stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


class StoppableDependency:
    """A healthy HTTP dependency (200 `{}`) that can be stopped and started again on its port.

    Stopped, its port refuses connections, as a crashed dependency's does.
    """

    def __init__(self) -> None:
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/health"

    def start(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                """Keep the test output clean."""

        # HTTPServer sets SO_REUSEADDR: the port is free again at once after a stop.
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None


@contextmanager
def stoppable_dependency() -> Iterator[StoppableDependency]:
    dependency = StoppableDependency()
    dependency.start()
    try:
        yield dependency
    finally:
        dependency.stop()
