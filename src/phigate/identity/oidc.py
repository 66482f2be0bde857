"""OIDC access-token (JWT) verification: from a bearer token to a `Principal`.

This module owns discovery of the identity
provider, the cached JWKS (refetched once, rate-limited, when a token names an unknown
key), claim validation and the mapping of claims to a principal. Every rejection, and
every failure to reach the provider, raises `AuthenticationError`: nothing is let
through on a doubt (fail closed). Messages name what was wrong, never the token itself.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from phigate.core import clock
from phigate.core.errors import AuthenticationError
from phigate.identity._jwks import KeySet, KeySetError, bind_key
from phigate.identity.oidc_settings import OidcSettings, check_provider_url
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.subjects import SubjectError, normal_subject

# Real access tokens are a few KiB; anything far larger is refused before parsing.
MAX_TOKEN_CHARS = 16_384
# A provider document larger than this is refused (a JWKS is a few KiB).
MAX_DOCUMENT_BYTES = 1_048_576
# An unknown `kid` triggers at most one JWKS refetch per this many seconds, so a flood
# of tokens with invented key ids cannot turn the gateway into a load generator.
MIN_REFETCH_SECONDS = 30.0
# After the provider failed to answer, refreshes fail fast for this long instead of
# every queued request waiting out its own timeout against a dead provider.
RETRY_AFTER_FAILURE_SECONDS = 5.0
_DISCOVERY_PATH = "/.well-known/openid-configuration"
_REQUIRED_CLAIMS = ("iss", "aud", "exp", "sub")


@dataclass(frozen=True)
class _Cached:
    """A fetched provider document and when (monotonic seconds) it was fetched."""

    value: Any
    fetched_at: float


class OidcVerifier:
    """Verifies OIDC access tokens issued by one provider and returns their principal.

    Use one verifier per event loop. Refreshes of the discovery document and the JWKS
    happen under one asyncio.Lock; cached state is replaced by single assignments of
    immutable snapshots, so concurrent `verify` calls never see a half-updated key set.
    """

    def __init__(
        self,
        settings: OidcSettings,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient(follow_redirects=False)
        self._clock = clock
        self._lock = asyncio.Lock()
        self._discovery: _Cached | None = None
        self._keys: _Cached | None = None
        self._last_keys_attempt = -math.inf
        self._failure: _Cached | None = None  # the last refresh error message, and when

    @property
    def settings(self) -> OidcSettings:
        return self._settings

    async def aclose(self) -> None:
        """Close the HTTP client if this verifier created it."""
        if self._owns_http:
            await self._http.aclose()

    async def verify(self, token: str) -> Principal:
        """The principal a valid access token stands for; AuthenticationError otherwise."""
        header = _unverified_header(token)
        algorithm = self._allowed_algorithm(header)
        kid = header.get("kid")
        key = bind_key_or_reject(await self._signing_key(kid), algorithm)
        claims = self._decode(token, key, algorithm)
        return principal_from_claims(claims, self._settings)

    async def discovery(self) -> dict[str, object]:
        """The provider's discovery document (cached for `jwks_cache_seconds`)."""
        cached = self._discovery
        if cached is None or self._expired(cached):
            async with self._lock:
                if self._discovery is cached:
                    await self._guarded(self._refresh_discovery)
            cached = self._discovery
        assert cached is not None
        return dict(cached.value)

    # -- keys ---------------------------------------------------------------------------

    async def _signing_key(self, kid: object) -> Mapping[str, Any]:
        if kid is not None and not isinstance(kid, str):
            raise AuthenticationError("token header 'kid' must be a string")
        keys = await self._key_set()
        if not keys.has(kid):
            keys = await self._refetch_for_unknown_kid(keys)
        candidates = keys.candidates(kid)
        if not candidates:
            if kid is None:
                raise AuthenticationError(
                    "token has no key id ('kid') and the provider publishes several keys"
                )
            raise AuthenticationError(
                "token is signed with a key the identity provider does not publish"
            )
        return candidates[0]

    async def _key_set(self) -> KeySet:
        cached = self._keys
        if cached is None or self._expired(cached):
            async with self._lock:
                if self._keys is cached:
                    await self._guarded(self._refresh_keys)
            cached = self._keys
        assert cached is not None
        key_set: KeySet = cached.value
        return key_set

    async def _refetch_for_unknown_kid(self, seen: KeySet) -> KeySet:
        """Refetch the JWKS once (key rotation), unless one was attempted very recently."""
        async with self._lock:
            cached = self._keys
            assert cached is not None
            # Someone else refreshed while we waited: use their result, do not refetch.
            recently = self._clock() - self._last_keys_attempt < MIN_REFETCH_SECONDS
            if cached.value is seen and not recently:
                await self._guarded(self._refresh_keys)
            latest: KeySet = self._keys.value if self._keys is not None else seen
            return latest

    async def _guarded(self, refresh: Callable[[], Awaitable[None]]) -> None:
        """Run a refresh (the caller holds the lock), failing fast for a while after a
        failure, so requests queued on the lock do not each wait out a dead provider."""
        failed = self._failure
        if failed is not None and self._clock() - failed.fetched_at < RETRY_AFTER_FAILURE_SECONDS:
            raise AuthenticationError(failed.value)
        try:
            await refresh()
        except AuthenticationError as error:
            self._failure = _Cached(error.message, self._clock())
            raise
        self._failure = None

    async def _refresh_discovery(self) -> None:
        self._discovery = _Cached(await self._fetch_discovery(), self._clock())

    async def _refresh_keys(self) -> None:
        self._last_keys_attempt = self._clock()
        discovery = self._discovery
        if discovery is None or self._expired(discovery):
            await self._refresh_discovery()
            discovery = self._discovery
            assert discovery is not None
        jwks_uri: str = discovery.value["jwks_uri"]
        document = await self._get_json(jwks_uri, "JWKS")
        try:
            key_set = KeySet.from_document(document)
        except KeySetError as error:
            raise AuthenticationError(
                f"identity provider JWKS at {jwks_uri} is unusable: {error}"
            ) from error
        self._keys = _Cached(key_set, self._clock())

    def _expired(self, cached: _Cached) -> bool:
        return self._clock() - cached.fetched_at >= self._settings.jwks_cache_seconds

    # -- provider documents -------------------------------------------------------------

    async def _fetch_discovery(self) -> dict[str, Any]:
        url = self._settings.issuer.rstrip("/") + _DISCOVERY_PATH
        document = await self._get_json(url, "discovery document")
        problem = discovery_problem(document, self._settings.issuer)
        if problem:
            raise AuthenticationError(f"identity provider discovery document at {url} {problem}")
        assert isinstance(document, dict)
        return document

    async def _get_json(self, url: str, what: str) -> object:
        try:
            response = await self._http.get(
                url,
                timeout=self._settings.http_timeout_seconds,
                headers={"Accept": "application/json"},
                follow_redirects=False,
            )
        except httpx.HTTPError as error:
            reason = type(error).__name__
            raise AuthenticationError(
                f"cannot reach the identity provider for its {what} at {url} ({reason})"
            ) from error
        if response.status_code != 200:
            raise AuthenticationError(
                f"identity provider answered HTTP {response.status_code} for its {what} at {url}"
            )
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise AuthenticationError(f"identity provider {what} at {url} is too large")
        try:
            return json.loads(response.content)
        except ValueError as error:
            raise AuthenticationError(
                f"identity provider {what} at {url} is not valid JSON"
            ) from error

    # -- token --------------------------------------------------------------------------

    def _allowed_algorithm(self, header: Mapping[str, Any]) -> str:
        algorithm = header.get("alg")
        # The header only picks among the configured algorithms; it never widens them.
        if not isinstance(algorithm, str) or algorithm not in self._settings.algorithms:
            allowed = ", ".join(self._settings.algorithms)
            raise AuthenticationError(
                f"token signing algorithm is not allowed (allowed: {allowed})"
            )
        return algorithm

    def _decode(self, token: str, key: jwt.PyJWK, algorithm: str) -> dict[str, Any]:
        settings = self._settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=settings.audience,
                issuer=settings.issuer,
                # PyJWT reads this host's clock; widened by the drift so that only the
                # check on the shared clock below decides (PyJWT still checks types).
                leeway=settings.leeway_seconds + abs(clock.offset()),
                options={"require": list(_REQUIRED_CLAIMS), "enforce_minimum_key_length": True},
            )
        except jwt.PyJWTError as error:
            raise AuthenticationError(_rejection_message(error)) from error
        check_times(claims, settings.leeway_seconds)
        return claims


def check_times(claims: Mapping[str, Any], leeway: float) -> None:
    """Judge `exp`, `nbf` and `iat` by the clock every replica shares (`core.clock`),
    as PyJWT judges them by this host's: a replica whose clock drifted behind must not
    accept a token the others see as expired."""
    # Judged conservatively by how well the shared clock is known: a token's end by
    # the latest it may be now, its start by the earliest.
    if float(claims["exp"]) <= clock.latest() - leeway:
        raise AuthenticationError(_rejection_message(jwt.ExpiredSignatureError()))
    earliest = clock.earliest()
    for claim in ("nbf", "iat"):
        if claim in claims and float(claims[claim]) > earliest + leeway:
            raise AuthenticationError(_rejection_message(jwt.ImmatureSignatureError()))


def discovery_problem(document: object, issuer: str) -> str | None:
    """What is wrong with a discovery document, or None when it is usable."""
    if not isinstance(document, dict):
        return "is not a JSON object"
    # OpenID Connect Discovery 1.0 §4.3: the document must name the configured issuer.
    if document.get("issuer") != issuer:
        return "names a different issuer"
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        return "has no jwks_uri"
    try:
        check_provider_url(jwks_uri, "jwks_uri")
    except ValueError as error:
        return f"is unsafe: {error}"
    return None


def bind_key_or_reject(jwk: Mapping[str, Any], algorithm: str) -> jwt.PyJWK:
    try:
        return bind_key(jwk, algorithm)
    except KeySetError as error:
        raise AuthenticationError(f"token rejected: {error}") from error


def _unverified_header(token: object) -> dict[str, Any]:
    if not isinstance(token, str) or not token:
        raise AuthenticationError("no access token was presented")
    if len(token) > MAX_TOKEN_CHARS:
        raise AuthenticationError("access token is too large")
    if token.count(".") != 2:
        raise AuthenticationError(
            "access token is not a signed JWT (expected header.payload.signature)"
        )
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise AuthenticationError("access token is malformed") from error


# Checked in order: subclasses before their bases.
_MESSAGES: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token has expired"),
    (jwt.ImmatureSignatureError, "token is not yet valid (nbf/iat in the future)"),
    (jwt.InvalidAudienceError, "token audience does not match this gateway"),
    (jwt.InvalidIssuerError, "token issuer does not match the configured identity provider"),
    (jwt.InvalidIssuedAtError, "token issued-at time ('iat') is invalid"),
    (jwt.InvalidSignatureError, "token signature is invalid"),
    (jwt.InvalidAlgorithmError, "token signing algorithm is not allowed"),
    (jwt.InvalidKeyError, "the provider's signing key is unusable (too short or malformed)"),
    (jwt.exceptions.InvalidSubjectError, "token 'sub' claim is invalid"),
    (jwt.exceptions.InvalidJTIError, "token 'jti' claim is invalid"),
    (jwt.DecodeError, "access token is malformed"),
)


def _rejection_message(error: jwt.PyJWTError) -> str:
    if isinstance(error, jwt.MissingRequiredClaimError):
        # error.claim is one of our own _REQUIRED_CLAIMS names, not token content.
        return f"token is missing the required '{error.claim}' claim"
    for kind, message in _MESSAGES:
        if isinstance(error, kind):
            return message
    return "token is invalid"


# -- claims -> principal --------------------------------------------------------------


def claim_at(claims: Mapping[str, Any], path: str) -> object:
    """The claim at `path`: a literal claim name first (namespaced claims such as
    'https://example.com/groups' contain dots), else a dotted path through objects."""
    if path in claims:
        return claims[path]
    value: object = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def principal_from_claims(claims: Mapping[str, Any], settings: OidcSettings) -> Principal:
    """Map verified claims to a principal (subject, kind, groups, on_behalf_of).

    A delegated token (RFC 8693 token exchange) names the person in `sub` and the
    party acting for them in `act.sub`. Such a token always authenticates the actor,
    as an agent on behalf of that person, with the actor's own groups: otherwise an
    agent holding an exchanged token would carry the human's rights (their groups,
    approving, running their approved actions). Its kind claim, if configured, says
    what the person is: anything but `human` is refused (`acted_for_not_human`).
    """
    if "act" in claims:
        return _actor(claims, settings)
    kind = _kind(claims, settings.kind_claim)
    return Principal(
        subject=_subject(claims, settings.subject_claim),
        kind=kind,
        groups=_groups(claims, settings.groups_claim),
        # Only an agent acts on someone's behalf; an actor claim on a human or service
        # token does not change who the caller is (see docs/oidc.md).
        on_behalf_of=_on_behalf_of(claims, settings.on_behalf_of_claim)
        if kind is PrincipalKind.AGENT
        else None,
        authenticated_by="oidc",
        valid_until=_expiry(claims, settings),
    )


def _actor(claims: Mapping[str, Any], settings: OidcSettings) -> Principal:
    """The agent named by `act`, acting for the token's subject, with only the groups
    stated inside `act` (the top-level groups are the person's)."""
    actor = claims["act"]
    if not isinstance(actor, Mapping):
        raise AuthenticationError("token claim 'act' must be an object naming the actor")
    subject = _subject(actor, "sub", where="act.sub")
    person = _subject(claims, settings.subject_claim)
    if subject == person:
        raise AuthenticationError("token claim 'act.sub' names the token's own subject")
    groups = _groups(actor, settings.groups_claim, where=f"act.{settings.groups_claim}")
    refused = acted_for_not_human(claims, settings)  # a well-formed token's meaning
    if refused is not None:
        raise AuthenticationError(refused)
    return Principal(
        subject=subject,
        kind=PrincipalKind.AGENT,
        groups=groups,
        on_behalf_of=person,
        authenticated_by="oidc",
        valid_until=_expiry(claims, settings),
    )


def acted_for_not_human(claims: Mapping[str, Any], settings: OidcSettings) -> str | None:
    """Why the party a delegated token (one with `act`) acts for is not known to be a
    human, or None when it is. An agent acts only for a human, the one barred from
    approving its requests: acting for an agent would let the person behind that agent
    approve, and nothing here could see who that is. So, by the token's own claims:
    a nested `act` (an agent that received the delegation from another actor), an
    on-behalf-of claim on the subject (only agents act for someone), and, with
    `kind_claim` configured, a subject whose kind is not stated as `human` (the IdP
    that marks kinds says nothing of this one: fail closed) are refused."""
    actor = claims["act"]
    if isinstance(actor, Mapping) and "act" in actor:
        return (
            "token claim 'act' holds a nested 'act' (a delegation chain): an agent acts "
            "on behalf of a human, never of another agent"
        )
    path = settings.on_behalf_of_claim
    # `act.sub` (the default) names the actor itself, not whom the subject acts for.
    if path is not None and path.split(".")[0] != "act" and claim_at(claims, path) is not None:
        return (
            f"token claim '{path}' says its subject acts on behalf of someone, so it is an "
            "agent; an agent acts on behalf of a human"
        )
    kind = settings.kind_claim
    if kind is not None and claim_at(claims, kind) != PrincipalKind.HUMAN.value:
        return (
            f"token claim '{kind}' does not state that the subject acted for is a human; "
            "an agent acts on behalf of a human"
        )
    return None


def _expiry(claims: Mapping[str, Any], settings: OidcSettings) -> float:
    """When the token stops being accepted: its `exp` (required and checked by the
    decoder, so a number here) plus the leeway the decoder allows."""
    return float(claims["exp"]) + settings.leeway_seconds


def _subject(claims: Mapping[str, Any], path: str, *, where: str | None = None) -> str:
    """A subject claim in its normal form; refused if it holds control or format
    characters (a newline or zero-width space would make one person look like another)."""
    value = _required_string(claims, path, where=where)
    try:
        return normal_subject(value)
    except SubjectError as error:
        raise AuthenticationError(f"token claim '{where or path}': {error}") from error


def _required_string(claims: Mapping[str, Any], path: str, *, where: str | None = None) -> str:
    value = claim_at(claims, path)
    if not isinstance(value, str) or not value.strip():
        raise AuthenticationError(f"token claim '{where or path}' must be a non-empty string")
    return value


def _kind(claims: Mapping[str, Any], path: str | None) -> PrincipalKind:
    if path is None:
        return PrincipalKind.HUMAN
    value = claim_at(claims, path)
    if value is None:
        return PrincipalKind.HUMAN
    for kind in PrincipalKind:
        if value == kind.value:
            return kind
    kinds = ", ".join(kind.value for kind in PrincipalKind)
    raise AuthenticationError(f"token claim '{path}' must be one of {kinds}")


def _groups(claims: Mapping[str, Any], path: str, *, where: str | None = None) -> frozenset[str]:
    value = claim_at(claims, path)
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    raise AuthenticationError(f"token claim '{where or path}' must be a list of group names")


def _on_behalf_of(claims: Mapping[str, Any], path: str | None) -> str | None:
    if path is None:
        return None
    if claim_at(claims, path) is None:
        return None
    return _subject(claims, path)
