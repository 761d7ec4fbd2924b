"""`PetSageAPI`: FastAPI with the probe lane in front of its whole middleware stack, and
trailing-slash redirects relative to the request (`petsage.http.routing`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from petsage.http.routing import relative_slash_redirects
from petsage.http.shutdown import InFlight, answer_if_shut_down

# Answers a request itself and returns True, or returns False to leave it to the app.
FastLane = Callable[[Scope, Send], Awaitable[bool]]


class PetSageAPI(FastAPI):
    """A FastAPI application that first offers each HTTP request to `fast_lane`.

    Starlette always puts its ServerErrorMiddleware outermost, and FastAPI's own `__call__`
    checks its telemetry on every request: a probe answered from pre-rendered bytes would pay
    both, and every user middleware, before reaching a fast path inside the stack. The lane
    (`petsage.http.probes.ProbeLane`) runs before all of that. Both run inside
    `answer_if_shut_down`: a request the graceful shutdown cuts short is a 503, not a 500.
    """

    fast_lane: FastLane | None = None

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        relative_slash_redirects(self.router)
        self.in_flight = InFlight()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return

        async def handle(send: Send) -> None:
            lane = self.fast_lane
            if lane is not None and await lane(scope, send):
                return
            await super(PetSageAPI, self).__call__(scope, receive, send)

        await answer_if_shut_down(handle, scope, send, self.in_flight)
