"""Text that reads as no language in an answer, fail closed: withheld.

The byte guard withholds encoded bytes that read as no text; this is its rule for
text. After an answer is scrubbed, guarded and masked (so the masker's markers count
as read), each line of a text, and each line of each JSON string, that reads as no
language (`masking._lexicon.reads_as_no_language`: a note reversed, rot13'd,
shifted, its letters interleaved) is replaced by `MARKER` and counted under `ENTITY`,
which the audit records. A connection that carries such text on purpose sets
`allow_unreadable_text`.
"""

from __future__ import annotations

from typing import Any

from phigate.masking._lexicon import preload, reads_as_no_language

ENTITY = "UNREADABLE_TEXT"
MARKER = "[withheld: text that reads as no language]"


def prepare(allowed: bool) -> None:
    """At a connection's start: load the words it judges with, unless it shows
    unreadable text (`allow_unreadable_text`), so its first answer does not wait."""
    if not allowed:
        preload()


def withheld_text(text: str, counts: dict[str, int]) -> str:
    """`text` with each line that reads as no language withheld."""
    lines = text.split("\n")
    out = [_line(line, counts) for line in lines]
    return text if out == lines else "\n".join(out)


def withheld_json(value: Any, counts: dict[str, int]) -> Any:
    """A JSON value with each string's unreadable lines withheld, keys included."""
    if isinstance(value, str):
        return withheld_text(value, counts)
    if isinstance(value, list):
        return [withheld_json(v, counts) for v in value]
    if isinstance(value, dict):
        return {withheld_text(str(k), counts): withheld_json(v, counts) for k, v in value.items()}
    return value


def _line(line: str, counts: dict[str, int]) -> str:
    if not reads_as_no_language(line):
        return line
    counts[ENTITY] = counts.get(ENTITY, 0) + 1
    return MARKER
