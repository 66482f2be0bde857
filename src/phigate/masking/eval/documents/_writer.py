"""The document builder: text appended piece by piece, each PHI or decoy span recorded as written.

Recording spans while writing (rather than searching for values afterwards)
keeps every offset exact even when a value repeats or appears inside another.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Document:
    """One generated document: its style, text, PHI spans and decoy spans."""

    kind: str
    text: str
    phi: list[tuple[int, int, str]] = field(default_factory=list)
    decoys: list[tuple[int, int, str]] = field(default_factory=list)


class Writer:
    """Accumulates text; `phi` and `decoy` append a value and remember where it landed."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._parts: list[str] = []
        self._length = 0
        self._phi: list[tuple[int, int, str]] = []
        self._decoys: list[tuple[int, int, str]] = []

    def t(self, text: str) -> Writer:
        """Plain text that is neither PHI nor a decoy."""
        self._parts.append(text)
        self._length += len(text)
        return self

    def phi(self, value: str, kind: str) -> Writer:
        """A PHI value of the given type."""
        self._phi.append(self._span(value, kind))
        return self

    def decoy(self, value: str, kind: str) -> Writer:
        """A value that looks like an identifier but must stay readable."""
        self._decoys.append(self._span(value, kind))
        return self

    def _span(self, value: str, kind: str) -> tuple[int, int, str]:
        if not value or value != value.strip():
            raise ValueError(f"span value must be non-empty and trimmed: {value!r}")
        start = self._length
        self.t(value)
        return (start, self._length, kind)

    def document(self) -> Document:
        """The finished document, its spans checked against the text."""
        text = "".join(self._parts)
        doc = Document(self.kind, text, list(self._phi), list(self._decoys))
        check(doc)
        return doc


def check(doc: Document) -> None:
    """Fail loudly on an out-of-range or overlapping span: a bad label scores silently wrong."""
    for spans in (doc.phi, doc.decoys):
        last_end = 0
        for start, end, _ in sorted(spans):
            if not 0 <= start < end <= len(doc.text) or start < last_end:
                raise AssertionError(f"bad span {start}:{end} in {doc.kind}")
            last_end = end
