"""Base64 of a secret cut in pieces with anything short between them, however a
text wraps its lines (`gapped`)."""

from __future__ import annotations

from phigate.connectors._secret_forms import (
    MIN_PIECE,
)

# The most characters between two pieces of wrapped base64: a line end and what a
# line carries around it (a quote and `+`, a comment marker, a line number, YAML
# indentation, tags).
GAP = 40
# A piece of `MIN_PIECE` characters holds one of a needle's grams of `_ANCHOR`
# characters taken at every `_STRIDE` offset.
_STRIDE = 4
_ANCHOR = MIN_PIECE - _STRIDE + 1


def gapped(view: str, needle: str) -> list[tuple[int, int]]:
    """Where `view` holds `needle` cut in pieces with anything between them: the spans
    from the first piece to the last.

    However a text wraps base64 (a string literal a line joined by `+`, a JSON array
    of lines, `# ` or a line number before each, deep indentation, `\\r\\r\\n`, a tag
    a line), the lines hold pieces of it in order with at most `GAP` characters of
    anything between two. Every piece but the two at the needle's edges is
    `MIN_PIECE` long or more, so each match holds a piece that begins with one of
    the needle's `_ANCHOR`-character grams at a stride of `_STRIDE`; each place a
    gram is found is followed both ways (`_onward`). A place inside a piece already
    followed (the same diagonal: view offset less needle offset) is not followed
    again, so the cost stays that of the finds plus a bounded walk a candidate.
    """
    found: list[tuple[int, int]] = []
    size = len(needle)
    backwards = needle[::-1]
    followed: dict[int, int] = {}  # diagonal -> where the piece tried on it ends
    for offset in range(0, size - _ANCHOR + 1, _STRIDE):
        gram = needle[offset : offset + _ANCHOR]
        at = view.find(gram)
        while at >= 0:
            if at >= followed.get(at - offset, -1):
                stop = _extent(view, needle, at, offset)
                start = at - _extent(view[at - offset : at][::-1], backwards, 0, size - offset)
                first = offset - (at - start)
                followed[at - offset] = stop
                if stop - start >= MIN_PIECE or first == 0 or first + stop - start == size:
                    match = _match(view, needle, backwards, start, first, stop)
                    found += [match] if match else []
            at = view.find(gram, at + 1)
    return found


def _match(
    view: str, needle: str, backwards: str, start: int, first: int, stop: int
) -> tuple[int, int] | None:
    """The span of the whole needle in pieces around the piece `view[start:stop]`
    (the needle from `first`), or None: followed on, and back (the view before the
    piece and the needle, reversed)."""
    end = _onward(view, needle, start, first, stop)
    if end is None:
        return None
    low = max(0, start - first * (GAP + 1))
    behind = view[low:stop][::-1]
    back = _onward(behind, backwards, 0, len(needle) - first - (stop - start), stop - start)
    return None if back is None else (stop - back, end)


def _onward(view: str, needle: str, start: int, first: int, stop: int) -> int | None:
    """Where the needle's pieces end in `view`, from the piece `view[start:stop]` (the
    needle from `first`) on, or None.

    Each next piece begins with the needle's next `MIN_PIECE` characters (or all that
    are left, at its edge) within `GAP` characters after the last. What stands after a
    piece can happen to match the needle's next characters: the piece is then cut
    back (up to `MIN_PIECE - 1` characters) until the next is found.
    """
    end = first + stop - start
    while end < len(needle):
        for cut in range(end, max(first, end - MIN_PIECE), -1):
            at = stop - (end - cut)
            gram = needle[cut : cut + MIN_PIECE]
            if len(gram) == MIN_PIECE:
                pos = view.find(gram, at + 1, at + GAP + len(gram))
            else:  # the needle's edge, a few characters: the last there (no junk after)
                pos = view.rfind(gram, at + 1, at + GAP + len(gram))
            if pos >= 0:
                break
        else:
            return None
        start, first = pos, cut
        stop = _extent(view, needle, pos, cut)
        end = first + stop - start
    return stop


def _extent(view: str, needle: str, at: int, offset: int) -> int:
    """Where the run of `view` from `at` that matches the needle from `offset` ends."""
    size = min(len(needle) - offset, len(view) - at)
    n = 0
    while n < size and view[at + n] == needle[offset + n]:
        n += 1
    return at + n
