"""State a test reads or assembles beside a gateway, without reaching into it.

The gateway's stores are private to its services. A test that plays another
component of a deployment (a second replica's registry, say) opens the audit log
over the same state database, as that component would in production: the hash
chain lives in the database, so any number of `AuditLog`s may share it.
"""

from __future__ import annotations

from phigate.audit.chain import AuditLog
from phigate.gateway import Gateway


def audit_log(gateway: Gateway) -> AuditLog:
    """The audit log over `gateway`'s state database (no signer: it signs nothing)."""
    return AuditLog(gateway.db)
