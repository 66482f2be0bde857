"""Words joined by `_` in an answer, read as words: masked where they stand.

A note written as one identifier (`Patient_Aisha_El-Amin,_born_18_Mar_1939,_...`)
has no word boundary anywhere: the detectors' `\\b` does not fire between `_` and a
letter or digit, so its SSN, phone and address pass the masker. After the masker
has read an answer as written (so secrets such as `sk_live_...` are matched whole
first), each line with a chunk of `MIN_JOINS` or more `_` between letters or digits
is read again with those `_` as spaces: the same length, so a detection's span in
that reading covers the same characters of the line, which are replaced by
`[ENTITY]`. HTTP, MCP and exec answers pass it (`GuardedMasker`, `StreamMasker`).
"""

from __future__ import annotations

from typing import Any

from phigate.masking.engine import Masker

# Fewer joins are an identifier's (`sk_live_key`, `first_name`), read as written.
MIN_JOINS = 3


def joined_text(masker: Masker, text: str, counts: dict[str, int]) -> str:
    """`text` with what its `_`-joined lines show masked where it stands."""
    if "_" not in text or not masker.types:  # none joined, or nothing masked for the caller
        return text
    lines = text.split("\n")
    out = [_line(masker, line, counts) for line in lines]
    return text if out == lines else "\n".join(out)


def joined_json(masker: Masker, value: Any, counts: dict[str, int]) -> Any:
    """A JSON value with each string's `_`-joined lines masked, keys included."""
    if isinstance(value, str):
        return joined_text(masker, value, counts)
    if isinstance(value, list):
        return [joined_json(masker, v, counts) for v in value]
    if isinstance(value, dict):
        return {
            joined_text(masker, str(k), counts): joined_json(masker, v, counts)
            for k, v in value.items()
        }
    return value


def _line(masker: Masker, line: str, counts: dict[str, int]) -> str:
    reading, joined = _reading(line)
    if not joined:
        return line
    # Only what lies within a joined chunk: the rest was read as written (a label
    # in `get_by_id(x): return` is no label of the word after it).
    spans = [s for s in masker.spans(reading) if any(a <= s[0] and s[1] <= b for a, b in joined)]
    return labelled(line, sorted(spans), counts) if spans else line


def _reading(line: str) -> tuple[str, list[tuple[int, int]]]:
    """The line with each joined chunk's `_` as spaces, and where those chunks stand."""
    chunks = line.split(" ")
    pos, joined = 0, []
    for chunk in chunks:
        if _spaced(chunk) != chunk:
            joined.append((pos, pos + len(chunk)))
        pos += len(chunk) + 1
    return " ".join(map(_spaced, chunks)), joined


def _spaced(chunk: str) -> str:
    """A chunk of words joined by `_` with its `_` as spaces; any other as written."""
    words = [part for part in chunk.split("_") if any(c.isalnum() for c in part)]
    return chunk.replace("_", " ") if len(words) > MIN_JOINS else chunk


def labelled(line: str, spans: list[tuple[int, int, str]], counts: dict[str, int]) -> str:
    """`line` with each detection (sorted by start) replaced by its `[ENTITY]` label."""
    pieces: list[str] = []
    pos = 0
    for start, end, entity in spans:
        if start < pos:
            continue  # overlapping detections: the first one covers it
        pieces += [line[pos:start], f"[{entity}]"]
        counts[entity] = counts.get(entity, 0) + 1
        pos = end
    return "".join([*pieces, line[pos:]])
