"""Numbers known by where they stand rather than by their shape: a speaker's turn
that is only digits read one by one ("CALLER: 4 5 6 7", the last four of a social
security number), a pager or extension ("pager 12345"), a record number in a list's
parentheses ("Mbeki, Thabo (123 45 67)"), digits in dashed groups that are no date,
phone or SSN ("12-345-678"), a day before the time it is at ("3/18@10").
"""

from __future__ import annotations

import functools

import re2

from phigate.masking._shapes import PatternSpec
from phigate.masking.entities import DATE, ID, MRN, PHONE


@functools.lru_cache(maxsize=4096)
def _record_number(value: bytes) -> bool:
    """Seven or more digits in groups, not a date written with blanks ("2021 03 14")."""
    groups = value.lstrip(b"#").replace(b"-", b" ").split()
    count = sum(len(g) for g in groups)
    dated = len(groups) == 3 and len(groups[0]) == 4 and groups[0][:2] in (b"19", b"20")
    return count >= 7 and not dated


@functools.lru_cache(maxsize=4096)
def _dashed_number(value: bytes) -> bool:
    """Eight or more digits in three dashed groups that are no date (2-2-4, 4-2-2),
    phone number (3-3-4) or SSN (3-2-4), which their own patterns judge; or seven in
    3-2-2, which no date, drug code (NDC: 4-4-2, 5-3-2, 5-4-1) or SSN takes."""
    sizes = tuple(len(g) for g in value.split(b"-"))
    if sizes == (3, 2, 2):
        return True  # "448-12-90": a record number, or a phone number written locally
    if sum(sizes) < 8 or sizes in ((3, 3, 4), (3, 2, 4)):
        return False
    return sizes not in ((2, 2, 4), (1, 2, 4), (2, 1, 4), (4, 2, 2), (4, 1, 2), (4, 2, 1))


_DIGIT_WORDS = "zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple"
_NATO = (
    "alpha|bravo|charlie|delta|echo|foxtrot|golf|hotel|india|juliet|kilo|lima|mike|november"
    "|oscar|papa|quebec|romeo|sierra|tango|uniform|victor|whiskey|x-ray|yankee|zulu"
)
# A token of an identifier read out: a digit word or digits (speech-to-text writes
# either), a letter (alone, "as in" a word, or a NATO word), or the dash between groups.
_READ_TOKEN = rf"(?:{_DIGIT_WORDS}|dash|hyphen|{_NATO}|[a-z](?: as in [a-z-]+)?|\d{{1,4}})"
# A pause inside the reading: "zero zero four eight... uh... two one three"
_FILLER = "(?:uh|um|er|erm|hmm|sorry|then)"
_DIGIT_WORD = re2.compile(rf"(?i:\b(?:{_DIGIT_WORDS})\b|\d)".encode())
_NATO_WORD = re2.compile(rf"(?i:\b(?:{_NATO}|[a-z] as in)\b)".encode())


@functools.lru_cache(maxsize=4096)
def _read_out(value: bytes) -> bool:
    """Four digits at least, as words or numerals: "x Y Z dash four four one dash two
    two nine oh"; with numerals, a letter read as a word too ("alpha bravo 7 7 1 2"),
    since numerals and single letters alone ("2 x 3 x 4 cm") are measurements."""
    if sum(1 for _ in _DIGIT_WORD.finditer(value)) < 4:
        return False
    return not any(48 <= c <= 57 for c in value) or _NATO_WORD.search(value) is not None


NUMBER_PATTERNS: tuple[PatternSpec, ...] = (
    # Letters, digits and dashes read out together on a call: the whole identifier
    PatternSpec(
        ID,
        rf"(?:^|[^\w'’])(?P<v>(?i:(?:(?-i:[A-Z]{{2,4}})[\s,.]+)?{_READ_TOKEN}"
        rf"(?:[\s,.-]+(?:{_FILLER}[\s,.-]+)?{_READ_TOKEN}){{5,}}))\b",
        _read_out,
        groups=(("v", ID),),
        wide=True,
    ),
    # "[00:01:15] CALLER: 4 5 6 7": a turn that is only digits read out
    PatternSpec(
        ID,
        r"(?m:^(?:\[[\d:.]+\]\s*)?[A-Za-z][\w .'-]{0,30}:[ \t]+)"
        r"(?P<v>\d(?:[ ,-]+\d){3,})[.?!]?[ \t]*(?m:$)",
        groups=(("v", ID),),
    ),
    # A form's "Room/Bed" field says where one patient lies (i2b2's ROOM): "Room/Bed:
    # 4127-02", a form's "Room:" or "Bed:", and a handoff's shorthand "rm 412b". A room
    # written out in prose ("exam Room 3", "bed 2 of the ward") names a place anyone
    # is in, and stays.
    PatternSpec(
        ID,
        r"(?:\b(?:(?:(?i:room|rm)\s*/\s*(?i:bed)|rm)\.?\s*(?i:#|no\.?|number)?\s*[:#]?"
        r"|(?i:room|bed)\s*(?i:#|no\.?|number)?\s*:)\s*)"
        r"(?P<v>[A-Za-z]?-?\d{1,4}[A-Za-z]?(?:[-/]\d{1,3}[A-Za-z]?|[-/][A-Za-z]\b)?)\b",
        groups=(("v", ID),),
    ),
    # Numbers a claim form or a letter labels as one person's or one provider's: an
    # employer or taxpayer id (CMS-1500 box 25), a prior authorisation (box 23), the
    # patient's control number (UB-04 box 3a), a payer's claim control number, and
    # the Spanish case and record numbers ("Número de expediente: 448812").
    PatternSpec(
        ID,
        r"(?i:\b(?:f?ein|tin|(?:federal\s+)?tax\s*i\.?\s?d\.?|employer\s+id(?:entification)?"
        r"|(?:prior\s+|pre-?)?auth(?:orization)?|pat\.?\s*cntl|icn|dcn|caso|expediente"
        r"|historia\s+cl[ií]nica|n[uú]m(?:ero|\.)?\s+de\s+(?:caso|expediente|historia"
        r"|paciente|afiliado|p[oó]liza|habitaci[oó]n))"
        r"\s*(?:#|no\.?|n[uú]m\.?|number|id)?\s*[:#]?\s*)"
        r"(?P<v>[A-Z]{0,4}-?\d[A-Za-z0-9-]{3,20})\b",
        groups=(("v", ID),),
    ),
    # pager 12345, ext. 4412, beeper #20931
    PatternSpec(
        PHONE,
        r"(?i:\b(?:pager|beeper|pgr|bleep|ext\.?|extension)\s*(?:#|no\.?|number)?\s*[:#]?\s*)"
        r"(?P<v>\d{3,6})\b",
        groups=(("v", PHONE),),
    ),
    PatternSpec(
        PHONE,
        r"(?i:\bpaged?\s+(?:me\s+|him\s+|her\s+|them\s+)?(?:at\s+)?#?)(?P<v>\d{4,6})\b",
        groups=(("v", PHONE),),
    ),
    # "(123 45 67)", "(#22-318-4471)": a record number beside a name in a list
    PatternSpec(
        MRN,
        r"\((?P<v>#?\d{2,4}(?:[ -]\d{2,4}){1,3})\)",
        _record_number,
        groups=(("v", MRN),),
    ),
    PatternSpec(MRN, r"\b\d{1,4}-\d{2,4}-\d{3,5}\b|\b\d{3}-\d{2}-\d{2}\b", _dashed_number),
    # "3/18@10", "3/14 @ 2pm": a day and month before the time it is at
    PatternSpec(
        DATE,
        r"\b(?P<v>(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]))\s?@\s?\d",
        groups=(("v", DATE),),
        wide=True,
    ),
)
