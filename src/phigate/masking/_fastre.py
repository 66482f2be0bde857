"""Fast iteration over RE2 matches in UTF-8 bytes.

google-re2's Python wrapper builds a generator and a Match object per match and
re-counts groups on every `start()`; in the hot path that costs more than the
matching. Here the compiled RE2 object's own `Match` is called directly and
plain span lists come back. If a future binding lacks it, the public API is used.
Either way the matching itself is RE2: linear in the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import re2

OPTIONS = re2.Options()
OPTIONS.max_mem = 64 << 20

_UNANCHORED: Any = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
_ANCHOR_START: Any = getattr(getattr(re2, "_Anchor", None), "ANCHOR_START", None)
_ANCHOR_BOTH: Any = getattr(getattr(re2, "_Anchor", None), "ANCHOR_BOTH", None)
_NO_MATCH = (-1, -1)


class Regex:
    """A compiled RE2 pattern over bytes that yields span lists: [whole, group1, ...]."""

    __slots__ = ("_raw", "groupindex", "pattern", "public")

    def __init__(self, pattern: bytes) -> None:
        self.pattern = pattern
        self.public: Any = re2.compile(pattern, OPTIONS)
        self.groupindex: dict[str, int] = {
            (k.decode() if isinstance(k, bytes) else k): v
            for k, v in self.public.groupindex.items()
        }
        raw = getattr(self.public, "_regexp", None)
        self._raw: Any = raw if _UNANCHORED is not None and hasattr(raw, "Match") else None

    def spans(self, data: bytes, pos: int = 0, endpos: int | None = None) -> Iterator[list[Any]]:
        end = len(data) if endpos is None else endpos
        if self._raw is None:
            for match in self.public.finditer(data, pos, end):
                yield [match.span(i) for i in range(self.public.groups + 1)]
            return
        match = self._raw.Match
        while pos <= end:
            found = match(_UNANCHORED, data, pos, end)
            whole = found[0]
            if whole == _NO_MATCH:
                return
            yield found
            pos = whole[1] if whole[1] > pos else pos + 1

    def spans_after(self, data: bytes, head: Regex, pos: int = 0) -> Iterator[list[Any]]:
        """`spans` for a pattern whose every match starts where a match of `head`
        starts (`PatternSpec.head`), and none is empty: `head` is searched for from
        `pos`, the pattern run anchored at each place it starts, in order, so the
        matches are the ones `spans` finds (the leftmost from each position, the next
        from the end of the last). RE2 reads the bytes before a place as context:
        `\\b` and `^` mean there what they mean in a search."""
        if self._raw is None or head._raw is None or _ANCHOR_START is None:
            yield from self.spans(data, pos)
            return
        match = self._raw.Match
        find = head._raw.Match
        end = len(data)
        while pos <= end:
            start = find(_UNANCHORED, data, pos, end)[0][0]
            if start < 0:
                return
            found = match(_ANCHOR_START, data, start, end)
            if found[0] == _NO_MATCH:
                pos = start + 1
                continue
            yield found
            pos = found[0][1]

    def search(self, data: bytes, pos: int = 0) -> list[Any] | None:
        """The spans of the first match at or after `pos`, else None."""
        return next(self.spans(data, pos), None)

    def match_end(self, data: bytes, pos: int, endpos: int) -> int | None:
        """Where a match starting exactly at `pos` ends, else None: an anchored match
        stops at the first byte that cannot continue it instead of searching on."""
        if self._raw is None or _ANCHOR_START is None:
            found = self.public.match(data, pos, endpos)
            return None if found is None else int(found.end())
        whole = self._raw.Match(_ANCHOR_START, data, pos, endpos)[0]
        return None if whole == _NO_MATCH else int(whole[1])

    def fullmatch(self, data: bytes) -> bool:
        """Whether the whole of `data` matches (`re2`'s `fullmatch`, as a bool)."""
        if self._raw is None or _ANCHOR_BOTH is None:
            return self.public.fullmatch(data) is not None
        return bool(self._raw.Match(_ANCHOR_BOTH, data, 0, len(data))[0] != _NO_MATCH)
