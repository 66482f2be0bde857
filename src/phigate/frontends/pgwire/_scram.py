"""SCRAM-SHA-256 (RFC 5802 / 7677) without channel binding, both sides, sans-IO.

`ScramClient` logs the gateway in to the upstream with its own credentials.
`ScramServer` verifies a client against a stored verifier (salt, iteration
count, StoredKey, ServerKey). A SCRAM server can only check a password it has
a verifier for, so for phigate tokens (hashed at rest, or OIDC tokens minted
elsewhere) the wire front door asks for the token as a cleartext password
over TLS instead; `ScramServer` serves verifiers registered for wire users.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

MECHANISM = "SCRAM-SHA-256"


class ScramError(Exception):
    """The exchange failed: bad proof, bad signature or malformed message."""


def _hmac(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _attrs(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(","):
        if len(part) < 2 or part[1] != "=":
            raise ScramError(f"malformed SCRAM attribute {part[:10]!r}")
        out[part[0]] = part[2:]
    return out


@dataclass(frozen=True)
class Verifier:
    """What a server stores for a password: never the password itself."""

    salt: bytes
    iterations: int
    stored_key: bytes
    server_key: bytes

    @classmethod
    def from_password(
        cls, password: str, *, iterations: int = 4096, salt: bytes | None = None
    ) -> Verifier:
        salt = salt or secrets.token_bytes(16)
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
        return cls(salt, iterations, _h(_hmac(salted, b"Client Key")), _hmac(salted, b"Server Key"))


class ScramClient:
    """Client side: first() → server-first → final(server_first) → verify(server_final)."""

    def __init__(self, password: str) -> None:
        self._password = password.encode()
        self._nonce = base64.b64encode(secrets.token_bytes(18)).decode()
        self._first_bare = f"n=,r={self._nonce}"
        self._server_signature = b""

    def first(self) -> bytes:
        return f"n,,{self._first_bare}".encode()

    def final(self, server_first: bytes) -> bytes:
        text = server_first.decode()
        attrs = _attrs(text)
        nonce, salt, iterations = attrs["r"], base64.b64decode(attrs["s"]), int(attrs["i"])
        if not nonce.startswith(self._nonce) or iterations < 1:
            raise ScramError("the server's nonce or iteration count is invalid")
        salted = hashlib.pbkdf2_hmac("sha256", self._password, salt, iterations)
        client_key = _hmac(salted, b"Client Key")
        without_proof = f"c=biws,r={nonce}"
        auth_message = f"{self._first_bare},{text},{without_proof}".encode()
        proof = _xor(client_key, _hmac(_h(client_key), auth_message))
        self._server_signature = _hmac(_hmac(salted, b"Server Key"), auth_message)
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final: bytes) -> None:
        attrs = _attrs(server_final.decode())
        if "v" not in attrs or not hmac.compare_digest(
            base64.b64decode(attrs["v"]), self._server_signature
        ):
            raise ScramError("the server's signature does not verify")


class ScramServer:
    """Server side: first(client_first) → server-first; final(client_final) → server-final."""

    def __init__(self, verifier: Verifier) -> None:
        self._verifier = verifier
        self._nonce = ""
        self._client_first_bare = ""
        self._server_first = ""

    def first(self, client_first: bytes) -> bytes:
        text = client_first.decode()
        if not text.startswith(("n,,", "y,,")):
            raise ScramError("channel binding is not supported")
        self._client_first_bare = text[3:]
        client_nonce = _attrs(self._client_first_bare)["r"]
        self._nonce = client_nonce + base64.b64encode(secrets.token_bytes(18)).decode()
        salt = base64.b64encode(self._verifier.salt).decode()
        self._server_first = f"r={self._nonce},s={salt},i={self._verifier.iterations}"
        return self._server_first.encode()

    def final(self, client_final: bytes) -> bytes:
        text = client_final.decode()
        without_proof, _, proof_part = text.rpartition(",p=")
        attrs = _attrs(without_proof)
        if attrs.get("r") != self._nonce or attrs.get("c") not in ("biws", "eSws"):
            raise ScramError("nonce or channel binding mismatch")
        auth_message = f"{self._client_first_bare},{self._server_first},{without_proof}".encode()
        signature = _hmac(self._verifier.stored_key, auth_message)
        try:
            proof = base64.b64decode(proof_part, validate=True)
            client_key = _xor(proof, signature)
        except ValueError as exc:
            raise ScramError("malformed client proof") from exc
        if not hmac.compare_digest(_h(client_key), self._verifier.stored_key):
            raise ScramError("password authentication failed")
        server_signature = _hmac(self._verifier.server_key, auth_message)
        return f"v={base64.b64encode(server_signature).decode()}".encode()
