"""What a reviewer must read before a vote: one rule for every surface that offers one.

A vote binds the exact statement, the values bound to its `$n` placeholders (and the
types a wire Parse declared for them), the session settings a wire write runs with
(`DateStyle`, `search_path`, …), what it asks to see unmasked, and its stated
reason. A surface that offers Approve or Deny (the console, Slack, Teams, `phigate
approvals show`) shows each of these parts whole, taken from the one reviewer's view
(`approval_json`); a surface that cannot show a part whole (a chat message has a size
limit) offers no vote, only the console, and says why. Nothing is cut silently under a button.

The warnings above the statement are must-read too: a surface offers a vote only when
it shows every kind of warning. They are grouped by kind first (`warning_lines`), so
many of one kind (a run of spaces for each of 126 lengths) make one line and cannot
push another kind ("UPDATE of claims has no WHERE") out of a message.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

Segments = list[list[Any]]  # (text, is_escape) pieces, as `review.marked` holds them


def must_read(view: dict[str, Any]) -> list[tuple[str, Segments]]:
    """The labelled parts of an approval a reviewer reads before voting, in order."""
    review = view["action"]["review"]
    marked = review["marked"]
    parts: list[tuple[str, Segments]] = [("Statement", marked["statement"])]
    if "params" in marked:
        parts.append(("Bound values", marked["params"]))
    if "param_types" in marked:  # the types a wire Parse declared change what they mean
        parts.append(("Parameter types", marked["param_types"]))
    if "settings" in marked:  # a wire write's session settings change what it means
        parts.append(("Session settings", marked["settings"]))
    if review.get("unmasked"):
        parts.append(("Unmasked", [[review["unmasked"], False]]))
    parts.append(("Reason", marked["reason"]))
    return parts


def length(segments: Segments) -> int:
    return sum(len(str(text)) for text, _escape in segments)


def unseen(view: dict[str, Any], limit: int, surface: str) -> str | None:
    """Why `surface`, which shows at most `limit` characters of a part, may not offer
    a vote on this approval; None when every part fits whole."""
    for label, segments in must_read(view):
        size = length(segments)
        if size > limit:
            return (
                f"{label} is {size:,} characters, more than {surface} shows "
                f"({limit:,}): open it in the phigate console, which shows all of it, to vote."
            )
    return None


# Warnings whose text differs only in a place (a table, a length) are one kind; the
# group holds the place. Any other warning is its own kind, its numbers aside.
_KINDS = (
    re.compile(r"^a run of (\d+) spaces is shown as "),
    re.compile(r"^UPDATE of (.+?) has no WHERE"),
    re.compile(r"^DELETE from (.+?) has no WHERE"),
    re.compile(r"^COPY into (.+?) loads the rows"),
)
PLACES_SHOWN = 5  # the first few places of a kind named on its line


def _kind(warning: str) -> tuple[str, str]:
    """The kind of `warning` and its place within that kind."""
    for index, pattern in enumerate(_KINDS):
        found = pattern.match(warning)
        if found:
            return f"kind {index}", found.group(1)
    return re.sub(r"\d+", "#", warning), ", ".join(re.findall(r"\d+", warning))


def warning_lines(warnings: list[str]) -> list[str]:
    """One line per kind of warning, in order of first appearance: the first warning
    of the kind, then how many there are and the first few places ("(126 of this
    kind: 4, 5, 6, 7, 8, …)"); the same warning repeated is counted ("(80 times)")."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for warning in warnings:
        groups.setdefault(_kind(warning)[0], []).append((warning, _kind(warning)[1]))
    lines = []
    for members in groups.values():
        first = members[0][0]
        if len({text for text, _place in members}) == 1:
            lines.append(first if len(members) == 1 else f"{first} ({len(members)} times)")
            continue
        places = list(Counter(place for _text, place in members))
        shown = ", ".join(places[:PLACES_SHOWN]) + (", …" if len(places) > PLACES_SHOWN else "")
        lines.append(f"{first} ({len(members)} of this kind: {shown})")
    return lines


def unwarned(surface: str) -> str:
    """Why `surface` offers no vote when it cannot show every kind of warning."""
    return (
        f"The warnings on this request do not all fit a {surface} message: open it in "
        "the phigate console, which shows all of them, to vote."
    )
