"""Names given in answer: on a call, the turn after "who am I speaking with?" or
"can I have the patient's last name?" names someone, whatever the words look like.
Speech-to-text writes them in lower case and outside any name list ("uh, thabo
mbeki"); the question is the context that tells they are a name.

The answer's leading fillers and common words ("yes", "uh", "it's", "this is") are
skipped; the words after them that are not common words are the name, up to the
first common word again.
"""

from __future__ import annotations

from collections.abc import Iterator

import re2

from phigate.masking import entities as e
from phigate.masking._fastre import Regex
from phigate.masking._wordlists import common_words, plain_names

Found = tuple[int, int, str]

TRIGGER = (
    r"(?i:\b(?:(?:your|the|patient['’]?s|his|her|their|caller['’]?s)\s+(?:full\s+|first\s+|last\s+"
    r"|legal\s+|maiden\s+)?name|who\s+(?:am\s+i|i['’]?m)\s+(?:speaking|talking)|who['’]?s\s+calling"
    r"|who\s+is\s+(?:calling|this|the\s+patient)|spell\s+(?:that|it|the\s+\w+\s+name)))[^\n]*\?"
)
_QUESTION = Regex(TRIGGER.encode())
# "[00:01:15] CALLER:", "Agent:", "A:" - a speaker's label before the words
_SPEAKER = re2.compile(rb"\s*(?:\[[\d:.]+\]\s*)?(?:[A-Za-z][\w .'-]{0,24}:\s*)?")
_WORD = re2.compile(rb"[\p{L}][\p{L}'\xe2\x80\x99-]*")
_FILLERS = frozenset(
    b"yes yeah yep sure ok okay uh um er hmm hi hello so well it's its it is this i'm im i am"
    b" my name name's names the patient's his her their sorry that's".split()
)
_MAX_WORDS = 4


def answered_names(data: bytes) -> Iterator[Found]:
    """The name in the turn after each question that asks for one."""
    for found in _QUESTION.spans(data):
        line_end = data.find(b"\n", found[0][1])
        if line_end < 0:
            continue
        next_end = data.find(b"\n", line_end + 1)
        next_end = len(data) if next_end < 0 else next_end
        yield from _name_in(data, line_end + 1, next_end)


def _name_in(data: bytes, start: int, end: int) -> Iterator[Found]:
    speaker = _SPEAKER.match(data, start, end)
    pos = speaker.end() if speaker is not None else start
    common, names = common_words(), plain_names()
    first = last = -1
    count = 0
    for word in _WORD.finditer(data, pos, end):
        text = word.group().lower()
        lowered = text.decode("utf-8", "replace")
        is_name = lowered in names or (lowered not in common and len(text) > 1)
        if first < 0:
            if text in _FILLERS or not is_name:
                if lowered in common or text in _FILLERS:
                    continue
                return
            first = word.start()
        elif not is_name or text in _FILLERS:
            break
        last = word.end()
        count += 1
        if count == _MAX_WORDS:
            break
    if first >= 0:
        yield first, last, e.PERSON
