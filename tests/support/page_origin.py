"""A second local origin serving one page, from which a browser calls PetSage: what a team's
dashboard or a browser app on another origin is, for the CORS tests in headless Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class PageOrigin:
    """`http://127.0.0.1:<port>`: another origin than PetSage's (the port differs)."""

    def __init__(self) -> None:
        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = b"<!doctype html><title>app</title><p>a browser app"
                self.send_response(200)
                self.send_header("content-type", "text/html")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def two_origins() -> Iterator[tuple[PageOrigin, PageOrigin]]:
    """One origin to list in PETSAGE_CORS_ALLOW_ORIGINS, and one to leave out."""
    listed, other = PageOrigin(), PageOrigin()
    try:
        yield listed, other
    finally:
        listed.close()
        other.close()
