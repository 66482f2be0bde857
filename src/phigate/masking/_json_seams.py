"""Values cut across sibling JSON strings: an SSN split over two lines of an OCR
page's array, a name over two consecutive fields. Each string is masked alone by
the walk; here the strings are also read joined, at each seam between neighbours,
with nothing and with a space between them (as a reader joins them), and a
detection that crosses a seam masks each piece of it in the strings it covers.

Linear and capped: each seam is read once per joining, in a window of at most
`_REACH` characters each side taken from at most `_NEIGHBOURS` strings, so a long
array costs a few short scans per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from phigate.masking.value_masker import ValueMasker

_REACH = 48  # characters read each side of a seam: the longest cut value fits
_NEIGHBOURS = 3  # strings a window reaches each side: a value cut in three or four
_JOININGS = ("", " ")  # a wrapped line is joined with nothing or with a space


class _Segment(NamedTuple):
    """Where a piece of one string sits in a window: the string's index, the offset
    in it the piece starts at, and the piece's place in the window."""

    item: int
    offset: int
    start: int
    end: int


def mask_seams(
    masker: ValueMasker, texts: Sequence[str | None], counts: dict[str, int]
) -> dict[int, str]:
    """The strings of `texts` (siblings in order; None is no string, and cuts the
    run) that a detection crossing a seam touches, with its pieces masked, by index.
    Empty when no detection crosses a seam: most arrays and objects."""
    pieces: dict[int, set[tuple[int, int, str]]] = {}
    seen: set[tuple[tuple[int, int, int], ...]] = set()
    texts = [None if _non_finite(text) else text for text in texts]
    for seam in range(len(texts) - 1):
        if not texts[seam] or not texts[seam + 1]:
            continue
        for joining in _JOININGS:
            if joining and _blank_at_seam(texts, seam):
                continue  # already read with the blank its strings have
            segments, window = _window(texts, seam, joining)
            for start, end, entity in masker.spans(window):
                cut = _cut(segments, start, end)
                if len(cut) < 2 or cut in seen:
                    continue  # within one string: its own scan finds it
                seen.add(cut)
                counts[entity] = counts.get(entity, 0) + 1
                for item, a, b in cut:
                    pieces.setdefault(item, set()).add((a, b, entity))
    return {item: _masked(masker, str(texts[item]), found) for item, found in pieces.items()}


# JavaScript's spellings of the numbers JSON cannot carry: the HTTP connector answers
# such a number as its own text. A number is no piece of a word, so it cuts the run
# (as a JSON number does): "NaN" beside "Infinity" is no "first last" name.
_NON_FINITE = frozenset({"nan", "infinity", "+infinity", "-infinity"})


def _non_finite(text: str | None) -> bool:
    return text is not None and len(text) <= 9 and text.lower() in _NON_FINITE


def _blank_at_seam(texts: Sequence[str | None], seam: int) -> bool:
    left, right = str(texts[seam]), str(texts[seam + 1])
    return left[-1:].isspace() or right[:1].isspace()


def _window(texts: Sequence[str | None], seam: int, joining: str) -> tuple[list[_Segment], str]:
    """The text around `seam`: the tails of up to `_NEIGHBOURS` strings before it and
    the heads of as many after it, `_REACH` characters each side, joined."""
    left: list[tuple[int, int, str]] = []
    room = _REACH
    item = seam
    while item >= 0 and room > 0 and len(left) < _NEIGHBOURS and texts[item]:
        text = str(texts[item])
        offset = max(0, len(text) - room)
        if offset:  # cut at a blank, not inside a word, when the tail has one
            blank = text.find(" ", offset)
            offset = blank + 1 if blank >= 0 else offset
        left.append((item, offset, text[offset:]))
        room -= len(text) - offset
        item -= 1
    right: list[tuple[int, int, str]] = []
    room = _REACH
    item = seam + 1
    while item < len(texts) and room > 0 and len(right) < _NEIGHBOURS and texts[item]:
        text = str(texts[item])
        right.append((item, 0, text[:room]))
        room -= min(room, len(text))
        item += 1
    return _joined([*reversed(left), *right], joining)


def _joined(parts: list[tuple[int, int, str]], joining: str) -> tuple[list[_Segment], str]:
    segments: list[_Segment] = []
    out: list[str] = []
    pos = 0
    for item, offset, text in parts:
        if out:
            out.append(joining)
            pos += len(joining)
        segments.append(_Segment(item, offset, pos, pos + len(text)))
        out.append(text)
        pos += len(text)
    return segments, "".join(out)


def _cut(segments: list[_Segment], start: int, end: int) -> tuple[tuple[int, int, int], ...]:
    """The pieces (string, start, end in it) of a detection from `start` to `end` of
    the window, one per string it covers."""
    cut: list[tuple[int, int, int]] = []
    for segment in segments:
        a, b = max(start, segment.start), min(end, segment.end)
        if a < b:
            shift = segment.offset - segment.start
            cut.append((segment.item, a + shift, b + shift))
    return tuple(cut)


def _masked(masker: ValueMasker, text: str, found: set[tuple[int, int, str]]) -> str:
    """`text` with each piece replaced by its entity's operator; overlapping pieces
    are one, named by the first."""
    merged: list[tuple[int, int, str]] = []
    for a, b, entity in sorted(found):
        if merged and a < merged[-1][1]:
            first, last, named = merged[-1]
            merged[-1] = (first, max(last, b), named)
        else:
            merged.append((a, b, entity))
    out: list[str] = []
    pos = 0
    for a, b, entity in merged:
        out += [text[pos:a], masker.operators.text(entity, text[a:b])]
        pos = b
    out.append(text[pos:])
    return "".join(out)
