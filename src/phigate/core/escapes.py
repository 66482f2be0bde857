"""Escaped characters, read the way the reader of a text reads them.

One rule for what an escape is and what it stands for, shared by the two readers of
what upstreams answer: the credential scrubber (`connectors._secrets`), which looks
for the gateway's own values in a view of the text with every escape decoded, and
the PHI masker (`masking._reading`), which detects names and numbers in the view a
person or a program reading the text gets. `Origin` maps each character of such a
view back to the span of the text it came from, so what is found in the view is
replaced in the text as written.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from html.entities import html5
from typing import NamedTuple

# One escaped character: percent-encoding (also double: `%2567`); JSON, JavaScript, Perl,
# C and Python escapes (`\u0067`, `\u{67}`, `\x{67}`, `\x67`, octal `\147`,
# `\U00000067`, and the two-character `\"`, `\/`, `\\`, `\n`…); HTML character
# references, numeric and named (`&amp;`: HTML5 reads them without their `;`);
# quoted-printable (`=67`, only beside another: a lone `=DE` is an assignment far more
# often); and Go's `[]byte{0x67, 0x77}` (the separator goes with the byte; `0x` before
# a longer number is no byte). Each decodes to one character of the view; but for a
# line break, which decodes to none: quoted-printable's soft break (`=` ending a line)
# and a line end between base64 characters, with the indentation after it (`base64`,
# MIME and PEM wrap at 76; YAML indents). Every
# repetition is bounded or followed by a fixed character, so a scan stays linear.
_HEX = "[0-9A-Fa-f]"
_BASE64 = "[0-9A-Za-z+/_-]"
ESCAPE = re.compile(
    rf"%(?:25)*({_HEX}{{2}})|\\u({_HEX}{{4}})|\\[ux]\{{0*({_HEX}{{1,6}})\}}"
    rf"|\\x({_HEX}{{2}})|\\([0-7]{{1,3}})|\\U({_HEX}{{8}})"
    rf"|&#[xX]0*({_HEX}{{1,6}});?|&#0*([0-9]{{1,7}});?"
    rf"|=({_HEX}{{2}})(?==(?:{_HEX}{{2}}))|(?<==(?:{_HEX}{{2}}))=({_HEX}{{2}})"
    rf"|(?<![0-9A-Za-z_])0[xX]({_HEX}{{1,2}})(?!{_HEX}),? ?"
    r"|\\([\"'/\\bfnrt])|&([A-Za-z][A-Za-z0-9]{0,31};?)"
    rf"|=\r?\n|(?<={_BASE64})\r?\n[ \t]{{0,16}}(?={_BASE64})"
)
# The base of each numeric group: octal `\147`, decimal `&#103;`, the others hex.
_BASE = {5: 8, 8: 10}
_SHORT, _NAMED = 12, 13  # `\n` and `&amp;`: looked up, not numbers
_SHORT_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
# HTML5's named references that stand for one character (a few dozen stand for two,
# a letter and a combining mark; those are left as they are written).
_NAMED_REFS = {name: char for name, char in html5.items() if len(char) == 1}
_LEGACY_NAME = max(len(name) for name in _NAMED_REFS if not name.endswith(";"))

# The family each group of `ESCAPE` belongs to (group 0: a line break the view drops).
PERCENT, UNICODE, C_BYTE, OCTAL, HTML, QUOTED_PRINTABLE, GO_BYTE, SHORT, BREAK = range(9)
_FAMILY: tuple[int, ...] = (BREAK, PERCENT, UNICODE, UNICODE, C_BYTE, OCTAL, UNICODE, HTML)
_FAMILY += (HTML, QUOTED_PRINTABLE, QUOTED_PRINTABLE, GO_BYTE, SHORT, HTML)
# Families that spell one byte, not one character: `%C3%A7` is the UTF-8 of `ç`.
BYTE_FAMILIES = frozenset((PERCENT, C_BYTE, OCTAL, QUOTED_PRINTABLE, GO_BYTE))


class Escape(NamedTuple):
    """One escape of a text: its span, the character it stands for ("" for a line
    break the view drops) and its family."""

    start: int
    end: int
    char: str
    family: int


def escapes(text: str) -> Iterator[Escape]:
    """The escapes of `text` in order, each decoded."""
    for escape in ESCAPE.finditer(text):
        decoded = decoded_escape(escape)
        if decoded is not None:
            char, start, end = decoded
            yield Escape(start, end, char, _FAMILY[escape.lastindex or 0])


def decoded_escape(escape: re.Match[str]) -> tuple[str, int, int] | None:
    """The character an escape stands for and the span it takes, or None (no character)."""
    group = escape.lastindex or 0
    start, end = escape.span()
    if not group:  # a line break the view drops
        return "", start, end
    if group == _SHORT:
        return _SHORT_ESCAPES.get(escape[group], escape[group]), start, end
    if group == _NAMED:
        return _named(escape[group], start)
    code = int(escape[group], _BASE.get(group, 16))
    return (chr(code), start, end) if code <= 0x10FFFF else None


def _named(name: str, start: int) -> tuple[str, int, int] | None:
    """A named reference: the whole name, else (as HTML5 reads `&ampx`) the longest
    legacy name it starts with; the letters after that are text."""
    if name in _NAMED_REFS:
        return _NAMED_REFS[name], start, start + 1 + len(name)
    for size in range(min(len(name), _LEGACY_NAME), 1, -1):
        char = _NAMED_REFS.get(name[:size])
        if char is not None:
            return char, start, start + 1 + size
    return None


class Origin:
    """Where each character of a view came from in the text: the same offset, shifted
    by the escapes before it; an escape's character covers the whole escape. A line
    break the view drops (a soft one, or one wrapping base64) is an escape of no
    character: the characters after it are shifted past it."""

    def __init__(self, then: Origin | None = None) -> None:
        self.then = then  # a view of a view: where its text came from in turn
        self.at: list[int] = []  # the view offset of each escape, ascending
        self.starts: list[int] = []  # and its span in the text
        self.ends: list[int] = []
        self.widths: list[int] = []  # the view characters it decodes to: 1, or 0
        self.decoded = False  # whether an escape decodes to a character

    def add(self, at: int, start: int, end: int, width: int = 1) -> None:
        self.at.append(at)
        self.starts.append(start)
        self.ends.append(end)
        self.widths.append(width)
        self.decoded = self.decoded or width > 0

    def span(self, first: int, stop: int) -> tuple[int, int]:
        """The text's span of view characters `first` up to `stop`."""
        start, end = self._start(first), self._start(stop - 1, end=True)
        return (start, end) if self.then is None else self.then.span(start, end)

    def _start(self, index: int, end: bool = False) -> int:
        i = bisect.bisect_right(self.at, index) - 1
        if i >= 0 and self.at[i] == index and self.widths[i]:
            return self.ends[i] if end else self.starts[i]
        shifted = index if i < 0 else self.ends[i] + index - self.at[i] - self.widths[i]
        return shifted + 1 if end else shifted
