"""Where an answer cut at its cap may end: after its last whole unit, never inside one.

A cut inside a value leaves its head ("50141803" of an SSN, "Gar" of a surname), and
a head is no identifier any detector knows: the masker lets it through. So a cut
answer keeps only whole units: a JSON document up to its last whole member or
element (closed again, so it is masked structurally like a whole answer), a text up
to its last line end, else its last blank; the caller says where it was cut.
"""

from __future__ import annotations

import re

__all__ = ["cut_marker", "json_prefix", "text_cut"]

# One JSON token: a whole string, a structural character, a scalar (number or
# literal, whole only when something follows it), or blanks. A string the cut
# leaves open matches nothing: the scan ends there.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+|\s+')
_CLOSERS = {b"{"[0]: b"}", b"["[0]: b"]"}


def cut_marker(cap: int) -> str:
    return f" [cut at {cap} bytes]"


def text_cut(data: bytes, cap: int) -> int:
    """Where a text cut at `cap` ends: after its last line end, else at its last blank,
    else nothing of it is kept (one word longer than the cap is all one value)."""
    line = data.rfind(b"\n", 0, cap)
    if line >= 0:
        return line + 1
    return max(0, *(data.rfind(blank, 0, cap) for blank in (b" ", b"\t", b"\r")))


def json_prefix(data: bytes, cap: int) -> tuple[int, bytes] | None:
    """Where a JSON document cut at `cap` ends after its last whole member or element,
    and the closers of the containers still open there; None when the bytes are no
    JSON document's head, or no container opens before the cut (a lone scalar)."""
    state = _Scan()
    pos = 0
    while pos < cap:
        found = _TOKEN.match(data, pos, cap)
        if found is None:
            break  # a string the cut leaves open
        if not state.take(found.group(), found.end() < cap, found.end()):
            return None
        pos = found.end()
    return state.last


class _Scan:
    """The containers open so far, what each expects next, and the last place a whole
    unit ended with the closers that make the document whole there."""

    def __init__(self) -> None:
        self.stack: list[int] = []  # the opening characters
        self.expect = "value"  # value | key | colon | next | done
        self.last: tuple[int, bytes] | None = None

    def take(self, token: bytes, followed: bool, end: int) -> bool:
        """Read one token ending at `end`; False when the document is no JSON."""
        first = token[0]
        if first in b" \t\r\n":
            return True
        if token in (b"{", b"["):
            return self._open(first, end)
        if token in (b"}", b"]"):
            return self._close(token, end)
        if token == b",":
            return self._comma()
        if token == b":":
            if self.expect != "colon":
                return False
            self.expect = "value"
            return True
        if self.expect == "key" and first == b'"'[0]:
            self.expect = "colon"
            return True
        if self.expect != "value":
            return False
        if first != b'"'[0] and not followed:
            return True  # a number or literal the cut may have shortened: not whole
        self._ended(end)
        return True

    def _open(self, opener: int, end: int) -> bool:
        if self.expect != "value":
            return False
        self.stack.append(opener)
        self.expect = "key" if opener == b"{"[0] else "value"
        self._record(end)
        return True

    def _close(self, token: bytes, end: int) -> bool:
        if not self.stack or _CLOSERS[self.stack[-1]] != token:
            return False
        if self.expect not in ("next", "key" if token == b"}" else "value"):
            return False  # "[1," then "]", or an object closed after its colon
        self.stack.pop()
        self._ended(end)
        return True

    def _comma(self) -> bool:
        if self.expect != "next" or not self.stack:
            return False
        self.expect = "key" if self.stack[-1] == b"{"[0] else "value"
        return True

    def _ended(self, end: int) -> None:
        """A whole value ended at `end`."""
        self.expect = "next" if self.stack else "done"
        self._record(end)

    def _record(self, end: int) -> None:
        if self.stack:
            self.last = (end, b"".join(_CLOSERS[c] for c in reversed(self.stack)))
