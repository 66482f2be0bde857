"""The span a detector reports: where an entity is in a text, and its type."""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """A detected entity: byte offsets into the UTF-8 text, and its type. A tuple: tens
    of thousands are made per megabyte, and a frozen dataclass is slower to build."""

    start: int
    end: int
    entity: str
