"""HTTP/1.1 over a bare socket, for what a client library will not send: huge or slow heads."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

# A generous bound on any single wait: a stuck server fails the test instead of hanging it.
SOCKET_TIMEOUT_SECONDS = 15.0


def connect(base_url: str) -> socket.socket:
    address = urlsplit(base_url)
    assert address.hostname is not None
    assert address.port is not None
    return socket.create_connection(
        (address.hostname, address.port), timeout=SOCKET_TIMEOUT_SECONDS
    )


def request_head(path: str, *extra_headers: bytes) -> bytes:
    lines = [b"GET " + path.encode() + b" HTTP/1.1", b"host: petsage", *extra_headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    """The head and body of the next response (with a content-length) on `sock`."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"closed after {received!r}")
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(length - len(body))
    return head, body


def read_status(sock: socket.socket) -> int:
    """The status of the next response on `sock`; its body is read too (content-length)."""
    head, _ = read_response(sock)
    return int(head.split(b" ", 2)[1])


def get_status(sock: socket.socket, path: str) -> int:
    sock.sendall(request_head(path))
    return read_status(sock)


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a reset counts as closed)."""
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except ConnectionResetError:
        pass
    return received
