"""Per-record MACs: proof that a gateway holding the audit key wrote a record.

The hash chain is SHA-256 over public data, so anyone with SQL on the state store can
append a record, compute its hash and move the head; the next checkpoint would then
sign it. Each record therefore also carries HMAC-SHA256 over its chain hash, keyed
from `audit.signing_key` (kept outside the store): the database cannot compute it.
The chain stays plain SHA-256, so exports still verify offline with the public key
alone; MACs are checked by whoever holds the key (checkpoints before signing, and
`phigate audit verify` on the live store). Records written before MACs existed
(migration 0015) carry none; once one record carries a MAC, every later one must.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# A fixed label: the MAC key is the signing key's, bound to this one use.
_LABEL = b"phigate.audit.record-mac.v1"


class RecordMac:
    """Computes and checks the MAC of a record's chain hash."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    @classmethod
    def from_signing_key(cls, private_key: Ed25519PrivateKey) -> RecordMac:
        seed = private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(hmac.new(seed, _LABEL, hashlib.sha256).digest())

    def of(self, chain_hash: str) -> str:
        return hmac.new(self.key, chain_hash.encode(), hashlib.sha256).hexdigest()

    def first_forged(
        self, rows: Iterable[tuple[int, str, str | None]], *, macs_begun: bool
    ) -> tuple[int, str] | None:
        """(sequence, problem) of the first record in (seq, hash, mac) rows a gateway
        holding the key did not write, or None. `macs_begun`: a record before these
        carries a MAC, so each of these must too."""
        for seq, chain_hash, mac in rows:
            if mac is None:
                if macs_begun:
                    return seq, _forged(seq, "has no MAC, though earlier records carry one")
                continue
            macs_begun = True
            if not hmac.compare_digest(mac, self.of(chain_hash)):
                return seq, _forged(seq, "has a MAC that does not match it")
        return None


def _forged(seq: int, why: str) -> str:
    return (
        f"FORGED: record {seq} {why}: it was not written by a gateway holding the "
        "audit key (inserted or altered in the state store)"
    )
