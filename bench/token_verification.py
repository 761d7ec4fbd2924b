"""Access-token verification cost (issue 18), in process: what one request pays to know who calls.

A first verification (header, key look-up, signature, claims) for each default algorithm, and a
repeated token, which the verified-token cache answers without a signature check. Keys are held
in memory, as the key cache holds them once fetched: no network in either figure.

Target: a cached token costs at most a tenth of the cheapest first verification.

    uv run python bench/token_verification.py [--quick] [--json out.json]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Sequence
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt import PyJWK
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from harness import Options
from petsage.auth.settings import AuthSettings
from petsage.auth.verifier import TokenVerifier
from report import Report, Verdict, machine, print_table, run_standalone

ISSUER = "https://issuer.bench.invalid"
TARGET_RATIO = 0.1


class HeldKey:
    """One key, as the key cache hands it out."""

    def __init__(self, jwk: dict[str, Any], algorithm: str) -> None:
        self.key = PyJWK(jwk, algorithm=algorithm)

    async def key_for(self, kid: str | None, algorithm: str) -> PyJWK:
        return self.key


def signed_token(algorithm: str) -> tuple[str, dict[str, Any]]:
    """A token as a provider sends it, and the public JWK that verifies it."""
    private: Any
    if algorithm in {"RS256", "PS256"}:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    elif algorithm == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
        public = json.loads(ECAlgorithm.to_jwk(private.public_key()))
    else:
        private = ed25519.Ed25519PrivateKey.generate()
        public = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "petsage",
        "sub": "alice",
        "client_id": "bench",
        "scope": "pet_profile:read pet_profile:write",
        "iat": now,
        "exp": now + 3600,
    }
    token = jwt.encode(claims, private, algorithm, headers={"kid": "k", "typ": "at+jwt"})
    return token, public


def microseconds_each(verifier: TokenVerifier, token: str, rounds: int) -> float:
    async def run() -> float:
        await verifier.verify(token)
        started = time.perf_counter()
        for _ in range(rounds):
            await verifier.verify(token)
        return (time.perf_counter() - started) / rounds * 1e6

    return asyncio.run(run())


def measure(options: Options) -> Report:
    rounds, repeats = (200, 3) if options.quick else (2000, 7)
    print(f"\n== access-token verification, in process, median of {repeats}", flush=True)
    before = machine()
    first: dict[str, float] = {}
    cached: dict[str, float] = {}
    for algorithm in ("RS256", "PS256", "ES256", "EdDSA"):
        token, public = signed_token(algorithm)
        keys = HeldKey(public, algorithm)
        settings = AuthSettings(_env_file=None, auth_issuer=ISSUER)
        # A cache of size 0: every call verifies in full, signature included.
        uncached = TokenVerifier(
            settings.model_copy(update={"auth_token_cache_size": 0}), keys, ISSUER
        )
        caching = TokenVerifier(settings, keys, ISSUER)
        first[algorithm] = statistics.median(
            microseconds_each(uncached, token, rounds // 4) for _ in range(repeats)
        )
        cached[algorithm] = statistics.median(
            microseconds_each(caching, token, rounds) for _ in range(repeats)
        )
    print_table(
        ["algorithm", "first verification us", "cached token us"],
        [[name, first[name], cached[name]] for name in first],
    )
    cheapest = min(first.values())
    worst_cached = max(cached.values())
    verdicts = [
        Verdict(
            f"a cached token costs {worst_cached:.1f} us, {worst_cached / cheapest:.3f}x the "
            f"cheapest first verification (target <= {TARGET_RATIO:g}x)",
            worst_cached / cheapest <= TARGET_RATIO,
        )
    ]
    for verdict in verdicts:
        print(verdict)
    figures = {
        "machine": before,
        "first_verification_us": first,
        "cached_token_us": cached,
    }
    return Report("token_verification", figures, verdicts)


def main(argv: Sequence[str] | None = None) -> int:
    return run_standalone(measure, argv, __doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main())
