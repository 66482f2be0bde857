"""The labelled document a style writes into: text built piece by piece, spans kept exact.

A style never computes offsets itself: it appends plain text, PHI values and decoys
in order, and the builder records where each landed. That is what keeps every span
exact however the layout around it varies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Tag:
    """A value with a label: PHI (``phi=True``) or a decoy that must stay readable."""

    text: str
    label: str
    phi: bool


def P(text: str, label: str) -> Tag:
    """A PHI value of type ``label``."""
    return Tag(text, label, True)


def D(text: str, label: str) -> Tag:
    """A decoy of type ``label``: looks like an identifier, is not PHI."""
    return Tag(text, label, False)


Piece = str | Tag


@dataclass
class Doc:
    """Text of one document and its PHI and decoy spans, in the JSONL shape of the corpus."""

    kind: str
    parts: list[str] = field(default_factory=list)
    phi: list[dict[str, object]] = field(default_factory=list)
    decoys: list[dict[str, object]] = field(default_factory=list)
    size: int = 0

    def add(self, *pieces: Piece) -> Doc:
        """Append pieces in order; a Tag's text is recorded as a span where it lands."""
        for piece in pieces:
            if isinstance(piece, Tag):
                self._span(piece.text, piece.label, piece.phi)
            else:
                self._append(piece)
        return self

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def _span(self, text: str, label: str, phi: bool) -> None:
        if text:
            target = self.phi if phi else self.decoys
            target.append({"start": self.size, "end": self.size + len(text), "type": label})
        self._append(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def record(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "phi": self.phi, "decoys": self.decoys}


def quoted(piece: Piece, quote: str = '"') -> list[Piece]:
    """A string literal as JSON (``"``) or Python (``'``) writes it, the span inside the quotes."""
    raw = piece.text if isinstance(piece, Tag) else piece
    if quote == '"':
        body = json.dumps(raw, ensure_ascii=False)[1:-1]
    else:
        quote = '"' if "'" in raw and '"' not in raw else "'"
        body = raw if quote == '"' else repr(raw)[1:-1]
    inner: Piece = Tag(body, piece.label, piece.phi) if isinstance(piece, Tag) else body
    return [quote, inner, quote]


Json = Union[Piece, int, float, bool, None, "list[Json]", "dict[str, Json]"]


def add_json(doc: Doc, value: Json, indent: int | None, level: int = 0) -> None:
    """Render ``value`` as JSON into ``doc``, keeping the spans of tagged leaves."""
    if isinstance(value, dict):
        _container(doc, "{", "}", list(value.items()), indent, level)
    elif isinstance(value, list):
        _container(doc, "[", "]", [(None, v) for v in value], indent, level)
    elif isinstance(value, (str, Tag)):
        doc.add(*quoted(value))
    else:
        doc.add(json.dumps(value))


def _container(
    doc: Doc,
    open_: str,
    close: str,
    items: list[tuple[str | None, Json]],
    indent: int | None,
    level: int,
) -> None:
    if not items:
        doc.add(open_ + close)
        return
    pad = "" if indent is None else "\n" + " " * (indent * (level + 1))
    sep = ", " if indent is None else ","
    doc.add(open_)
    for i, (key, item) in enumerate(items):
        doc.add((sep if i else "") + pad)
        if key is not None:
            doc.add(json.dumps(key) + ": ")
        add_json(doc, item, indent, level + 1)
    doc.add("" if indent is None else "\n" + " " * (indent * level))
    doc.add(close)
