"""An organisation's own telephone line, not a person's: a number written after the
department or service it reaches ("call our Utilization Management department at",
"Member Services at", "Provider Services:", "toll-free", a hospital's "main line" or
switchboard). A letter from a payer or a hospital gives these to everyone it writes
to; they name no one. A number after a person's word (a patient, a relative, a cell)
keeps its mask, and only the line the number stands on is read.
"""

from __future__ import annotations

import re2

# The words just before the number: a department or service and "at" or a colon, or a
# line the organisation names as its general one.
_SERVICE_BEFORE = re2.compile(
    rb"(?i:(?:^|[^a-z])(?:department|dept\.?|services?|service center|call center|help ?desk"
    rb"|hotline|helpline|switchboard|(?:main|general) (?:number|line|phone)"
    rb"|toll[- ]free(?: number)?)"
    rb"[^\n\d]{0,24}?(?:\bat|:|\bis)?\s*\(?$)"
)
# A person's word among the words before: the number may then be someone's own.
_PERSON_BEFORE = re2.compile(
    rb"(?i:patient|\bpt\b|member'?s (?:cell|home|phone)|cell|mobile|home|daughter|son\b"
    rb"|wife|husband|spouse|mother|father|caregiver|guardian|contact)"
)
# How far back along its line the service's words are looked for.
_BACK = 80


def public_line(data: bytes, start: int) -> bool:
    """Whether the phone number at `start` is an organisation's department's or general
    line (see module doc)."""
    floor = max(0, start - _BACK)
    line_start = data.rfind(b"\n", floor, start) + 1 or floor
    before = data[line_start:start]
    if _SERVICE_BEFORE.search(before) is None:
        return False
    return _PERSON_BEFORE.search(before) is None
