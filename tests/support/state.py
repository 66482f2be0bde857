"""State a test reads or assembles beside a gateway, without reaching into it.

The gateway's stores are private to its services. A test that plays another
component of a deployment (a second replica's registry, say) opens the audit log
over the same state database, as that component would in production: the hash
chain lives in the database, so any number of `AuditLog`s may share it.
"""

from __future__ import annotations

from phigate.audit.chain import AuditLog
from phigate.identity.tokens import TokenStore
from phigate.pipeline.gateway import Gateway


def audit_log(gateway: Gateway) -> AuditLog:
    """The audit log over `gateway`'s state database (no signer: it signs nothing)."""
    return AuditLog(gateway.db)


def token_store(gateway: Gateway) -> TokenStore:
    """API tokens over `gateway`'s state database, as `phigate token …` opens them:
    a token created or revoked here is what the gateway authenticates next."""
    key = gateway.settings.secrets.token_hash_key.reveal().encode()
    return TokenStore(gateway.db, key, people=gateway.people)
