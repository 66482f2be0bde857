"""Who speaks in a chat transcript, sends a message or logs on, by handle: the speaker
before a message, as Slack, Teams and IRC exports write it ("[9:14 AM] maria lopez:
...", "09:15 - jkowalski: ..."). A speaker is a person, and chat exports write them in
any case, so capitals cannot say where a name is: the place in the line does.
"""

from __future__ import annotations

import functools

from phigate.masking._shapes import PatternSpec
from phigate.masking._wordlists import common_words, person_names
from phigate.masking.entities import ID, PERSON

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


# A handle as chat exports write it: lower case, with digits, dots, underscores or dashes
_HANDLE = r"[a-z][a-z0-9_.-]{1,30}[a-z0-9_]"


@functools.lru_cache(maxsize=4096)
def _handle_speaker(value: bytes) -> bool:
    """A handle is no word of the language, so a lower-case heading ("plan: f/u",
    "vitals: stable") keeps its place; a dash joins words ("follow-up"), not a handle."""
    word = value.decode("utf-8", "replace")
    if any(c in word for c in "_.") or any(c.isdigit() for c in word):
        return True
    if "-" in word or word in common_words():
        return False
    return _made_of_a_name(word)


def _made_of_a_name(word: str) -> bool:
    """Letters alone make a handle when a name makes them: "jdoe" (an initial and a
    surname), "maria", "mariagarcia"; "error:" or "connection:" opening a log line
    are words of the language, not speakers."""
    first, last = person_names()
    if word in first or word in last or word[1:] in last:
        return True
    return any(word[:i] in first and word[i:] in last for i in range(2, len(word) - 1))


@functools.lru_cache(maxsize=4096)
def _lone_handle(value: bytes) -> bool:
    word = value.decode("utf-8", "replace")
    return len(word) > 3 and word.strip("._-") not in common_words()


CHAT_PATTERNS: tuple[PatternSpec, ...] = (
    # A speaker with no time before it, named by a handle at the line's start: "jdoe:
    # on my way over", "<jkowalski> ok", "jdoe 9:14 AM" (a Teams export's heading). A
    # colon alone ends a key too ("replicas: 3", "  name: web"), so after it a message
    # of three words or more, and no indent (a YAML map's keys are indented)
    PatternSpec(
        ID,
        rf"(?m:^(?:<@?(?P<v>{_HANDLE})>|@?(?P<w>{_HANDLE})"
        rf"(?:[ \t]*:[ \t]+[^\s:]+[ \t]+\S+[ \t]+\S|[ \t]+[\[(]?\d{{1,2}}:\d{{2}})))",
        _handle_speaker,
        groups=(("v", ID), ("w", ID)),
    ),
    # A Slack export's heading, the handle alone with the time on its line ("hoaesc
    # 9:17 AM"), the message below; any word no word of the language is a handle there
    PatternSpec(
        ID,
        rf"(?m:^(?P<v>{_HANDLE})[ \t]+[\[(]?\d{{1,2}}:\d{{2}}(?:\s?[AaPp][Mm])?[\])]?[ \t]*$)",
        _lone_handle,
        groups=(("v", ID),),
    ),
    # Who sent a portal or mail message, by handle: "From: emily.patel78 (verified)",
    # "To: lphillips"; an address is the email pattern's
    PatternSpec(
        ID,
        rf"(?m:^(?:From|To|Cc|Sender|Reply-To):[ \t]*(?P<v>{_HANDLE})(?:[ \t]|$))",
        _handle_speaker,
        groups=(("v", ID),),
    ),
    # A handle named as a user's ("her portal user is sumvan") or as a Windows logon's
    # account ("CORP\\mgarcia", the domain in capitals); the handle must look like one
    # ("the user is unable", "HKLM\\software" are words)
    PatternSpec(
        ID,
        rf"(?:(?i:\buser\s+(?:is|was)\s+)|\b[A-Z][A-Z0-9-]{{1,14}}\\)(?P<v>{_HANDLE})\b",
        _handle_speaker,
        groups=(("v", ID),),
    ),
    # A Slack message's mention as its API writes it, the member's id and then the
    # name shown for it: "<@U02ABCDEF|ingrid.solberg>", "<@W0123ABC|Ingrid Solberg>"
    PatternSpec(
        PERSON,
        r"<@[UW][A-Z0-9]{6,14}\|(?P<v>[^<>|\r\n]{1,60})>",
        groups=(("v", PERSON),),
    ),
    # [9:14 AM] maria lopez: ... / 09:15 - jkowalski: ... / 14:02 Ana > ...
    PatternSpec(
        PERSON,
        rf"(?m:^\s*{_STAMP}\s*(?:[-–—|]\s*)?(?P<v>{_WORD}(?:,?\s{_WORD}){{0,2}})\s*(?::|>)\s)",
        _speaker,
        groups=(("v", PERSON),),
    ),
)
