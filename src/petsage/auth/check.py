"""The `auth` readiness check: whether access tokens can be checked.

ok with keys held and the last fetch good; degraded while fetches fail and cached keys remain
(tokens still work); failing with no key at all (every token would get 503). Critical, as the
database is: an instance that can check no token is not ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from petsage.health.check import Check, Outcome

if TYPE_CHECKING:
    from petsage.auth.key_cache import RemoteKeys

CHECK_NAME = "auth"


def remote_keys_check(keys: RemoteKeys) -> Check:
    async def probe() -> Outcome:
        state = keys.state
        if state.key_count == 0:
            reason = state.last_error or "the identity provider's keys are not fetched yet"
            return Outcome.failed(f"no signing key: {reason}", 0, "keys")
        if state.last_error is not None:
            return Outcome.degraded(
                f"refreshing the keys fails, the cached ones are used: {state.last_error}",
                state.key_count,
                "keys",
            )
        return Outcome.ok(state.key_count, "keys")

    return Check(CHECK_NAME, probe, critical=True, component_type="system", measurement="keys")


def development_issuer_check() -> Check:
    async def probe() -> Outcome:
        return Outcome.ok("development issuer")

    return Check(CHECK_NAME, probe, component_type="system", measurement="keys")
