"""Masking: find PHI, secrets and identifiers in rows, text and JSON, and mask them.

Import what you need from its module; this package's __init__ stays import-free,
because `phigate.config` imports `.settings` and must not load the engine:

* `engine`: `MaskingEngine` (compiled detectors, one per configuration) hands out
  a `Masker` per request (`MaskResult` for text); `Gateway.masker_for` picks it.
* `columns`: `ColumnInfo`, `RowMasker` (rows, classified column by column).
* `detect`: `MaskingError` (every failure in masking), `Span`.
* `settings`: the `masking:` section (`MaskingSettings`, `ProfileConfig`,
  `Operator`, `CustomIdentifier`, `BUILTIN_PROFILES`).
"""
