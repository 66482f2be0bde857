"""`SpanFinder.quiet` for many values at once: one pass over the values joined.

A result's text column is scanned value by value, and for most values (digests,
codes, numbers as text) the answer is `quiet`: no detector's trigger occurs. That
answer costs one call per RE2 set (about twenty), whatever the value's length, so
on short values the calls, not the scanning, are the cost. Here the values of a
batch are joined with SEPARATOR and the sets run over the joined text: when no
trigger occurs there, none occurs in any value. Where one does, the patterns the
sets report run again over the joined text to say which values their matches
touch, and a touched value gets the finder's answer alone, so every answer this
gives is the answer that value gets alone.

One trigger is answered here without the value's own pass: a value only the
finder's `lone` pattern touches (an OCR token such as a digest's `ab0cd`, about one
md5 digest in fifteen) has no other trigger, and where the pattern matches it at
most `most` times (one OCR token is no scan, two are), `find` finds nothing in it:
it is blank too. The matches are counted in the joined text (see `quiet_many`).

Why joining cannot hide a trigger a value holds alone. RE2 has no look-around:
a match inside a value reads only the value's bytes, except for the zero-width
assertions at the value's two ends, which in the joined text see the separator
instead of the text's start or end. The separator is newline, NUL, newline:

- `\\b`, `\\B`: newline and NUL are no word characters, as the text's ends are not;
- `(?m:^)` and `(?m:$)` hold beside a newline as at the text's ends;
- the text's own `^`, `$`, `\\A`, `\\z` do not hold inside the joined text. A
  trigger may use them only in the forms listed in `_JOINABLE` (each an
  alternative that the separator satisfies instead: a newline where `^` or `$`
  held, newline then NUL where `\\s*\\z` held, or `(?s:.*?)` running on to the
  joined text's end where `\\z` held).

`joinable` reads each trigger for those assertions, outside character classes and
escapes; a trigger with one in any other form (a custom identifier's `^MRN\\d+$`,
say) turns batching off for that finder, and every value gets `quiet` alone. A
trigger that matches across a separator only makes a batch look busy, which costs
time, never an answer. `tests/masking/test_quiet_batch.py` holds this to `quiet`
value by value, for the built-in triggers, values with and without PHI.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate, repeat
from operator import add
from typing import Any

from phigate.masking._fastre import Regex

SEPARATOR = b"\n\x00\n"

# The reviewed forms of the text's own anchors in the built-in triggers, written as
# they appear in the patterns. Each is satisfied by the separator where the anchor
# was (see the module docstring); anything else makes a finder not joinable.
_JOINABLE = (
    r"(?:^|[\r\n])",
    r"(?:,|^|\n)",
    r"(?:^|[\s(#:=;/\[])",
    r"(?:^|[^\p{L}\p{N}_'\xe2\x80\x99-])",
    r"(?:^|[^\p{L}\p{N}'\xe2\x80\x99-])",
    "(?:^|[^\\w'\u2019])",
    r"(?m:^",  # multiline mode from here: ^ holds after the separator's newline
    r"(?m:$)",  # and $ before it
    r"(?:[^\pL'-]|$)",
    r"(?:[^\w%.]|\.(?:\D|$)|$)",
    r"(?:\s|$|[.,;:)])",
    r"(?:\s|$)",  # the separator's newline is a blank
    r"\s*[.,;()\n]|\s*$)",
    r"(?:[^\p{L}\s]|\s+[^\p{Lu}\s]|\s*\z)",
    r"(?s:.*?)(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|\z)",
)
_MULTILINE = "(?m:"  # a whole trigger in multiline mode: its ^ and $ hold at newlines


def joinable(patterns: Sequence[str]) -> bool:
    """Whether every trigger keeps its matches when values are joined (see above)."""
    return all(_joinable(p) for p in patterns)


def _joinable(pattern: str) -> bool:
    multiline = pattern.startswith(_MULTILINE) and _group_end(pattern) == len(pattern) - 1
    if multiline:
        pattern = pattern[len(_MULTILINE) : -1]
    for form in _JOINABLE:
        pattern = pattern.replace(form, "")
    return not _anchors(pattern, multiline)


def _scan(pattern: str) -> list[tuple[int, str]]:
    """(position, character) of each character outside escapes and classes; an
    escape appears as its two characters at the backslash's position."""
    out: list[tuple[int, str]] = []
    i, class_from = 0, -1  # where the open class's members start, -1 outside one
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if class_from < 0:
                out.append((i, pattern[i : i + 2]))
            i += 2
            continue
        if class_from >= 0:
            if c == "]" and i > class_from:  # a "]" first in a class is a member
                class_from = -1
        elif c == "[":
            class_from = i + 2 if pattern.startswith("[^", i) else i + 1
        else:
            out.append((i, c))
        i += 1
    return out


def _group_end(pattern: str) -> int:
    """Where the group the pattern opens with closes (-1 if unbalanced)."""
    depth = 0
    for i, c in _scan(pattern):
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return i
    return -1


def _anchors(pattern: str, multiline: bool) -> bool:
    """Whether `pattern` asserts the text's own start or end: `\\A`, `\\z`, `\\Z`, or
    `^`/`$` outside multiline mode (a `^` under an inner `(?m)` counts too, which only
    costs batching), or, in multiline mode, a flag that could end it."""
    for _, c in _scan(pattern):
        if c in ("\\A", "\\z", "\\Z") or (c in "^$" and not multiline):
            return True
    return multiline and "-m" in pattern  # (?-m) could end multiline mode inside


def _starts(values: Sequence[bytes]) -> list[int]:
    """Where each value starts in the values joined with SEPARATOR, then where one
    more would (counted by C iterators: a Python loop cost about 0.15 µs per value)."""
    return list(accumulate(map(add, map(len, values), repeat(len(SEPARATOR))), initial=0))


class QuietBatch:
    """`quiet` for a batch of values: the gate's sets run once over the joined values,
    and only the patterns they report run again, to say which values they touch."""

    def __init__(
        self,
        patterns: Sequence[str],
        sets: Sequence[tuple[Sequence[int], Callable[[bytes], Any]]],
        lone: tuple[int, int] | None = None,
    ) -> None:
        """`sets`: (indexes of its patterns, its Match) for each RE2 set of the gate.
        `lone`: (index, most) of a pattern whose matches, with no other trigger, `find`
        answers without detecting: a value it alone touches, with at most `most`
        matches, is blank."""
        self._patterns = list(patterns)
        self._sets = list(sets)
        self._regexes: dict[int, Regex] = {}  # compiled when first reported
        self._lone_index, self._lone_most = lone if lone is not None else (-1, 0)

    def quiet_many(self, alone: Callable[[bytes], bool], values: Sequence[bytes]) -> list[bool]:
        """`[alone(v) for v in values]`, where `alone` tells whether `find` returns no
        span for a value: true where no trigger occurs, or only the `lone` pattern
        and at most its `most` matches. A value no reported pattern's match touches
        in the joined text has no trigger (one it held alone would match there too,
        and a match is found wherever one starts that no earlier match covers). One
        only the `lone` pattern touches, each of its matches there inside the value,
        has no other trigger, and those matches are the ones the pattern finds in it
        alone: the bytes they read are the value's, its ends read as the text's ends,
        and no match runs into the value from before it, so the scan reaches its
        start as a scan of it alone begins. Any other touched value (a match across
        a separator, or an empty one, of any pattern) gets `alone`."""
        joined = SEPARATOR.join(values)
        starts: list[int] | None = None  # where each value lies, once a match needs it
        redo: set[int] = set()  # values `alone` answers
        inside: dict[int, int] = {}  # value: matches of the `lone` pattern inside it
        lone_index = self._lone_index
        for indexes, match in self._sets:
            for member in match(joined) or ():
                index = indexes[member]
                if starts is None:
                    starts = _starts(values)
                for first, final, crossing in self._touched(index, joined, starts):
                    if index == lone_index and not crossing:
                        inside[first] = inside.get(first, 0) + 1
                    else:
                        redo.update(range(first, final + 1))
        most = self._lone_most
        redo.update(i for i, n in inside.items() if n > most)
        answers = [True] * len(values)  # no trigger, or a lone one few enough times
        for i in redo:
            answers[i] = alone(values[i])
        return answers

    def _touched(
        self, index: int, joined: bytes, starts: list[int]
    ) -> Iterator[tuple[int, int, bool]]:
        """For each match of pattern `index`, the first and last value it touches (its
        bytes overlap; an empty match: those it lies in or at an end of) and whether
        it is anything but a non-empty match inside one value. `starts`: `_starts`."""
        regex = self._regexes.get(index)
        if regex is None:
            regex = self._regexes[index] = Regex(self._patterns[index].encode())
        gap = len(SEPARATOR)
        for found in regex.spans(joined):
            start, stop = found[0]
            at = bisect.bisect_right(starts, start) - 1  # the value, or the gap after it
            end = starts[at + 1] - gap  # where that value ends
            if start < stop:
                first = at if start < end else at + 1
                final = bisect.bisect_left(starts, stop) - 1
                yield first, final, first != final
            else:
                yield (at if start <= end else at + 1), at, True
