"""The issuer's keys, fetched in the background and kept through the provider's outages.

- A background task fetches the JWKS again when the last copy expires: its `Cache-Control`
  `max-age`, held between PETSAGE_AUTH_JWKS_MIN_TTL_SECONDS and ..._MAX_TTL_SECONDS. A failed
  fetch is tried again sooner (doubling from PETSAGE_AUTH_JWKS_RETRY_SECONDS up to the floor),
  and the keys already held stay in use: a provider outage is not the callers' fault.
- A token whose `kid` is unknown may mean the provider rotated its keys: the request then asks
  for one refresh, at most once per PETSAGE_AUTH_UNKNOWN_KID_INTERVAL_SECONDS, and every request
  arriving meanwhile waits on that same fetch (single flight). A flood of made-up `kid`s costs
  the provider one request per interval.
- Start-up never waits on the provider: the first fetch runs in the background, and the `auth`
  readiness check (petsage.auth.check) says when keys are there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jwt import PyJWK

from petsage.auth.errors import InvalidTokenError, KeysUnavailableError
from petsage.auth.keyset import KeySet
from petsage.auth.settings import AuthSettings
from petsage.health.check import describe_error

if TYPE_CHECKING:
    import httpx2 as httpx

logger = logging.getLogger(__name__)

# A discovery document or JWKS is a few kilobytes; anything past this is not one.
MAX_DOCUMENT_BYTES = 512 * 1024
# No `Cache-Control` at all: five minutes, within the floor and ceiling.
DEFAULT_TTL_SECONDS = 300.0
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d{1,10})\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\s*(?:,|$)", re.IGNORECASE)


class ProviderError(Exception):
    """The provider's answer cannot be used (its status, its size, its content)."""


@dataclass(frozen=True, slots=True)
class KeyCacheState:
    """What the `auth` check reports: how many keys are held, and the last fetch's failure."""

    key_count: int
    last_error: str | None
    started: bool


def cache_seconds(cache_control: str | None, floor: float, ceiling: float) -> float:
    """How long a JWKS may be kept, by its `Cache-Control`, between `floor` and `ceiling`."""
    if cache_control is None:
        seconds = DEFAULT_TTL_SECONDS
    elif _NO_CACHE.search(cache_control):
        seconds = 0.0
    elif match := _MAX_AGE.search(cache_control):
        seconds = float(match.group(1))
    else:
        seconds = DEFAULT_TTL_SECONDS
    return min(max(seconds, floor), ceiling)


class RemoteKeys:
    """The issuer's JWKS, found through its OpenID discovery document unless
    PETSAGE_AUTH_JWKS_URL names it."""

    def __init__(self, settings: AuthSettings, issuer: str) -> None:
        self.settings = settings
        self.issuer = issuer
        self._jwks_url = None if settings.auth_jwks_url is None else str(settings.auth_jwks_url)
        self._keys: KeySet | None = None
        self._last_error: str | None = None
        self._failures = 0
        self._client: httpx.AsyncClient | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._unknown_kid_fetch: asyncio.Future[float] | None = None
        self._last_unknown_kid_fetch = float("-inf")

    @property
    def state(self) -> KeyCacheState:
        count = 0 if self._keys is None else len(self._keys)
        return KeyCacheState(count, self._last_error, started=self._client is not None)

    async def start(self) -> None:
        """Start the background refresh; returns at once, whatever the provider does."""
        import httpx2 as httpx  # noqa: PLC0415 (only an instance with an issuer needs it)

        self._client = httpx.AsyncClient(
            timeout=self.settings.auth_jwks_timeout_seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=2, max_keepalive_connections=1),
        )
        self._refresher = asyncio.create_task(self._refresh_for_ever(), name="petsage-jwks")

    async def close(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def key_for(self, kid: str | None, algorithm: str) -> PyJWK:
        """The key for a token's header, refreshing once (shared) for an unknown `kid`.

        Raises InvalidTokenError when the provider answers and has no such key, KeysUnavailableError
        when there is no key at all or the provider could not be asked."""
        keys = self._keys
        if keys is None or kid not in keys:
            await self._refresh_for_unknown_kid()
            keys = self._keys
        if keys is None:
            raise KeysUnavailableError()
        if kid not in keys:
            # Unknown to the provider's last answer; if the provider could not be asked now,
            # the token may be signed with a key it has just rotated in: its fault, not the
            # caller's.
            raise KeysUnavailableError() if self._last_error is not None else InvalidTokenError()
        key = keys.key_for(kid, algorithm)
        if key is None:
            raise InvalidTokenError()
        return key

    async def _refresh_for_unknown_kid(self) -> None:
        if self._client is None:
            return  # not started (or stopped): nothing is fetched
        if self._unknown_kid_fetch is None:
            now = time.monotonic()
            if now - self._last_unknown_kid_fetch < self.settings.auth_unknown_kid_interval_seconds:
                return
            self._last_unknown_kid_fetch = now
            self._unknown_kid_fetch = asyncio.ensure_future(self._refresh())
            self._unknown_kid_fetch.add_done_callback(self._unknown_kid_fetch_done)
        # Shielded: a caller that goes away must not cancel the fetch the others wait on.
        await asyncio.shield(self._unknown_kid_fetch)

    def _unknown_kid_fetch_done(self, _: asyncio.Future[float]) -> None:
        self._unknown_kid_fetch = None

    async def _refresh_for_ever(self) -> None:
        # The sleep is the schedule (the cache's lifetime), not a wait for an event.
        while True:  # noqa: ASYNC110
            await asyncio.sleep(await self._refresh())

    async def _refresh(self) -> float:
        """Fetch the keys once; returns how long until the next background fetch."""
        floor = self.settings.auth_jwks_min_ttl_seconds
        import httpx2 as httpx  # noqa: PLC0415 (imported by start(): a lookup)

        try:
            keys, seconds = await self._fetch_keys()
        except (ProviderError, httpx.HTTPError, OSError, ValueError) as exc:
            return self._failed(describe_error(exc), floor)
        if self._last_error is not None:
            logger.info("the identity provider's keys are fetched again (%d keys)", len(keys))
        self._keys, self._last_error, self._failures = keys, None, 0
        return seconds

    def _failed(self, reason: str, floor: float) -> float:
        self._failures += 1
        self._last_error = reason
        held = 0 if self._keys is None else len(self._keys)
        logger.warning("fetching the provider's keys failed (%d keys held): %s", held, reason)
        retry: float = self.settings.auth_jwks_retry_seconds * 2.0 ** min(self._failures - 1, 16)
        return min(retry, floor)

    async def _fetch_keys(self) -> tuple[KeySet, float]:
        if self._jwks_url is None:
            self._jwks_url = await self._discover_jwks_url()
        document, cache_control = await self._get_json(self._jwks_url)
        settings = self.settings
        seconds = cache_seconds(
            cache_control, settings.auth_jwks_min_ttl_seconds, settings.auth_jwks_max_ttl_seconds
        )
        return KeySet.from_document(document), seconds

    async def _discover_jwks_url(self) -> str:
        url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
        document, _ = await self._get_json(url)
        if not isinstance(document, dict) or document.get("issuer") != self.issuer:
            # RFC 8414 3.3: the document must name the issuer it was asked for, exactly.
            raise ProviderError(f"the discovery document at {url} is for another issuer")
        jwks_url = document.get("jwks_uri")
        if not isinstance(jwks_url, str) or not jwks_url.startswith(("https://", "http://")):
            raise ProviderError(f"the discovery document at {url} has no jwks_uri")
        return jwks_url

    async def _get_json(self, url: str) -> tuple[object, str | None]:
        assert self._client is not None, "start() first"
        headers = {"accept": "application/json"}
        async with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                raise ProviderError(f"HTTP {response.status_code} from {url}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise ProviderError(f"the answer of {url} is over {MAX_DOCUMENT_BYTES} bytes")
            cache_control = response.headers.get("cache-control")
        try:
            return json.loads(body), cache_control
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ProviderError(f"the answer of {url} is not JSON") from None
