"""The attacks of issue 16 in the soak's mix: trailers, a slow body, big bodies, a HEAD stream.

One attacker beside the soak's clients sends them in turn, one at a time, one every
ATTACK_PERIOD_SECONDS (about 80 in the CI soak's 165 s: a small share of its requests), each
on a connection of its own, and tallies the answers by kind as the clients do. They go to a
route that reads its body, as a generated resource does (`RESOURCE_SOURCE`, installed as a
plug-in), so that the protocol, not an early 405, decides how they end:
- trailer fields over the head cap: 431, or the connection closed;
- a body trickled at 1 byte a second: 408 once the body timeout passes;
- a body over the cap: 413 on its `Content-Length`, or (chunked) 413 or a close once past it;
- `HEAD /system/status/events`: a 200 with no body, then the liveness GET sent on the same
  connection answered 200 (the stream's slot and the connection are not kept).
Every exchange is bounded by ATTACK_TIMEOUT_SECONDS; one that runs past it is tallied as a
TimeoutError, which the soak's verdict counts as unexpected.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from tests.support.soak_load import LIVE, TRANSPORT_ERRORS, RequestKind, Tally, _parse_head

RESOURCE = "/soak-pets"
# A generated resource's POST, stopped where a body costs memory: reading and parsing it.
RESOURCE_SOURCE = f'''
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from petsage.blueprint import Feature


class PetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


router = APIRouter(prefix="{RESOURCE}")


@router.post("", status_code=201)
async def create_pet(data: PetCreate) -> PetCreate:
    return data


feature = Feature(name="soak_pets", summary="A route that reads its body", routers=(router,))
'''
FEATURE_NAME = "soak_pets"
# The soak server's limits: small, so that each attack costs the soak little.
MAX_HEADER_BYTES = 16 * 1024
MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT_SECONDS = 2.0
SERVER_ENV = {
    "PETSAGE_HTTP_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
    "PETSAGE_HTTP_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    "PETSAGE_HTTP_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT_SECONDS),
}
ATTACK_PERIOD_SECONDS = 2.0
ATTACK_TIMEOUT_SECONDS = BODY_TIMEOUT_SECONDS + 5.0
TRICKLED_LENGTH = 64
STATUS_EVENTS = "/system/status/events"


class ServerClosedError(ConnectionError):
    """The server closed the connection without answering: a refusal too."""


Exchange = Callable[[str, int], Awaitable[int]]


@dataclass(frozen=True)
class Attack:
    kind: RequestKind
    exchange: Exchange


@contextlib.asynccontextmanager
async def _connection(
    host: str, port: int
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _status(reader: asyncio.StreamReader) -> int:
    """The status of the next answer's head; ServerClosedError when the server closed instead."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise
        raise ServerClosedError from None
    except ConnectionError:
        # Reset, or the broken pipe of a write the server's close cut short, which asyncio
        # hands to the reader: a close either way (a CI soak met the broken pipe once).
        raise ServerClosedError from None
    return _parse_head(head)[0]


async def _send_then_status(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pieces: list[bytes]
) -> int:
    """Send `pieces` while the server takes them, then read its answer: a server that refuses
    part-way may close before the last piece, and its answer is read all the same."""
    try:
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
    except ConnectionError:
        pass
    return await _status(reader)


def _post(*fields: bytes) -> bytes:
    lines = [b"POST " + RESOURCE.encode() + b" HTTP/1.1", b"host: soak", *fields]
    return b"\r\n".join([*lines, b"content-type: application/json", b"", b""])


async def trailer_flood(host: str, port: int) -> int:
    """A valid chunked body, then trailer fields twice the head cap, then their end."""
    body = b'{"name":"Rex"}'
    start = _post(b"transfer-encoding: chunked") + b"%x\r\n%s\r\n0\r\n" % (len(body), body)
    fields = b"a: b\r\n" * 1024
    pieces = [start, *[fields] * (2 * MAX_HEADER_BYTES // len(fields)), b"\r\n"]
    async with _connection(host, port) as (reader, writer):
        return await _send_then_status(reader, writer, pieces)


async def slow_body(host: str, port: int) -> int:
    """A body announced at TRICKLED_LENGTH bytes and sent one byte a second."""
    async with _connection(host, port) as (reader, writer):
        writer.write(_post(b"content-length: %d" % TRICKLED_LENGTH))
        answer = asyncio.ensure_future(_status(reader))
        try:
            for _ in range(TRICKLED_LENGTH):
                done, _ = await asyncio.wait({answer}, timeout=1.0)
                if done:
                    break
                writer.write(b" ")
            return await answer
        finally:
            answer.cancel()  # when the attack's timeout ends it first


async def big_body(host: str, port: int) -> int:
    """A head announcing twice the body cap: refused on its length, before any body is sent."""
    async with _connection(host, port) as (reader, writer):
        writer.write(_post(b"content-length: %d" % (2 * MAX_BODY_BYTES)))
        return await _status(reader)


async def big_body_chunked(host: str, port: int) -> int:
    """Twice the body cap in 16 KiB chunks: refused once the cap is passed."""
    chunk = b"4000\r\n" + b"a" * 0x4000 + b"\r\n"
    pieces = [_post(b"transfer-encoding: chunked"), *[chunk] * (2 * MAX_BODY_BYTES // 0x4000)]
    async with _connection(host, port) as (reader, writer):
        return await _send_then_status(reader, writer, [*pieces, b"0\r\n\r\n"])


async def head_stream(host: str, port: int) -> int:
    """HEAD on the live-update stream, then liveness on the same connection: the HEAD must
    be a whole answer (a 200 and no body), or the follow-up's status line is not next."""
    async with _connection(host, port) as (reader, writer):
        writer.write(f"HEAD {STATUS_EVENTS} HTTP/1.1\r\nhost: soak\r\n\r\n".encode())
        if (status := await _status(reader)) != 200:
            return status
        writer.write(f"GET {LIVE} HTTP/1.1\r\nhost: soak\r\n\r\n".encode())
        return await _status(reader)


CLOSED = frozenset({ServerClosedError.__name__})


def _attack(name: str, exchange: Exchange, status: int, closed: bool = False) -> Attack:
    """An attack whose answer is `status`, or also a close when `closed`. Its weight is 0: the
    clients never pick it, only the attacker sends it."""
    method = "HEAD" if exchange is head_stream else "POST"
    path = STATUS_EVENTS if exchange is head_stream else RESOURCE
    errors = CLOSED if closed else frozenset()
    kind = RequestKind(name, method, path, 0, frozenset({status}), expected_errors=errors)
    return Attack(kind, exchange)


ATTACKS = (
    _attack("attack: trailer flood", trailer_flood, 431, closed=True),
    _attack("attack: slow body", slow_body, 408),
    _attack("attack: big body", big_body, 413),
    _attack("attack: big body, chunked", big_body_chunked, 413, closed=True),
    _attack("attack: HEAD stream", head_stream, 200),
)
ATTACK_KINDS = tuple(attack.kind for attack in ATTACKS)


async def run_attacks(base: tuple[str, int], deadline: float, tallies: dict[str, Tally]) -> None:
    """Send ATTACKS in turn, one every ATTACK_PERIOD_SECONDS, until `deadline`; none starts so
    late that it could run past it."""
    number = 0
    while time.monotonic() + ATTACK_TIMEOUT_SECONDS < deadline:
        attack = ATTACKS[number % len(ATTACKS)]
        number += 1
        started = time.monotonic()
        await send_attack(attack, base, tallies[attack.kind.name])
        await asyncio.sleep(max(0.0, started + ATTACK_PERIOD_SECONDS - time.monotonic()))


async def send_attack(attack: Attack, base: tuple[str, int], tally: Tally) -> None:
    """One attack, its answer (or the exception instead) tallied."""
    try:
        async with asyncio.timeout(ATTACK_TIMEOUT_SECONDS):
            tally.statuses[await attack.exchange(*base)] += 1
    except TRANSPORT_ERRORS as exc:
        tally.errors[type(exc).__name__] += 1
