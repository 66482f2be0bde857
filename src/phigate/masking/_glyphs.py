"""How a person reads the characters of a number: the unseen ones absent, every dash a
hyphen, every space a space, every script's digits digits.

A number typed or pasted by a person carries characters no detector expects: a
zero-width space or soft hyphen (Unicode format characters, category Cf: invisible
on screen and on paper), Word's en dashes, a non-breaking hyphen or a minus sign
between the groups, a no-break or thin space (category Zs) between them, or the
digits of the locale the system prints in (Arabic-Indic `٥٣٦`, Devanagari `५३६`). A
reader sees `536-22-8471` in all of them. `as_seen` gives that view of a text, for
every detector at once: format characters dropped (mapped back by an `Origin`, so
the mask covers them); each dash of the family read as `-`, each space as ` ` and
each decimal digit (`unicodedata.decimal`) as its ASCII digit, one for one.

The tables are Python's own Unicode database, read once at import (a few dozen ms);
`may_read_as_seen` is the cheap test in front: nothing for ASCII, else one RE2 pass.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import re2

from phigate.core.escapes import Origin

# The dash family a reader takes for a hyphen: U+2010–U+2015 (hyphen, non-breaking
# hyphen, figure dash, en and em dash, horizontal bar), the minus sign, the small and
# fullwidth hyphen-minus.
_DASHES = (*range(0x2010, 0x2016), 0x2212, 0xFE58, 0xFE63, 0xFF0D)
# Where format characters and decimal digits are: planes 0 and 1, and the tags (E0000).
_PLANES = (range(0x80, 0x20000), range(0xE0000, 0xE0080))


def _table() -> dict[int, str | None]:
    """The `str.translate` table of what a reader sees (None: nothing)."""
    table: dict[int, str | None] = dict.fromkeys(_DASHES, "-")
    for code in (c for plane in _PLANES for c in plane):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Cf":
            table[code] = None
        elif category == "Zs":
            table[code] = " "
        else:
            digit = unicodedata.decimal(char, None)
            if digit is not None:
                table[code] = str(digit)
    return table


def _ranges(codes: Iterable[int], form: str) -> str:
    """A character class body of `codes` (ascending), consecutive ones as ranges."""
    spans: list[list[int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(form.format(a) + ("-" + form.format(b) if b > a else "") for a, b in spans)


_SEEN = _table()
_CLASS = "[" + _ranges(sorted(_SEEN), r"\x{{{:x}}}") + "]"
_RUN = re2.compile(_CLASS + "+")  # `str.translate` of a whole text is slow: runs only
_LOOK = re2.compile(_CLASS.encode())


def may_read_as_seen(data: bytes) -> bool:
    """Whether the text (UTF-8) holds a character `as_seen` reads otherwise."""
    return not data.isascii() and _LOOK.search(data) is not None


def as_seen(view: str, then: Origin) -> tuple[str, Origin]:
    """The view as a person sees it, and where each of its characters came from in
    the text `then` maps to (a dash or digit stands where it was written; a dropped
    format character shifts what follows)."""
    if view.isascii():
        return view, then
    origin = Origin(then=then)
    parts: list[str] = []
    pos = length = 0
    for run in _RUN.finditer(view):
        start, end = run.span()
        parts += [view[pos:start], run.group().translate(_SEEN)]
        length += start - pos
        pos = end
        for i, char in enumerate(run.group()):  # each format character, dropped
            if _SEEN[ord(char)] is None:
                origin.add(length, start + i, start + i + 1, 0)
            else:
                length += 1
    if not parts:
        return view, then
    parts.append(view[pos:])
    return "".join(parts), (origin if origin.at else then)
