"""The identity platform of one app: the verifier, its key source, its check and lifespan.

`build_identity` chooses between the operator's provider (PETSAGE_AUTH_ISSUER) and the
development issuer; the app factory keeps the result, enters `running()` in its lifespan and
registers `check()` with the health engine.

PyJWT and cryptography (8.8 MiB of resident memory beside FastAPI and SQLAlchemy, and about
0.1 s of import) are loaded when they are needed: at start with a provider, whose keys are
fetched at once; with the development issuer, when the first token arrives. An app that serves
only probes and public routes, as the default configuration does until someone asks for a
token, never loads them (bench/startup.py's idle RSS against the hand stack).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from petsage.auth.check import development_issuer_check, remote_keys_check
from petsage.auth.errors import MissingTokenError
from petsage.auth.principal import Principal
from petsage.auth.settings import AuthSettings
from petsage.health.check import Check
from petsage.settings import Settings

if TYPE_CHECKING:
    from petsage.auth.key_cache import RemoteKeys
    from petsage.auth.verifier import KeySource, TokenVerifier

# The development issuer's name, here rather than in dev_issuer.py, which imports cryptography.
DEV_ISSUER = "urn:petsage:development-issuer"


@dataclass(slots=True)
class Identity:
    """Everything an app needs to know who calls it."""

    settings: AuthSettings
    issuer: str
    remote_keys: RemoteKeys | None
    data_dir: Path
    _verifier: TokenVerifier | None = field(default=None, repr=False)

    @property
    def verifier(self) -> TokenVerifier:
        """Made at the first token (see the module's docstring for why not before)."""
        if self._verifier is None:
            from petsage.auth.verifier import TokenVerifier  # noqa: PLC0415 (PyJWT: see above)

            self._verifier = TokenVerifier(self.settings, self._key_source(), self.issuer)
        return self._verifier

    def _key_source(self) -> KeySource:
        if self.remote_keys is not None:
            return self.remote_keys
        from petsage.auth.dev_issuer import DevelopmentKeys  # noqa: PLC0415 (cryptography)

        return DevelopmentKeys(self.data_dir)

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
        return Identity(settings, DEV_ISSUER, None, data_dir)
    from petsage.auth.key_cache import RemoteKeys  # noqa: PLC0415 (PyJWT: see above)

    remote = RemoteKeys(settings, settings.auth_issuer)
    return Identity(settings, settings.auth_issuer, remote, data_dir)
