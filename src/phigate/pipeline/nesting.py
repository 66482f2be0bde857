"""How deep a request's values may nest: one documented limit, checked without recursion.

Every reader of a request's values recurses (the JSON reader, the fingerprint's and the
audit's canonical JSON, the masking walk, admission's own checks), each to its own
depth: a parameter nested a few hundred levels ends one of them with a RecursionError,
an unhandled 500 that nobody audits. No SQL value, HTTP body or tool argument needs
more than a few levels, so a value nested deeper than MAX_DEPTH is the caller's bad
input: refused at the edge of admission (and of each door's JSON reader) with a clear
400 in the caller's protocol, audited like any other refusal.
"""

from __future__ import annotations

import re
from typing import Any

from phigate.core.errors import InvalidRequestError

MAX_DEPTH = 64  # containers (arrays, objects) inside one another; a scalar is depth 0

_TOKEN = re.compile(r'\\.|["\[\]{}]', re.DOTALL)


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `value` nests lists, tuples or dicts more than `limit` deep. Iterative,
    so no depth of input can overflow it; stops at the first level past `limit`."""
    level: list[Any] = [value]
    for _ in range(limit):
        level = [
            item
            for container in level
            if isinstance(container, dict | list | tuple)
            for item in (container.values() if isinstance(container, dict) else container)
        ]
        if not level:
            return False
    return any(isinstance(item, dict | list | tuple) for item in level)


def text_depth_exceeds(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text opens more than `limit` arrays or objects inside one another,
    read before parsing it (the JSON reader itself recurses). Brackets inside strings
    do not count; text that is not JSON gets whatever answer and fails to parse next."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if text.count("[") + text.count("{") <= limit:
        return False
    depth, quoted = 0, False
    for mark in _TOKEN.findall(text):  # one pass: an escape, a quote or a bracket
        if mark == '"':
            quoted = not quoted
        elif quoted or len(mark) > 1:
            continue
        elif mark in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def refuse_deep(value: Any, what: str) -> None:
    """InvalidRequestError when `value` nests deeper than MAX_DEPTH."""
    if depth_exceeds(value):
        raise InvalidRequestError(
            f"{what} nests arrays or objects more than {MAX_DEPTH} levels deep; "
            f"phigate accepts at most {MAX_DEPTH}"
        )
