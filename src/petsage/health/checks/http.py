"""`http:<name>`: an external dependency probed by URL (`PETSAGE_HEALTH_HTTP_CHECKS`).

Any 2xx or 3xx answer passes (redirects are not followed: an answer is what is tested).
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING

from petsage.check_names import HTTP_CHECK_PREFIX
from petsage.health.check import Check, Outcome
from petsage.settings import ConfigurationError, HttpCheckSettings, Settings

if TYPE_CHECKING:
    import httpx2 as httpx


class HttpProbe:
    """GET `url` on a client of its own, with at most one connection kept alive."""

    def __init__(self, url: str, *, timeout_seconds: float) -> None:
        # Imported here, when an HTTP check is configured (most instances have none): it costs
        # start-up time and memory. Here rather than on first use, which runs on the event loop.
        import httpx2 as httpx  # noqa: PLC0415

        self.url = url
        self.timeout_seconds = timeout_seconds
        self._new_client = partial(
            httpx.AsyncClient,
            timeout=timeout_seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        self._client: httpx.AsyncClient | None = None

    async def __call__(self) -> Outcome:
        if self._client is None:  # made on first use, on the loop that will close it
            self._client = self._new_client()
        started = time.perf_counter()
        response = await self._client.get(self.url)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        if response.status_code < 400:
            return Outcome.ok(elapsed_ms, "ms")
        host = response.url.host
        return Outcome.failed(f"HTTP {response.status_code} from {host}", elapsed_ms, "ms")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def http_check(config: HttpCheckSettings) -> Check:
    probe = HttpProbe(str(config.url), timeout_seconds=config.timeout_seconds)
    return Check(
        f"{HTTP_CHECK_PREFIX}{config.name}",
        probe,
        critical=config.critical,
        timeout_seconds=config.timeout_seconds,
        component_type="system",
        measurement="responseTime",
        close=probe.close,
    )


def http_checks(settings: Settings) -> list[Check]:
    names = [config.name for config in settings.health_http_checks]
    if duplicates := sorted({name for name in names if names.count(name) > 1}):
        raise ConfigurationError(
            f"invalid setting PETSAGE_HEALTH_HTTP_CHECKS: the name {duplicates[0]!r} is used twice"
        )
    return [http_check(config) for config in settings.health_http_checks]
