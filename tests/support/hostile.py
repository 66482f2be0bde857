"""Statements and reasons built to read differently from what they do (issue 15, item 1).

Each surface test submits these and checks that the reviewer reads the escapes and
the warning, whatever the surface: console, Slack, Teams, webhooks, CLI, REST.
"""

from __future__ import annotations

import re

# U+02BC passes for the closing quote; the real one is 220 spaces off to the right.
# Without a WHERE of its own, it updates every claim.
STATEMENT = "UPDATE claims SET status = 'denied\u02bc\nWHERE id = 7" + " " * 220 + "'"
# What a reviewer must read: the literal on one line, the escapes, the run of spaces.
SHOWN = "'denied\\u02bc\\nWHERE id = 7⟨220 spaces⟩'"
HIDDEN_WARNING = "this statement contains 2 hidden or look-alike characters"
NO_WHERE_WARNING = "UPDATE of claims has no WHERE"
# Read with the override applied: "routine detaily one, verified".
REASON = "routine \u202edeifirev ,eno yliated"
REASON_SHOWN = "routine \\u202edeifirev ,eno yliated"
REASON_WARNING = "the reason contains 1 hidden or look-alike characters"
# Renders as ''WHERE id = 9 with the override applied.
LITERAL = "SELECT id FROM claims WHERE status = '\u202e 9 = di EREHW'"
LITERAL_SHOWN = "'\\u202e 9 = di EREHW'"
EXPECTED = (SHOWN, HIDDEN_WARNING, NO_WHERE_WARNING, REASON_SHOWN, REASON_WARNING)
# Characters that must never reach a reviewer unescaped.
RAW = re.compile("[\u02bc\u202e]|denied\u02bc\nWHERE|" + " " * 20)


def assert_escaped(text: str) -> None:
    """`text` (a rendered surface) shows every escape and warning, and nothing raw."""
    for expected in EXPECTED:
        assert expected in text, (expected, text[:3000])
    assert RAW.search(text) is None, RAW.search(text)


def texts(value: object) -> str:
    """Every "text" string in a Slack block list or an Adaptive Card: a block's own text
    on a line of its own, the runs of a list joined as the reader sees them."""
    if isinstance(value, dict):
        own = [value["text"]] if isinstance(value.get("text"), str) else []
        inner = [texts(v) for v in value.values() if not isinstance(v, str)]
        return "\n".join(own + [t for t in inner if t])
    if isinstance(value, list):
        return "".join(texts(v) for v in value)
    return ""
