"""Per-record MACs: proof that a gateway holding the audit key wrote a record.

The hash chain is SHA-256 over public data, so anyone with SQL on the state store can
append a record, compute its hash and move the head; the next checkpoint would then
sign it. Each record therefore also carries HMAC-SHA256 over its chain hash, keyed
from `audit.signing_key` (kept outside the store): the database cannot compute it.
The chain stays plain SHA-256, so exports still verify offline with the public key
alone; MACs are checked by whoever holds the key (checkpoints before signing, and
`phigate audit verify` on the live store). A record covered by a checkpoint signed
with a trusted key (the current or a previous one) is proven by that signature, so
it may carry no MAC (written before 0015) or one under a replaced key; every record
after the latest such checkpoint must carry a valid MAC under the current key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
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
        self, rows: Iterable[tuple[int, str, object]], *, proven_until: int
    ) -> tuple[int, str] | None:
        """(sequence, problem) of the first record in (seq, hash, mac) rows a gateway
        holding the key did not write, or None. Records up to `proven_until` are covered
        by a trusted signed checkpoint, which proves them (whichever key MAC'd them; the
        signer checked before signing): only a MAC no gateway writes fails them there.
        After it, each record must carry a valid MAC under this key; what record carries
        one is not the rule, since the store is the insider's to edit."""
        for seq, chain_hash, mac in rows:
            problem = self._problem(seq, chain_hash, mac, demanded=seq > proven_until)
            if problem is not None:
                return seq, _forged(seq, problem)
        return None

    def _problem(self, seq: int, chain_hash: str, mac: object, *, demanded: bool) -> str | None:
        if mac is None:
            return "has no MAC, though it follows the last signed checkpoint" if demanded else None
        # Whatever SQL put in the column (text of any kind, bytes) is data, never a crash.
        if not isinstance(mac, str) or _HEX_MAC.fullmatch(mac) is None:
            return "has a malformed MAC (no gateway writes one like it)"
        if demanded and not hmac.compare_digest(mac, self.of(chain_hash)):
            return f"has a MAC that does not match it{_ROTATED}"
        return None


_HEX_MAC = re.compile(r"[0-9a-f]{64}")
# A MAC under a replaced audit key looks just like a forgery: say what tells them apart.
_ROTATED = (
    " (or audit.signing_key was replaced after this record was written, with no "
    "checkpoint signed by the old key covering it: with the old key as "
    "audit.signing_key, run `phigate audit checkpoint --at N`, N the last record it "
    "wrote; see docs/configuration.md, replacing the audit key)"
)


def _forged(seq: int, why: str) -> str:
    return (
        f"FORGED: record {seq} {why}: it was not written by a gateway holding the "
        "audit key (inserted or altered in the state store)"
    )
