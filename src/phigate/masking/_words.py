"""Many literal strings found in one pass over a text: the values and name words a
text (or a long text's earlier windows) found, looked for wherever they recur.

They were one RE2 alternation, the longest first. A window of a pasted CSV export
finds tens of thousands of distinct values; their alternation (~900 KB of pattern)
exhausts RE2's DFA memory and falls back to its NFA, a minute per 5 MB. An
Aho-Corasick automaton (the Rust `aho-corasick` crate, through `ahocorasick-rs`)
is built for exactly this: its cost stays linear in the text whatever the number
of strings. Its leftmost-longest search reports what the alternation matched: at
the leftmost place any string starts, the longest one that starts there (the
alternation tried the longest first), then on from that match's end.
"""

from __future__ import annotations

from collections.abc import Iterable

from ahocorasick_rs import BytesAhoCorasick, MatchKind


class Words:
    """Literal byte strings, found in a text left to right without overlap."""

    __slots__ = ("_automaton",)

    def __init__(self, words: Iterable[bytes]) -> None:
        # An empty string would match everywhere (and the automaton refuses it);
        # every caller's strings are four bytes or more.
        self._automaton = BytesAhoCorasick(
            [w for w in words if w], matchkind=MatchKind.LeftmostLongest
        )

    def spans(self, data: bytes) -> list[tuple[int, int]]:
        """(start, end) of each match: the leftmost, the longest of those starting
        there, then the next from its end."""
        return [(start, end) for _, start, end in self._automaton.find_matches_as_indexes(data)]
