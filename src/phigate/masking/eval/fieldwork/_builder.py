"""Text assembled piece by piece, so every label's offsets are known by construction.

A generator never searches its own output for a value (a name that is also a word
would be found in the wrong place); it appends plain text and marked values, and
the builder records where each marked value landed.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from phigate.masking.eval.corpus import Document


@dataclass(frozen=True)
class Mark:
    """A value that is PHI (label is a PHI type) or a decoy (label is a decoy kind)."""

    value: str
    label: str
    is_phi: bool


@dataclass(frozen=True)
class Inline:
    """A JSON string made of several pieces, some of them marked."""

    pieces: tuple[str | Mark, ...]


Piece = str | Mark
JsonValue = (
    Mark
    | Inline
    | str
    | int
    | float
    | bool
    | None
    | Mapping[str, "JsonValue"]
    | Sequence["JsonValue"]
)


def phi(value: str, label: str) -> Mark:
    return Mark(value, label, True)


def decoy(value: str, label: str) -> Mark:
    return Mark(value, label, False)


class Builder:
    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._phi: list[tuple[int, int, str]] = []
        self._decoys: list[tuple[int, int, str]] = []

    def text(self, value: str) -> None:
        self._parts.append(value)
        self._length += len(value)

    def add(self, piece: Piece) -> None:
        if isinstance(piece, str):
            self.text(piece)
            return
        # A label must cover the value exactly: no whitespace at either end.
        assert piece.value and piece.value == piece.value.strip(), piece
        span = (self._length, self._length + len(piece.value), piece.label)
        (self._phi if piece.is_phi else self._decoys).append(span)
        self.text(piece.value)

    def extend(self, pieces: Sequence[Piece]) -> None:
        for piece in pieces:
            self.add(piece)

    def fill(self, template: str, **values: Piece) -> None:
        """Append a str.format-like template whose fields are plain text or marks."""
        for literal, field_name, _, _ in string.Formatter().parse(template):
            self.text(literal)
            if field_name is not None:
                self.add(values[field_name])

    def document(self, kind: str) -> Document:
        return Document(kind, "".join(self._parts), list(self._phi), list(self._decoys))


def json_string_pieces(pieces: Sequence[Piece]) -> list[Piece]:
    """Escape each piece as JSON string content; a marked value must need no escape."""
    out: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(json.dumps(piece, ensure_ascii=False)[1:-1])
        else:
            assert json.dumps(piece.value, ensure_ascii=False)[1:-1] == piece.value, piece
            out.append(piece)
    return out


def emit_json(builder: Builder, value: JsonValue, indent: int | None = 2) -> None:
    """Write value as JSON (pretty with indent, minified with None), marks in place."""
    _emit(builder, value, indent, 0)


def _emit(builder: Builder, value: JsonValue, indent: int | None, depth: int) -> None:
    if isinstance(value, Mark):
        builder.extend(['"', *json_string_pieces([value]), '"'])
    elif isinstance(value, Inline):
        builder.extend(['"', *json_string_pieces(value.pieces), '"'])
    elif isinstance(value, Mapping):
        items = [(json.dumps(k, ensure_ascii=False), v) for k, v in value.items()]
        sep = ": " if indent is not None else ":"
        _emit_items(builder, "{}", [(k + sep, v) for k, v in items], indent, depth)
    elif isinstance(value, str) or not isinstance(value, Sequence):
        builder.text(json.dumps(value, ensure_ascii=False))
    else:
        _emit_items(builder, "[]", [("", v) for v in value], indent, depth)


def _emit_items(
    builder: Builder,
    brackets: str,
    items: Sequence[tuple[str, JsonValue]],
    indent: int | None,
    depth: int,
) -> None:
    builder.text(brackets[0])
    if not items:
        builder.text(brackets[1])
        return
    inner = "" if indent is None else "\n" + " " * (indent * (depth + 1))
    outer = "" if indent is None else "\n" + " " * (indent * depth)
    for i, (prefix, item) in enumerate(items):
        builder.text(("," if i else "") + inner + prefix)
        _emit(builder, item, indent, depth + 1)
    builder.text(outer + brackets[1])


def shown(piece: Piece) -> str:
    return piece if isinstance(piece, str) else piece.value


def emit_table(builder: Builder, header: Sequence[str], rows: Sequence[Sequence[Piece]]) -> None:
    """A psql-style aligned table: padding and bars stay outside the labels."""
    widths = [max([len(h)] + [len(shown(r[i])) for r in rows]) for i, h in enumerate(header)]
    builder.text(" " + " | ".join(h.center(w) for h, w in zip(header, widths, strict=True)) + "\n")
    builder.text("-" + "-+-".join("-" * w for w in widths) + "-\n")
    for row in rows:
        for i, (cell, width) in enumerate(zip(row, widths, strict=True)):
            builder.text(" " if i == 0 else " | ")
            builder.add(cell)
            builder.text(" " * (width - len(shown(cell))))
        builder.text("\n")
    builder.text(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def emit_delimited(
    builder: Builder, rows: Sequence[Sequence[Piece]], sep: str = ",", end: str = "\n"
) -> None:
    """CSV-like rows; a cell holding the separator is quoted, quotes outside the label."""
    for row in rows:
        for i, cell in enumerate(row):
            builder.text(sep if i else "")
            quoted = sep in shown(cell)
            builder.extend(['"', cell, '"'] if quoted else [cell])
        builder.text(end)
