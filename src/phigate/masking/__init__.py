"""Masking: find PHI, secrets and identifiers in rows, text and JSON, and mask them.

The public API used by the gateway pipeline and the `phigate mask` CLI.
"""

from __future__ import annotations

from phigate.masking.columns import ColumnInfo, RowMasker
from phigate.masking.detect import MaskingError, Span
from phigate.masking.engine import Masker, MaskingEngine, MaskResult
from phigate.masking.settings import (
    BUILTIN_PROFILES,
    CustomIdentifier,
    MaskingSettings,
    Operator,
    ProfileConfig,
)

__all__ = [
    "BUILTIN_PROFILES",
    "ColumnInfo",
    "CustomIdentifier",
    "MaskResult",
    "Masker",
    "MaskingEngine",
    "MaskingError",
    "MaskingSettings",
    "Operator",
    "ProfileConfig",
    "RowMasker",
    "Span",
]
