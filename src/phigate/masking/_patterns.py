"""The rule-based detectors: one RE2 pattern per kind of identifier, each with an
optional validator. All patterns are RE2 (linear time by construction, no
backreferences or lookaround), applied to UTF-8 bytes.

A pattern either masks its whole match, or only its named groups: a group
named after an entity type in `groups` (``v`` stands for the pattern's own
type). Labels such as ``MRN:`` stay visible; the value after them is masked.
"""

from __future__ import annotations

import functools

import re2

from phigate.masking import _validators as val
from phigate.masking._abroad import ABROAD_PATTERNS
from phigate.masking._chat import CHAT_PATTERNS
from phigate.masking._credentials import CREDENTIAL_PATTERNS, HIDDEN_VALUE
from phigate.masking._dates import AGE_PATTERNS, DATE_PATTERNS
from phigate.masking._dicom import DICOM_PATTERNS
from phigate.masking._institutions import INSTITUTION_PATTERNS
from phigate.masking._lower_streets import LOWER_STREET_PATTERNS
from phigate.masking._numbers import NUMBER_PATTERNS
from phigate.masking._places import PLACE_PATTERNS
from phigate.masking._shapes import IDVAL, SEP, STATE_ABBR, STATE_NAMES, PatternSpec, has_digit
from phigate.masking._wordlists import EPONYMS, common_words, plain_names
from phigate.masking.entities import (
    ACCOUNT_NUMBER,
    BIOMETRIC,
    CREDIT_CARD,
    DEA,
    DEVICE_ID,
    EMAIL,
    HEALTH_PLAN_ID,
    IBAN,
    ID,
    IP_ADDRESS,
    LICENSE,
    MRN,
    NPI,
    PERSON,
    PHONE,
    SECRET,
    SSN,
    URL,
    VEHICLE_ID,
)

# State licence shapes: A1234567, 123 456 789, S123-4567-8901, 99-123456.
_LICENCE_VALUE = r"(?:[A-Za-z]{1,5}[-. ]?)?\d[A-Za-z0-9]{0,24}(?:[- ]\d[A-Za-z0-9]{1,12}){0,4}"

_SPOKEN_DIGIT = (
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|double"
    r"|triple|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
)

# RE2 takes the first alternative that matches at a place, so a cue that extends
# another ("name is", "patient is") comes before it: after the shorter one the name's
# run would start at "is" and be no name.
_LOWER_NAME_CUE = (
    r"(?i:\b(?:it'?s\s+me|this\s+is\s+me|names\s+is|name\s+is|name['’]?s|patient\s+is"
    r"|pt\s+is|patient|pt|mr|mrs|ms|miss|dr|name|named|spoke with"
    r"|talked to|called|wife|husband|son|daughter|mother|father|mom|dad|sister|brother|dear"
    r"|hi|hello|hey|thanks"
    r"|thank you|regards|per|by|with|from|this is|i'?m|it'?s|its|caller|signed|thx|love|xo"
    r"|told|asked|paged|texted|tell|ask|i\s+am|for|about|regarding|behalf\s+of"
    r"|speaking\s+with|speak\s+(?:to|with)"
    r"|aunt|uncle|cousin|niece|nephew|grandma|grandpa|granny|nana|grandmother|grandfather"
    r"|grandson|granddaughter|stepson|stepdaughter|fiance|fiancee|boyfriend|girlfriend|partner"
    r"|roommate|neighbor|neighbour|friend|coworker|remind|let|cc|attn|sincerely|cheers"
    # a pager's and a secure chat's shorthand for a relative or a clinician: "dtr linda",
    # "rn maria", "covering np patel"
    r"|dtr|dau|sis|bro|husb|hubby|gf|bf|rn|np|pa|md|attending|resident|hospitalist|covering"
    r"|here['’]?s)\b\.?:?,?(?:\s*[-–—]+)?\s+"
    # and for "with": "spoke w/ maria", "s/w linda", "d/w dr patel" (no blank after "w/")
    r"|\b(?:[ds]/w\s+|w/\s*))"
)
# The word before a secret's value (the head of its pattern: `PatternSpec.head`)
_CREDENTIAL_LABEL = (
    r"(?i:\b(?:password|passwd|pwd|pass|passphrase|secret|client_?secret|api_?key|apikey"
    r"|access_?token|auth_?token|refresh_?token|token|private_?key|accountkey|sharedaccesskey))"
)
# The word "name" before a quoted name (the head of its pattern: `PatternSpec.head`)
_NAME_WORD_CUE = r"(?i:\bname\s+(?:of\s+|is\s+)?)"
# What follows a URI's scheme when it holds a password ("://user:pw@"), and the start
# of an address in angle brackets: the cues of the patterns that can start at any
# word before them (`PatternSpec.cue`).
_AFTER_SCHEME = r"://[^\s:/@\x22']{0,128}:(?P<v>[^\s\x22'<>]{1,256})@"
_MAILBOX = r"<[A-Za-z0-9._%+-]{1,64}@"
# An address's domain after its `@`, the `@` escaped in a URL or an HTML page, and
# a domain's last label before a path: what e-mail and URL patterns that start at
# any word's first letter are searched for by.
_DOMAIN = r"(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b"
_ESCAPED_AT = r"(?:%40|&#0*64;|&#[xX]0*40;|&commat;)"
_TLD_PATH = (
    r"(?:com|org|net|edu|gov|io|us|health|care|info|biz|co|app|me|uk|ca|de|fr)(?::\d{2,5})?/"
)
# The birth date after two words in lower case: "keoni kahananui dob 3/14/52"
_BIRTH_AFTER = r"[ \t,]+(?i:dob|d\.o\.b\.?|born)[ \t:]*\d"
# A message signed at its end in lower case: "see u then, sandeep", "thx - jake"
_LOWER_SIGN_OFF = r"(?:,|(?:(?m:^)|[ \t])[-–—]+)[ \t]*"


_LOWER_WORD = r"\p{Ll}[\p{Ll}'-]{1,20}"
# Particles inside a name: "maría de la cruz", "jan van der berg".
_NAME_PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "do",
        "van",
        "von",
        "der",
        "den",
        "du",
        "la",
        "le",
        "bin",
        "al",
        "y",
    ]
)


@functools.lru_cache(maxsize=8192)
def _particle_surname(text: str) -> bool:
    """ "al-hashimi", "el-sayed", "bin-khalid": a surname after a given name, its
    particle telling what the word alone does not."""
    particle, _, rest = text.partition("-")
    return particle in _SURNAME_PARTICLES and len(rest) >= 3 and rest not in common_words()


_SURNAME_PARTICLES = frozenset(("al", "el", "bin", "bint", "ben", "ibn", "abu", "ould"))


def _uncommon_words(value: bytes) -> bool:
    """Every word is no word of the language: "keoni kahananui", not "was born"."""
    common = common_words()
    words = value.decode("utf-8", "replace").replace("-", " ").replace("’", "'").split()
    return all(w.strip("'") not in common and w not in EPONYMS for w in words)


def _quoted_name(value: bytes) -> bool:
    """A quoted name, or a mail's display name, holds a word that is no word of the
    language or of a drug's name (not 'the name "Tylenol"' or 'file name "report
    final"', not "Billing <billing@…>")."""
    common = common_words()
    words = value.decode("utf-8", "replace").lower().replace("-", " ").replace("’", "'").split()
    return any(w.strip(".'") not in common and w not in EPONYMS for w in words)


def _lower_names(value: bytes) -> int:
    """The length of the longest run of leading words that is a name, every word a
    name (particles inside it aside): "josé garcía", "maría de la cruz"; "maria
    called" keeps "maria". One unlisted word right after a name ends it as its
    surname ("tomasz wilk")."""
    names = plain_names()
    longest = pos = 0
    previous_named = False
    for n, word in enumerate(value.split()):
        pos = value.index(word, pos) + len(word)
        text = word.decode("utf-8", "replace")
        if text in names or (n > 0 and _particle_surname(text)):
            if len(text) >= 3:
                longest = pos
            elif n == 0:
                return 0
            previous_named = True
        elif previous_named and _surname(text):
            return pos
        elif n == 0 or text not in _NAME_PARTICLES:
            break
        else:
            previous_named = False
    return longest


@functools.lru_cache(maxsize=4096)
def _signed_name(value: bytes) -> bool:
    """A signature's words that are no common word, eponym or state ("Keoni", not
    "Doctor", "Team" or "Ohio")."""
    words = value.decode("utf-8", "replace").lower().split()
    return all(_surname(w) for w in words) and " ".join(words) not in _STATES_LOWER


_STATES_LOWER = frozenset(STATE_NAMES.lower().split("|"))


def _surname(text: str) -> bool:
    """An unlisted lower-case word after a given name that reads as its surname: no
    common or clinical word, no drug, letters only; no verb in the third person of a
    common one ("maria says", "linda agrees") nor a contraction ("patel ok'd")."""
    return (
        len(text) >= 3
        and text.replace("-", "").replace("'", "").isalpha()
        and text not in common_words()
        and text not in EPONYMS
        and not _verb_after_name(text)
    )


def _verb_after_name(text: str) -> bool:
    common = common_words()
    if text.endswith(("'d", "'ll", "'s", "'ve", "'re")):
        return True
    return text.endswith("s") and (text[:-1] in common or text[:-2] in common)


# Prefixes of codes and standards that look like identifiers: NCT01234567 is a trial.
_CODE_PREFIXES = (b"ISO", b"IEC", b"RFC", b"NCT", b"ICD", b"CPT", b"HL7", b"COVID", b"SARS",
                  b"CVE", b"KB", b"ATC", b"DSM", b"LOINC", b"NDC", b"SNOMED", b"CD",
                  # claim forms and their approvals: CMS-1500, HCFA-1500, UB-04, OMB-0938-1197
                  b"CMS-", b"HCFA", b"UB-", b"OMB", b"FORM", b"REV-")  # fmt: skip


def _not_code(value: bytes) -> bool:
    """Not a code or a standard; a DEA number's shape is the DEA check digit's to judge."""
    dea_shape = len(value) == 9 and value[:2].isalpha() and value[2:].isdigit()
    return not dea_shape and not value.startswith(_CODE_PREFIXES)


def _dashed_identifier(value: bytes) -> bool:
    digits = sum(48 <= c <= 57 for c in value)
    letters = sum(65 <= c <= 90 for c in value)
    return digits >= 4 and letters >= 1 and len(value) >= 7 and _not_code(value)


@functools.lru_cache(maxsize=8192)
def _plate(value: bytes) -> bool:
    """A plate has a digit and at most ten characters; its groups are upper-case, so
    that "8XYZ991 at gate" ends at the plate."""
    return has_digit(value) and len(value) <= 10


def _hex_id(value: bytes) -> bool:
    """Letters and digits both: a run of one digit repeated is a placeholder."""
    return any(c > 57 for c in value) and any(c <= 57 for c in value)


def _not_common(value: bytes) -> bool:
    word = value.decode()
    return word not in common_words() and word not in EPONYMS


@functools.lru_cache(maxsize=4096)
def _handle(value: bytes) -> bool:
    """A handle, not a word after "login" or "user" ("page", "unable", "and")."""
    word = value.decode("utf-8", "replace").lower()
    if word.isalpha() and word.endswith(_ROLE_ENDINGS):
        return False  # "verified by pharmacist", "performed by technician": a role
    return word not in common_words() and word not in _SYSTEM_ACCOUNTS


_ROLE_ENDINGS = ("ist", "ician", "icians", "ists")


# Accounts no person owns, and the words a cue may run into
_SYSTEM_ACCOUNTS = frozenset(
    ["is", "was", "for", "of", "admin", "administrator", "root", "system", "guest", "anonymous",
     "service", "sysadmin"]
)  # fmt: skip


def _handle_shaped(value: bytes) -> bool:
    """Letters with a digit, an underscore or a dot inside: "jdoe42", "m.lopez"."""
    inner = value[1:-1]
    return any(c in b"_." for c in inner) or any(48 <= c <= 57 for c in value[1:])


_TRIAL_WORD = r"(?:subject|participant|enrollee|screening|randomi[sz]ation)"
_TRIAL_VALUE = r"(?:[A-Za-z]{1,4}-?)?\d{3,8}(?:-\d{2,6}){0,3}"


def _trial_number(value: bytes) -> bool:
    """A subject's number, not a year ("Screening 2024 results")."""
    return not (len(value) == 4 and value[:2] in (b"19", b"20"))


def _shaped_handle(value: bytes) -> bool:
    return _handle_shaped(value) and _handle(value)


def _bracketed_handle(value: bytes) -> bool:
    longest = run = 0
    for c in value:
        run = run + 1 if 97 <= c <= 122 else 0
        longest = max(longest, run)
    return longest >= 3 and _shaped_handle(value)


def _instance_uid(value: bytes) -> bool:
    """A UID an instance was given, not one the DICOM standard defines."""
    return not value.startswith(b"1.2.840.10008.")


# The numerals a Chinese or Japanese form writes each digit in (〇 and 零 are zero).
_HAN_DIGITS = "〇一二三四五六七八九"
_HAN_DIGIT = f"[零{_HAN_DIGITS}]"
_HAN_TO_ASCII = {ord(c): ord(str(i)) for i, c in enumerate(_HAN_DIGITS)} | {ord("零"): ord("0")}


def _han_ssn(value: bytes) -> bool:
    """Nine Han numerals in the 3-2-4 grouping, held to the SSA rules once read as digits."""
    text = value.decode("utf-8").translate(_HAN_TO_ASCII)
    return val.ssn(text.encode("ascii", "ignore"))


_DECIMAL_RANGE = re2.compile(rb"\d\.\d+\s?-\s?\d+\.\d")


def _spoken_id(value: bytes) -> bool:
    """Letters and digits read out one by one hold digits ("H 4 4 9 2"), or letters read
    with a word each ("W as in whiskey"); sizes ("2 x 3 x 4 cm") are no identifier."""
    if not value.translate(None, b"0123456789xX ,.-").strip():
        return False
    if _DECIMAL_RANGE.search(value) is not None:
        return False  # "2.1 H 0.6-1.2": a result, its flag and its normal range
    return sum(48 <= c <= 57 for c in value) >= 3 or b" as in " in value.lower()


__all__ = ["PHI_PATTERNS", "SECRET_PATTERNS", "STATE_NAMES", "PatternSpec"]

SECRET_PATTERNS: tuple[PatternSpec, ...] = (
    PatternSpec(
        SECRET,
        r"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?s:.*?)"
        r"(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|\z)",
    ),
    PatternSpec(SECRET, r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"),
    PatternSpec(
        SECRET,
        r"(?i:aws_?secret(?:_?access)?_?key)[\x22']?\s*[:=]\s*[\x22']?(?P<v>[A-Za-z0-9/+=]{40})",
        groups=(("v", SECRET),),
    ),
    PatternSpec(SECRET, r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"),
    PatternSpec(SECRET, r"\bxox[abposr]-[A-Za-z0-9-]{10,250}"),
    PatternSpec(SECRET, r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{10,300}"),
    PatternSpec(
        SECRET, r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,247}|\bwhsec_[A-Za-z0-9]{20,}"
    ),
    PatternSpec(SECRET, r"\bAIza[0-9A-Za-z_-]{35}|\bya29\.[0-9A-Za-z_-]{20,}"),
    PatternSpec(SECRET, r"\bsk-(?:proj-|ant-[a-z0-9]{0,10}-?)?[A-Za-z0-9_-]{20,250}"),
    PatternSpec(SECRET, r"\bglpat-[A-Za-z0-9_-]{20,}|\bnpm_[A-Za-z0-9]{36}\b|\bSK[0-9a-f]{32}\b"),
    PatternSpec(SECRET, r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    PatternSpec(SECRET, r"\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
    PatternSpec(
        SECRET,
        r"(?i:\bauthorization\s*:\s*(?:bearer|basic|token|digest)\s+|\bbearer\s+)"
        r"(?P<v>[A-Za-z0-9._~+/=-]{8,})",
        groups=(("v", SECRET),),
    ),
    PatternSpec(
        SECRET,
        # The password may hold "@" or "/": everything up to the last "@" of the URI is masked.
        r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}" + _AFTER_SCHEME,
        groups=(("v", SECRET),),
        cue=_AFTER_SCHEME,
    ),
    PatternSpec(
        SECRET,
        # terraform's "(sensitive value)" is the tool hiding the value: it stays
        _CREDENTIAL_LABEL + r"[\x22']?\s*(?:[:=]|=>|\bis\b)\s*"
        rf"(?:{HIDDEN_VALUE}|(?P<v>\x22[^\x22\n]{{1,256}}\x22|'[^'\n]{{1,256}}'"
        r"|[^\s,;&'\x22<>]{1,256}))",
        groups=(("v", SECRET),),
        head=_CREDENTIAL_LABEL,
    ),
    PatternSpec(
        SECRET,
        r"\b[A-Z][A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY)[A-Z0-9_]*\s*[=:]\s*"
        r"(?P<v>[^\s'\x22]{1,256})",
        groups=(("v", SECRET),),
    ),
    *CREDENTIAL_PATTERNS,
)

_IDENTIFIER_PATTERNS: tuple[PatternSpec, ...] = (
    # --- names in lower case, after a cue: "spoke with maria lopez", "pt john"
    # (up to four words; "maria lopez called" keeps its two names)
    PatternSpec(
        PERSON,
        _LOWER_NAME_CUE + rf"(?P<v>{_LOWER_WORD}(?:\s+{_LOWER_WORD}){{0,3}})(?:[^\pL'-]|$)",
        groups=(("v", PERSON),),
        leading=_lower_names,
        wide=True,
        head=_LOWER_NAME_CUE,  # ~71,000 steps
    ),
    # A lower-case name signing a message at a line's end: "see u then, sandeep"
    PatternSpec(
        PERSON,
        _LOWER_SIGN_OFF + rf"(?P<v>{_LOWER_WORD}(?:\s+{_LOWER_WORD})?)[ \t]*[.!]?[ \t]*(?m:$)",
        groups=(("v", PERSON),),
        leading=_lower_names,
    ),
    # The name a message is signed with after its closing words, alone on its line or
    # after them: "Thanks!\nKeoni", "Take care,\nSione", "--\nKeoni", "cheers - keoni"
    PatternSpec(
        PERSON,
        r"(?:(?i:\b(?:thanks|thank\s+you|thx|ty|cheers|best|regards|take\s+care|love|sincerely"
        r"|warmly|yours)(?:\s+(?:again|so\s+much|very\s+much|truly))?\b)"
        r"|(?m:^)[ \t>]*--?)"
        # a separator ends the closing words: punctuation, a dash, blanks or the line's end
        r"(?:[ \t]*(?:[!,.]+|[-–—]+)[ \t]*\n?|[ \t]*\n|[ \t]+)[ \t>]*"
        r"(?P<v>\pL[\pL'’-]{1,20}(?: \pL[\pL'’-]{1,20})?)[ \t]*[.!]?[ \t]*(?m:$)",
        _signed_name,
        groups=(("v", PERSON),),
    ),
    # A title makes the next word a name in any case: "dr osei", "mrs haddad"
    PatternSpec(
        PERSON,
        r"(?i:\b(?:dr|mr|mrs|prof)(?:\.\s?|\s))(?P<v>[a-z][a-z'-]{2,20})\b",
        _not_common,
        groups=(("v", PERSON),),
    ),
    # --- SSN
    PatternSpec(SSN, r"\b\d{3}-\d{2}-\d{4}\b", val.ssn),
    PatternSpec(SSN, r"\b\d{3} \d{2} \d{4}\b", val.ssn),
    # In the numerals a Chinese or Japanese form writes digits in: 七〇六-五六-七七〇五
    PatternSpec(
        SSN,
        rf"{_HAN_DIGIT}{{3}}[-‐－ ]?{_HAN_DIGIT}{{2}}[-‐－ ]?{_HAN_DIGIT}{{4}}",
        _han_ssn,
    ),
    # Nine digits a few words after "social" or "SSN" are an SSN whatever their spacing.
    PatternSpec(
        SSN,
        r"(?i:\b(?:ssn|ss#|ss\s?no|social(?:\s+security)?|soc\.?\s?sec\.?|tin|itin)\b)"
        r"[^0-9]{0,30}?(?P<v>\d{3}[- .]?\d{2}[- .]?\d{4})\b",
        groups=(("v", SSN),),
    ),
    PatternSpec(
        SSN,
        r"\b(?:[Xx*#]{3}[- ]?[Xx*#]{2}[- ]?|(?i:last\s+(?:4|four)(?:\s+digits)?(?:\s+of)?"
        r"(?:\s+(?:the|his|her|their))?(?:\s+(?:ssn|social(?:\s+security)?(?:\s+number)?))?"
        r"\s*[:#]?\s*(?:is\s+)?)"
        # an employer's form asks for the last four under the SSN's label: "SSN (last 4):
        # 4821", "SSN-4: 4821", "SSN ending in 4821"
        r"|(?i:(?:ssn|ss#|social\s+security(?:\s+(?:no\.?|number|#))?)\s*(?:[(\[]\s*last\s*"
        r"(?:4|four)(?:\s+digits)?\s*[)\]]|-?4|\s+ending\s+(?:in\s+)?)\s*[:#]?\s*))(?P<v>\d{4})\b",
        groups=(("v", SSN),),
    ),
    # National numbers abroad: UK National Insurance (QQ 12 34 56 C), Canadian SIN and
    # NHS numbers after their labels, French NIR (1 84 12 76 451 089 46)
    PatternSpec(
        SSN,
        r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    ),
    PatternSpec(
        SSN,
        r"(?i:\b(?:sin|nhs(?:\s+number)?|nhs\s+no\.?|nino|ni\s+(?:number|no\.?)|health\s+card"
        r"|ohip|ramq|insee|nir|bsn|pesel|codice\s+fiscale|steuer-?id|dni|nie|curp|aadhaar"
        r"|medicare\s+(?:number|no\.?))\b\s*(?:#|:|no\.?|number)?\s*:?\s*)"
        r"(?P<v>[A-Z0-9](?:[A-Z0-9 -]{5,22}[A-Z0-9]))\b",
        has_digit,
        groups=(("v", SSN),),
    ),
    PatternSpec(SSN, r"\b[12] ?\d{2} ?(?:0[1-9]|1[0-2]) ?\d{2} ?\d{3} ?\d{3} ?\d{2}\b"),
    # --- phone and fax
    PatternSpec(
        PHONE,
        r"(?:\+1[-.\s]?|\b1[-.\s]|\b001[-.\s])?(?:\(\d{3}\)\s?|\b\d{3}[-.\s])\d{3}[-.\s]?\d{4}"
        r"(?:,?\s?(?i:x|ext\.?|extension)\s?\d{1,6})?\b",
    ),
    # International: +44 20 7946 0958, 0044 20 7946 0958; national: 020 7946 0958
    PatternSpec(
        PHONE,
        r"(?:\+|\b00)[1-9]\d{0,2}(?:[\s.-]?\(?\d{1,5}\)?){2,6}(?:,?\s?(?i:x|ext\.?)\s?\d{1,6})?\b",
        val.phone_digits,
    ),
    PatternSpec(PHONE, r"\b0\d{2,4}[\s-]\d{3,4}[\s-]?\d{3,4}\b", val.phone_digits),
    # --- numbers read out in calls: "six one seven, five five five ..." (any identifier)
    PatternSpec(
        ID,
        rf"(?i:\b{_SPOKEN_DIGIT}(?:[\s,.-]+(?:and\s+)?{_SPOKEN_DIGIT}){{3,}}\b)",
    ),
    # Read one by one: 6 1 7 5 5 5 0, "H 4 4 9 2 7 7 1"
    PatternSpec(ID, r"\b(?:[A-Z] )?\d(?: \d){5,}\b"),
    # UUIDs name records (a patient's, an encounter's) wherever they appear
    PatternSpec(
        ID, r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
    ),
    # MongoDB ObjectIds (24 hex digits) name one stored document, a patient's or a
    # visit's; no hash has that length (MD5 32, SHA-1 40), so none is caught with them.
    PatternSpec(ID, r"\b[0-9a-f]{24}\b", _hex_id),
    # FHIR references: Patient/8812, Encounter/enc-77
    PatternSpec(
        ID,
        r"\b(?:Patient|Practitioner|RelatedPerson|Person|Encounter|EpisodeOfCare|Coverage"
        r"|Account|Claim|ServiceRequest|DiagnosticReport|Observation|Specimen|Device)/"
        r"(?P<v>[A-Za-z0-9][A-Za-z0-9.-]{0,63})",
        groups=(("v", ID),),
    ),
    # A number right after the word for whose it is: "patient 448812", "record #55812"
    PatternSpec(
        ID,
        r"(?i:\b(?:patient|pt|record|chart|member|subscriber|encounter|enc|visit|case|claim"
        r"|specimen|accession|mrn|acct|account|employee|resident|guarantor|beneficiary)s?"
        r"\s*(?:#|no\.?|number|id)?\s*[:=#]?\s*)(?P<v>[A-Z]{0,3}-?\d{4,12})\b",
        groups=(("v", ID),),
    ),
    # Read out on a call: "W as in whiskey 8 3 1 4", "H-4-4-9-2", "alpha bravo 7 7"
    PatternSpec(
        ID,
        r"(?i:\b(?:[a-z] as in [a-z]+|[a-z]|\d|alpha|bravo|charlie|delta|echo|foxtrot|golf|hotel"
        r"|india|juliet|kilo|lima|mike|november|oscar|papa|quebec|romeo|sierra|tango|uniform"
        r"|victor|whiskey|x-ray|yankee|zulu)(?:[ ,.-]{1,2}(?:[a-z] as in [a-z]+|\d|[a-z]\b)){4,})",
        _spoken_id,
        wide=True,
    ),
    # A name spelled out on a call: W-H-I-T-F-I-E-L-D, "O-K-A-F-O-R"
    PatternSpec(PERSON, r"\b[A-Za-z](?:-[A-Za-z]){3,}\b"),
    PatternSpec(PHONE, r"\b[2-9]\d{2}[2-9]\d{6}(?:x\d{1,6})?\b"),
    PatternSpec(
        PHONE,
        r"(?i:\b(?:phone|tel|telephone|cell|mobile|fax|pager|ph|call\s?back|callback|contact|call"
        r"|calls|called|dial|number|ext|extension"
        r"|reach(?:ed)?|home|work|beeper|whatsapp|sms|text)\b\.?" + SEP + r"(?:at\s+|on\s+)?)"
        r"(?P<v>\+?\(?\d[\d\s().-]{6,18}\d(?:,?\s?(?i:x|ext\.?)\s?\d{1,6})?)",
        groups=(("v", PHONE),),
    ),
    # A phone on a scanned form: OCR misreads digits as letters ("S55-0l23") and
    # dashes as other strokes ("617~555-0123", "617—555—0123"); the label vouches
    # for the value, so ten digit-like characters in the 3-3-4 grouping are a phone.
    PatternSpec(
        PHONE,
        r"(?i:\b(?:phone|ph0ne|tel|telephone|cell|mobile|fax|ph|home|work|contact)\b\.?[:;,.]?"
        r"\s*(?:#|no\.?)?\s*[:;]?\s*)(?P<v>\(?[\dOolISB]{3}\)?[\s~_.,\-–—]{0,3}"
        r"[\dOolISB]{3}[\s~_.,\-–—]{0,3}[\dOolISB]{4})\b",
        val.phone_ocr,
        groups=(("v", PHONE),),
    ),
    # --- email, URL, IP
    PatternSpec(EMAIL, r"\b[A-Za-z0-9._%+-]{1,64}@" + _DOMAIN, wide=True, cue="@" + _DOMAIN),
    # The `@` as a URL (`%40`) or an HTML page (`&#64;`, `&#x40;`, `&commat;`) escapes it
    PatternSpec(
        EMAIL,
        r"\b[A-Za-z0-9._+-]{1,64}" + _ESCAPED_AT + _DOMAIN,
        wide=True,
        cue=_ESCAPED_AT + _DOMAIN,
    ),
    # The display name before an address in angle brackets (RFC 5322), as mail headers
    # and "On <date>, <name> <address> wrote:" lines give it, in any case.
    PatternSpec(
        PERSON,
        r"(?m:^|[:,;>])[ \t]*(?P<v>\p{L}[\p{L}'’.-]*(?:[ \t]+\p{L}[\p{L}'’.-]*){0,4})"
        r"[ \t]*" + _MAILBOX + r"[A-Za-z0-9.-]{1,253}>",
        _quoted_name,
        groups=(("v", PERSON),),
        cue=_MAILBOX,
    ),
    PatternSpec(
        URL,
        r"\b(?:https?|ftp|sftp|wss?)://[^\s<>\x22'`]+[^\s<>\x22'`.,;:!?)\]}]",
        val.personal_url,
    ),
    PatternSpec(
        URL,
        r"\bwww\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s<>\x22']*[^\s<>\x22'.,;:!?)])?",
        val.personal_url,
    ),
    # Without a scheme but with a path: mychart.example.com/p/8812
    PatternSpec(
        URL,
        r"\b(?:[A-Za-z0-9-]{1,63}\.){1,6}" + _TLD_PATH + r"[^\s<>\x22'`]*[^\s<>\x22'`.,;:!?)\]}]",
        val.personal_url,
        wide=True,
        cue=_TLD_PATH,
    ),
    PatternSpec(IP_ADDRESS, r"\b(?:\d{1,3}\.){3}\d{1,3}\b", val.ipv4),
    PatternSpec(
        IP_ADDRESS,
        r"(?i:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}"
        r"(?::[0-9a-f]{1,4}){0,6})?|::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?)"
        r"(?:\.\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})?",
        val.ipv6,
    ),
    # --- record, plan, account numbers
    PatternSpec(
        MRN,
        r"(?i:\b(?:mrn|m\.r\.n\.?|umrn|emrn|empi|hosp\.?\s*(?:#|no\.?)|mr\s?#|mr\s?no\.?|mr\s?number|med(?:ical)?\.?\s+rec(?:ord)?s?\.?"
        r"(?:\s*(?:no\.?|num(?:ber)?|#|id))?|hospital\s*(?:#|no\.?|number|id)|chart(?:\s*(?:#|no\.?"
        r"|number|id))?|unit\s+(?:no\.?|number|#)|record\s*(?:#|no\.?|number)|fin|csn|har"
        r"|accession(?:\s*(?:#|no\.?|number))?|acc\s*#|order\s*(?:#|no\.?|number|id)"
        r"|requisition(?:\s*(?:#|no\.?))?|specimen\s*(?:#|no\.?|id)|lab\s+(?:#|no\.?|id)))"
        # the label may be quoted and joined to a quoted value: "MRN NO" is "4481234"
        r"[\s-]*(?i:no\.?|num(?:ber)?)?[\x22'”’]?\s*"
        r"(?:(?:is|was|of|as|reads)\s+|[-–:;#=(]{1,2}\s*)?[\x22'“]?"
        r"(?P<v>(?:[A-Za-z][A-Za-z-]{0,7})?\d[A-Za-z0-9-]{2,24}(?:[ .]\d{2,6}){0,3}"
        r"|\d{2,4}(?: \d{2,6}){2,3})\b",  # or in groups: "MRN 44 71 120"
        has_digit,
        groups=(("v", MRN),),
    ),
    PatternSpec(MRN, r"\bMRN[-_:]?\d{4,14}\b"),
    # A CDA document's (eICR, C-CDA) patient by the first id of its patientRole:
    # <patientRole><id extension="8812345" root="2.16.840.1..."/>, the record number
    # whatever its shape
    PatternSpec(
        MRN,
        r"(?i:<patientRole\b[^>]{0,200}>\s*<id\b[^>]{0,200}?\bextension=\x22)"
        r"(?P<v>[^\x22<>]{1,64})\x22",
        has_digit,
        groups=(("v", MRN),),
    ),
    # Two words in lower case before a birth date are the name it verifies, as texts
    # and portal messages give it: "ok thanks. keoni kahananui dob 3/14/52"
    PatternSpec(
        PERSON,
        r"\b(?P<v>\p{Ll}[\p{Ll}'’-]+[ \t]+\p{Ll}[\p{Ll}'’-]+)" + _BIRTH_AFTER,
        _uncommon_words,
        groups=(("v", PERSON),),
        cue=_BIRTH_AFTER,
    ),
    # A name quoted after the word "name": 'labeled with the patient's name "o'brien"',
    # 'under the name "Nguyen-Tran"' (a JSON key "name" is followed by a colon first)
    PatternSpec(
        PERSON,
        _NAME_WORD_CUE + r"[\x22“](?P<v>\p{L}[\p{L}'’ .-]{0,58})[\x22”]",
        _quoted_name,
        groups=(("v", PERSON),),
        head=_NAME_WORD_CUE,  # a program of ~70,000 steps: searched, ~1 ms a new text
    ),
    # A specimen's container is labelled with the patient's name and record number:
    # 'received in formalin, labeled "JANE DOE" and "4481234"'.
    PatternSpec(
        MRN,
        r"(?i:\blabel(?:l)?ed\b)[^\n\x22]{0,40}\x22[^\x22\n]{1,60}\x22\s*(?:,|and|&)\s*"
        r"\x22(?P<v>[A-Za-z]{0,3}-?\d[\d -]{3,16}\d)\x22",
        groups=(("v", MRN),),
    ),
    PatternSpec(
        HEALTH_PLAN_ID,
        r"(?i:\b(?:member|subscriber|beneficiary|policy|insurance|medicaid|medicare|plan|group"
        r"|health plan)" + SEP + r")(?P<v>" + IDVAL + r")\b",
        has_digit,
        groups=(("v", HEALTH_PLAN_ID),),
    ),
    # National health cover abroad by its card's name: the Philippines' PhilHealth PIN, a
    # French mutuelle or carte Vitale, Brazil's Cartão (Nacional de Saúde / do SUS),
    # Vietnam's health insurance card (số thẻ BHYT)
    PatternSpec(
        HEALTH_PLAN_ID,
        r"(?i:\b(?:phil\s?health|phic)(?:\s+(?:pin|member(?:ship)?))?|\bmutuelle|\bcarte\s+vitale"
        r"|\bcart(?:ão|ao)(?:\s+(?:do\s+)?sus|\s+nacional\s+de\s+sa(?:ú|u)de)?|\bcns|\bsus"
        r"|\bbhyt)(?:\s*n[º°o.]+)?" + SEP + r"(?P<v>" + IDVAL + r")\b",
        has_digit,
        groups=(("v", HEALTH_PLAN_ID),),
    ),
    PatternSpec(
        HEALTH_PLAN_ID,
        r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
        r"[AC-HJKMNP-RT-Y]{2}\d{2}\b",
    ),
    # An IBAN after its label whatever its check digits say: "Account: GB54 NWBK 9349 ..."
    PatternSpec(
        ACCOUNT_NUMBER,
        r"(?i:\b(?:account|acct|a/c|iban)\.?" + SEP + r")"
        r"(?P<v>[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b",
        groups=(("v", ACCOUNT_NUMBER),),
    ),
    PatternSpec(
        ACCOUNT_NUMBER,
        r"(?i:\b(?:account|acct|a/c|routing)\.?" + SEP + r")(?P<v>" + IDVAL + r")\b",
        has_digit,
        groups=(("v", ACCOUNT_NUMBER),),
    ),
    PatternSpec(CREDIT_CARD, r"\b(?:\d[ -]?){12,18}\d\b", val.credit_card),
    PatternSpec(IBAN, r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", val.iban),
    # --- licences and certificates
    PatternSpec(NPI, r"(?i:\bnpi" + SEP + r")(?P<v>\d{10})\b", groups=(("v", NPI),)),
    PatternSpec(NPI, r"\b[12]\d{9}\b", val.npi),
    PatternSpec(DEA, r"\b[A-Za-z][A-Za-z9]\d{7}\b", val.dea),
    PatternSpec(
        LICENSE,
        r"(?i:\b(?:driver['’]?s?\s*licen[cs]e|driving\s+licen[cs]e|driver['’]?s?\s+lic|d\.l\.|dln|oln"
        r"|licen[cs]e|lic|state\s+id"
        r"|id\s+card|certificate|cert|permit|passport))\.?"
        rf"(?:\s*\(?(?:{STATE_ABBR})\)?)?"
        + SEP
        + rf"(?:\(?(?:{STATE_ABBR})\)?[\s:#/-]+)?(?P<v>{_LICENCE_VALUE})\b",
        has_digit,
        groups=(("v", LICENSE),),
    ),
    PatternSpec(
        LICENSE,
        rf"\bDL\s*(?:#|no\.?)?\s*(?:\(?(?:{STATE_ABBR})\)?)?\s*[:#]?\s*(?P<v>{_LICENCE_VALUE})\b",
        groups=(("v", LICENSE),),
    ),
    # The user of an access-log line: 10.1.2.3 - jdoe [05/Mar/2024:10:15:00 +0000]
    PatternSpec(
        ID,
        r"\b(?:\d{1,3}\.){3}\d{1,3} - (?P<v>[A-Za-z0-9._@-]{2,64}) \[",
        groups=(("v", ID),),
    ),
    # A handle in a chat: "@mrodriguez can you cover", "cc @j.smith"; not an address's
    # domain ("a@b.org": a word character before the "@") nor "@ 5 mg"
    PatternSpec(
        ID,
        r"(?:^|[\s(#:=;/\[])@(?P<v>[A-Za-z][A-Za-z0-9_.-]{1,30}[A-Za-z0-9_])",
        groups=(("v", ID),),
    ),
    # A handle named by what is done to its account: "pw reset for layla_nas", "unlock
    # the account for tnguyen2", "her username is gbaptiste88"; not a word of the language
    # ("the user is unable")
    PatternSpec(
        ID,
        r"(?i:\b(?:(?:pw|password|passcode|pin|mfa|2fa)\s+reset\s+(?:for|on)"
        r"|(?:unlock|unlocked|reset|disable|disabled|deactivate|reactivate|locked)\s+(?:the\s+)?"
        r"(?:account|login|user|username)(?:\s+(?:for|of))?"
        r"|(?:user\s?name|login|handle|user\s?id|screen\s?name)(?:\s+(?:is|was))?"
        # who acted in a ticket or a log: "logged in as mlopez_rn", "opened by rfarouk"
        r"|(?:logged|signed)\s+(?:in|on)\s+as"
        r"|(?:opened|submitted|reported|filed|raised|escalated|comment|commented|reply|replied"
        r"|created|modified|requested|signed|entered"
        # who reviewed a chart or wrote up a case: "Abstracted by lchen3", "Audited by: mgarcia2"
        r"|prepared|abstracted|coded|audited|amended|dictated|addended|printed"
        r"|posted|updated|edited|closed|resolved|reopened|assigned|reassigned|approved|reviewed"
        r"|merged|authored|triaged|acknowledged|acked"
        # who entered, verified or released a lab result: "Verified by: lchen"
        r"|verified|performed|resulted|released|collected|accepted|validated|authori[sz]ed"
        r"|co-?signed|transcribed|logged|owned|completed|documented|charted|cancell?ed)\s+by"
        r"|(?:assigned|reassigned|handed\s+off)\s+to)"
        r"\s*:?\s+(?:(?:user|account)\s+)?)"
        r"(?P<v>[A-Za-z][A-Za-z0-9_.'-]{1,40}[A-Za-z0-9_])",
        _handle,
        groups=(("v", ID),),
    ),
    # A login in lower case after the label of who did it in a lab system or a CRM:
    # "Entered: rsingh", "Tech: mkowalski", "Agent: jwalters", "Owner alias: kmorris"
    PatternSpec(
        ID,
        r"(?i:\b(?:agent|owner|alias|tech|technologist|operator|verifier|entered|verified"
        r"|resulted|released|performed|collected|csr|rep"
        # who reviewed, coded or filed a chart review, an appeal or a safety report
        r"|reviewer|coder|abstractor|auditor|preparer|submitter"
        # who a help desk's ticket is for: "Caller: rfarouk", "Requested for: mlopez_rn"
        r"|caller|requested\s+for|affected\s+user|end\s+user|on\s+behalf\s+of)"
        r"(?:\s+(?:id|login|alias|user))?\s*:\s*)"
        # the handle alone in its field: a transcript's speaker goes on speaking
        # ("CALLER: seventy-six, yes ma'am")
        r"(?P<v>[a-z][a-z0-9_.-]{1,30}[a-z0-9_])(?:[ \t]*(?m:$)|[ \t]{2}|[.;|)\]](?:\s|$))",
        _handle,
        groups=(("v", ID),),
    ),
    # Who reviewed, signed or ran a record, by a role, a label or a verb, when the value
    # is shaped like a handle: "Reviewer: jsmith2 on 03/14", "Coder: JSMITH2 | HCC 18",
    # "Signed: rn.garcia", "nurse reviewer jsmith2 agreed", "Report run by: kdoe7";
    # not "Reviewer: Pending", "Reporter: patient's daughter"
    PatternSpec(
        ID,
        r"(?i:\b(?:reviewer|coder|abstractor|auditor|preparer|submitter|reporter|author"
        r"|approver|approved|signer|signed|signature|coordinator|specialist|analyst"
        r"|(?:run|generated|exported|logged|filed)\s+by)"
        r"(?:\s+(?:id|login|user))?\s*[:\s]\s*)(?P<v>[A-Za-z][A-Za-z0-9_.-]{1,40}[A-Za-z0-9_])",
        _shaped_handle,
        groups=(("v", ID),),
    ),
    # A login in brackets after the name of its owner: "Jane Smith (jsmith2)", "Ana
    # Ruiz, RN [rn.ruiz]"; a dose's "(q6h)" or "(e.g.)" has no run of three letters
    # with a digit, dot or underscore in a word of five or more
    PatternSpec(
        ID,
        r"\b\p{Lu}(?:\.|[\p{Ll}'’-]+) \p{Lu}[\p{Ll}'’-]+,?(?: [A-Z]{2,5},?)? [(\[]"
        r"(?P<v>[a-z][a-z0-9_.-]{3,30}[a-z0-9_])[)\]]",
        _bracketed_handle,
        groups=(("v", ID),),
        wide=True,
        cue=r" [(\[][a-z][a-z0-9_.-]{3,30}[a-z0-9_][)\]]",
    ),
    # After "user" or "account" alone, only what is shaped like a handle: "account
    # jdoe42 locked", "user m.lopez"; not "the user is unable", "account balance"
    PatternSpec(
        ID,
        r"(?i:\b(?:user|account|acct)\s+)(?P<v>[A-Za-z][A-Za-z0-9_.-]{1,40}[A-Za-z0-9_])",
        _handle_shaped,
        groups=(("v", ID),),
    ),
    # A directory's account: LDAP "uid=mgarcia,ou=people", Active Directory
    # "sAMAccountName=jdoe", Kerberos "krbPrincipalName=jdoe"
    PatternSpec(
        ID,
        r"(?i:\b(?:uid|samaccountname|userprincipalname|krbprincipalname)=)"
        r"(?P<v>[A-Za-z][A-Za-z0-9_.-]{1,40}[A-Za-z0-9_])",
        _handle,
        groups=(("v", ID),),
    ),
    # Where a patient lies: a bed with its unit, "Bed 4B-36", or a ward's bed, "bed 12",
    # "Bed 7C"; "bed rest" has no digit. A room's number is the ward's, read by anyone
    # at the desk ("Room 412"), and so is three digits after "bed" ("Bed 202": the
    # room's number, decoys of the independent corpus)
    PatternSpec(
        ID,
        r"(?i:\b(?:bed|bay|cubicle|stretcher|crib|bassinet)\s*(?:#|no\.?)?\s*[:#]?\s*)"
        r"(?P<v>[A-Za-z]{0,2}\d{1,4}[A-Za-z]?-[A-Za-z]?\d{1,3}[A-Za-z]?|\d{1,2}[A-Za-z]?)\b",
        has_digit,
        groups=(("v", ID),),
    ),
    # A prescription's number: "Rx# 88123", "prescription no. 5521093", "RX: 4481920-03";
    # a drug and dose ("Rx: ASA 325") starts with letters and a space, no number
    PatternSpec(
        ID,
        r"(?i:\b(?:rx|prescription|script)\s*(?:#|no\.?|num(?:ber)?)?\s*[:#]?\s*)"
        r"(?P<v>[A-Za-z]{0,3}-?\d[\d-]{3,14}\d)\b",
        groups=(("v", ID),),
    ),
    # A laboratory's CLIA number: two digits, D, seven digits
    PatternSpec(
        ID, r"(?i:\bclia\s*(?:#|no\.?)?\s*[:#]?\s*)(?P<v>\d{2}D\d{7})\b", groups=(("v", ID),)
    ),
    # A DICOM instance's UID after its label or in a dump's UI element: "Study Instance
    # UID: 1.2.840.113619.2.55.3.6", "UI [1.3.6.1.4.1.5962.99.1]"; the UIDs the DICOM
    # standard itself defines (1.2.840.10008.*: transfer syntaxes, SOP classes) stay
    PatternSpec(
        ID,
        r"(?i:\b(?:(?:(?:study|series|sop|instance|frame|of|reference)[\s_]?){0,4}uid|ui)"
        r"\s*[:=\[]?\s*)(?P<v>\d{1,10}(?:\.\d{1,40}){3,20})",
        _instance_uid,
        groups=(("v", ID),),
    ),
    # Ids in API paths: /patients/8812, /members/X1-22
    PatternSpec(
        ID,
        r"(?i:/(?:patients?|members?|persons?|people|users?|subjects?|accounts?|mrns?|charts?"
        r"|encounters?|records?|claims?|orders?|beneficiar(?:y|ies)|clients?)/)"
        r"(?P<v>[A-Za-z0-9][A-Za-z0-9_-]{2,63})",
        has_digit,
        groups=(("v", ID),),
    ),
    # --- vehicles and devices
    PatternSpec(VEHICLE_ID, r"\b[A-HJ-NPR-Z0-9]{17}\b", val.vin),
    PatternSpec(
        VEHICLE_ID,
        r"(?i:\bvin\b" + SEP + r")(?P<v>[A-HJ-NPR-Z0-9]{11,17})\b",
        groups=(("v", VEHICLE_ID),),
    ),
    PatternSpec(
        VEHICLE_ID,
        # the cue ends as a word: "CARC CO-45" (a remittance's reason code) has no car
        r"(?i:\b(?:licen[cs]e plate|plate|tag|vin|vehicle|car|reg|registration|rego)\b"
        + SEP
        + r")(?P<v>[A-Z0-9]{1,8}(?:[ -][A-Z0-9]{1,8}){0,2})\b",
        _plate,
        groups=(("v", VEHICLE_ID),),
    ),
    # Number plates by their national shape: UK "AB12 CDE", "7ABC123" (California).
    PatternSpec(VEHICLE_ID, r"\b(?:[A-Z]{2}\d{2} ?[A-Z]{3}|\d[A-Z]{3}\d{3})\b"),
    PatternSpec(
        DEVICE_ID,
        r"(?i:\b(?:serial|s/n|sn|device(?: id| identifier| serial)?|imei|udi|implant(?: id)?"
        r"|model/serial|mac(?: address)?|lot|gtin|workstation|terminal)" + SEP + r")"
        r"(?P<v>[A-Za-z(+$]{0,8}[-/]?\d[A-Za-z0-9()+$/.:_-]{2,79}[A-Za-z0-9)])",
        has_digit,
        groups=(("v", DEVICE_ID),),
    ),
    PatternSpec(DEVICE_ID, r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b"),  # a MAC address
    PatternSpec(DEVICE_ID, r"\(01\)\s?\d{14}(?:\s?\(\d{2,4}\)\s?[A-Za-z0-9-]{1,20})*"),
    # Shapes that are identifiers wherever they stand: letters then five or more digits
    # (PJN123456R, XJH123456789), or dashed groups mixing letters and four or more digits
    # (RNB-104237H, G4AB-7781-33); codes (ICD-10, COVID-19, LOINC 2345-7) have fewer digits
    # or no letters.
    PatternSpec(ID, r"\b[A-Z]{1,5}-?\d{5,14}[A-Z]{0,3}\b", _not_code),
    PatternSpec(ID, r"\b[A-Z0-9]{1,10}(?:-[A-Z0-9]{1,10}){1,4}\b", _dashed_identifier),
    PatternSpec(DEVICE_ID, r"\+[A-Z]\d{3}[A-Za-z0-9]{1,18}(?:/[$+A-Za-z0-9/]{1,40})?"),
    PatternSpec(
        DEVICE_ID,
        r"\b01\d{14}(?:1[01]\d{6}|17\d{6}|10[A-Za-z0-9]{1,20}|21[A-Za-z0-9]{1,20}){1,4}\b",
    ),
    PatternSpec(
        BIOMETRIC,
        r"(?i:\b(?:finger\s?print|thumb\s?print|voice\s?print|retina(?:l)?|iris|face\s?print"
        r"|facial|palm\s?(?:print|vein)|biometric|gait)\b)[^\n]{0,40}?"
        r"\b(?P<v>[A-Za-z0-9+/=:._-]{0,40}\d[A-Za-z0-9+/=:._-]{5,200})",
        has_digit,
        groups=(("v", BIOMETRIC),),
    ),
    # A clinical trial's subject by the number the study gave them: "Subject 0042",
    # "Participant 101-004", "Screening number 2087", "Randomization No. 40117"; a count
    # ("Subject 1 of 3") has fewer than three digits, and without a label a year stays
    # ("Screening 2024 results", `_trial_number`)
    PatternSpec(
        ID,
        rf"(?i:\b{_TRIAL_WORD}\s*(?:#|no\.?|num(?:ber)?|id)\s*[:#]?\s*)(?P<v>{_TRIAL_VALUE})\b",
        groups=(("v", ID),),
    ),
    PatternSpec(
        ID,
        rf"(?i:\b{_TRIAL_WORD}\s*:?\s*)(?P<v>{_TRIAL_VALUE})\b",
        _trial_number,
        groups=(("v", ID),),
    ),
    PatternSpec(
        ID,
        r"(?i:\b(?:patient|pt|case|encounter|enc|visit|claim|employee|student|badge|record"
        r"|order|invoice|ticket|reference|ref|confirmation|booking|transaction|member|person"
        r"|subject|client|customer|user|household|guarantor)"
        r"[\s_-]*(?:id|no\.?|number|num|#)\s*[:#=]?\s*)(?P<v>" + IDVAL + r")\b",
        has_digit,
        groups=(("v", ID),),
    ),
)


PHI_PATTERNS: tuple[PatternSpec, ...] = (
    *_IDENTIFIER_PATTERNS,
    *ABROAD_PATTERNS,
    *DATE_PATTERNS,
    *AGE_PATTERNS,
    *PLACE_PATTERNS,
    *LOWER_STREET_PATTERNS,
    *INSTITUTION_PATTERNS,
    *CHAT_PATTERNS,
    *DICOM_PATTERNS,
    *NUMBER_PATTERNS,
)
