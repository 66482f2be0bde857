"""Assembling a document piece by piece so that every label is exact by construction.

A template's literal text is copied as is; each named field is either plain text, a
PHI value or a decoy, and labelled values record their own offsets as they are
appended. No label is ever found again by searching the finished text, so a value
that also occurs elsewhere cannot be mislabelled.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from phigate.masking.eval.corpus import Document

PHI_TYPES = frozenset(
    {
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
    }
)

_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Piece:
    """A value to be labelled: PHI of `label` type, or a decoy of `label` kind."""

    value: str
    label: str
    phi: bool


def P(value: str, label: str) -> Piece:
    """A PHI value; the type must be one of the corpus's PHI types."""
    if label not in PHI_TYPES:
        raise ValueError(f"unknown PHI type {label!r}")
    return Piece(value, label, True)


def D(value: str, kind: str) -> Piece:
    """A decoy: looks like an identifier but must stay readable."""
    return Piece(value, kind, False)


Field = Piece | str


class Builder:
    """Accumulates text and the spans of the labelled values in it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._parts: list[str] = []
        self._length = 0
        self._phi: list[tuple[int, int, str]] = []
        self._decoys: list[tuple[int, int, str]] = []

    def add(self, template: str, **fields: Field) -> Builder:
        """Append `template`, with `{name}` fields filled from `fields` ({{ }} escape)."""
        for literal, name, spec, conversion in _FORMATTER.parse(template):
            self._text(literal)
            if name is None:
                continue
            if spec or conversion or name not in fields:
                raise ValueError(f"field {name!r} of {template!r} is not a plain given field")
            self.put(fields[name])
        return self

    def put(self, field: Field) -> Builder:
        """Append one field: plain text as is, a piece with its label."""
        if isinstance(field, str):
            self._text(field)
            return self
        value = field.value
        if not value or value != value.strip():
            # A label must hug its value: the scorer and any detector judge exact spans.
            raise ValueError(f"labelled value {value!r} is empty or padded")
        span = (self._length, self._length + len(value), field.label)
        (self._phi if field.phi else self._decoys).append(span)
        self._text(value)
        return self

    def _text(self, text: str) -> None:
        if text:
            self._parts.append(text)
            self._length += len(text)

    def document(self) -> Document:
        return Document(
            kind=self.kind,
            text="".join(self._parts),
            phi=list(self._phi),
            decoys=list(self._decoys),
        )
