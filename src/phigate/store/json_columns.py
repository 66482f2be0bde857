"""JSON for the state store's text columns (an action's body, principal, analysis,
result summary), written on every action's path.

These columns are never hashed or signed (the audit records are, in their own
canonical form: phigate.audit._canonical); every reader parses them with
`json.loads`. What must hold is that the value read back is the one the standard
library's `json.dumps(value, default=str)` would have given, keys in the same
order. orjson writes that value at a fraction of the cost; its output is kept only
where it provably reads back equal, and the standard library writes the rest:

- anything orjson would write its own way is refused to it (subclasses of str,
  int, dict, list; dataclasses, datetimes and whatever else `default=str` would
  turn into text; non-string keys; integers past 64 bits);
- NaN and infinities (orjson writes `null`) and tuples (read back as lists) are
  caught by reading the output back and comparing it with the value.

Only the spelling may differ from the standard library's: no spaces after `,` and
`:`, characters beyond ASCII unescaped, and floats such as `1e-07` as `1e-7`.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)


def column_json(value: Any) -> str:
    """Text that `json.loads` reads as `json.loads(json.dumps(value, default=str))`."""
    try:
        out = orjson.dumps(value, default=_refuse, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, default=str)
    if orjson.loads(out) != value:
        return json.dumps(value, default=str)
    return out.decode()


def _refuse(value: Any) -> Any:
    raise TypeError(f"left to the standard library: {type(value).__name__}")
