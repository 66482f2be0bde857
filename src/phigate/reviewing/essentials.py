"""What a reviewer must read before a vote: one rule for every surface that offers one.

A vote binds the exact statement, the values bound to its `$n` placeholders, the
session settings a wire write runs with (`DateStyle`, `search_path`, …), what
it asks to see unmasked, and its stated reason. A surface that offers Approve or
Deny (the console, Slack, Teams, `phigate approvals show`) shows each of these
parts whole, taken from the one reviewer's view (`approval_json`); a surface that
cannot show a part whole (a chat message has a size limit) offers no vote, only the
console, and says why. Nothing is cut silently under a button.
"""

from __future__ import annotations

from typing import Any

Segments = list[list[Any]]  # (text, is_escape) pieces, as `review.marked` holds them


def must_read(view: dict[str, Any]) -> list[tuple[str, Segments]]:
    """The labelled parts of an approval a reviewer reads before voting, in order."""
    review = view["action"]["review"]
    marked = review["marked"]
    parts: list[tuple[str, Segments]] = [("Statement", marked["statement"])]
    if "params" in marked:
        parts.append(("Bound values", marked["params"]))
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
