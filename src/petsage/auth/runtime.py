"""The identity platform of one app: the verifier, its key source, its check and lifespan.

`build_identity` chooses between the operator's provider (PETSAGE_AUTH_ISSUER) and the
development issuer; the app factory keeps the result, enters `running()` in its lifespan and
registers `check()` with the health engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from petsage.auth.check import development_issuer_check, remote_keys_check
from petsage.auth.dev_issuer import DEV_ISSUER, DevelopmentKeys
from petsage.auth.errors import MissingTokenError
from petsage.auth.key_cache import RemoteKeys
from petsage.auth.principal import Principal
from petsage.auth.settings import AuthSettings
from petsage.auth.verifier import TokenVerifier
from petsage.health.check import Check
from petsage.settings import Settings


@dataclass(frozen=True, slots=True)
class Identity:
    """Everything an app needs to know who calls it."""

    settings: AuthSettings
    verifier: TokenVerifier
    remote_keys: RemoteKeys | None

    @property
    def issuer(self) -> str:
        return self.verifier.issuer

    async def principal(self, token: str | None) -> Principal:
        """The caller `token` names; raises MissingTokenError, InvalidTokenError or
        KeysUnavailableError."""
        if not token:
            raise MissingTokenError()
        return await self.verifier.verify(token)

    def checks(self, _: Settings) -> list[Check]:
        """The health engine's check provider: the one `auth` check."""
        return [self.check()]

    def check(self) -> Check:
        if self.remote_keys is None:
            return development_issuer_check()
        return remote_keys_check(self.remote_keys)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Fetch keys in the background while the app runs (nothing to do for the development
        issuer); never waits on the provider."""
        if self.remote_keys is None:
            yield
            return
        await self.remote_keys.start()
        try:
            yield
        finally:
            await self.remote_keys.close()


def build_identity(settings: AuthSettings, data_dir: Path) -> Identity:
    if settings.auth_issuer is None:
        keys = DevelopmentKeys(data_dir)
        return Identity(settings, TokenVerifier(settings, keys, DEV_ISSUER), None)
    remote = RemoteKeys(settings, settings.auth_issuer)
    return Identity(settings, TokenVerifier(settings, remote, settings.auth_issuer), remote)
