"""Just enough of PostgreSQL's frontend protocol to count the statements a client sends.

Every frontend message after start-up is a type byte and a 4-byte length that counts itself
(https://www.postgresql.org/docs/15/protocol-message-formats.html). The start-up phase has no
type byte: an optional SSLRequest or GSSENCRequest (answered by one byte from the server), then
the StartupMessage; a CancelRequest arrives alone on a connection of its own.

A statement the server executes is a simple-protocol Query (`Q`) or an extended-protocol
Execute (`E`). A Parse (`P`) only prepares; asyncpg prepares once per connection and statement,
then binds and executes, so counting `P` as well would count the same statement twice.

Statements are also counted by the connection's `application_name` (a StartupMessage
parameter), so a test can tell the health checks' connection from the application's.
"""

from __future__ import annotations

import threading
from collections import Counter

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
PROTOCOL_3 = 196608
STATEMENT_TYPES = ("Q", "E")
STARTUP_HEADER = 8  # length, then protocol version or request code
TYPED_HEADER = 5  # type byte, then length


class MessageTally:
    """Frontend message counts across every connection; safe to read from any thread."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._by_application: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.opaque_connections = 0

    def add(self, kind: str, application: str = "") -> None:
        with self._lock:
            self._counts[kind] += 1
            if kind in STATEMENT_TYPES:
                self._by_application[application] += 1

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    @property
    def statements(self) -> int:
        """Statements sent for execution: Query plus Execute messages."""
        counts = self.snapshot()
        return sum(counts[kind] for kind in STATEMENT_TYPES)

    def statements_of(self, application: str) -> int:
        """Statements sent on connections that named themselves `application`."""
        with self._lock:
            return self._by_application[application]


class FrontendStream:
    """Parses one connection's client-to-server bytes, in order, into `tally`."""

    def __init__(self, tally: MessageTally) -> None:
        self.tally = tally
        self._header = bytearray()
        self._skip = 0
        self._in_startup = True
        self._awaiting_answer = False
        self._startup_body: bytearray | None = None
        self.application = ""
        self.opaque = False

    def client_bytes(self, data: bytes) -> None:
        """Feed bytes exactly as they are delivered to the server."""
        position = 0
        while position < len(data) and not self.opaque:
            if self._skip:
                taken = min(self._skip, len(data) - position)
                if self._startup_body is not None:
                    self._startup_body += data[position : position + taken]
                self._skip -= taken
                position += taken
                if not self._skip and self._startup_body is not None:
                    self.application = application_name(bytes(self._startup_body))
                    self._startup_body = None
                continue
            wanted = (STARTUP_HEADER if self._in_startup else TYPED_HEADER) - len(self._header)
            self._header += data[position : position + wanted]
            position += min(wanted, len(data) - position)
            if len(self._header) == (STARTUP_HEADER if self._in_startup else TYPED_HEADER):
                self._read_header()

    def server_bytes(self, data: bytes) -> None:
        """Feed the server's bytes: only the one-byte answer to an SSL/GSS request matters."""
        if self._awaiting_answer and data:
            self._awaiting_answer = False
            # 'S' or 'G': the rest of the stream is encrypted and cannot be counted.
            if data[:1] in (b"S", b"G"):
                self.opaque = True
                self.tally.opaque_connections += 1

    def _read_header(self) -> None:
        header = bytes(self._header)
        self._header.clear()
        if self._in_startup:
            length = int.from_bytes(header[:4], "big")
            code = int.from_bytes(header[4:], "big")
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                self._awaiting_answer = True
                self.tally.add("ssl_request")
            else:
                self._in_startup = False
                self.tally.add("cancel" if code == CANCEL_REQUEST else "startup")
                if code == PROTOCOL_3:
                    self._startup_body = bytearray()
            self._skip = length - STARTUP_HEADER
            return
        kind = chr(header[0])
        self.tally.add(kind, self.application)
        self._skip = int.from_bytes(header[1:], "big") - 4


def application_name(parameters: bytes) -> str:
    """`application_name` from a StartupMessage's body: name and value pairs, NUL-ended."""
    fields = parameters.split(b"\x00")
    pairs = dict(zip(fields[0::2], fields[1::2], strict=False))
    return pairs.get(b"application_name", b"").decode(errors="replace")
