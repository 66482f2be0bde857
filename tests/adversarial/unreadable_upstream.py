"""A stdio MCP upstream for test_unreadable_text; no tests here.

`read_file` answers a file's text as it is (`text`).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.adversarial.file_view_upstream import View, run

VIEWS: dict[str, View] = {"text": lambda raw: raw.decode()}


if __name__ == "__main__":
    run("unreadable-upstream", VIEWS)
