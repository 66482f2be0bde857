"""What a text says to whoever reads it: escapes decoded, accents composed.

Detectors read the UTF-8 of a text as written. A reader (a browser, `json.loads`, a
mail client, an agent) reads `Mu&ntilde;oz`, `Mu\\u00f1oz`, `Mu%C3%B1oz`,
`Mu=C3=B1oz` and `Mun\\u0303oz` (NFD, as macOS writes it) as `Muñoz`; a detector stops
at the escape or the mark, and the rest of the name is shown. `reading` gives the view
a reader gets and where each of its characters came from (`Origin`), so what is found
in the view is masked in the text as written, the escapes around it kept.

The view decodes the escapes that can stand for a letter or a digit, by the rule the
credential scrubber reads them with (`core.escapes`): percent-encoding,
quoted-printable, `\\u`/`\\x`/`\\U` and HTML references, and in a text shaped as
a form (`k=v&k2=v2`) `+` as the space a form reads; adjacent byte escapes are
read as UTF-8 (`%C3%B1` is one `ñ`), else each as the Latin-1 letter it is. Escapes
that lay a text out (`\\n`, a soft line break), octal and Go bytes stay as written:
they hide no name, and decoding them would change how detectors read lines. A letter
followed by combining marks is read as its composed form (NFC; marks that compose
with nothing are dropped from the view, so the word runs on). Last, the view is read
as a person sees a number (`_glyphs`): format characters absent, the dash family as
`-`, every script's decimal digits as ASCII digits.

`may_read_otherwise` is the cheap test in front of all this: one RE2 pass over the
UTF-8 for anything the view could change (and one more, for `_glyphs`, in a text
that is not ASCII). A text without `%`, `=`, `\\`, `&` or a combining mark costs
nothing more.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Iterator

import re2

from phigate.core.escapes import (
    BYTE_FAMILIES,
    C_BYTE,
    HTML,
    PERCENT,
    QUOTED_PRINTABLE,
    UNICODE,
    Escape,
    Origin,
    escapes,
)
from phigate.masking._glyphs import as_seen, may_read_as_seen

# A form's `+` (`application/x-www-form-urlencoded`) is a space to whoever reads it.
_FORM_SPACE = -1
_READ = frozenset((PERCENT, UNICODE, C_BYTE, HTML, QUOTED_PRINTABLE, _FORM_SPACE))
# A text shaped as a form (`k=v&k2=v2`, two pairs or more): where `+` is a space.
_FORM = re2.compile(r"[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)+")
# The combining marks of Latin, Greek and Cyrillic decomposed (NFD) text.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_CLUSTER = re2.compile(f"[^{_MARKS}][{_MARKS}]+")
_LOOK = re2.compile(
    rb"%[0-9A-Fa-f]{2}|=[0-9A-Fa-f]{2}=[0-9A-Fa-f]{2}|\\[uxU]|&#?[A-Za-z0-9]"
    rb"|=[^&\s]*\+"  # a form's `+`
    rb"|[\x{300}-\x{36f}\x{1ab0}-\x{1aff}\x{1dc0}-\x{1dff}\x{20d0}-\x{20ff}\x{fe20}-\x{fe2f}]"
)
_SHORTEST = 3  # `%41`, `&lt`, `e\u0301`


def may_read_otherwise(data: bytes) -> bool:
    """Whether the text (UTF-8) may hold an escape, a combining mark or a character a
    person reads otherwise (`_glyphs`): one RE2 pass, two when it is not ASCII."""
    if len(data) < _SHORTEST:
        return False
    return _LOOK.search(data) is not None or may_read_as_seen(data)


def reading(text: str) -> tuple[str, Origin] | None:
    """The text as a reader reads it and where each character came from; None when
    it reads as it is written."""
    view, origin = _unescaped(text)
    view = _without_surrogates(view)
    if _CLUSTER.search(view) is not None:
        view, origin = _composed(view, origin)
    view, origin = as_seen(view, origin)
    return None if view == text else (view, origin)


# A lone surrogate (JSON may carry `"\\ud800"`) reads as U+FFFD, one character for one,
# so the origin of every other character stays; RE2 cannot take it as text.
_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)


def _without_surrogates(view: str) -> str:
    if view.isascii():
        return view
    try:
        view.encode("utf-8")
    except UnicodeEncodeError:
        return view.translate(_SURROGATES)
    return view


def _unescaped(text: str) -> tuple[str, Origin]:
    origin = Origin()
    parts: list[str] = []
    pos = length = 0
    for start, end, char in _decoded(text):
        length += start - pos
        origin.add(length, start, end, 1)
        parts += [text[pos:start], char]
        length += 1
        pos = end
    if not parts:
        return text, origin
    parts.append(text[pos:])
    return "".join(parts), origin


def _decoded(text: str) -> Iterator[tuple[int, int, str]]:
    """Each escape the view decodes: its span and its character, adjacent bytes joined."""
    run: list[Escape] = []
    for escape in heapq.merge(escapes(text), _form_spaces(text)):
        if escape.family not in _READ or not escape.char:
            continue
        byte = escape.family in BYTE_FAMILIES and ord(escape.char) >= 0x80
        if run and (not byte or run[-1].end != escape.start):
            yield from _utf8(run)
            run = []
        if byte:
            run.append(escape)
        else:
            yield escape.start, escape.end, escape.char
    yield from _utf8(run)


def _form_spaces(text: str) -> Iterator[Escape]:
    """Each `+` of a form-encoded text, read as the space it stands for."""
    if "+" not in text or _FORM.fullmatch(text.strip()) is None:
        return
    start = text.find("+")
    while start >= 0:
        yield Escape(start, start + 1, " ", _FORM_SPACE)
        start = text.find("+", start + 1)


def _utf8(run: list[Escape]) -> Iterator[tuple[int, int, str]]:
    """Adjacent byte escapes read as UTF-8; a byte that starts no character is the
    Latin-1 letter it is (`%E9` in a legacy link)."""
    i = 0
    while i < len(run):
        size = _sequence_size(ord(run[i].char))
        chunk = run[i : i + size]
        if size > 1 and len(chunk) == size:
            try:
                char = bytes(ord(e.char) for e in chunk).decode("utf-8")
            except UnicodeDecodeError:
                char = ""
            if char:
                yield chunk[0].start, chunk[-1].end, char
                i += size
                continue
        yield run[i].start, run[i].end, run[i].char
        i += 1


def _sequence_size(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    return 4 if 0xF0 <= lead <= 0xF4 else 1


def _composed(view: str, then: Origin) -> tuple[str, Origin]:
    """Each letter with its combining marks as one character (NFC, or the letter alone
    when NFC keeps a mark apart), mapped back through `then`."""
    origin = Origin(then=then)
    parts: list[str] = []
    pos = length = 0
    for cluster in _CLUSTER.finditer(view):
        composed = unicodedata.normalize("NFC", cluster.group())
        if len(composed) > 1 and not composed[0].isalpha():
            continue  # a mark on no letter: left as written
        start, end = cluster.span()
        length += start - pos
        origin.add(length, start, end, 1)
        parts += [view[pos:start], composed[0]]
        length += 1
        pos = end
    parts.append(view[pos:])
    return "".join(parts), origin
