"""The probe fast path: anonymous probes answered from pre-rendered bytes.

Kubernetes, load balancers and uptime monitors send the same few requests many times a second.
FastAPI's routing, dependency resolution and response validation cost several times more than
the answer itself, so `ProbeFastPath` answers a GET on a registered path from bytes rendered
ahead of time. The FastAPI routes stay registered: they are the documented OpenAPI contract and
serve every request a responder declines (a token, another media type). Tests check that both
paths give the same status, headers and body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

JSON = b"application/json"


@dataclass(frozen=True, slots=True)
class RenderedResponse:
    """A complete HTTP response, ready to send twice without any further work."""

    status: int
    body: bytes
    media_type: bytes = JSON
    _headers: tuple[tuple[bytes, bytes], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Rendered once: a probe answered from the cache should cost a lookup, not a format.
        length = str(len(self.body)).encode()
        headers = ((b"content-type", self.media_type), (b"content-length", length))
        object.__setattr__(self, "_headers", headers)

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        # A fresh list each time: middleware outside may extend the one it is handed.
        return list(self._headers)


# A responder returns the response to send, or None to let the full route handle the request.
ProbeResponder = Callable[[Scope], RenderedResponse | None]


class ProbeFastPath:
    """Serves registered GET paths from their responder, everything else from `app`."""

    def __init__(self, app: ASGIApp, responders: Mapping[str, ProbeResponder]) -> None:
        self.app = app
        self.responders = dict(responders)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            responder = self.responders.get(scope["path"])
            rendered = responder(scope) if responder is not None else None
            if rendered is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": rendered.status,
                        "headers": rendered.headers,
                    }
                )
                await send({"type": "http.response.body", "body": rendered.body})
                return
        await self.app(scope, receive, send)


def constant(rendered: RenderedResponse) -> ProbeResponder:
    """A responder that always answers with `rendered` (liveness)."""

    def respond(_: Scope) -> RenderedResponse:
        return rendered

    return respond


class ProbePaths:
    """The paths whose answers are probes, from the prefixes features declare (`probe_paths`).

    A prefix covers itself and everything below it. Probe answers are never stored by a proxy,
    and stay out of the access log and the request metrics unless asked for: a kubelet probing
    every few seconds would drown everything else.
    """

    __slots__ = ("_below", "_exact")

    def __init__(self, prefixes: Iterable[str] = ()) -> None:
        trimmed = tuple(prefix.rstrip("/") for prefix in prefixes)
        self._exact = frozenset(trimmed)
        self._below = tuple(prefix + "/" for prefix in trimmed)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and (path in self._exact or path.startswith(self._below))


# Where no feature declared a probe (tests that build one layer on its own).
NO_PROBES = ProbePaths()
