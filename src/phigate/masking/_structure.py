"""Identifiers found by the structure around them, not by their shape: the label
before a value ("Guarantor: ...", "Hospital #: ..."), the key of a JSON member
("family", "postalCode"), the header of a CSV column, the field of an HL7 v2
segment (PID-5 is the patient's name whatever it looks like).

What a label, key or header says about its value is decided by `hint`, the rule
that classifies column names, plus a few words that only labels in text use.
Each structure has a trigger pattern that joins the detector's one RE2 set pass;
its extractor runs only on text where the trigger matched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import re2

from phigate.masking import _addresses, _hl7, _turns, _vcard, _x12
from phigate.masking import entities as e
from phigate.masking._fastre import Regex
from phigate.masking._hints import KEEP, TEXT, hint, uncamel
from phigate.masking._least import is_within
from phigate.masking._places import _place
from phigate.masking._shapes import STATE_ABBR, STATE_NAMES, has_digit
from phigate.masking._validators import digits
from phigate.masking._wordlists import common_words, department, organisation_kind, plain_names

Found = tuple[int, int, str]

# Words that only free-text labels use for people and record numbers.
_PERSON_LABELS = frozenset(
    [
        "patient",
        "pt",
        "prescriber",
        "prescribed",
        "guarantor",
        "spouse",
        "kin",
        "nok",
        "mother",
        "father",
        "caregiver",
        "guardian",
        "pcp",
        "physician",
        "provider",
        "doctor",
        "surgeon",
        "clinician",
        "radiologist",
        "pathologist",
        "resident",
        "signed",
        "dictated",
        "cosigner",
        "witness",
        "interpreter",
        "contact",
        "insured",
        "subscriber",
        "relative",
        "emergency",
    ]
)
_NUMBER_WORDS = frozenset(b"# no no. num number id nbr uuid".split())
# Labels of a person's handle: "user=jdoe", "login: jdoe".
_ACCOUNT_LABELS = frozenset(
    [
        "user",
        "username",
        "login",
        "userid",
        "uid",
        "handle",
        "screenname",
        # who did what in an audit trail: "actor=jdoe", "assignee: mlopez"
        "actor",
        "principal",
        "assignee",
        "reporter",
        "requester",
        "submitter",
    ]
)
_RECORD_LABELS = frozenset(
    [
        "encounter",
        "visit",
        "identifier",
        "reference",
        "ref",
        "case",
        "order",
        "accession",
        "specimen",
        "requisition",
        "mrn",
        "chi",
        "nhs",
        "record",
        "chart",
        "episode",
        "admission",
        # where a patient lies: "Bed: 4B" (a prescription's number needs its number
        # word, "Rx#", "Rx No": "Rx: ASA 325" is a drug and its dose)
        "bed",
    ]
)
# Whose number a label names: a person's or their record's, not a row's or a code's.
_SUBJECTS = frozenset(
    [
        "patient",
        "pt",
        "member",
        "subscriber",
        "person",
        "user",
        "client",
        "customer",
        "guarantor",
        "insured",
        "encounter",
        "enc",
        "visit",
        "rx",
        "prescription",
        "bed",
        "account",
        "acct",
        "order",
        "accession",
        "specimen",
        "case",
        "claim",
        "chart",
        "record",
        "mrn",
        "hospital",
        "medical",
        "employee",
        "student",
        "badge",
        "household",
        "resident",
        "unit",
        "fin",
        "csn",
        "har",
        "ticket",
        "reference",
        "ref",
        "confirmation",
        "booking",
        "transaction",
        "requisition",
        "lab",
        "nhs",
        "chi",
        "nhi",
    ]
)
# "Label: value", "key=value" (logs, query strings); "10:30" and "a::b" are no labels.
# A label ends with a colon, an equals sign, tabs, or the blank of a paper form
# filled in by hand or by OCR ("Name: ____Maria Lopez", "Name________Maria").
_LABEL_END_RE = r"[A-Za-z#.)\]](?:[ \t]?(?::[ \t]*|=[ \t]*)|\t+|[ \t]?_{2,}[ \t]*)(?:_+[ \t]*)?"
_LABEL_END = Regex(_LABEL_END_RE.encode())
_LABEL_WORDS = 3
_MAX_VALUE = 100


@functools.lru_cache(maxsize=8192)
def classify_label(label: str) -> str | None:
    """The entity type a label, key or header says its value is, else None. A label
    in the abbreviations of exported tables ("MedRecNum", "SocSecNo", "Phone1",
    "Addr1", "PatNum") is read as the words it stands for."""
    kind = _classify_label(label)
    if kind is not None:
        return kind
    words = uncamel(label, " ").lower().replace("_", " ").replace("-", " ").split()
    joined = " ".join(words)
    if joined in _INSTITUTION_HEADERS:
        return e.LOCATION
    if joined in _RECORD_HEADERS or (
        len(words) == 2
        and (words[0] in _RECORD_HEADERS or words[0] in _RECORD_QUALIFIERS)
        and words[1].encode() in _NUMBER_WORDS
    ):
        return e.MRN
    if joined in _POSTCODE_HEADERS:
        return e.ZIP
    if len(words) < 2 and not _ABBREVIATED.search(label):
        return None  # "No:", "Pat:" alone are no abbreviated headers
    expanded = [_ABBREVIATIONS.get(w, w) for w in _ABBREVIATED.sub(" ", " ".join(words)).split()]
    return _classify_label(" ".join(expanded)) if expanded != words else None


# Words of exported tables' headers and the words they stand for; digits after a word
# number its copies ("Phone1", "Addr2").
_ABBREVIATED = re2.compile(r"\d+")
_ABBREVIATIONS = {
    "med": "medical",
    "rec": "record",
    "pat": "patient",
    "hosp": "hospital",
    "addr": "address",
    "tel": "phone",
    "ph": "phone",
    "mr": "mrn",
    "num": "number",
    "nbr": "number",
    "no": "number",
    "soc": "social",
    "sec": "security",
}
# Record numbers by the names systems give them: a master patient index ("EMPI"),
# the chart's system ("emr_id", "epic_id"), Australia's unit record number ("URN"),
# New Zealand's NHI, a hospital number ("HN"), Cerner's FIN, Epic's CSN
_RECORD_HEADERS = frozenset(
    ["empi", "mpi", "cpi", "emr", "ehr", "epic", "cerner", "medrec", "mrno", "hn", "urn",
     "nhi", "fin", "csn"]
)  # fmt: skip
# Words that name a record number only before "id" ("subject_id", "external_id")
_RECORD_QUALIFIERS = frozenset(["subject", "local", "external", "ext", "enterprise", "source"])
_POSTCODE_HEADERS = frozenset(["post code", "postalcode", "pincode", "pin code", "eircode"])
# Headers naming an institution: its name narrows down who a patient is
_INSTITUTION_HEADERS = frozenset(
    ["hospital name", "facility", "facility name", "org", "org name", "organization name",
     "organisation name", "practice name", "clinic name", "employer name"]
)  # fmt: skip


def _classify_label(label: str) -> str | None:
    spaced = uncamel(label, " ").lower().replace("_", " ").replace("-", " ")
    words = spaced.replace("#", " #").split()  # "ID#", "Acct#"
    if (
        words
        and words[-1].encode() in _NUMBER_WORDS
        and (len(words) == 1 or any(w in _SUBJECTS for w in words))
    ):
        return e.ID  # "patient_id=", "Hospital #:", "ID:" - in text, ids name people
    if _login_header(words):
        return e.ID
    kind = hint(label)
    if kind in (KEEP, TEXT):
        return None
    if kind is not None:
        return kind
    if words and words[-1] in _PERSON_LABELS:
        return e.PERSON
    if words and words[-1] in _ACCOUNT_LABELS:
        return e.ID
    if words and words[-1] in _RECORD_LABELS:
        return e.MRN  # a value with a digit: "Encounter: E48291133", not "Encounter: annual"
    return None


# How directory and access exports name a column of logins: "Login ID", "Network ID",
# "AD Account", "Windows Username", "sAMAccountName", "UPN", "NetID"
_LOGIN_QUALIFIERS = frozenset(
    ["login", "logon", "network", "net", "windows", "ad", "ldap", "sso", "okta", "agent",
     "domain", "emr", "ehr", "epic", "portal", "user"]
)  # fmt: skip
_LOGIN_NOUNS = frozenset(["id", "name", "account", "alias", "user", "username", "login"])
_LOGIN_HEADERS = frozenset(
    [
        "samaccountname",
        "userprincipalname",
        "upn",
        "netid",
        "loginid",
        "logonname",
        "logon",
        "accountname",
    ]
)


def _login_header(words: list[str]) -> bool:
    if "".join(words) in _LOGIN_HEADERS:
        return True
    return (
        len(words) >= 2
        and words[-1] in _LOGIN_NOUNS
        and words[-2] in _LOGIN_QUALIFIERS
        and words[-2:] != ["domain", "name"]  # "example.org" names no one
    )


def value_ok(entity: str, value: bytes, strict: bool = False, whole: bool = True) -> bool:
    """A validator for values found by structure: ages under 90, years alone and
    values without a digit where one is needed are no identifiers. A value cut from a
    longer run of words (`whole` false) may end a name, so a kind of organisation in
    it proves nothing ("Maplecroft | Skilled Nursing Facility")."""
    stripped = value.strip()
    if not stripped or stripped.lower() in (b"none", b"n/a", b"na", b"unknown", b"null"):
        return False
    if entity == e.AGE:
        number = digits(stripped[:3])
        return bool(number) and int(number) >= 90
    if entity == e.DATE:
        return _date_like(stripped)
    if whole and entity in (e.PERSON, e.LOCATION) and _kind_first(stripped):
        return False  # "Provider: county health department" is a kind, no one's name
    if entity == e.PERSON:
        # "Contact: Jane Doe", not "contact: none"; names typed in lower case pass when
        # every word is a name's ("Patient name: nguyen van an", "Surgeon: o'neil-park")
        return not strict or stripped[:1].isupper() or _lower_case_name(stripped)
    if entity == e.LOCATION:  # "Facility: Cardiology" names a department, no place
        text = stripped.decode("utf-8", "replace")
        return not department(text) and not _addresses.region(text)
    if entity in (e.STREET_ADDRESS, e.EMAIL, e.URL, e.PROFESSION):
        return True
    if _REFERENCE_RANGE.fullmatch(stripped) is not None:
        return False  # "ref=3.5-5.1", "Ref: <100": a lab test's normal range
    if _MONEY.fullmatch(stripped) is not None:
        return False  # "Insurance paid (Aetna): $1,776.71": what was paid, no one's number
    if entity == e.ID and b" " not in stripped and len(stripped) >= 3:
        return True  # "user=jdoe", "Order ID: A-77"
    return bool(digits(stripped)) and len(stripped) >= 3  # "patient_id = 3" is a row


def _kind_first(value: bytes) -> bool:
    """Whether a label's value opens with a kind of organisation, up to its first comma
    or semicolon ("facility: urgent care, onset 3/2" runs on into the next field; what
    follows is found on its own)."""
    first = value.replace(b";", b",").split(b",", 1)[0]
    return organisation_kind(first.decode("utf-8", "replace"))


# A lab test's reference range: decimals joined by a dash, or a bound ("<100", ">=60").
# Identifiers are whole numbers; a dashed one ("12-3456") has no decimal point.
_REFERENCE_RANGE = re2.compile(
    rb"\d{1,4}\.\d{1,3}\s?[-\x{2013}]\s?\d{1,4}(?:\.\d{1,3})?|\d{1,4}\s?[-\x{2013}]\s?\d{1,4}\.\d{1,3}"
    rb"|[<>]=?\s?\d{1,4}(?:\.\d{1,3})?"
)


# An amount of money: a currency's sign, then digits in thousands and cents.
_MONEY = re2.compile(rb"-?[$\x{20AC}\x{00A3}]\s?\d{1,3}(?:,\d{3})*(?:\.\d{2})?")


_NAME_WORD = re2.compile("[a-z]+(?:['’-][a-z]+)*".encode())
_NAME_JOINS = re2.compile("['’-]".encode())


def _lower_case_name(value: bytes) -> bool:
    """Two to four words of letters, hyphens and apostrophes, the first no word of the
    language and few of the others ("an" is a Vietnamese name too): a name typed in
    lower case, not "none on file", "see below" or a setting ("name: web")."""
    words = value.split()
    if not 1 < len(words) <= 4 or any(_NAME_WORD.fullmatch(w) is None for w in words):
        return False
    common = common_words()
    usual = [any(p.decode() in common for p in _NAME_JOINS.split(w)) for w in words]
    return not usual[0] and sum(usual) <= (len(words) - 1) // 2  # "tran van an"


_MONTHS = (b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
           b"dec")  # fmt: skip


def _date_like(value: bytes) -> bool:
    """Day and month, not a year alone or a duration: 3/14, 2021-03-14, 14.03.2021,
    19800101, March 14."""
    number = digits(value)
    if not number:
        return False
    if b"/" in value or b"-" in value or value.count(b".") >= 2:
        return len(number) >= 3
    if len(number) in (8, 12, 14) and number == value[: len(number)]:
        return True
    return value[:3].lower() in _MONTHS or any(m in value.lower() for m in _MONTHS)


def label_values(data: bytes) -> Iterator[Found]:
    """Values after "Label:" on a line; the value ends at the next label, a wide gap,
    a field separator or the end of the line."""
    labels = [(*_label_before(data, m[0][0] + 1), m[0][1]) for m in _LABEL_END.spans(data)]
    for i, (_, entity, value_start) in enumerate(labels):
        if entity is None:
            continue
        if data[value_start : value_start + 1] in (b'"', b"'"):
            value_start += 1  # mrn: "12345"
        elif data[value_start : value_start + 2] == b'\\"':
            value_start += 2  # mrn=\"12345\", quoted inside a quoted string
        limit = labels[i + 1][0] if i + 1 < len(labels) else len(data)
        value_start = _after_blanks(data, value_start, limit)
        end = _value_end(data, value_start, max(limit, value_start))
        end = _trim(entity, data, value_start, end)
        if end > value_start and value_ok(entity, data[value_start:end], strict=True):
            if entity in _WHOLE_LINE:
                yield from _without_states(data, value_start, end, entity)
            else:
                yield value_start, end, entity
        elif entity == e.PERSON and _NUMBER_VALUE.fullmatch(data[value_start:end]) is not None:
            yield value_start, end, e.ID  # "patient=448812": the person's number


# A state named in full inside an address line: HIPAA lets the state stand.
_STATE_IN_LINE = re2.compile(rf"(?:^|,)\s*(?:{STATE_NAMES})(?:\s*,|\s+\d|\s*$)".encode())


def _without_states(data: bytes, start: int, end: int, entity: str) -> Iterator[Found]:
    """The address "12 Oak St, Dayton, Ohio 45402" less its state: the street, town and
    ZIP code identify; the state, named in full, is a decoy of the same line."""
    value = data[start:end]
    pos = 0
    for found in _STATE_IN_LINE.finditer(value):
        state_start, state_end = found.span()
        words = value[state_start:state_end].strip(b", 0123456789")
        state_start = value.find(words, state_start)
        if value[pos:state_start].strip(b" ,"):
            yield start + pos, start + len(value[:state_start].rstrip(b" ,")), entity
        pos = state_start + len(words)
    if value[pos:].strip(b" ,"):
        yield start + pos + len(value[pos:]) - len(value[pos:].lstrip(b" ,")), end, entity


def _after_blanks(data: bytes, start: int, limit: int) -> int:
    """Past the blank a paper form leaves for its value ("NAME:____Kwame"), so the
    value is read from its first character."""
    while start < limit and data[start : start + 1] == b"_":
        start += 1
    while start < limit and data[start : start + 1] == b" ":
        start += 1
    return start


def _label_before(data: bytes, end: int) -> tuple[int, str | None]:
    """Where the label before `end` starts, and the type it names: the shortest run of
    up to three words that names one, else the last word (a label naming nothing)."""
    line_start = data.rfind(b"\n", max(0, end - 48), end) + 1
    words = _after_open(data[max(line_start, end - 48) : end]).split()
    if not words:
        return end, None
    length, entity = _label_of(tuple(words[-_LABEL_WORDS:]))
    return end - length, entity


def _after_open(segment: bytes) -> bytes:
    """The segment after a bracket it leaves open: a repr's first field
    ("Member(handle='...'", "{zip=02139") is labelled by its key, not the class."""
    cut = max(segment.rfind(b"("), segment.rfind(b"{"))
    if cut < 0 or b")" in segment[cut:] or b"}" in segment[cut:]:
        return segment
    return segment[cut + 1 :]


@functools.lru_cache(maxsize=8192)
def _label_of(words: tuple[bytes, ...]) -> tuple[int, str | None]:
    """`_label_before` for the last words before a colon: the label's length in bytes
    and its type. The same few labels end most colons ("Patient:", "DOB:"), so the
    answer is cached instead of decoded and classified at each one."""
    for n in range(1, len(words) + 1):
        if n > 1 and not _label_word(words[-n]):
            break  # "plate 1BW878. Labs:" - a label does not cross a value or a sentence
        label = b" ".join(words[-n:])
        text = label.decode("utf-8", "replace").strip("|;,*-[](){}")
        entity = classify_label(text) or scanned_label(text)
        if entity is not None:
            return len(label), entity
    return len(words[-1]), None


@functools.lru_cache(maxsize=8192)
def scanned_label(label: str) -> str | None:
    """What a label read by OCR names ("Narne:", "Patlent:", "Occupatlon:", "Ernployer:"):
    each word not in the vocabulary is read with one look-alike undone, and the label
    is classified again when a word became one it knows."""
    if len(label) < 4 or len(label) > 40:
        return None
    words = label.split()
    fixed = [_scanned_word(w) for w in words]
    return classify_label(" ".join(fixed)) if fixed != words else None


def _scanned_word(word: str) -> str:
    lowered = word.lower()
    vocabulary = _label_vocabulary()
    if len(lowered) < 3 or lowered in vocabulary:
        return word
    for seen, meant in _LOOK_ALIKES:
        at = lowered.find(seen)
        while at >= 0:
            candidate = lowered[:at] + meant + lowered[at + len(seen) :]
            if candidate in vocabulary:
                return candidate
            at = lowered.find(seen, at + 1)
    return word


# What OCR reads for what was printed: rn for m, l for i (and back), cl for d, vv for w.
_LOOK_ALIKES = (
    ("rn", "m"), ("l", "i"), ("i", "l"), ("1", "i"), ("1", "l"), ("0", "o"), ("5", "s"),
    ("cl", "d"), ("vv", "w"), ("c", "e"), ("e", "c"), ("ii", "u"),
)  # fmt: skip


@functools.cache
def _label_vocabulary() -> frozenset[str]:
    extra = frozenset(_FORM_WORDS.split())
    return common_words() | _PERSON_LABELS | _RECORD_LABELS | _SUBJECTS | extra


# Words of a form's labels that are no common word
_FORM_WORDS = "employer birth facility guardian signature occupation hospital physician"


_WHOLE_LINE = frozenset((e.STREET_ADDRESS, e.LOCATION, e.EMAIL, e.URL))
_PARTICLE_WORDS = frozenset(b"de del della di da dos das van von der den du la le bin y".split())


def _trim(entity: str, data: bytes, start: int, end: int) -> int:
    """A value is its first tokens: for numbers, those holding a digit ("123 456 789
    reviewed" keeps "123 456 789"); for names and dates, up to a lower-case word."""
    if entity == e.STREET_ADDRESS:
        return _without_regions(data, start, end)
    if entity in _WHOLE_LINE:
        return end
    if entity == e.PROFESSION:
        return _job_end(data, start, end)
    if entity == e.PERSON and data[start : start + 1].islower():
        return _lower_case_run(data, start, end)
    pos = start
    tokens = data[start:end].split(b" ")
    for n, token in enumerate(tokens):
        word = token.strip(b",.()")
        has_digit = any(48 <= c <= 57 for c in word)
        if entity in (e.PERSON, e.DATE):
            if (
                word.isalpha()
                and word.islower()
                and word not in _PARTICLE_WORDS
                and not (entity == e.PERSON and _broken_word(word, tokens[n + 1 : n + 2]))
            ):
                break
            if entity == e.DATE and b":" in word and pos > start:
                break  # "01/05/2021 10:30": the time of day is no date element
        elif not has_digit and pos > start:
            break
        pos += len(token) + 1
    end = min(end, max(start, pos - 1))
    return start + len(data[start:end].rstrip(b" ,.;:"))


_JOB_STOPS = frozenset(b"since until at for with in and from - ( /".split())


def _job_end(data: bytes, start: int, end: int) -> int:
    """An occupation is its first words, up to four ("marine biologist", "long-haul
    truck driver"), not what follows ("welder since 2001, smokes")."""
    pos = start
    for n, token in enumerate(data[start:end].split(b" ")):
        word = token.rstrip(b",.;'")
        if n == 4 or (n and word.lower() in _JOB_STOPS) or any(48 <= c <= 57 for c in word):
            break
        pos += len(token) + 1
        if token.endswith((b",", b";")):
            break
    return min(end, max(start, pos - 1))


def _without_regions(data: bytes, start: int, end: int) -> int:
    """An address value less the state, province or country closing it ("14 Elm St,
    Quincy, MA 02169", "Av. Juárez 120, Guadalajara, Jalisco"): too large to identify
    anyone, it stays; the postcode after it is the ZIP detectors' to mask."""
    while True:
        comma = data.rfind(b",", start, end)
        if comma <= start:
            return end
        words = data[comma + 1 : end].decode("utf-8", "replace").strip(" .").split()
        if words and words[-1].isdigit():
            words.pop()  # "MA 02169"
        if not words or not _addresses.region_or_nation(" ".join(words)):
            return end
        end = comma


def _broken_word(word: bytes, following: list[bytes]) -> bool:
    """A few small letters between capitalised words of a name are the rest of a word
    OCR broke with a space ("Ma ria Lopez", "Jo hn Smith"), not a word of the text."""
    return (
        len(word) <= 4
        and bool(following)
        and following[0][:1].isupper()
        and word.decode() not in common_words()
    )


def _lower_case_run(data: bytes, start: int, end: int) -> int:
    """A name typed in lower case runs to a comma or to a word that is no name's
    ("nguyen van an, F 67" keeps "nguyen van an"); value_ok judges its words."""
    pos = start
    line_end = data.find(b"\n", start, end)
    end = end if line_end < 0 else line_end
    for token in data[start:end].split(b" ")[:4]:
        word = token.rstrip(b",.;:\r")
        if _NAME_WORD.fullmatch(word) is None:
            break
        pos += len(word)
        if word != token:
            break
        pos += 1
    return start + len(data[start:pos].rstrip(b" "))


def _label_word(word: bytes) -> bool:
    bare = word.replace(b"#", b"").replace(b"/", b"").replace(b"'", b"")
    # a word with accents is a word too ("Mã bưu chính:", "Số thẻ:"); bytes know ASCII only
    return bare.isalpha() or (not bare.isascii() and bare.decode("utf-8", "replace").isalpha())


def _value_end(data: bytes, start: int, limit: int) -> int:
    """Where a value stops: a line end, a separator, two blanks, or the next label."""
    end = min(limit, start + _MAX_VALUE)
    for stop in (b"\n", b"\r", b"|", b";", b"\t", b"  ", b'\\"', b'"', b"<", b">", b"__"):
        found = data.find(stop, start, end)
        if found >= 0:
            end = found
    found = data.find(b"&", start, end)
    while found >= 0 and data[found - 1 : found] == b" " and data[found + 1 : found + 2] == b" ":
        found = data.find(b"&", found + 1, end)  # "Kemp & Sons" is one name
    if found >= 0:
        end = found  # a query string's next pair: "user=jdoe&page=2"
    return len(data[start:end].rstrip(b" ,.")) + start


# --- JSON members: "family": "Nguyen", "given": ["Thi", "Lan"], "postalCode": "02118"

_JSON_MEMBER_RE = (
    # an array of strings may be pretty-printed, one element a line; a Python dict's
    # repr quotes its keys and strings in single quotes ({'zip': '30301'})
    r'["\']([A-Za-z_][A-Za-z0-9_]{0,40})["\']\s*:\s*("(?:[^"\\\n]|\\.){0,300}"'
    r"|'(?:[^'\\\n]|\\.){0,300}'|\[\s*\"[^\]{}]{0,400}\]|\d{2,20}\b)"
)
_JSON_MEMBER = Regex(_JSON_MEMBER_RE.encode())
_JSON_STRING = Regex(rb'"((?:[^"\\\n]|\\.){1,300})"')
# Keys of FHIR resources that `hint` (made for column names) does not know.
# A resource's own "id" and a "reference" ("Patient/8812") name a person's records.
_JSON_KEYS = {
    "line": e.STREET_ADDRESS,
    "value": e.ID,
    "district": e.LOCATION,
    "id": e.ID,
    "reference": e.ID,
}


# A FHIR age: {"valueAge": {"value": 93}}, an Observation coded "Age" with its
# valueQuantity in years ("unit": "a"), an extension .../age with a valueInteger.
_AGE_BEFORE = re2.compile(rb'(?i:valueAge|"Age"|/age"|age[ -]at|"30525-0")')
_YEARS_AFTER = re2.compile(rb'^[^}]{0,60}"(?:unit|code)"\s*:\s*"(?:a|yr|years?|ann)"')
# A reference's "display" names whom it points to: a person, or a place of care.
_REFERENCE_BEFORE = re2.compile(
    rb'"reference"\s*:\s*"(?:(Patient|Practitioner|RelatedPerson|Person)|Organization|Location)/'
    rb"[^{}]*$"  # in the same object as the display
)
# The member holding the object a "display" sits in: "performer": [{"display": ...
_PARENT_KEY = re2.compile(rb'"([A-Za-z]+)"\s*:\s*\[?\s*\{[^{}]*$')
# (Organizations by their parent key are left out: a "serviceProvider" may be a
# department, which identifies no one.)
_PARENT_KINDS = dict.fromkeys(
    [
        "subject",
        "patient",
        "performer",
        "practitioner",
        "author",
        "requester",
        "generalpractitioner",
        "recorder",
        "asserter",
        "individual",
        "attester",
        "enterer",
        "informant",
        "sender",
        "recipient",
    ],
    e.PERSON,
)
_REFERENCE_AFTER = re2.compile(
    rb'^[^{}]*"reference"\s*:\s*"(?:(Patient|Practitioner|RelatedPerson|Person)|Organization'
    rb"|Location)/"
)


def _json_number(key: str, entity: str | None, data: bytes, start: int, end: int) -> str | None:
    """The type of a number member: "age": 93, "mrn": 12345678; a "value" only when
    the object says it is an age in years ("value": 105 mg/dL is a lab result)."""
    if key in ("value", "valueInteger", "valueDecimal"):
        number = digits(data[start:end])
        before = data[max(0, start - 160) : start]
        if (
            number
            and 90 <= int(number) <= 130
            and (_AGE_BEFORE.search(before) or _YEARS_AFTER.search(data[end : end + 80]))
        ):
            return e.AGE
        return None
    return entity if entity is not None and value_ok(entity, data[start:end]) else None


def _json_display(data: bytes, start: int) -> str | None:
    """A "display" inside a reference to a person (PERSON) or an organization (LOCATION)."""
    found = _REFERENCE_BEFORE.search(data[max(0, start - 160) : start])
    if found is None:
        found = _REFERENCE_AFTER.search(data[start : start + 200])
    if found is None:
        parent = _PARENT_KEY.search(data[max(0, start - 200) : start])
        return _PARENT_KINDS.get(parent.group(1).decode().lower()) if parent else None
    return e.PERSON if found.group(1) else e.LOCATION


def json_values(data: bytes) -> Iterator[Found]:
    for found in _JSON_MEMBER.spans(data):
        key = data[found[1][0] : found[1][1]].decode("ascii")
        entity = _JSON_KEYS.get(key) or classify_label(key)
        start, end = found[2]
        if data[start : start + 1].isdigit():
            kind = _json_number(key, entity, data, start, end)
            if kind is not None:
                yield start, end, kind
            continue
        if key == "display":
            entity = _json_display(data, start)
        if entity is None:
            continue
        if data[start : start + 1] == b"'":
            if value_ok(entity, data[start + 1 : end - 1]):
                yield start + 1, end - 1, entity
            continue
        for string in _JSON_STRING.spans(data, start, end):
            s, t = string[1]
            if value_ok(entity, data[s:t]):
                yield s, t, entity


# --- CSV fragments: a header of names, then rows with as many cells

# A header cell may carry a unit or a question: "Weight (kg)", "Smoker?", "BMI %".
_HEADER_CELL = r"[ \t]*\x22?[A-Za-z_#\x{C0}-\x{FF}][A-Za-z0-9_ ./#()%?'+\x{C0}-\x{FF}-]{0,30}\x22?"
# Two cells are a header too ("mrn,ssn", "| MRN | SSN |"): a row under it must have
# as many cells, and a column is masked only where its header names a type.
_CSV_HEADER_RE = rf"(?m:^[ \t]*\|?{_HEADER_CELL}(?:([,\t;|]){_HEADER_CELL}){{1,}}[ \t]*\|?\r?$)"
_CSV_HEADER = Regex(_CSV_HEADER_RE.encode())


# Types whose values need no digit: where a header is weak, they are left to the
# detectors that read the values themselves.
_WORDED_TYPES = frozenset((e.PERSON, e.LOCATION, e.STREET_ADDRESS, e.PROFESSION, e.EMAIL, e.URL))


def csv_values(data: bytes) -> Iterator[Found]:
    table_end = [0]
    for found in _CSV_HEADER.spans(data):
        start, end = found[0]
        if start < table_end[0]:
            continue  # a line of the table read last (a repeated header): read once
        sep = data[found[1][0] : found[1][1]]
        header = data[start:end].split(sep)
        columns = [classify_label(h.strip().strip(b'"').decode()) for h in header]
        if sum(1 for h in header if h.strip()) < 3:
            # two words and a comma may be prose ("name,count" over "Boston,12"):
            # a two-column header vouches only for values with a digit
            columns = [c if c not in _WORDED_TYPES else None for c in columns]
        if any(columns):
            yield from _csv_rows(data, end + 1, sep, columns, table_end)


def open_header(data: bytes) -> bytes:
    """The header line (with its line end) of the last CSV table in `data` that names
    a column and whose rows run to its end (its last line has the header's cells), or
    b"": a text masked part by part (a long value's windows) reads the next part's
    rows under it, as `csv_values` reads them in one text."""
    last, sep = b"", b""
    for found in _CSV_HEADER.spans(data):
        start, end = found[0]
        cut = data[found[1][0] : found[1][1]]
        if any(classify_label(h.strip().strip(b'"').decode()) for h in data[start:end].split(cut)):
            last, sep = data[start:end] + b"\n", cut
    if not last:
        return b""
    body = data.rstrip(b"\r\n")
    line = body[body.rfind(b"\n") + 1 :]
    return last if len(_cells(line.rstrip(b"\r"), sep)) == last.count(sep) + 1 else b""


def _csv_rows(
    data: bytes, pos: int, sep: bytes, columns: list[str | None], table_end: list[int]
) -> Iterator[Found]:
    """The cells of the rows under a header; `table_end` gets where the table ended."""
    while pos < len(data):
        table_end[0] = pos
        line_end = data.find(b"\n", pos)
        line_end = len(data) if line_end < 0 else line_end
        line = data[pos:line_end].rstrip(b"\r")
        if _RULE.fullmatch(line) is not None:
            pos = line_end + 1
            continue  # psql's rule under the header ("-----+-----"), or Markdown's
        cells = _cells(line, sep)
        if len(cells) != len(columns):
            if len(cells) < 2:
                return  # the table ended
            pos = line_end + 1
            continue  # a ragged row (an unquoted "Doe, Jane"): the next may align again
        for cell, entity in zip(cells, columns, strict=True):
            value = cell.strip(b' \t"')
            if entity is not None and value_ok(entity, value):
                start = pos + cell.find(value)  # "| 40123456 |": the value, not its padding
                yield start, start + len(value), entity
            pos += len(cell) + len(sep)
        pos = line_end + 1


# A line of a table's frame: dashes, pluses, colons and bars ("---+---", "|:--|--:|")
_RULE = re2.compile(rb"[ \t]*[-+=:|]*-[-+=:| \t]*")


def _cells(line: bytes, sep: bytes) -> list[bytes]:
    """A CSV line's cells; a quoted cell may hold the separator ("Doe, Jane")."""
    cells = line.split(sep)
    if b'"' not in line:
        return cells
    joined: list[bytes] = []
    for cell in cells:
        if joined and joined[-1].lstrip()[:1] == b'"' and joined[-1].count(b'"') % 2:
            joined[-1] += sep + cell
        else:
            joined.append(cell)
    return joined


# --- CSV rows without a header (a fragment cut from an export): columns by their shape

# Two lines in a row with three separators or more each.
_CSV_ROWS_RE = r"(?m:^[^\n,;\t]*(?:[,;\t][^\n,;\t]*){3,}\n[^\n,;\t]*(?:[,;\t][^\n,;\t]*){3,}$)"
_COLUMN_SHAPES: tuple[tuple[str, Regex], ...] = (
    (e.SSN, Regex(rb"\d{3}-\d{2}-\d{4}|\d{9}")),
    # US, German and French five digits, and the UK's, Canada's and the Netherlands'
    # postcodes, which a table of people from several countries mixes in one column;
    # not four digits alone, which a column of years has too
    (
        e.ZIP,
        Regex(
            rb"\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d"
            rb"|\d{4} ?[A-Z]{2}"
        ),
    ),
    (e.PHONE, Regex(rb"(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}")),
    (e.MRN, Regex(rb"[A-Z]{0,4}-?\d{6,12}")),
)
_STATE_CELL = Regex(rf"(?:{STATE_ABBR}|{STATE_NAMES})".encode())
_TOWN_CELL = re2.compile(rb"\p{Lu}[\p{L}'.]*(?:[ -]\p{L}[\p{L}'.]*){0,3}")


def csv_shapes(data: bytes) -> Iterator[Found]:
    """Columns of a header-less table judged by all their cells at once: every cell
    an SSN, a ZIP code, a phone number or a record number; a column of town names
    right before one of states or ZIP codes."""
    lines = data.split(b"\n")
    for sep in (b",", b"\t", b";"):
        run: list[tuple[int, list[bytes]]] = []
        pos = 0
        for line in [*lines, b""]:
            cells = _cells(line.rstrip(b"\r"), sep) if sep in line else []
            if len(cells) >= 4 and (not run or len(cells) == len(run[0][1])):
                run.append((pos, cells))
            else:
                if len(run) >= 2:
                    yield from _shaped_columns(run, sep)
                run = [(pos, cells)] if len(cells) >= 4 else []
            pos += len(line) + 1


def _shaped_columns(run: list[tuple[int, list[bytes]]], sep: bytes) -> Iterator[Found]:
    if not any(has_digit(cell) for cell in run[0][1]):
        run = run[1:]  # a header whose names say nothing known: judge the rows alone
    if not run:
        return
    columns = list(zip(*(cells for _, cells in run), strict=True))
    kinds = [_column_kind(column) for column in columns]
    if e.ZIP in kinds or "STATE" in kinds:  # a table of where people live
        for j, kind in enumerate(kinds):
            if kind is None and _all(columns[j], _TOWN_CELL) and _towns(columns[j]):
                kinds[j] = e.LOCATION
    for pos, cells in run:
        for cell, kind in zip(cells, kinds, strict=True):
            value = cell.strip(b' "')
            if kind is not None and kind != "STATE" and value and _fits(kind, value):
                start = pos + cell.find(value)
                yield start, start + len(value), kind
            pos += len(cell) + len(sep)


def _towns(column: tuple[bytes, ...]) -> bool:
    filled = [v for v in (cell.strip(b' "') for cell in column) if v]
    return sum(1 for v in filled if _place(v)) * 3 >= len(filled) * 2


def _fits(kind: str, value: bytes) -> bool:
    """A cell of a shaped column that is masked: one with a digit in a column of
    numbers (ZIP "2139" among "02139"s), any in a column of towns."""
    return kind == e.LOCATION or has_digit(value)


def _column_kind(column: tuple[bytes, ...]) -> str | None:
    if _all(column, _STATE_CELL) or _regions(column):
        return "STATE"
    for kind, shape in _COLUMN_SHAPES:
        if _all(column, shape):
            return kind
    return None


def _regions(column: tuple[bytes, ...]) -> bool:
    """A column of states, provinces or countries of several nations ("ON", "NSW",
    "Bavaria", "MA"): kept, and no column of towns."""
    filled = [v.decode("utf-8", "replace") for v in (c.strip(b' "') for c in column) if v]
    matching = sum(1 for v in filled if _addresses.region(v))
    return matching >= 2 and matching * 3 >= len(filled) * 2


def _all(column: tuple[bytes, ...], shape: Regex) -> bool:
    """Most of the column's cells, two at least, have the shape (an export drops a ZIP
    code's leading zero, a clerk types one SSN with dashes and the next without)."""
    filled = [v for v in (cell.strip(b' "') for cell in column) if v]
    matching = sum(1 for v in filled if shape.fullmatch(v))
    return matching >= 2 and matching * 3 >= len(filled) * 2


_NUMBER_VALUE = re2.compile(rb"[A-Z]{0,3}-?\d{4,12}")

# --- bare record numbers: "Jane Doe / 48291133", "#48291133", "patient 48291133"

# Not after a comma: a CSV cell is judged by its column's header.
_BARE_NUMBER_RE = r"(?:^|[\s(#:=;/\[])#?[A-Z]?\d{7,12}\b"
_BARE_NUMBER = Regex(rb"(?:^|[\s(#:=;/\[])(#?[A-Z]?\d{7,12})\b")
# Words just before a long number that make it a code, a version or a quantity.
_CODE_WORDS = (
    b"snomed", b"sct", b"code", b"loinc", b"ndc", b"cpt", b"icd", b"rxnorm", b"rxcui", b"cvx",
    b"version", b"build", b"release", b"v.", b"oid", b"gtin", b"lot", b"ref", b"$", b"usd",
    b"bytes", b"ms", b"port", b"pid", b"thread", b"concept", b"sctid", b"hcpcs", b"drg",
    b"diagnos", b"problem", b"procedure", b"system", b"coding", b"|", b"cui", b"umls",
)  # fmt: skip


def bare_numbers(data: bytes) -> Iterator[Found]:
    """Seven to twelve digits standing alone read as a record or account number,
    unless a word before them on the line makes them a code, a version or a quantity."""
    for found in _BARE_NUMBER.spans(data):
        start, end = found[1]
        if data[end : end + 1] in (b".", b",") and data[end + 1 : end + 2].isdigit():
            continue  # 1234567.89 is an amount
        if data[end : end + 3].lstrip(b" ")[:1] == b"|":
            continue  # 44054006 |Diabetes mellitus| is a SNOMED CT expression
        line = data.rfind(b"\n", max(0, start - 80), start) + 1
        before = data[max(line, start - 80) : start].lower()
        # A number alone on its line has no context to read it by; one leading a
        # row of people has the row.
        worded = any(c.isalpha() for c in before.decode("utf-8", "replace"))
        if (worded and not any(word in before for word in _CODE_WORDS)) or (
            not before.strip() and _row_of_people(data, start, end)
        ):
            yield start + (data[start : start + 1] == b"#"), end, e.MRN


# The rest of an export's row after its first cell: a name or a town in a later cell
_ROW_REST = re2.compile(rb"[,;\t|][^\n]*?\p{Lu}\p{Ll}+[ ,;\t|]")


def _row_of_people(data: bytes, start: int, end: int) -> bool:
    """A number in the first cell of a row of four cells or more whose later cells
    hold capitalised words ("4481234,Kwame Mensah,Quincy,MA"): a record number
    leading a row of people. A timestamp (`20240301`, `1712345678`) leads log lines."""
    line_end = data.find(b"\n", end)
    line_end = len(data) if line_end < 0 else line_end
    number = data[start:end].lstrip(b"#")
    if _TIMESTAMP.fullmatch(number) is not None or data[end : end + 1] not in b",;\t|":
        return False
    rest = data[end:line_end]
    separators = max(rest.count(sep) for sep in (b",", b";", b"\t", b"|"))
    return separators >= 3 and _ROW_REST.match(data, end, line_end) is not None


_TIMESTAMP = re2.compile(rb"(?:19|20)\d{6}(?:\d{4,6})?|1[5-9]\d{8}(?:\d{3})?")


# --- a record number as a cell of a header-less row: "Kwame Mensah,4481234,Quincy"

_ROW_NUMBER_RE = r"(?m:(?:^|[,;\t])\s*\"?#?[A-Z]?\d{7,12}\"?\s*(?:[,;\t]|\r?$))"
_ROW_NUMBER = Regex(rb"(?m:(?:^|[,;\t])\s*\"?(#?[A-Z]?\d{7,12})\"?\s*(?:[,;\t]|\r?$))")
_NAME_CELL = re2.compile(
    rb"(?:^|[,;\t])\s*\"?(\p{Lu}\p{Ll}+(?:[ ,]+\p{Lu}\p{Ll}+)*)\"?\s*(?:[,;\t]|$)"
)


def row_numbers(data: bytes) -> Iterator[Found]:
    """Seven to twelve digits filling a cell of a row that has no header above it,
    beside a cell of capitalised words that are not all dictionary words (a name,
    a town; one word alone only if a name list has it): a record number in a row
    of people. Under a header, the header judges."""
    common, names = common_words(), plain_names()
    known: dict[int, bool] = {}
    for found in _ROW_NUMBER.spans(data):
        start, end = found[1]
        line = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", end)
        line_end = len(data) if line_end < 0 else line_end
        if _under_header(data, line, known) or _TIMESTAMP.fullmatch(data[start:end]) is not None:
            continue
        for cell in _NAME_CELL.finditer(data, line, line_end):
            words = cell.group(1).decode("utf-8", "replace").replace(",", " ").lower().split()
            if not all(w in common for w in words) and (len(words) > 1 or words[0] in names):
                yield start + (data[start : start + 1] == b"#"), end, e.MRN
                break


def _under_header(data: bytes, line: int, known: dict[int, bool]) -> bool:
    """A line without a digit above, in the same block of delimited lines. `known`
    holds the answers for the lines read so far: each row of a long table is read
    once, not once for every row below it."""
    walked: list[int] = []
    answer = False
    while line > 0:
        if line in known:
            answer = known[line]
            break
        walked.append(line)
        above = data.rfind(b"\n", 0, line - 1) + 1
        text = data[above : line - 1]
        if not any(sep in text for sep in (b",", b";", b"\t")):
            break
        if not has_digit(text):
            answer = True
            break
        line = above
    known.update(dict.fromkeys(walked, answer))
    return answer


@dataclass(frozen=True, slots=True)
class Structure:
    """A structure's trigger (a pattern in the one set pass) and its extractor."""

    trigger: str
    find: Callable[[bytes], Iterable[Found]]
    wide: bool = False  # as PatternSpec.wide: the trigger in a small RE2 set
    # As PatternSpec.cue: a piece every match of the trigger holds, in the RE2 sets
    # instead of it. `find` finds nothing where its trigger does not occur, so where
    # only the cue does it runs and finds nothing.
    cue: str = ""

    def __post_init__(self) -> None:
        if self.cue and not is_within(self.trigger, self.cue):
            raise ValueError(f"not held by every match: {self.cue!r}")


STRUCTURES: tuple[Structure, ...] = (
    Structure(_LABEL_END_RE, label_values),
    # A key in quotes, a line's first cells, any two lines of cells: partial matches
    # at every quote and line (the costliest structure triggers on new text)
    Structure(_JSON_MEMBER_RE, json_values, wide=True, cue=r'["\']\s*:\s*'),
    Structure(_CSV_HEADER_RE, csv_values, wide=True),
    Structure(_hl7.TRIGGER, _hl7.hl7_values),
    Structure(_x12.TRIGGER, _x12.x12_values),
    Structure(_vcard.TRIGGER, _vcard.vcard_values),
    Structure(_BARE_NUMBER_RE, bare_numbers),
    Structure(_ROW_NUMBER_RE, row_numbers),
    Structure(_CSV_ROWS_RE, csv_shapes, wide=True),
    Structure(_addresses.TRIGGER, _addresses.address_parts, wide=True, cue=_addresses.CUE),
    Structure(_turns.TRIGGER, _turns.answered_names),
)
