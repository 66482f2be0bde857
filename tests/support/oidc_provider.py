"""A local OpenID provider stand-in for tests: a real HTTP server on 127.0.0.1.

It serves the discovery document and a JWKS, signs access tokens with RSA and EC keys it
holds, can rotate those keys, can fake an outage, and implements a minimal authorization
code + PKCE (S256) flow (`/authorize` auto-approves the configured user, `/token` checks
the `code_verifier`) for console sign-in tests.

    with oidc_provider() as idp:
        token = idp.issue(sub="alice", groups=["clinicians"])
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

DEFAULT_AUDIENCE = "phigate"
DEFAULT_CLIENT_ID = "phigate-console"
_CODE_LIFETIME_SECONDS = 60


@dataclass
class SigningKey:
    kid: str
    alg: str
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def public_jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.alg)
        jwk: dict[str, Any] = json.loads(algorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@functools.cache
def _new_key(alg: str, generation: int) -> SigningKey:
    """Keys are cached per (alg, generation): key generation dominates test time, and
    providers in one test run may share keys (each has its own issuer anyway)."""
    if alg.startswith(("RS", "PS")):
        private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = rsa.generate_private_key(
            public_exponent=65537, key_size=2048
        )
        return SigningKey(f"rsa-{generation}", alg, private)
    return SigningKey(f"ec-{generation}", alg, ec.generate_private_key(ec.SECP256R1()))


@dataclass
class _Grant:
    """An authorization code waiting to be redeemed at /token."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    scope: str
    expires_at: float


@dataclass
class OidcProvider:
    """The provider's state; the HTTP handler reads it under `lock`."""

    audience: str = DEFAULT_AUDIENCE
    client_id: str = DEFAULT_CLIENT_ID
    redirect_uris: Sequence[str] = ("http://127.0.0.1/ui/callback",)
    login_subject: str = "alice"
    login_groups: Sequence[str] = ("clinicians",)
    issuer: str = ""
    outage: HTTPStatus | None = None  # answer every request with this status while set
    requests: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _generation: int = 1
    _keys: dict[str, SigningKey] = field(default_factory=dict)
    _retired: dict[str, SigningKey] = field(default_factory=dict)
    _grants: dict[str, _Grant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._keys = self._fresh_keys()

    def _fresh_keys(self) -> dict[str, SigningKey]:
        keys = (_new_key("RS256", self._generation), _new_key("ES256", self._generation))
        return {key.kid: key for key in keys}

    # -- keys ---------------------------------------------------------------------------

    @property
    def kids(self) -> list[str]:
        with self.lock:
            return list(self._keys)

    def key(self, kid: str) -> SigningKey:
        with self.lock:
            return self._keys.get(kid) or self._retired[kid]

    def rotate_keys(self) -> list[str]:
        """Replace every published key with a new one (new kids); old keys can still sign."""
        with self.lock:
            self._retired.update(self._keys)
            self._generation += 1
            self._keys = self._fresh_keys()
            return list(self._keys)

    def publish(self, key: SigningKey) -> None:
        """Publish (and sign with) an extra key, e.g. a deliberately weak one."""
        with self.lock:
            self._keys[key.kid] = key

    def retire(self, kid: str) -> None:
        """Stop publishing one key; it can still sign (tokens the gateway must refuse)."""
        with self.lock:
            self._retired[kid] = self._keys.pop(kid)

    def jwks(self) -> dict[str, Any]:
        with self.lock:
            return {"keys": [key.public_jwk() for key in self._keys.values()]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/jwks",
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
        }

    # -- tokens -------------------------------------------------------------------------

    def issue(
        self,
        sub: str = "alice",
        groups: Sequence[str] | None = None,
        aud: str | list[str] | None = None,
        exp_in: int | None = 300,
        nbf_in: int | None = None,
        kid: str | None = None,
        alg: str | None = None,
        extra_claims: Mapping[str, Any] | None = None,
        *,
        omit: Sequence[str] = (),
        include_kid: bool = True,
    ) -> str:
        """A signed access token. `aud` defaults to the provider's audience, `exp_in=None`
        leaves out `exp`, `omit` drops any claim, `extra_claims` add or override."""
        signing = self._signing_key(kid, alg)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": sub,
            "aud": aud if aud is not None else self.audience,
            "iat": now,
            "jti": secrets.token_hex(8),
        }
        if groups is not None:
            claims["groups"] = list(groups)
        if exp_in is not None:
            claims["exp"] = now + exp_in
        if nbf_in is not None:
            claims["nbf"] = now + nbf_in
        claims |= dict(extra_claims or {})
        for name in omit:
            claims.pop(name, None)
        headers = {"kid": signing.kid} if include_kid else {}
        return jwt.encode(
            claims, signing.private_key, algorithm=alg or signing.alg, headers=headers
        )

    def _signing_key(self, kid: str | None, alg: str | None) -> SigningKey:
        if kid is not None:
            return self.key(kid)
        family = "EC" if alg is not None and alg.startswith("ES") else "RSA"
        with self.lock:
            for key in self._keys.values():
                if key.kid.startswith(family.lower()):
                    return key
        raise LookupError(f"no {family} key")

    # -- authorization code + PKCE ------------------------------------------------------

    def authorize(self, query: Mapping[str, str]) -> tuple[HTTPStatus, dict[str, str]]:
        """Auto-approve `login_subject`: returns (302, Location) or (400, error)."""
        problem = self._authorize_problem(query)
        if problem:
            return HTTPStatus.BAD_REQUEST, {"error": "invalid_request", "detail": problem}
        code = secrets.token_urlsafe(24)
        with self.lock:
            self._grants[code] = _Grant(
                client_id=query["client_id"],
                redirect_uri=query["redirect_uri"],
                code_challenge=query["code_challenge"],
                nonce=query.get("nonce"),
                scope=query.get("scope", "openid"),
                expires_at=time.monotonic() + _CODE_LIFETIME_SECONDS,
            )
        params = {"code": code} | ({"state": query["state"]} if "state" in query else {})
        return HTTPStatus.FOUND, {"Location": f"{query['redirect_uri']}?{urlencode(params)}"}

    def _authorize_problem(self, query: Mapping[str, str]) -> str | None:
        if query.get("response_type") != "code":
            return "response_type must be code"
        if query.get("client_id") != self.client_id:
            return "unknown client_id"
        if query.get("redirect_uri") not in self.redirect_uris:
            return "redirect_uri is not registered"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return "PKCE with code_challenge_method=S256 is required"
        return None

    def exchange(self, form: Mapping[str, str]) -> tuple[HTTPStatus, dict[str, Any]]:
        """Redeem an authorization code (once) for an access token and an ID token."""
        with self.lock:
            grant = self._grants.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code":
            return HTTPStatus.BAD_REQUEST, {"error": "unsupported_grant_type"}
        if grant is None or grant.expires_at < time.monotonic():
            return HTTPStatus.BAD_REQUEST, {"error": "invalid_grant"}
        if (
            form.get("client_id") != grant.client_id
            or form.get("redirect_uri") != grant.redirect_uri
        ):
            return HTTPStatus.BAD_REQUEST, {"error": "invalid_grant"}
        if pkce_challenge(form.get("code_verifier", "")) != grant.code_challenge:
            return HTTPStatus.BAD_REQUEST, {"error": "invalid_grant", "detail": "PKCE failed"}
        return HTTPStatus.OK, self._token_response(grant)

    def _token_response(self, grant: _Grant) -> dict[str, Any]:
        access = self.issue(sub=self.login_subject, groups=list(self.login_groups))
        id_claims = {"nonce": grant.nonce} if grant.nonce else {}
        id_token = self.issue(sub=self.login_subject, aud=grant.client_id, extra_claims=id_claims)
        return {
            "access_token": access,
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": grant.scope,
        }


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def unsigned_token(header: Mapping[str, Any], claims: Mapping[str, Any], signature: bytes) -> str:
    """Assemble a JWT from parts, for forging attack tokens (alg=none, HS256 confusion)."""
    parts = [
        _b64(json.dumps(header).encode()),
        _b64(json.dumps(claims).encode()),
        _b64(signature),
    ]
    return ".".join(parts)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        provider = self.server.provider
        if self._count_and_check_outage(url.path):
            return
        if url.path == "/.well-known/openid-configuration":
            self._json(HTTPStatus.OK, provider.discovery())
        elif url.path == "/jwks":
            self._json(HTTPStatus.OK, provider.jwks())
        elif url.path == "/authorize":
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            status, answer = provider.authorize(query)
            if status is HTTPStatus.FOUND:
                self._send(status, b"", {"Location": answer["Location"]})
            else:
                self._json(status, answer)
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if self._count_and_check_outage(url.path):
            return
        if url.path != "/token":
            self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("ascii", "replace")
        form = {name: values[0] for name, values in parse_qs(body).items()}
        self._json(*self.server.provider.exchange(form))

    def _count_and_check_outage(self, path: str) -> bool:
        provider = self.server.provider
        with provider.lock:
            provider.requests[path] = provider.requests.get(path, 0) + 1
            outage = provider.outage
        if outage is not None:
            self._json(outage, {"error": "outage"})
        return outage is not None

    def _json(self, status: HTTPStatus, document: Mapping[str, Any]) -> None:
        body = json.dumps(document).encode()
        self._send(status, body, {"Content-Type": "application/json"})

    def _send(self, status: HTTPStatus, body: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    provider: OidcProvider


@contextmanager
def oidc_provider(**options: Any) -> Iterator[OidcProvider]:
    """Run an `OidcProvider(**options)` on 127.0.0.1 (random port) for the block."""
    provider = OidcProvider(**options)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.provider = provider
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval keeps shutdown (and so each test using the provider) fast.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.02},
        name="oidc-provider",
        daemon=True,
    )
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
