"""The identity provider's published signing keys (a JWKS) and the choice of key for a token.

This module owns the rule that defeats algorithm confusion: a token's `alg` header only
selects among algorithms the operator allowed, and the key it names must be of the type
that algorithm needs (an RSA key for RS*/PS*, an EC key on the matching curve for ES*, an
OKP Ed25519 key for EdDSA). Symmetric (`oct`) keys and keys carrying private material are
never used. The key is bound to the algorithm before verification, so PyJWT cannot be
talked into verifying an HMAC over a public key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

# Algorithm -> (required kty, required crv or None). This is also the full list of
# algorithms an operator may allow: no "none", no HS* (a shared secret has no place
# in a gateway that verifies tokens minted by someone else).
KEY_TYPE_FOR_ALGORITHM: Mapping[str, tuple[str, str | None]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", "Ed25519"),
}

# Members of a JWK that only a private key has; a JWKS that publishes them is broken.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class KeySetError(ValueError):
    """The JWKS document is not usable (the message says why, never with key material)."""


@dataclass(frozen=True)
class KeySet:
    """Public signing keys by key id, as published at the provider's `jwks_uri`."""

    by_kid: Mapping[str, Mapping[str, Any]]
    without_kid: tuple[Mapping[str, Any], ...]

    @classmethod
    def from_document(cls, document: object) -> KeySet:
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise KeySetError("the JWKS document has no 'keys' list")
        by_kid: dict[str, Mapping[str, Any]] = {}
        without_kid: list[Mapping[str, Any]] = []
        for jwk in document["keys"]:
            if not _is_public_signing_key(jwk):
                continue
            kid = jwk.get("kid")
            if isinstance(kid, str):
                by_kid[kid] = jwk
            else:
                without_kid.append(jwk)
        if not by_kid and not without_kid:
            raise KeySetError("the JWKS document holds no public signing keys")
        return cls(by_kid=by_kid, without_kid=tuple(without_kid))

    def has(self, kid: str | None) -> bool:
        return kid in self.by_kid if kid is not None else bool(self.candidates(None))

    def candidates(self, kid: str | None) -> list[Mapping[str, Any]]:
        """Keys a token with this `kid` may have been signed with."""
        if kid is not None:
            found = self.by_kid.get(kid)
            return [found] if found is not None else []
        # A token without `kid` is only acceptable when the choice is unambiguous.
        every = [*self.by_kid.values(), *self.without_kid]
        return every if len(every) == 1 else []


def _is_public_signing_key(jwk: object) -> bool:
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kty"), str):
        return False
    if _PRIVATE_MEMBERS.intersection(jwk):
        return False
    return bool(jwk.get("use", "sig") == "sig")


def key_type_matches(jwk: Mapping[str, Any], algorithm: str) -> bool:
    """True when `jwk` is the kind of key `algorithm` verifies with."""
    expected = KEY_TYPE_FOR_ALGORITHM.get(algorithm)
    if expected is None:
        return False
    kty, crv = expected
    if jwk.get("kty") != kty or (crv is not None and jwk.get("crv") != crv):
        return False
    # A key that declares its algorithm may only be used with that algorithm.
    declared = jwk.get("alg")
    return declared is None or declared == algorithm


def bind_key(jwk: Mapping[str, Any], algorithm: str) -> jwt.PyJWK:
    """Build a verification key bound to `algorithm`; raises KeySetError if they do not fit."""
    if not key_type_matches(jwk, algorithm):
        raise KeySetError("the signing key does not match the token's algorithm")
    try:
        return jwt.PyJWK(dict(jwk), algorithm=algorithm)
    except jwt.PyJWTError as error:
        raise KeySetError("the provider's signing key cannot be loaded") from error
