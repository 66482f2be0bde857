"""A stdio MCP upstream for round 32a; no tests here.

Run as a subprocess: `python tests/adversarial/round32a_upstream.py`. `read_file`
reads a file whole and answers it in one of the views a shell gives it: `base32`,
ascii85 (`btoa`), `uuencode`, C octal escapes, binary digits (`xxd -b`), reversed
(`rev`), dash-joined hex pairs, or cut in two content blocks.
"""

from __future__ import annotations

import base64
import binascii
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.adversarial.file_view_upstream import View, run

VIEWS: dict[str, View] = {
    "split": lambda raw: [raw[: len(raw) // 2].decode(), raw[len(raw) // 2 :].decode()],
    "base32": lambda raw: base64.b32encode(raw).decode(),
    "base32-lower": lambda raw: base64.b32encode(raw).decode().lower().rstrip("="),
    "ascii85": lambda raw: base64.a85encode(raw).decode(),
    "base85": lambda raw: base64.b85encode(raw).decode(),
    "uuencode": lambda raw: binascii.b2a_uu(raw[:45]).decode(),
    "octal": lambda raw: "".join(f"\\{b:03o}" for b in raw),
    "binary": lambda raw: " ".join(f"{b:08b}" for b in raw),
    "reversed": lambda raw: raw.decode()[::-1],
    "hex-dash": lambda raw: raw.hex("-"),
    "text": lambda raw: raw.decode(),
}


if __name__ == "__main__":
    run("round32a-upstream", VIEWS, strip=True)
