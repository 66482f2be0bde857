"""Reading a text value as JSON without recursing past a bound.

A text value that starts like JSON is read as JSON so its keys can say what
its values are. Python's reader recurses once per level of nesting, and the
value is the caller's: `repeat('[', 5000)` would exhaust the interpreter's
stack. The nesting is measured first, in one pass with no recursion, and
only a value within the bound is handed to the reader.
"""

from __future__ import annotations

import json

import re2

from phigate.masking._json import TOO_DEEP

# A JSON string (escapes included), or one bracket outside any string. An unclosed
# string leaves its quote unmatched, so the brackets after it count: an over-count
# only makes a value look deeper, never shallower.
_TOKENS = re2.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_OPENERS = frozenset("[{")
_CLOSERS = frozenset("]}")


# The deepest `masking.max_json_depth` allows: a driver's reader goes no deeper.
DRIVER_DEPTH = 200


class TooDeep(Exception):
    """The text nests deeper than the bound: it is not read."""


def nesting_depth(text: str, limit: int) -> int:
    """How deep `[`/`{` nest in `text` outside JSON strings; counting stops past `limit`."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        bracket = match.group()
        if bracket in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
        elif bracket in _CLOSERS:
            depth = max(depth - 1, 0)
    return deepest


def read_json_text(text: str, limit: int) -> object:
    """`text` read as JSON (None if it is not JSON); `TooDeep` when it nests past `limit`,
    whether or not it would have read (the reader is never asked)."""
    if nesting_depth(text, limit) > limit:
        raise TooDeep(f"nested deeper than {limit}")
    try:
        return json.loads(text)
    except ValueError:
        return None


def load_bounded(data: str | bytes | bytearray | memoryview) -> object:
    """A driver's JSON reader (psycopg `set_json_loads`): a `json`/`jsonb` value the
    server sends nested deeper than any masker reads is that marker, not a
    RecursionError in the driver; any masker withholds it the same."""
    text = data if isinstance(data, str) else bytes(data).decode("utf-8")
    if nesting_depth(text, DRIVER_DEPTH) > DRIVER_DEPTH:
        return TOO_DEEP
    return json.loads(text)
