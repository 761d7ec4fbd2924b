"""The soak's HTTP client against a scripted server: each way an answer can end, keep-alive,
reconnection, and what it tallies for an answer that is not HTTP; for the soak's attacks, that
a refusal's close is a right answer and a HEAD answered with a body is not.

The soak itself proves the client against a real `petsage serve`; these pin the framing it
must get right for the next answer on a connection to be read from its start.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from tests.support.soak_attacks import ATTACKS, Attack, send_attack
from tests.support.soak_load import MIX, Connection, Tally, _send

CONTENT_LENGTH = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"
CHUNKED = (
    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
    b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: 1\r\n\r\n"
)
HEAD_ANSWER = b"HTTP/1.1 200 OK\r\ncontent-length: 57\r\n\r\n"  # the length a GET would have
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"
CLOSING = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}"
UNTIL_CLOSE = b"HTTP/1.1 200 OK\r\n\r\nthe body ends when the connection does"


@dataclass
class ScriptedServer:
    """Answers the n-th request with `answers[n]`, on whichever connection it arrives; closes
    the connection after the answers in `close_after`."""

    answers: Sequence[bytes]
    close_after: frozenset[int] = frozenset()
    heads: list[bytes] = field(default_factory=list)
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        while not reader.at_eof():
            try:
                self.heads.append(await reader.readuntil(b"\r\n\r\n"))
            except asyncio.IncompleteReadError:
                break
            number = len(self.heads) - 1
            writer.write(self.answers[number])
            await writer.drain()
            if number in self.close_after:
                break
        writer.close()


@asynccontextmanager
async def connected(server: ScriptedServer) -> AsyncIterator[Connection]:
    """A client `Connection` to `server`, listening on a free port until the block ends."""
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    connection = Connection(f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}")
    try:
        yield connection
    finally:
        await connection.close()
        listener.close()
        await listener.wait_closed()


async def statuses(
    server: ScriptedServer, requests: Sequence[tuple[str, str, dict[str, str]]]
) -> list[int]:
    async with connected(server) as connection:
        return [await connection.request(*request) for request in requests]


def test_one_connection_carries_every_way_an_answer_ends() -> None:
    server = ScriptedServer([CONTENT_LENGTH, CHUNKED, HEAD_ANSWER, NO_CONTENT, CONTENT_LENGTH])
    requests = [
        ("GET", "/", {}),
        ("GET", "/chunked", {"Accept": "application/health+json"}),
        ("HEAD", "/system/health", {}),
        ("GET", "/empty", {}),
        ("GET", "/last", {"Authorization": "Bearer t"}),
    ]

    got = asyncio.run(statuses(server, requests))

    assert got == [200, 200, 200, 204, 200]
    assert server.connections == 1
    assert server.heads[1].startswith(b"GET /chunked HTTP/1.1\r\nhost: 127.0.0.1:")
    assert server.heads[1].endswith(b"\r\nAccept: application/health+json\r\n\r\n")
    assert server.heads[2].startswith(b"HEAD /system/health HTTP/1.1\r\n")
    assert b"\r\nAuthorization: Bearer t\r\n" in server.heads[4]


def test_a_closed_connection_is_opened_again() -> None:
    server = ScriptedServer([CLOSING, UNTIL_CLOSE, CONTENT_LENGTH], close_after=frozenset({0, 1}))

    got = asyncio.run(statuses(server, [("GET", "/", {})] * 3))

    assert got == [503, 200, 200]
    assert server.connections == 3


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    # As uvicorn does after its keep-alive timeout: no `Connection: close`, just the close.
    server = ScriptedServer([CONTENT_LENGTH, CONTENT_LENGTH], close_after=frozenset({0}))

    async def two_requests_apart() -> list[int]:
        async with connected(server) as connection:
            first = await connection.request("GET", "/", {})
            await asyncio.sleep(0.1)  # idle: the server's close arrives meanwhile
            return [first, await connection.request("GET", "/", {})]

    assert asyncio.run(two_requests_apart()) == [200, 200]
    assert server.connections == 2


def test_what_is_not_an_http_answer_is_tallied_by_its_type() -> None:
    live = next(kind for kind in MIX if kind.name == "live")
    answers = [b"HTTP/1.0 200 OK\r\n\r\n", b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nshort"]

    async def send_twice() -> Tally:
        tally = Tally()
        async with connected(ScriptedServer(answers, close_after=frozenset({1}))) as connection:
            for _ in answers:
                await _send(connection, live, "token", random.Random(0), tally)
        return tally

    tally = asyncio.run(send_twice())

    assert tally.statuses == {}
    assert tally.errors == {"ValueError": 1, "IncompleteReadError": 1}


def attacked(server: ScriptedServer, name: str) -> tuple[Attack, Tally]:
    """Send the attack called `name` to `server`; the attack and its tally."""
    attack = next(attack for attack in ATTACKS if attack.kind.name == name)

    async def send() -> Tally:
        tally = Tally()
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        try:
            await send_attack(attack, ("127.0.0.1", listener.sockets[0].getsockname()[1]), tally)
        finally:
            listener.close()
            await listener.wait_closed()
        return tally

    return attack, asyncio.run(send())


def test_an_attack_refused_with_a_close_is_an_expected_answer() -> None:
    closing = ScriptedServer([b""], close_after=frozenset({0}))
    attack, tally = attacked(closing, "attack: trailer flood")

    assert tally.errors == {"ServerClosedError": 1}
    assert tally.unexpected(attack.kind) == 0


def test_a_head_answered_with_a_body_is_caught_by_the_follow_up() -> None:
    stream_head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"
    _, whole = attacked(ScriptedServer([stream_head, CONTENT_LENGTH]), "attack: HEAD stream")
    event = b"event: summary\r\ndata: {}\r\n\r\n"  # what a HEAD must not send
    with_body = ScriptedServer([stream_head + event, CONTENT_LENGTH])
    attack, leaking = attacked(with_body, "attack: HEAD stream")

    assert whole.statuses == {200: 1}
    assert leaking.errors == {"ValueError": 1}
    assert leaking.unexpected(attack.kind) == 1
