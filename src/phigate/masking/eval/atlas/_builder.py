"""Assembling one labelled document piece by piece, so every span is exact by construction."""

from __future__ import annotations

from typing import NamedTuple

from phigate.masking.eval.corpus import Document


class P(NamedTuple):
    """A PHI value and its Safe Harbor type."""

    value: str
    kind: str


class D(NamedTuple):
    """A decoy: looks like an identifier, must stay readable."""

    value: str
    kind: str


Piece = str | P | D

PHI_TYPES = (
    "NAME",
    "ADDRESS",
    "CITY",
    "ZIP",
    "DATE",
    "AGE",
    "PHONE",
    "FAX",
    "EMAIL",
    "SSN",
    "MRN",
    "HEALTH_PLAN",
    "ACCOUNT",
    "LICENSE",
    "VEHICLE",
    "DEVICE",
    "URL",
    "IP",
    "BIOMETRIC",
    "ID",
    "USERNAME",
    "HOSPITAL",
    "ORGANIZATION",
    "PROFESSION",
)


class LabelError(ValueError):
    """A generator tried to label a value that is not a clean span."""


class Doc:
    """Text under construction with its PHI and decoy spans."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._parts: list[str] = []
        self._length = 0
        self._phi: list[tuple[int, int, str]] = []
        self._decoys: list[tuple[int, int, str]] = []

    def add(self, *pieces: Piece) -> Doc:
        for piece in pieces:
            if isinstance(piece, P):
                self._label(piece.value, piece.kind, self._phi)
            elif isinstance(piece, D):
                self._label(piece.value, piece.kind, self._decoys)
            else:
                self._append(piece)
        return self

    def line(self, *pieces: Piece) -> Doc:
        return self.add(*pieces, "\n")

    def _label(self, value: str, kind: str, into: list[tuple[int, int, str]]) -> None:
        # A span that starts or ends in whitespace would credit a detector for blanks.
        if not value or value != value.strip():
            raise LabelError(f"{self.kind}: unclean {kind} span {value!r}")
        if into is self._phi and kind not in PHI_TYPES:
            raise LabelError(f"{self.kind}: unknown PHI type {kind}")
        into.append((self._length, self._length + len(value), kind))
        self._append(value)

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)

    def build(self) -> Document:
        return Document(
            kind=self.kind,
            text="".join(self._parts),
            phi=list(self._phi),
            decoys=list(self._decoys),
        )
