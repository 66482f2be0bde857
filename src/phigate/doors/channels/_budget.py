"""Fitting a chat message into its platform's limits without dropping anything silently.

Slack refuses a message with one field too long and Teams one over its byte limit, and
then the request never reaches a reviewer. So each field and list is cut to its share
of the limit here, and every cut says what it left out ("… 12 more tables: see the
console"): a reviewer can always tell the message shows less than there is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable


def more(count: int, noun: str) -> str:
    """The marker that ends a cut list: how many items, of what, are not shown."""
    return f"… {count:,} more {noun}: see the console"


def listing(
    items: list[str], *, limit: int, noun: str, sep: str = ", ", size: Callable[[str], int] = len
) -> str:
    """`items` joined by `sep` while they fit in `limit`, then `more(…)` for the rest.

    An item that does not fit whole is left out whole (never half a table name), and
    `size` measures what the platform counts (an escaped `&amp;` is five characters
    to Slack). The result is at most `limit` as `size` measures it, for any limit
    that holds the marker itself.
    """
    shown: list[str] = []
    used = 0
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        tail = size(sep) + size(more(rest, noun)) if rest else 0
        cost = (size(sep) if shown else 0) + size(item)
        if used + cost + tail > limit:
            marker = more(len(items) - index, noun)
            return sep.join([*shown, marker]) if shown else marker
        shown.append(item)
        used += cost
    return sep.join(shown)


def cut(text: str, limit: int, size: Callable[[str], int] = len) -> str:
    """`text` whole if it fits in `limit`, else its start and how much is not shown."""
    if size(text) <= limit:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with its marker
        mid = (lo + hi + 1) // 2
        if size(text[:mid] + _cut_marker(len(text) - mid)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + _cut_marker(len(text) - lo)


def _cut_marker(left: int) -> str:
    return f" … ({left:,} more characters: see the console)"


def counted(items: list[str]) -> list[str]:
    """Repeated items once each, with how often they occur ("… (80 times)"), in order
    of first appearance: 80 UPDATEs without WHERE make one line, not 80."""
    counts = Counter(items)
    return [item if counts[item] == 1 else f"{item} ({counts[item]} times)" for item in counts]
