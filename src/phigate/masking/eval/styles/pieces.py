"""Pieces of a labelled document and the builder that lays them end to end.

A style writes a document as a sequence of pieces: literal text, a PHI value
with its type, or a decoy with its type. The builder computes offsets as it
appends, so every span is exact by construction (``text[start:end]`` is the
value), whatever the style does to the text around it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Phi:
    """A value that identifies a person, with its label type."""

    value: str
    type: str


@dataclass(frozen=True)
class Decoy:
    """A value that looks like an identifier but must stay readable."""

    value: str
    type: str


Piece = str | Phi | Decoy
#: Rewrites a piece's text before it is laid down (OCR noise); the flag says
#: whether the piece is literal text rather than a labelled value.
Transform = Callable[[str, bool], str]


@dataclass
class Builder:
    """Appends pieces and records the span of each labelled one."""

    transform: Transform | None = None
    parts: list[str] = field(default_factory=list)
    phi: list[tuple[int, int, str]] = field(default_factory=list)
    decoys: list[tuple[int, int, str]] = field(default_factory=list)
    length: int = 0

    def add(self, *pieces: Piece) -> Builder:
        for piece in pieces:
            self._one(piece)
        return self

    def extend(self, pieces: Iterable[Piece]) -> Builder:
        return self.add(*pieces)

    def _one(self, piece: Piece) -> None:
        literal = isinstance(piece, str)
        text = piece if isinstance(piece, str) else piece.value
        if self.transform is not None:
            text = self.transform(text, literal)
        if not text:
            return
        start, self.length = self.length, self.length + len(text)
        self.parts.append(text)
        if isinstance(piece, Phi):
            self.phi.append((start, self.length, piece.type))
        elif isinstance(piece, Decoy):
            self.decoys.append((start, self.length, piece.type))

    def record(self, kind: str) -> dict[str, object]:
        """The document as the JSON object the corpus file holds."""
        return {
            "kind": kind,
            "text": "".join(self.parts),
            "phi": [{"start": s, "end": e, "type": t} for s, e, t in self.phi],
            "decoys": [{"start": s, "end": e, "type": t} for s, e, t in self.decoys],
        }


def to_json(record: dict[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False)
