"""A JWKS as PetSage uses it: public signing keys by `kid`, each usable only with the
algorithms its type allows.

Symmetric (`oct`) keys and keys published for encryption are dropped when the set is read:
a key taken from a JWKS is public, so an HMAC "secret" made of it is known to everybody
(the algorithm-confusion attack of RFC 8725 2.1). A JWK that names its `alg` is used with that
algorithm only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jwt import PyJWK
from jwt.exceptions import PyJWTError

logger = logging.getLogger(__name__)

_ALGORITHMS_BY_KEY_TYPE: dict[tuple[str, str | None], frozenset[str]] = {
    ("RSA", None): frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
    ("EC", "P-256"): frozenset({"ES256"}),
    ("EC", "P-384"): frozenset({"ES384"}),
    ("EC", "P-521"): frozenset({"ES512"}),
    ("OKP", "Ed25519"): frozenset({"EdDSA"}),
    ("OKP", "Ed448"): frozenset({"EdDSA"}),
}
# A JWKS past this many keys is refused whole: a provider publishes a handful.
MAX_KEYS = 100


@dataclass(slots=True)
class KeySet:
    """Public signing keys by `kid` (a key without one is found only when it is alone)."""

    jwks: Mapping[str | None, Mapping[str, Any]]
    _verifiers: dict[tuple[str | None, str], PyJWK] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.jwks)

    def __contains__(self, kid: object) -> bool:
        return self._find(kid) is not None

    def key_for(self, kid: str | None, algorithm: str) -> PyJWK | None:
        """The key to check a signature made with `algorithm` by key `kid`, or None when the
        set has no such key or the key cannot make such a signature."""
        jwk = self._find(kid)
        if jwk is None or algorithm not in usable_algorithms(jwk):
            return None
        verifier = self._verifiers.get((kid, algorithm))
        if verifier is None:
            verifier = PyJWK(dict(jwk), algorithm=algorithm)
            self._verifiers[(kid, algorithm)] = verifier
        return verifier

    def _find(self, kid: object) -> Mapping[str, Any] | None:
        if kid is None and len(self.jwks) == 1:
            return next(iter(self.jwks.values()))
        return self.jwks.get(kid) if isinstance(kid, str) else None

    @classmethod
    def from_document(cls, document: object) -> KeySet:
        """Read a JWKS document (`{"keys": [...]}`); a key PetSage cannot use is skipped, with a
        warning, so that one exotic key does not cost the others. Raises ValueError when the
        document is not a JWKS at all."""
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list) or len(keys) > MAX_KEYS:
            raise ValueError("the document is not a JWKS (a 'keys' list of at most 100)")
        usable: dict[str | None, Mapping[str, Any]] = {}
        for jwk in keys:
            if isinstance(jwk, dict) and _usable(jwk):
                usable[jwk.get("kid")] = jwk
        return cls(usable)


def usable_algorithms(jwk: Mapping[str, Any]) -> frozenset[str]:
    """The algorithms `jwk` may verify: by its type and curve, narrowed by its own `alg`."""
    curve = jwk.get("crv") if jwk.get("kty") != "RSA" else None
    allowed = _ALGORITHMS_BY_KEY_TYPE.get((str(jwk.get("kty")), curve), frozenset())
    declared = jwk.get("alg")
    return allowed if declared is None else allowed & {declared}


def _usable(jwk: Mapping[str, Any]) -> bool:
    kid = jwk.get("kid")
    if jwk.get("use", "sig") != "sig" or not usable_algorithms(jwk):
        return False
    if kid is not None and not isinstance(kid, str):
        return False
    if "d" in jwk:
        # A private key published by mistake: use it as a public key would be fine, but the
        # provider is misconfigured, and saying so is worth more.
        logger.warning("the JWKS publishes a private key (kid %r): it is skipped", kid)
        return False
    try:
        # Parsed once here so that a malformed key is dropped now, not at a request.
        PyJWK(dict(jwk), algorithm=sorted(usable_algorithms(jwk))[0])
    except (PyJWTError, ValueError, TypeError):
        logger.warning("the JWKS key %r cannot be read: it is skipped", kid)
        return False
    return True
