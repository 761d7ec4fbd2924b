"""The verified-token cache: a repeated token skips the key and signature, never past its `exp`,
and the cache holds at most PETSAGE_AUTH_TOKEN_CACHE_SIZE tokens."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from jwt import PyJWK

from petsage.auth.dev_issuer import DevelopmentKeys, mint_token
from petsage.auth.runtime import DEV_ISSUER
from petsage.auth.settings import AuthSettings
from petsage.auth.verifier import TokenVerifier


class CountingKeys:
    """The development key, counting how often a verification needed it (a signature check)."""

    def __init__(self, data_dir: Path) -> None:
        self.keys = DevelopmentKeys(data_dir)
        self.lookups = 0

    async def key_for(self, kid: str | None, algorithm: str) -> PyJWK:
        self.lookups += 1
        return await self.keys.key_for(kid, algorithm)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_repeated_token_skips_the_signature_until_its_exp(tmp_path: Path) -> None:
    settings = AuthSettings(_env_file=None)  # type: ignore[call-arg]
    keys, clock = CountingKeys(tmp_path), Clock()
    verifier = TokenVerifier(settings, keys, DEV_ISSUER, clock=clock)
    token = mint_token(settings, tmp_path, subject="a", scopes=(), expires_seconds=600)

    async def verify_at(offset: float) -> None:
        clock.now = time.time() + offset
        await verifier.verify(token)

    asyncio.run(verify_at(0))
    asyncio.run(verify_at(0))
    assert keys.lookups == 1
    # Past its exp the cached entry is not used: the token is checked again in full.
    asyncio.run(verify_at(601))
    assert keys.lookups == 2


def test_the_cache_is_bounded(tmp_path: Path) -> None:
    settings = AuthSettings(_env_file=None, auth_token_cache_size=2)  # type: ignore[call-arg]
    keys = CountingKeys(tmp_path)
    verifier = TokenVerifier(settings, keys, DEV_ISSUER)
    tokens = [
        mint_token(settings, tmp_path, subject=f"s{n}", scopes=(), expires_seconds=600)
        for n in range(3)
    ]

    async def verify_all() -> None:
        for token in tokens:
            await verifier.verify(token)
        await verifier.verify(tokens[0])  # the oldest was dropped for the third
        await verifier.verify(tokens[2])  # the newest is still held

    asyncio.run(verify_all())
    assert keys.lookups == 4
