"""OIDC access-token verification against a real local OpenID provider over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pydantic
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.warnings import InsecureKeyLengthWarning

from phigate.core.errors import AuthenticationError
from phigate.identity._jwks import KeySet, KeySetError, key_type_matches
from phigate.identity.oidc import (
    MIN_REFETCH_SECONDS,
    RETRY_AFTER_FAILURE_SECONDS,
    OidcVerifier,
)
from phigate.identity.oidc_settings import OidcSettings
from phigate.identity.principal import PrincipalKind

# tests/ on sys.path, so `support` imports the same way a tests/conftest.py would import it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.oidc_provider import (
    OidcProvider,
    SigningKey,
    oidc_provider,
    pkce_challenge,
    unsigned_token,
)


class FakeClock:
    """Monotonic time the test moves forward, for cache expiry and refetch rate limits."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with oidc_provider() as provider:
        yield provider


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


VerifierFactory = Callable[..., OidcVerifier]


@pytest.fixture
async def make_verifier(idp: OidcProvider, clock: FakeClock) -> AsyncIterator[VerifierFactory]:
    made: list[OidcVerifier] = []

    def make(**overrides: Any) -> OidcVerifier:
        settings = OidcSettings(**({"issuer": idp.issuer, "audience": idp.audience} | overrides))
        verifier = OidcVerifier(settings, clock=clock)
        made.append(verifier)
        return verifier

    yield make
    for verifier in made:
        await verifier.aclose()


@pytest.fixture
def verifier(make_verifier: VerifierFactory) -> OidcVerifier:
    return make_verifier()


async def rejection(verifier: OidcVerifier, token: str) -> str:
    with pytest.raises(AuthenticationError) as caught:
        await verifier.verify(token)
    message = caught.value.message
    for segment in token.split("."):
        assert len(segment) < 8 or segment not in message, "a rejection must never echo the token"
    return message


# -- valid tokens ------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
async def test_valid_token_yields_principal(
    idp: OidcProvider, verifier: OidcVerifier, alg: str
) -> None:
    token = idp.issue(sub="alice", groups=["clinicians", "oncall"], alg=alg)
    principal = await verifier.verify(token)
    assert principal.subject == "alice"
    assert principal.kind is PrincipalKind.HUMAN
    assert principal.groups == frozenset({"clinicians", "oncall"})
    assert principal.on_behalf_of is None
    assert principal.authenticated_by == "oidc"


@pytest.mark.parametrize(
    ("case", "issue_options"),
    [
        ("expired within leeway", {"exp_in": -10}),
        ("nbf within leeway", {"nbf_in": 10}),
        ("audience in a list", {"aud": ["other-api", "phigate"]}),
        ("no kid but one published key", {}),
    ],
)
async def test_accepted_edge_cases(
    idp: OidcProvider, make_verifier: VerifierFactory, case: str, issue_options: dict[str, Any]
) -> None:
    if case.startswith("no kid"):
        # With a single published key, a token without `kid` is unambiguous.
        idp.retire(next(kid for kid in idp.kids if kid.startswith("ec")))
        issue_options = {"include_kid": False}
    principal = await make_verifier().verify(idp.issue(**issue_options))
    assert principal.subject == "alice"


# -- rejected tokens ---------------------------------------------------------------------


def _claims(idp: OidcProvider) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": idp.issuer, "aud": idp.audience, "sub": "mallory", "iat": now, "exp": now + 300}


def _alg_none(idp: OidcProvider) -> str:
    return unsigned_token({"alg": "none", "kid": idp.kids[0]}, _claims(idp), b"")


def _hs256_with_public_key(idp: OidcProvider) -> str:
    """Classic key confusion: HMAC keyed with the RSA public key PEM, kid of the RSA key."""
    rsa_key = idp.key(next(kid for kid in idp.kids if kid.startswith("rsa")))
    header = {"alg": "HS256", "typ": "JWT", "kid": rsa_key.kid}
    unsigned = unsigned_token(header, _claims(idp), b"").rsplit(".", 1)[0]
    signature = hmac.new(rsa_key.public_pem(), unsigned.encode(), hashlib.sha256).digest()
    return unsigned_token(header, _claims(idp), signature)


def _es256_header_on_rsa_kid(idp: OidcProvider) -> str:
    """Allowed algorithm, but the named key is of the wrong type for it."""
    ec_key = idp.key(next(kid for kid in idp.kids if kid.startswith("ec")))
    rsa_kid = next(kid for kid in idp.kids if kid.startswith("rsa"))
    return jwt.encode(_claims(idp), ec_key.private_key, algorithm="ES256", headers={"kid": rsa_kid})


def _unknown_kid(idp: OidcProvider) -> str:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(_claims(idp), stranger, algorithm="RS256", headers={"kid": "ghost"})


def _known_kid_wrong_key(idp: OidcProvider) -> str:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = next(kid for kid in idp.kids if kid.startswith("rsa"))
    return jwt.encode(_claims(idp), stranger, algorithm="RS256", headers={"kid": kid})


def _tampered(idp: OidcProvider) -> str:
    header, _, signature = idp.issue(sub="bob").split(".")
    forged = unsigned_token({}, _claims(idp) | {"sub": "admin"}, b"").split(".")[1]
    return f"{header}.{forged}.{signature}"


def _short_rsa_key(idp: OidcProvider) -> str:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    idp.publish(SigningKey("weak", "RS256", weak))
    with pytest.warns(InsecureKeyLengthWarning):  # PyJWT warns the signer too
        return idp.issue(kid="weak")


def _rs512_not_allowed(idp: OidcProvider) -> str:
    return idp.issue(alg="RS512")


REJECTIONS: list[tuple[str, Callable[[OidcProvider], str], str]] = [
    ("alg none", _alg_none, "algorithm is not allowed"),
    ("HS256 keyed with RSA public key", _hs256_with_public_key, "algorithm is not allowed"),
    ("ES256 header on an RSA kid", _es256_header_on_rsa_kid, "does not match"),
    ("algorithm outside the allow-list", _rs512_not_allowed, "algorithm is not allowed"),
    ("wrong audience", lambda idp: idp.issue(aud="someone-else"), "audience"),
    ("wrong issuer", lambda idp: idp.issue(extra_claims={"iss": "https://evil"}), "issuer"),
    ("expired", lambda idp: idp.issue(exp_in=-120), "expired"),
    ("not yet valid (nbf)", lambda idp: idp.issue(nbf_in=120), "not yet valid"),
    ("issued in the future", lambda idp: idp.issue(extra_claims={"iat": 10**10}), "not yet"),
    ("unknown kid", _unknown_kid, "does not publish"),
    ("known kid, foreign key", _known_kid_wrong_key, "signature is invalid"),
    ("tampered payload", _tampered, "signature is invalid"),
    ("RSA key shorter than 2048 bits", _short_rsa_key, "too short"),
    ("missing exp", lambda idp: idp.issue(exp_in=None), "required 'exp'"),
    ("missing sub", lambda idp: idp.issue(omit=["sub"]), "required 'sub'"),
    ("missing aud", lambda idp: idp.issue(omit=["aud"]), "required 'aud'"),
    ("missing iss", lambda idp: idp.issue(omit=["iss"]), "required 'iss'"),
    ("empty subject", lambda idp: idp.issue(sub=" "), "'sub' must be a non-empty string"),
    (
        "non-string subject",
        lambda idp: idp.issue(extra_claims={"sub": 42}),
        "'sub' claim is invalid",
    ),
    ("no kid, several keys", lambda idp: idp.issue(include_kid=False), "no key id"),
    ("garbage", lambda idp: "not a token at all", "not a signed JWT"),
    ("garbage segments", lambda idp: "a.b.c", "malformed"),
    ("empty", lambda idp: "", "no access token"),
    ("oversized", lambda idp: "a." + "b" * 20_000 + ".c", "too large"),
    (
        "non-string kid",
        lambda idp: unsigned_token({"alg": "RS256", "kid": 7}, _claims(idp), b"x"),
        "malformed",
    ),
]


@pytest.mark.parametrize(
    ("case", "make_token", "expected"), REJECTIONS, ids=[row[0] for row in REJECTIONS]
)
async def test_rejected_tokens(
    idp: OidcProvider,
    verifier: OidcVerifier,
    case: str,
    make_token: Callable[[OidcProvider], str],
    expected: str,
) -> None:
    message = await rejection(verifier, make_token(idp))
    assert expected in message, f"{case}: {message}"


# -- key rotation and caching ------------------------------------------------------------


async def test_rotated_keys_are_picked_up_by_one_refetch(
    idp: OidcProvider, verifier: OidcVerifier, clock: FakeClock
) -> None:
    old_kid = next(kid for kid in idp.kids if kid.startswith("rsa"))
    old_token = idp.issue(kid=old_kid)
    await verifier.verify(old_token)
    assert idp.requests["/jwks"] == 1

    new_kid = next(kid for kid in idp.rotate_keys() if kid.startswith("rsa"))
    clock.advance(MIN_REFETCH_SECONDS + 1)
    principal = await verifier.verify(idp.issue(kid=new_kid))
    assert principal.subject == "alice"
    assert idp.requests["/jwks"] == 2

    # The old key is gone from the JWKS; the refetch just happened, so no new fetch.
    assert "does not publish" in await rejection(verifier, idp.issue(kid=old_kid))
    assert idp.requests["/jwks"] == 2


async def test_unknown_kid_refetch_is_rate_limited(
    idp: OidcProvider, verifier: OidcVerifier, clock: FakeClock
) -> None:
    await verifier.verify(idp.issue())
    new_kid = next(kid for kid in idp.rotate_keys() if kid.startswith("ec"))
    new_token = idp.issue(kid=new_kid)

    # Within the window after the last fetch: rejected without contacting the provider.
    for _ in range(5):
        await rejection(verifier, new_token)
    assert idp.requests["/jwks"] == 1

    clock.advance(MIN_REFETCH_SECONDS)
    assert (await verifier.verify(new_token)).subject == "alice"
    assert idp.requests["/jwks"] == 2
    for _ in range(5):
        await rejection(verifier, _unknown_kid(idp))
    assert idp.requests["/jwks"] == 2


async def test_jwks_and_discovery_are_cached_until_expiry(
    idp: OidcProvider, make_verifier: VerifierFactory, clock: FakeClock
) -> None:
    verifier = make_verifier(jwks_cache_seconds=60)
    for _ in range(3):
        await verifier.verify(idp.issue())
    assert idp.requests == {"/.well-known/openid-configuration": 1, "/jwks": 1}
    clock.advance(61)
    await verifier.verify(idp.issue())
    assert idp.requests == {"/.well-known/openid-configuration": 2, "/jwks": 2}


async def test_concurrent_verifications_share_one_fetch(
    idp: OidcProvider, verifier: OidcVerifier
) -> None:
    tokens = [idp.issue(sub=f"user-{n}") for n in range(20)]
    principals = await asyncio.gather(*(verifier.verify(token) for token in tokens))
    assert [p.subject for p in principals] == [f"user-{n}" for n in range(20)]
    assert idp.requests == {"/.well-known/openid-configuration": 1, "/jwks": 1}


# -- claims -> principal -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups_claim", "claims", "expected"),
    [
        ("realm_access.roles", {"realm_access": {"roles": ["dba", "oncall"]}}, {"dba", "oncall"}),
        ("https://phigate.example/groups", {"https://phigate.example/groups": ["a"]}, {"a"}),
        ("groups", {"groups": "solo"}, {"solo"}),
        ("groups", {}, set()),
        ("realm_access.roles", {"realm_access": "flat"}, set()),
    ],
)
async def test_groups_from_configured_claim(
    idp: OidcProvider,
    make_verifier: VerifierFactory,
    groups_claim: str,
    claims: dict[str, Any],
    expected: set[str],
) -> None:
    verifier = make_verifier(groups_claim=groups_claim)
    principal = await verifier.verify(idp.issue(extra_claims=claims))
    assert principal.groups == frozenset(expected)


async def test_malformed_groups_claim_is_rejected(
    idp: OidcProvider, verifier: OidcVerifier
) -> None:
    message = await rejection(verifier, idp.issue(extra_claims={"groups": ["ok", 42]}))
    assert "'groups' must be a list of group names" in message


@pytest.mark.parametrize(
    ("claims", "subject", "kind", "on_behalf_of"),
    [
        ({"phigate_kind": "agent"}, "agent-7", PrincipalKind.AGENT, None),
        ({"phigate_kind": "agent", "obo": "alice"}, "agent-7", PrincipalKind.AGENT, "alice"),
        ({"phigate_kind": "human", "obo": "bob"}, "agent-7", PrincipalKind.HUMAN, None),
        ({"phigate_kind": "service"}, "agent-7", PrincipalKind.SERVICE, None),
        # An `act` claim (RFC 8693) always makes the actor an agent for the subject,
        # which the kind claim states is a human (else refused: below).
        ({"phigate_kind": "human", "act": {"sub": "bot"}}, "bot", PrincipalKind.AGENT, "agent-7"),
    ],
)
async def test_kind_and_on_behalf_of(
    idp: OidcProvider,
    make_verifier: VerifierFactory,
    claims: dict[str, Any],
    subject: str,
    kind: PrincipalKind,
    on_behalf_of: str | None,
) -> None:
    verifier = make_verifier(kind_claim="phigate_kind", on_behalf_of_claim="obo")
    principal = await verifier.verify(idp.issue(sub="agent-7", extra_claims=claims))
    assert (principal.subject, principal.kind, principal.on_behalf_of) == (
        subject,
        kind,
        on_behalf_of,
    )


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"phigate_kind": "root"}, "'phigate_kind' must be one of human, agent, service"),
        ({"phigate_kind": "agent", "act": {"sub": 5}}, "'act.sub' must be a non-empty string"),
        # The party an agent acts for must be a human, by the token's own claims.
        ({"act": {"sub": "bot"}}, "does not state that the subject acted for is a human"),
        ({"phigate_kind": "agent", "act": {"sub": "bot"}}, "does not state that the subject"),
        ({"phigate_kind": "service", "act": {"sub": "b"}}, "does not state that the subject"),
        (
            {"phigate_kind": "human", "act": {"sub": "bot", "act": {"sub": "planner-bot"}}},
            "a nested 'act' (a delegation chain)",
        ),
        ({"act": "bot"}, "'act' must be an object"),
        ({"act": {"sub": "alice"}}, "'act.sub' names the token's own subject"),
        ({"act": {"sub": "bot", "groups": [1]}}, "'act.groups' must be a list of group names"),
    ],
)
async def test_bad_kind_or_actor_claims_are_rejected(
    idp: OidcProvider, make_verifier: VerifierFactory, claims: dict[str, Any], expected: str
) -> None:
    verifier = make_verifier(kind_claim="phigate_kind")
    assert expected in await rejection(verifier, idp.issue(extra_claims=claims))


async def test_an_exchanged_token_whose_subject_acts_for_someone_is_refused(
    idp: OidcProvider, make_verifier: VerifierFactory
) -> None:
    """`sub` carries an on-behalf-of claim: the subject is itself an agent acting for
    someone, so the actor would act for an agent (with or without `kind_claim`)."""
    claims = {"obo": "dana", "act": {"sub": "sub-bot"}}
    for kind_claim in (None, "phigate_kind"):
        verifier = make_verifier(kind_claim=kind_claim, on_behalf_of_claim="obo")
        message = await rejection(verifier, idp.issue(sub="planner-bot", extra_claims=claims))
        assert "'obo' says its subject acts on behalf of someone" in message


async def test_a_nested_act_is_refused_without_kind_claim(
    idp: OidcProvider, verifier: OidcVerifier
) -> None:
    chain = {"act": {"sub": "sub-bot", "act": {"sub": "planner-bot"}}}
    message = await rejection(verifier, idp.issue(sub="dana", extra_claims=chain))
    assert "nested 'act'" in message


async def test_subject_from_configured_claim(
    idp: OidcProvider, make_verifier: VerifierFactory
) -> None:
    verifier = make_verifier(subject_claim="preferred_username")
    token = idp.issue(sub="00u1abc", extra_claims={"preferred_username": "alice@example.org"})
    assert (await verifier.verify(token)).subject == "alice@example.org"


# -- provider failures fail closed -------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_provider_fails_closed(idp: OidcProvider) -> None:
    settings = OidcSettings(
        issuer=f"http://127.0.0.1:{_closed_port()}", audience="phigate", http_timeout_seconds=2
    )
    verifier = OidcVerifier(settings)
    try:
        message = await rejection(verifier, idp.issue())
        assert "cannot reach the identity provider" in message
        with pytest.raises(AuthenticationError, match="cannot reach"):
            await verifier.discovery()
    finally:
        await verifier.aclose()


async def test_provider_outage_after_cache_expiry_fails_closed(
    idp: OidcProvider, verifier: OidcVerifier, clock: FakeClock
) -> None:
    token = idp.issue()
    await verifier.verify(token)
    idp.outage = HTTPStatus.SERVICE_UNAVAILABLE
    clock.advance(verifier.settings.jwks_cache_seconds)
    idp.requests.clear()

    # Expired keys are not used past their lifetime; concurrent requests fail fast
    # after one attempt instead of each waiting on the dead provider.
    results = await asyncio.gather(
        *(verifier.verify(token) for _ in range(10)), return_exceptions=True
    )
    assert all(isinstance(result, AuthenticationError) for result in results)
    assert all("HTTP 503" in str(result) for result in results)
    assert sum(idp.requests.values()) == 1

    idp.outage = None
    assert "HTTP 503" in await rejection(verifier, token)  # still backing off
    clock.advance(RETRY_AFTER_FAILURE_SECONDS)
    assert (await verifier.verify(token)).subject == "alice"


async def test_discovery_naming_another_issuer_is_refused(
    idp: OidcProvider, make_verifier: VerifierFactory
) -> None:
    # Same discovery URL, but the document's issuer is not the configured string.
    verifier = make_verifier(issuer=idp.issuer + "/")
    assert "names a different issuer" in await rejection(verifier, idp.issue())


async def test_discovery_document_is_served_and_cached(
    idp: OidcProvider, verifier: OidcVerifier
) -> None:
    first = await verifier.discovery()
    second = await verifier.discovery()
    assert first == second
    assert first["authorization_endpoint"] == f"{idp.issuer}/authorize"
    assert first["token_endpoint"] == f"{idp.issuer}/token"
    assert idp.requests["/.well-known/openid-configuration"] == 1


# -- settings validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"algorithms": ["none"]}, "never allowed"),
        ({"algorithms": ["RS256", "HS256"]}, "symmetric"),
        ({"algorithms": ["hs512"]}, "symmetric"),
        ({"algorithms": []}, "at least one"),
        ({"algorithms": ["RS1"]}, "not supported"),
        ({"issuer": "http://idp.example.com"}, "https://"),
        ({"issuer": "idp.example.com"}, "https://"),
        ({"audience": ""}, "audience"),
        ({"audience": []}, "audience"),
        ({"groups_claim": "realm_access..roles"}, "dotted path"),
        ({"leeway_seconds": -1}, "greater than or equal"),
        ({"surprise": True}, "Extra inputs"),
    ],
)
def test_settings_validation(overrides: dict[str, Any], expected: str) -> None:
    fields = {"issuer": "https://idp.example.com", "audience": "phigate"} | overrides
    with pytest.raises(pydantic.ValidationError, match=expected):
        OidcSettings(**fields)


@pytest.mark.parametrize(
    "issuer", ["https://idp.example.com/realms/x", "http://localhost:8080", "http://[::1]:9"]
)
def test_settings_accept_https_and_loopback(issuer: str) -> None:
    assert OidcSettings(issuer=issuer, audience="phigate").algorithms == ["RS256", "ES256"]


# -- the provider's authorization code + PKCE flow (for console sign-in) -----------------


async def _authorize(idp: OidcProvider, http: httpx.AsyncClient, challenge: str) -> str:
    response = await http.get(
        f"{idp.issuer}/authorize",
        params={
            "response_type": "code",
            "client_id": idp.client_id,
            "redirect_uri": idp.redirect_uris[0],
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "s-1",
            "nonce": "n-1",
            "scope": "openid",
        },
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["s-1"]
    return query["code"][0]


async def _redeem(
    idp: OidcProvider, http: httpx.AsyncClient, code: str, verifier: str
) -> httpx.Response:
    return await http.post(
        f"{idp.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": idp.client_id,
            "redirect_uri": idp.redirect_uris[0],
            "code_verifier": verifier,
        },
    )


async def test_authorization_code_with_pkce(idp: OidcProvider, verifier: OidcVerifier) -> None:
    code_verifier = "v" * 64
    async with httpx.AsyncClient() as http:
        code = await _authorize(idp, http, pkce_challenge(code_verifier))
        assert (await _redeem(idp, http, code, "w" * 64)).json()["error"] == "invalid_grant"

        code = await _authorize(idp, http, pkce_challenge(code_verifier))
        answer = await _redeem(idp, http, code, code_verifier)
        assert answer.status_code == 200
        replay = await _redeem(idp, http, code, code_verifier)
        assert replay.json()["error"] == "invalid_grant"

    tokens = answer.json()
    principal = await verifier.verify(tokens["access_token"])
    assert (principal.subject, principal.groups) == ("alice", frozenset({"clinicians"}))
    id_claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert (id_claims["aud"], id_claims["nonce"]) == (idp.client_id, "n-1")
    assert "audience" in await rejection(verifier, tokens["id_token"])


async def test_authorize_requires_pkce(idp: OidcProvider) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{idp.issuer}/authorize",
            params={
                "response_type": "code",
                "client_id": idp.client_id,
                "redirect_uri": idp.redirect_uris[0],
            },
        )
    assert response.status_code == 400
    assert "PKCE" in json.loads(response.content)["detail"]


# -- key selection (the second line of defence against algorithm confusion) --------------

RSA_JWK = {"kty": "RSA", "n": "AQAB", "e": "AQAB"}
P256_JWK = {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}


@pytest.mark.parametrize(
    ("jwk", "algorithm", "matches"),
    [
        (RSA_JWK, "RS256", True),
        (RSA_JWK, "PS384", True),
        (RSA_JWK, "ES256", False),
        (RSA_JWK, "HS256", False),
        (RSA_JWK | {"alg": "RS512"}, "RS256", False),
        (P256_JWK, "ES256", True),
        (P256_JWK, "ES384", False),
        (P256_JWK | {"crv": "P-384"}, "ES256", False),
        ({"kty": "oct", "k": "c2VjcmV0"}, "HS256", False),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AA"}, "EdDSA", True),
    ],
)
def test_key_type_must_match_algorithm(jwk: dict[str, str], algorithm: str, matches: bool) -> None:
    assert key_type_matches(jwk, algorithm) is matches


def test_key_set_ignores_symmetric_private_and_encryption_keys() -> None:
    document = {
        "keys": [
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            RSA_JWK | {"kid": "leaked", "d": "AA"},
            RSA_JWK | {"kid": "enc", "use": "enc"},
            RSA_JWK | {"kid": "good"},
            "not a key",
        ]
    }
    assert list(KeySet.from_document(document).by_kid) == ["good"]
    with pytest.raises(KeySetError, match="no public signing keys"):
        KeySet.from_document({"keys": document["keys"][:3]})
    with pytest.raises(KeySetError, match="no 'keys' list"):
        KeySet.from_document({"keys": "nope"})


def test_every_setting_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "oidc.md").read_text()
    missing = [name for name in OidcSettings.model_fields if f"| `{name}` |" not in docs]
    assert not missing, f"settings missing from docs/oidc.md: {missing}"


async def test_exchanged_token_authenticates_the_actor_not_the_person(
    idp: OidcProvider, verifier: OidcVerifier
) -> None:
    """RFC 8693: sub is the person, act.sub the agent; the caller is the agent."""
    token = idp.issue(sub="dana", extra_claims={"act": {"sub": "claims-bot"}})
    principal = await verifier.verify(token)
    assert (principal.subject, principal.kind, principal.on_behalf_of) == (
        "claims-bot",
        PrincipalKind.AGENT,
        "dana",
    )
    assert not principal.is_human  # so it can never approve, whatever its groups
