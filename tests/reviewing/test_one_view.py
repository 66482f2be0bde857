"""Reviewer surfaces render what `phigate.reviewing` gives them and nothing of their own:
a surface that re-prints SQL or reads an action's raw text or reason would show the
reviewer something the escaping rule never saw."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src" / "phigate"
SURFACES = sorted(
    [
        *(SRC / "doors" / "channels").glob("*.py"),
        *(SRC / "doors" / "console").glob("*.py"),
        *(SRC / "doors" / "console" / "templates").glob("*.html"),
        SRC / "cli" / "approvals.py",
        SRC / "doors" / "api.py",
    ]
)
# Ways around the one view: re-printing SQL, reading the raw text, reason or body.
FORBIDDEN = re.compile(
    r"pglast|prettify|summary_text|record\.action\.body"
    r"|action(\.text|\[.text.\]|\.reason|\[.reason.\]|\.get\(.reason.\))\b"
)


@pytest.mark.parametrize("path", SURFACES, ids=lambda p: str(p.relative_to(SRC)))
def test_surfaces_render_only_the_reviewers_view(path: Path) -> None:
    text = path.read_text()
    assert FORBIDDEN.findall(text) == []
