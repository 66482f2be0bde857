"""Signed checkpoints of the audit chain: the claim "the log held N records, the last
with hash H, at time T", signed with Ed25519.

The hash chain alone shows that no record was altered, removed or reordered, but
not that none were cut off the end: a prefix of a valid chain is a valid chain,
and anyone can extend one. A checkpoint signed with a key only the gateway holds
makes the length a claim nobody else can forge. This module owns the checkpoint's
wire form, its signature, and how keys are read; it does no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from phigate.audit._canonical import canonical_json
from phigate.core import clock
from phigate.core.errors import ConfigError

# Signed along with the fields, so a signature over anything else never passes as one.
_PURPOSE = "phigate.audit.checkpoint.v1"
_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.DOTALL)
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


def key_id(public_key: bytes) -> str:
    """The fingerprint by which a key is named: SHA-256 of its raw 32 bytes, hex."""
    return hashlib.sha256(public_key).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    ts: float
    public_key: str  # raw Ed25519 public key, base64
    signature: str  # base64

    @property
    def key_id(self) -> str:
        return key_id(_b64(self.public_key))

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "ts": self.ts,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, value: Any) -> Checkpoint:
        """Read a checkpoint; raise ValueError naming what is missing or malformed."""
        if not isinstance(value, dict):
            raise ValueError("the checkpoint is not an object")
        try:
            return cls(
                seq=_typed(value, "seq", int),
                hash=_typed(value, "hash", str),
                ts=float(_typed(value, "ts", (int, float))),
                public_key=_typed(value, "public_key", str),
                signature=_typed(value, "signature", str),
            )
        except KeyError as exc:
            raise ValueError(f"the checkpoint has no valid {exc.args[0]!r}") from exc


def signed_bytes(seq: int, head_hash: str, ts: float, public_key: str) -> bytes:
    claim = {"purpose": _PURPOSE, "seq": seq, "hash": head_hash, "ts": ts, "key": public_key}
    return canonical_json(claim).encode()


class CheckpointSigner:
    """Holds the private key; signs checkpoints of a chain head."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.private_key = private_key  # also keys the records' MACs (phigate.audit.mac)
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_key = base64.b64encode(raw).decode()
        self.key_id = key_id(raw)

    @classmethod
    def from_pem(cls, text: str, *, where: str = "audit.signing_key") -> CheckpointSigner:
        return cls(load_private_key(text, where=where))

    def sign(self, seq: int, head_hash: str, ts: float | None = None) -> Checkpoint:
        ts = round(clock.now() if ts is None else ts, 6)
        message = signed_bytes(seq, head_hash, ts, self.public_key)
        signature = base64.b64encode(self._key.sign(message)).decode()
        return Checkpoint(seq, head_hash, ts, self.public_key, signature)

    def public_pem(self) -> str:
        public = self._key.public_key()
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode()


def signature_problem(checkpoint: Checkpoint, trusted: frozenset[str] | None) -> str | None:
    """Why the checkpoint cannot be believed, or None. `trusted` holds key ids; None
    accepts any key that verifies (the caller then says whose key it was)."""
    try:
        cp = checkpoint
        public = Ed25519PublicKey.from_public_bytes(_b64(cp.public_key))
        public.verify(_b64(cp.signature), signed_bytes(cp.seq, cp.hash, cp.ts, cp.public_key))
    except (ValueError, InvalidSignature):
        return (
            f"the checkpoint at sequence {checkpoint.seq} has a bad signature "
            "(forged, altered or mis-signed)"
        )
    if trusted is not None and checkpoint.key_id not in trusted:
        return (
            f"the checkpoint at sequence {checkpoint.seq} is signed by key "
            f"{checkpoint.key_id}, which is not the trusted key"
        )
    return None


def generate_private_key_pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def load_private_key(text: str, *, where: str) -> Ed25519PrivateKey:
    """A PEM (PKCS#8) Ed25519 private key, or its raw 32-byte seed in base64."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(_b64(text))
    except (ValueError, TypeError, binascii.Error):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(
            f"{where}: not an Ed25519 private key (expected PEM, PKCS#8, unencrypted, "
            "or the 32-byte seed in base64)"
        )
    return key


def trusted_key_id(text: str, *, where: str) -> str:
    """The key id named by a public key file: PEM public or private key, raw public key
    in base64, or the 64-hex-digit key id itself."""
    text = text.strip()
    if _FINGERPRINT.match(text.lower()):
        return text.lower()
    block = _PEM_BLOCK.search(text)
    if block is not None and "PRIVATE" in block.group(0):
        return CheckpointSigner(load_private_key(block.group(0), where=where)).key_id
    try:
        if block is not None:
            public = serialization.load_pem_public_key(block.group(0).encode())
            if not isinstance(public, Ed25519PublicKey):
                raise ValueError("not Ed25519")
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            raw = Ed25519PublicKey.from_public_bytes(_b64(text)).public_bytes_raw()
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ConfigError(
            f"{where}: not an Ed25519 public key (PEM, raw base64) or its key id"
        ) from exc
    return key_id(raw)


def _b64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


def _typed(value: dict[str, Any], name: str, kind: Any) -> Any:
    item = value.get(name)
    if not isinstance(item, kind) or isinstance(item, bool):
        raise KeyError(name)
    return item
