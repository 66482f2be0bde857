"""The audit log: append-only, hash-chained, verifiable offline, exportable."""

from __future__ import annotations

from phigate.audit.chain import (
    AuditLog,
    Verification,
    canonical_json,
    parse_export_line,
    verify_records,
)

__all__ = ["AuditLog", "Verification", "canonical_json", "parse_export_line", "verify_records"]
