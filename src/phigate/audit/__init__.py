"""The audit log: append-only, hash-chained, signed checkpoints of its head,
verifiable offline, exportable."""

from __future__ import annotations

from phigate.audit._canonical import canonical_json
from phigate.audit.chain import AuditLog, verify_records
from phigate.audit.checkpoint import Checkpoint, CheckpointSigner
from phigate.audit.export import parse_export_line, verify_export
from phigate.audit.verification import Verification

__all__ = [
    "AuditLog",
    "Checkpoint",
    "CheckpointSigner",
    "Verification",
    "canonical_json",
    "parse_export_line",
    "verify_export",
    "verify_records",
]
