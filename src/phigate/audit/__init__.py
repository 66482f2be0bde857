"""The audit log: append-only, hash-chained, signed checkpoints of its head,
verifiable offline, exportable.

Import from the module that owns each part; this package's __init__ stays
import-free because `phigate.config` checks trusted keys with `.checkpoint`
and must not load the log and its store with it:

* `chain`: `AuditLog` (append, verify, the head), `verify_records`.
* `checkpoint`: `Checkpoint`, `CheckpointSigner`, `trusted_key_id`.
* `export`: `verify_export`, `parse_export_line`.
* `verification`: `Verification`, what verifying a log or an export says.
* `_canonical`: `canonical_json`, the one serialisation every hash is taken over.
"""
