"""One HTTP GET over a socket, for `petsage check`.

The standard library's HTTP clients (`http.client`, and `urllib.request` over it) import the
email package and `ssl`: more than the interpreter's own start-up again, paid by every Docker
health check. A probe asks one question of a server it knows and reads one short answer, so
it speaks HTTP/1.1 on a socket itself (`ssl` only for an https URL). By construction it never
goes through a proxy from the environment and never follows a redirect.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from typing import NamedTuple

# What is read of an answer at most, head and body: a probe's answer is a few hundred bytes.
MAX_ANSWER_BYTES = 80 * 1024
_HEAD_END = b"\r\n\r\n"


class Answer(NamedTuple):
    status: int
    body: bytes
    location: str | None = None


class Url(NamedTuple):
    secure: bool
    host: str
    port: int
    netloc: str
    path: str

    @classmethod
    def parse(cls, url: str) -> Url:
        """`http(s)://host[:port][/path]`, the only form `petsage check` accepts."""
        scheme, _, rest = url.partition("://")
        netloc, slash, path = rest.partition("/")
        secure = scheme == "https"
        host, port = netloc, 443 if secure else 80
        if netloc.startswith("["):  # an IPv6 literal, as in http://[::1]:8000
            host, _, after = netloc[1:].partition("]")
            port = int(after[1:]) if after.startswith(":") else port
        elif ":" in netloc:
            host, _, port_text = netloc.rpartition(":")
            port = int(port_text)
        return cls(secure, host, port, netloc, slash + path or "/")


def get(url: str, headers: Mapping[str, str], timeout: float) -> Answer:
    """GET `url`; `timeout` bounds the connection and each read (the caller bounds the whole)."""
    target = Url.parse(url)
    request = _request(target, headers)
    with socket.create_connection((target.host, target.port), timeout=timeout) as plain:
        sock = _secured(plain, target.host) if target.secure else plain
        sock.sendall(request)
        return _read_answer(sock)


def _request(target: Url, headers: Mapping[str, str]) -> bytes:
    lines = [f"GET {target.path} HTTP/1.1", f"Host: {target.netloc}", "Connection: close"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value:  # a header injected through a token
            raise ValueError(f"the {name} header holds a line break")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _secured(sock: socket.socket, host: str) -> socket.socket:
    import ssl  # noqa: PLC0415 (only for an https URL: it costs every plain probe otherwise)

    return ssl.create_default_context().wrap_socket(sock, server_hostname=host)


def _read_answer(sock: socket.socket) -> Answer:
    data = _receive(sock, lambda received: _HEAD_END in received)
    head, found, body = data.partition(_HEAD_END)
    if not found:
        raise ConnectionError("the server closed the connection without an answer")
    status, fields = _parse_head(head)
    length = int(fields["content-length"]) if "content-length" in fields else None
    chunked = "chunked" in fields.get("transfer-encoding", "").lower()
    if length is None or len(body) < length:
        body += _receive(sock, lambda received: _complete(body + received, length, chunked))
    body = _dechunk(body) if chunked else body[:length]
    location = fields.get("location") if 300 <= status < 400 else None
    return Answer(status, body, location)


def _receive(sock: socket.socket, done: Callable[[bytes], bool]) -> bytes:
    """Bytes until `done` says so, the server closes, or MAX_ANSWER_BYTES are in."""
    received = b""
    while not done(received) and len(received) < MAX_ANSWER_BYTES:
        chunk = sock.recv(16 * 1024)
        if not chunk:
            break
        received += chunk
    return received


def _complete(body: bytes, length: int | None, chunked: bool) -> bool:
    if chunked:
        return body.endswith(b"0\r\n\r\n")
    return length is not None and len(body) >= length


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    status_line, *field_lines = head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    if not version.startswith("HTTP/") or not rest[:3].isdigit():
        raise ConnectionError(f"not an HTTP answer: {status_line[:60]!r}")
    fields = {}
    for line in field_lines:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return int(rest[:3]), fields


def _dechunk(body: bytes) -> bytes:
    decoded = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        decoded += body[:size]
        body = body[size + 2 :]
    return decoded
