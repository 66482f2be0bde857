"""The one canonical JSON form that records and checkpoints are hashed and signed in.

The form is Python's `json.dumps(sort_keys=True, separators=(",", ":"),
ensure_ascii=False, default=str)`, byte for byte: every stored record was hashed
in it, and verification recomputes it. orjson writes the same bytes for nearly
every record at a fraction of the cost, so it goes first, and its output is kept
only where it cannot differ:

- anything orjson would write its own way is refused to it (subclasses of str,
  int, dict, list; dataclasses, datetimes; non-string keys; integers past 64 bits;
  lone surrogates) and goes to the standard library;
- NaN and infinities (orjson writes `null`) and tuples collapsed into lists are
  caught by reading the output back and comparing it with the value;
- floats under 1e-4, the only floats orjson spells differently (`1e-7`,
  `0.00001` where Python writes `1e-07`, `1e-05`), are caught in the bytes; a
  string that merely looks like one costs a fallback, never a difference.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)
_DIGITS = b"0123456789"


def canonical_json(value: Any) -> str:
    return sorted_json(value, ensure_ascii=False)


def sorted_json(value: Any, *, ensure_ascii: bool) -> str:
    """`json.dumps(value, sort_keys=True, separators=(",", ":"), default=str,
    ensure_ascii=...)`, byte for byte (action fingerprints use the ASCII form)."""
    fast = _orjson_form(value, ensure_ascii)
    if fast is not None:
        return fast
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=ensure_ascii, default=str
    )


def _orjson_form(value: Any, ensure_ascii: bool = False) -> str | None:
    """orjson's bytes when they are provably the standard form, else None."""
    try:
        out = orjson.dumps(value, default=_refuse, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if ensure_ascii and not out.isascii():
        return None  # the standard form escapes what is not ASCII; orjson cannot
    if b"0.0000" in out or _short_exponent(out):
        return None
    if orjson.loads(out) != value:
        return None
    return out.decode()


def _short_exponent(out: bytes) -> bool:
    """Whether `out` holds a one-digit negative exponent after a digit (`1e-7`, where
    Python writes `1e-07`): the other place orjson's float spelling differs from
    repr() (a decimal under 1e-4, `0.0000`, is the one). Every `e-` is looked at with
    `bytes.find`: a regular expression with no literal prefix cost 4 µs a record, where
    words such as `safe-harbor` put an `e-` in most."""
    at = out.find(b"e-", 1)
    while at >= 0:
        if (
            out[at - 1] in _DIGITS
            and at + 2 < len(out)
            and out[at + 2] in _DIGITS
            and (at + 3 == len(out) or out[at + 3] not in _DIGITS)
        ):
            return True
        at = out.find(b"e-", at + 1)
    return False


def _refuse(value: Any) -> Any:
    raise TypeError(f"left to the standard library: {type(value).__name__}")
