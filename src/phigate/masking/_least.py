"""The fewest bytes a match of an RE2 pattern can span, read from its syntax.

A value shorter than every match of a set's triggers cannot wake the set, so the
finder skips that set's pass over it (`SpanFinder.hits`): most values of a result
are a few bytes (a sex, a state, a code), and each set pass is a call into RE2 of
~0.4 µs whatever the value's length. The reading is a lower bound, never more:
every character-consuming atom counts one byte (a character of UTF-8 is one to
four, and case folding can match a one-byte letter for a longer one), anchors and
word boundaries none, a repetition its minimum count. Syntax it does not know
(`\\Q...\\E`, back-references, an unbalanced group) makes the answer 0, so the
set is never skipped on its account.
"""

from __future__ import annotations

import re2

# RE2 reads `{` as a repetition only in these three forms; anything else is a literal.
_REPEAT = re2.compile(r"\{(\d+)(?:,(\d*))?\}")
_POSIX = re2.compile(r"\[:\^?[a-z]+:\]")
_ZERO_ESCAPES = frozenset("bBAz")  # \b \B \A \z consume nothing
_BRACED_ESCAPES = frozenset("pPx")  # \p{Greek}, \P{Lu}, \x{10FFFF}: one character


class _Unknown(Exception):
    """Syntax this reading does not know: the pattern's least length is taken as 0."""


def least_bytes(pattern: str) -> int:
    """A lower bound on the length in bytes of any match of `pattern` (RE2 syntax)."""
    try:
        least, end = _alternation(pattern, 0)
    except (_Unknown, IndexError):
        return 0
    return least if end == len(pattern) else 0


def is_head(pattern: str, head: str) -> bool:
    """Whether every match of `pattern` starts with a match of `head` at the same place:
    `pattern` is `head` followed by the rest, cut between two of its top-level pieces
    (a piece and its repetition stay whole), with no `|` at its top level, and no
    match of it is empty. `head` searched for then finds every place a match of
    `pattern` can start (`_fastre.Regex.spans_after`)."""
    if not head or not pattern.startswith(head) or least_bytes(pattern) < 1:
        return False
    cuts = {0}
    i = 0
    try:
        while i < len(pattern) and pattern[i] not in "|)":
            _, i = _atom(pattern, i)
            _, i = _repetition(pattern, i)
            cuts.add(i)
    except (_Unknown, IndexError):
        return False
    return i == len(pattern) and len(head) in cuts


def is_within(pattern: str, cue: str) -> bool:
    """Whether every match of `pattern` holds a match of `cue`: the pattern, read as
    one run of pieces (an atom and its repetition; a group with no repetition and no
    `|` of its own read as its pieces), holds the cue's pieces one after another.
    A match of the pattern is then a match of each piece in turn, so the bytes the
    cue's pieces match there are a match of the cue, in the same text: `\\b` and `^`
    read the same neighbours. A set that searches for the cue instead of the pattern
    (`PatternSpec.cue`) then wakes wherever the pattern would have."""
    try:
        whole = _pieces(pattern, 0)
        part = _pieces(cue, 0)
    except (_Unknown, IndexError):
        return False
    if whole is None or part is None or not part or least_bytes(cue) < 1:
        return False
    return any(whole[k : k + len(part)] == part for k in range(len(whole) - len(part) + 1))


def _pieces(p: str, i: int) -> list[str] | None:
    """The pieces of the concatenation from `i` to the end, or None where it holds a
    `|` at its own level. A group flattened must end where its `)` is."""
    pieces, end, bar = _run(p, i)
    return None if bar or end != len(p) else pieces


def _run(p: str, i: int) -> tuple[list[str], int, bool]:
    """(pieces, where the run ends, whether a `|` ends it) for the run at `i`."""
    out: list[str] = []
    while i < len(p) and p[i] not in "|)":
        start = i
        _, end = _atom(p, i)
        times_end = _repetition(p, end)[1]
        inner = _group_body(p, start) if times_end == end else None
        if inner is not None:
            pieces, stop, bar = _run(p, inner)
            if not bar and stop == end - 1:
                out.extend(pieces)
                i = end
                continue
        if p.startswith("(?", start) and _bare_flags(p, start):
            raise _Unknown  # `(?i)` changes the pieces after it
        out.append(p[start:times_end])
        i = times_end
    return out, i, i < len(p) and p[i] == "|"


def _group_body(p: str, i: int) -> int | None:
    """Where the body of a plain or capturing group at `i` starts; None for anything
    else (a flags group keeps its flags only as a whole)."""
    if p[i] != "(":
        return None
    if p.startswith("(?:", i):
        return i + 3
    if p.startswith("(?P<", i) or p.startswith("(?<", i):
        return p.index(">", i) + 1
    return None if p.startswith("(?", i) else i + 1


def _bare_flags(p: str, i: int) -> bool:
    j = i + 2
    while p[j] in "imsU-":
        j += 1
    return p[j] == ")"


def _alternation(p: str, i: int) -> tuple[int, int]:
    """Branches separated by `|` up to a closing parenthesis or the end: the least."""
    least, i = _concatenation(p, i)
    while i < len(p) and p[i] == "|":
        branch, i = _concatenation(p, i + 1)
        least = min(least, branch)
    return least, i


def _concatenation(p: str, i: int) -> tuple[int, int]:
    total = 0
    while i < len(p) and p[i] not in "|)":
        width, i = _atom(p, i)
        times, i = _repetition(p, i)
        total += width * times
    return total, i


def _repetition(p: str, i: int) -> tuple[int, int]:
    """The minimum count of the quantifier at `i` (1 when there is none); a lazy `?`
    after it changes nothing."""
    if i >= len(p):
        return 1, i
    if p[i] in "*?":
        times, i = 0, i + 1
    elif p[i] == "+":
        times, i = 1, i + 1
    elif p[i] == "{" and (repeat := _REPEAT.match(p, i)) is not None:
        times, i = int(repeat.group(1)), repeat.end()
    else:
        return 1, i
    if i < len(p) and p[i] == "?":
        i += 1
    if i < len(p) and (p[i] in "*+?" or (p[i] == "{" and _REPEAT.match(p, i))):
        raise _Unknown  # RE2 refuses a repeated repetition
    return times, i


def _atom(p: str, i: int) -> tuple[int, int]:
    char = p[i]
    if char == "(":
        return _group(p, i)
    if char == "[":
        return 1, _class_end(p, i)
    if char == "\\":
        return _escape(p, i)
    if char in "^$":
        return 0, i + 1
    if char in "*+?":
        raise _Unknown  # a quantifier with nothing to repeat
    return 1, i + 1  # `.`, a literal, or `{` read as a literal


def _group(p: str, i: int) -> tuple[int, int]:
    """`(...)`, `(?:...)`, `(?P<name>...)`, `(?flags:...)`; `(?flags)` is empty."""
    i += 1
    if p[i] == "?":
        if p.startswith("?P<", i) or p.startswith("?<", i):
            i = p.index(">", i) + 1
        else:
            j = i + 1
            while p[j] in "imsU-":
                j += 1
            if p[j] == ")":
                return 0, j + 1  # flags for the rest of the group
            if p[j] != ":":
                raise _Unknown
            i = j + 1
    least, i = _alternation(p, i)
    if p[i] != ")":
        raise _Unknown
    return least, i + 1


def _class_end(p: str, i: int) -> int:
    """The index after the `]` closing the class at `i`."""
    i += 1
    if p[i] == "^":
        i += 1
    if p[i] == "]":
        i += 1  # a leading `]` is a member
    while p[i] != "]":
        if p[i] == "\\":
            _, i = _escape(p, i)
        elif (posix := _POSIX.match(p, i)) is not None:
            i = posix.end()
        else:
            i += 1
    return i + 1


def _escape(p: str, i: int) -> tuple[int, int]:
    char = p[i + 1]
    if char in _ZERO_ESCAPES:
        return 0, i + 2
    if char in _BRACED_ESCAPES:
        if p[i + 2] == "{":
            return 1, p.index("}", i + 2) + 1
        return 1, i + (4 if char == "x" else 3)
    if char == "Q" or char.isdigit():
        raise _Unknown  # a quoted run or an octal or back-reference: not read here
    return 1, i + 2
