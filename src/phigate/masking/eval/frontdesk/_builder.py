"""Assembling one labelled document piece by piece, so every offset is exact by construction."""

from __future__ import annotations

import random
from dataclasses import dataclass

from phigate.masking.eval.corpus import Document


@dataclass(frozen=True)
class P:
    """A PHI value of one Safe Harbor / i2b2 type."""

    value: str
    type: str


@dataclass(frozen=True)
class D:
    """A decoy: looks like an identifier, must stay readable."""

    value: str
    kind: str


Piece = str | P | D


class Builder:
    """Appends plain text, PHI and decoys; records spans as it goes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._parts: list[str] = []
        self._length = 0
        self._phi: list[tuple[int, int, str]] = []
        self._decoys: list[tuple[int, int, str]] = []

    def add(self, *pieces: Piece) -> None:
        for piece in pieces:
            if isinstance(piece, P):
                self._span(piece.value, piece.type, self._phi)
            elif isinstance(piece, D):
                self._span(piece.value, piece.kind, self._decoys)
            else:
                self._text(piece)

    def line(self, *pieces: Piece) -> None:
        self.add(*pieces, "\n")

    def _text(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)

    def _span(self, value: str, label: str, into: list[tuple[int, int, str]]) -> None:
        # A label covers the value exactly; surrounding blanks would blur the boundary test.
        if value != value.strip() or not value:
            raise ValueError(f"span value {value!r} has outer whitespace or is empty")
        into.append((self._length, self._length + len(value), label))
        self._text(value)

    def document(self, kind: str) -> Document:
        return Document(
            kind=kind, text="".join(self._parts), phi=list(self._phi), decoys=list(self._decoys)
        )
