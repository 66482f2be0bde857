"""A stdio MCP upstream for round 30; no tests here.

Run as a subprocess: `python tests/adversarial/round30_upstream.py`. `read_file`
reads a file whole and answers it in one of the views file tools and shells give:
`xxd -g8`, `xxd -p` lines, hex bytes spaced on one line, decimal bytes, base64 of raw
deflate, of bzip2, of UTF-32, its characters in groups of eight joined by dashes.
"""

from __future__ import annotations

import base64
import bz2
import sys
import zlib
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.adversarial.file_view_upstream import View, run


def _deflated(raw: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush()


def _xxd_g8(raw: bytes) -> str:
    rows = []
    for at in range(0, len(raw), 16):
        row = raw[at : at + 16]
        rows.append(f"{at:08x}: " + " ".join(row[i : i + 8].hex() for i in range(0, len(row), 8)))
    return "\n".join(rows)


VIEWS: dict[str, View] = {
    "xxd-g8": _xxd_g8,
    "xxd-p": lambda raw: "\n".join(raw.hex()[i : i + 60] for i in range(0, len(raw) * 2, 60)),
    "hex-spaced": lambda raw: " ".join(f"{b:02x}" for b in raw),
    "decimal": lambda raw: " ".join(str(b) for b in raw),
    "deflate-base64": lambda raw: base64.b64encode(_deflated(raw)).decode(),
    "bz2-base64": lambda raw: base64.b64encode(bz2.compress(raw)).decode(),
    "utf32-base64": lambda raw: base64.b64encode(raw.decode().encode("utf-32-le")).decode(),
    "dashed-8": lambda raw: "-".join(
        raw.decode().strip()[i : i + 8] for i in range(0, len(raw.strip()), 8)
    ),
}


if __name__ == "__main__":
    run("round30-upstream", VIEWS)
