"""Masking nested JSON: keys hint at types, strings are scanned, depth is bounded."""

from __future__ import annotations

from phigate.masking._hints import KEEP, TEXT, hint
from phigate.masking.value_masker import ValueMasker

TOO_DEEP = "[REDACTED:TOO_DEEP]"


def mask_json(
    masker: ValueMasker,
    value: object,
    counts: dict[str, int],
    depth: int,
    key_type: str | None = None,
) -> object:
    """Masked copy of `value`; subtrees nested deeper than `depth` are replaced whole."""
    if depth < 0:
        counts["TOO_DEEP"] = counts.get("TOO_DEEP", 0) + 1
        return TOO_DEEP
    if isinstance(value, dict):
        return _mask_object(masker, value, counts, depth)
    if isinstance(value, list | tuple):
        return [mask_json(masker, v, counts, depth - 1, key_type) for v in value]
    return _mask_scalar(masker, value, counts, key_type)


def _mask_object(
    masker: ValueMasker, value: dict[object, object], counts: dict[str, int], depth: int
) -> dict[object, object]:
    out: dict[object, object] = {}
    for key, item in value.items():
        key_text = str(key)
        key_type = hint(key_text)
        if not _plain_key(key_text):
            key = masker.mask_str(key_text, counts)
        out[key] = mask_json(masker, item, counts, depth - 1, key_type)
    return out


def _plain_key(key: str) -> bool:
    """Field names like `first_name` or `dateOfBirth` carry no PHI; other keys are scanned."""
    return len(key) <= 64 and key.replace("_", "a").replace("-", "a").isalnum()


def _mask_scalar(
    masker: ValueMasker, value: object, counts: dict[str, int], key_type: str | None
) -> object:
    if value is None or isinstance(value, bool):
        return value
    if key_type is not None and key_type not in (KEEP, TEXT) and key_type in masker.types:
        return masker.whole(key_type, value, counts)
    if isinstance(value, str):
        return masker.mask_str(value, counts)
    return value
