"""A stdio MCP upstream for round 29a; no tests here.

Run as a subprocess: `python tests/adversarial/round29a_upstream.py`. `read_file`
reads a file whole and answers it in one of the views file tools and shells give:
as it is, compressed then base64 or hex (a `.gz` read by a tool that answers bytes
as text), the dumps `od` writes (`od -c`, `od -An -tx1`), its characters in groups
of four, a zero-width space every six characters, its base64 with soft hyphens
inside, or the JSON Node.js writes for a `Buffer`.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.adversarial.file_view_upstream import View, run


def _od(raw: bytes, cell: Callable[[int], str], offsets: bool = True) -> str:
    """`od`'s layout: an octal offset (none with `-An`), 16 bytes a line."""
    lines = []
    for at in range(0, len(raw), 16):
        cells = "".join(cell(b) for b in raw[at : at + 16])
        lines.append((f"{at:07o}" if offsets else "") + cells)
    return "\n".join(lines)


def _char(b: int) -> str:
    """`od -c`'s cell: the character, `\\n` for a line end, else octal."""
    shown = chr(b) if 32 <= b < 127 else ("\\n" if b == 10 else f"{b:03o}")
    return f"{shown:>4}"


def _every(text: str, size: int, separator: str) -> str:
    """`text` with `separator` after every `size` characters."""
    return separator.join(text[i : i + size] for i in range(0, len(text), size))


VIEWS: dict[str, View] = {
    "text": lambda raw: raw.decode("utf-8", "replace"),
    "gzip-base64": lambda raw: base64.b64encode(gzip.compress(raw, mtime=0)).decode(),
    "zlib-base64": lambda raw: base64.b64encode(zlib.compress(raw)).decode(),
    "gzip-hex": lambda raw: gzip.compress(raw, mtime=0).hex(),
    "od-c": lambda raw: _od(raw, _char),
    "od-An-tx1": lambda raw: _od(raw, lambda b: f" {b:02x}", offsets=False),
    "grouped": lambda raw: " ".join(
        raw.decode().strip()[i : i + 4] for i in range(0, len(raw.strip()), 4)
    ),
    "zero-width": lambda raw: _every(raw.decode().strip(), 6, "\u200b"),
    "base64-soft-hyphens": lambda raw: _every(base64.b64encode(raw).decode(), 7, "\u00ad"),
    "node-buffer": lambda raw: json.dumps({"type": "Buffer", "data": list(raw)}),
}


if __name__ == "__main__":
    run("round29a-upstream", VIEWS)
