"""Values JSON has no form for, as each door writes them.

PostgreSQL holds float8 and numeric `NaN` and `±Infinity`, and a json value may
hold a lone surrogate (`"\\ud800"`): Python reads all of them, but no JSON number
is `NaN` and no UTF-8 text holds a lone surrogate. An answer carrying one used to
fail after its action ran (REST: HTTP 500; MCP: the session dropped). Numbers
become PostgreSQL's text for them; REST escapes a lone surrogate (`\\ud800`, legal
JSON), MCP, whose SDK writes UTF-8 itself, replaces it with U+FFFD.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
from fastapi.encoders import decimal_encoder, jsonable_encoder

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


# How REST writes the values JSON has no form for (`rest_value`).
REST_ENCODERS: dict[Any, Callable[[Any], Any]] = {
    bytes: lambda b: "\\x" + b.hex(),
    float: number_text,
    Decimal: decimal_value,
}
_AS_IS = frozenset({str, int, bool, type(None)})


def rest_value(value: Any) -> Any:
    """`jsonable_encoder(value, custom_encoder=REST_ENCODERS)`, walking the types a
    result is made of (text, numbers, lists, dicts keyed by text) itself: FastAPI's
    encoder asks each value a dozen questions. Any other type, and a dict with a key
    that is not text or starts with `_sa` (which FastAPI's drops), is FastAPI's to
    write, as before."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list or kind is tuple:
        return [rest_value(item) for item in value]
    if kind is dict and all(_plain_key(key) for key in value):
        return {key: rest_value(item) for key, item in value.items()}
    encode = REST_ENCODERS.get(kind)
    if encode is not None:
        return encode(value)
    return jsonable_encoder(value, custom_encoder=REST_ENCODERS)


def _plain_key(key: object) -> bool:
    return type(key) is str and not key.startswith("_sa")


def rest_json(content: Any) -> bytes:
    """`content` (as `rest_value` writes it: no NaN or infinity left, which orjson
    would write as null) as the bytes of a REST answer. orjson first; what it refuses
    (an integer past 64 bits, a key that is not text, a lone surrogate) as Starlette's
    JSONResponse writes it, and a lone surrogate with every non-ASCII character as a
    JSON escape, which carries it exactly: the answer is valid JSON either way."""
    try:
        return orjson.dumps(content)
    except orjson.JSONEncodeError:
        pass
    try:
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")
