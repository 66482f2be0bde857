"""A held secret read in pieces: any run of `RUN` or more of its characters.

A tool that reads a file by byte range (offset and length, as filesystem MCP servers
and editors' file tools do) hands over a credential in as many calls as its caller
likes; no piece is the whole value, so matching whole forms finds none. Each value
is therefore also looked for as any run of `RUN` consecutive characters of it (in
the view: escapes decoded, ASCII case folded), extended as far as it goes both ways,
and that run is redacted wherever it stands.

`RUN` is 8 (`MIN_PIECE`): a random credential's 8 characters almost never stand in
other text by chance (one in 10^14 for base64), while 7 would let a reader take a
32-character key in five calls instead of four — the limit is the same in kind:
pieces shorter than `RUN` read by many calls are not recognised.

Only the parts of a value shaped like a credential are read this way: ones that
hold a digit or a capital letter, not a URL or a path. A document held whole (a
kubeconfig, a config file) is read line by line and only its lines without
whitespace count (a PEM key's base64 lines do; `apiVersion: client.authentication…`
does not): its credentials are held one by one beside it, and runs of its structure
or of a URL would redact `https://` or `/usr/local/bin/` in every answer. A run made
only of lower-case letters, spaces, `-`, `_` and `.` (a word of prose, a command's
flag, `cluster-`) is not redacted either; such a run is found only as part of the
whole value or of a longer run holding another character. A run's ends are trimmed of
separators (spaces, quotes, brackets, `:`, `,`, `;`) it may share with the text
around it, so two redacted values stay apart as they were written. Armour lines of a
PEM file (`-----BEGIN …`) are no secret and not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

RUN = 8
# Any run of `RUN` characters holds one of a value's `_ANCHOR`-character grams taken
# at every `_STRIDE`-th offset; each is found with `str.find` (fast, in C).
_STRIDE = 4
_ANCHOR = RUN - _STRIDE + 1
_PROSE = frozenset("abcdefghijklmnopqrstuvwxyz -_.")
# What a run may share with the text around it at either end.
_SEPARATORS = frozenset(" \t\r\n\"'`{}[](),;:")

Span = tuple[int, int, str]  # start, end (in the view), name


class SecretRuns:
    """Every held value of `RUN` characters or more, findable by any run of them."""

    def __init__(self, named: Iterable[tuple[str, str]]) -> None:
        values: dict[str, tuple[str, str]] = {}  # folded -> (as written, name)
        for name, value in named:
            for text in _readable_parts(value):
                values.setdefault(_fold(text), (text, name))
        self._values = [(folded, text, name) for folded, (text, name) in values.items()]
        self._grams = [
            (folded[at : at + _ANCHOR], at, index)
            for index, (folded, _, _) in enumerate(self._values)
            for at in range(0, len(folded) - _ANCHOR + 1, _STRIDE)
        ]
        # Every gram at every offset, for a short text: read at every `_STRIDE`-th
        # place of it, which costs less than a find a gram.
        self._every: dict[str, list[tuple[int, int]]] = {}
        for index, (folded, _, _) in enumerate(self._values):
            for at in range(len(folded) - _ANCHOR + 1):
                self._every.setdefault(folded[at : at + _ANCHOR], []).append((at, index))

    def spans(self, view: str) -> list[Span]:
        """Each maximal run of `RUN` or more characters of a held value in `view`."""
        found: list[Span] = []
        if len(view) < RUN:
            return found
        followed: set[tuple[int, int]] = set()  # (value, view offset less value offset)
        for at, offset, index in self._hits(view):
            if (index, at - offset) not in followed:
                followed.add((index, at - offset))
                span = self._run(view, at, offset, index)
                found += [span] if span else []
        return found

    def _hits(self, view: str) -> Iterator[tuple[int, int, int]]:
        """(view offset, value offset, value) of places a run may stand."""
        if len(view) < _STRIDE * len(self._grams):
            for at in range(0, len(view) - _ANCHOR + 1, _STRIDE):
                for offset, index in self._every.get(view[at : at + _ANCHOR], ()):
                    yield at, offset, index
            return
        for gram, offset, index in self._grams:
            at = view.find(gram)
            while at >= 0:
                yield at, offset, index
                at = view.find(gram, at + 1)

    def _run(self, view: str, at: int, offset: int, index: int) -> Span | None:
        folded, text, name = self._values[index]
        before = _common(view[max(0, at - offset) : at][::-1], folded[:offset][::-1])
        after = _common(view[at : at + len(folded) - offset], folded[offset:])
        start, end = at - before, at + after
        while start < end and view[start] in _SEPARATORS:
            start += 1
        while end > start and view[end - 1] in _SEPARATORS:
            end -= 1
        shown = text[offset - (at - start) : offset + (end - at)]
        if end - start < RUN or set(shown) <= _PROSE:
            return None
        return start, end, name


def _readable_parts(value: str) -> list[str]:
    """The parts of `value` a reader gets in one piece and that are shaped like a
    credential: a document's token lines (not PEM armour), the token of `<scheme>
    <token>`, or the value itself (a passphrase may hold spaces)."""
    value = value.strip()
    if "\n" in value:
        lines = [line.strip() for line in value.splitlines()]
        return [p for p in lines if _credential_shaped(p) and not any(c.isspace() for c in p)]
    words = value.split()
    parts = words if len(words) == 2 else [value]
    return [p for p in parts if _credential_shaped(p)]


def _credential_shaped(part: str) -> bool:
    """`RUN` or more characters holding a digit or a capital letter; no URL, path or
    PEM armour."""
    return (
        len(part) >= RUN
        and not part.startswith(("-----", "/", "~"))
        and "://" not in part
        and any(c.isdigit() or c.isupper() for c in part)
    )


def _common(a: str, b: str) -> int:
    """How many leading characters `a` and `b` share."""
    size = min(len(a), len(b))
    n = 0
    while n < size and a[n] == b[n]:
        n += 1
    return n


def _fold(text: str) -> str:
    """ASCII case folded, as the scrubber's view is."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
