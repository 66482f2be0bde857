"""Who speaks in a chat transcript: the speaker before a message, as Slack, Teams and
IRC exports write it ("[9:14 AM] maria lopez: ...", "09:15 - jkowalski: ..."). A speaker
is a person, and chat exports write them in any case, so capitals cannot say where a
name is: the place in the line does.
"""

from __future__ import annotations

import functools

from phigate.masking._shapes import PatternSpec
from phigate.masking._wordlists import common_words
from phigate.masking.entities import PERSON

# A time of day opening a chat line: "09:14", "[9:14 AM]", "(14:02:33)", "Tue 09:14"
_STAMP = (
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*\.?\s+)?[\[(]?\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s?[AaPp]\.?[Mm]\.?)?[\])]?"
)
# What a speaker's name is made of: words, initials and handles ("maria.lopez", "j_ko2")
_WORD = r"[\p{L}][\p{L}\d'’._-]*"


@functools.lru_cache(maxsize=4096)
def _speaker(value: bytes) -> bool:
    """A speaker has a word that is no common or clinical word ("maria", "jkowalski"),
    so a timed entry "09:15 vitals: stable" keeps its heading."""
    common = common_words()
    words = value.decode("utf-8", "replace").lower().replace("_", ".").split()
    return any(w.strip(".'’-") not in common for w in words if len(w.strip(".'’-")) > 1)


CHAT_PATTERNS: tuple[PatternSpec, ...] = (
    # [9:14 AM] maria lopez: ... / 09:15 - jkowalski: ... / 14:02 Ana > ...
    PatternSpec(
        PERSON,
        rf"(?m:^\s*{_STAMP}\s*(?:[-–—|]\s*)?(?P<v>{_WORD}(?:,?\s{_WORD}){{0,2}})\s*(?::|>)\s)",
        _speaker,
        groups=(("v", PERSON),),
    ),
)
