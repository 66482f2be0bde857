"""Values JSON has no form for, as each door writes them.

PostgreSQL holds float8 and numeric `NaN` and `±Infinity`, and a json value may
hold a lone surrogate (`"\\ud800"`): Python reads all of them, but no JSON number
is `NaN` and no UTF-8 text holds a lone surrogate. An answer carrying one used to
fail after its action ran (REST: HTTP 500; MCP: the session dropped). Numbers
become PostgreSQL's text for them; REST escapes a lone surrogate (`\\ud800`, legal
JSON), MCP, whose SDK writes UTF-8 itself, replaces it with U+FFFD.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from fastapi.encoders import decimal_encoder

REPLACEMENT = "\ufffd"


def number_text(value: float) -> float | str:
    """A float JSON can carry as a number, or PostgreSQL's text for one it cannot."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def decimal_value(value: Decimal) -> int | float | str:
    """As FastAPI writes a Decimal, but `NaN` and `±Infinity` as PostgreSQL's text, and
    a fraction too large for a float (numeric holds 131072 digits) as its own text."""
    if not value.is_finite():
        return "NaN" if value.is_nan() else ("Infinity" if value > 0 else "-Infinity")
    number: int | float = decimal_encoder(value)
    return str(value) if isinstance(number, float) and not math.isfinite(number) else number


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (valid text comes back as is)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(REPLACEMENT if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def json_safe(value: Any) -> Any:
    """`value` with non-finite numbers as their text and lone surrogates replaced."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, Decimal) and not value.is_finite():
        return decimal_value(value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
