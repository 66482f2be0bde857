"""Numbers read from request input: ASCII digits only.

`str.isdigit` is true of `²` and `٣`; `int` takes `٣`, `_`, signs and spaces and
refuses `²`. A guard that checks with one and converts with the other answers an
unhandled exception to a forged header, so every number a caller sends is read here,
by one rule: one or more of `0`-`9` and nothing else, or no number at all.
"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def ascii_int(text: str | bytes, *, max_digits: int = 20) -> int | None:
    """`text` as a non-negative integer if it is only ASCII digits (at most
    `max_digits` of them: a number no caller needs is not worth converting), else None."""
    if isinstance(text, bytes):
        if not text.isascii():
            return None
        text = text.decode("ascii")
    if len(text) > max_digits or _ASCII_DIGITS.fullmatch(text) is None:
        return None
    return int(text)
