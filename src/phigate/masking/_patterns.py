"""The rule-based detectors: one RE2 pattern per kind of identifier, each with an
optional validator. All patterns are RE2 (linear time by construction, no
backreferences or lookaround), applied to UTF-8 bytes.

A pattern either masks its whole match, or only its named groups: a group
named after an entity type in `groups` (``v`` stands for the pattern's own
type). Labels such as ``MRN:`` stay visible; the value after them is masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from phigate.masking import _validators as val
from phigate.masking.entities import (
    ACCOUNT_NUMBER,
    AGE,
    BIOMETRIC,
    CREDIT_CARD,
    DATE,
    DEA,
    DEVICE_ID,
    EMAIL,
    HEALTH_PLAN_ID,
    IBAN,
    ID,
    IP_ADDRESS,
    LICENSE,
    LOCATION,
    MRN,
    NPI,
    PHONE,
    SECRET,
    SSN,
    STREET_ADDRESS,
    URL,
    VEHICLE_ID,
    ZIP,
)

Validator = Callable[[bytes], bool]


@dataclass(frozen=True, slots=True)
class PatternSpec:
    entity: str
    regex: str
    validator: Validator | None = None
    # Named groups to mask, mapped to entity types; empty = the whole match.
    groups: tuple[tuple[str, str], ...] = ()


def _has_digit(value: bytes) -> bool:
    return any(48 <= c <= 57 for c in value)


def _age_over_89(value: bytes) -> bool:
    return 90 <= int(value) <= 135


def _numeric_date(value: bytes) -> bool:
    parts = value.replace(b"-", b"/").replace(b".", b"/").split(b"/")
    return val.date_parts(int(parts[0]), int(parts[1]), None)


def _not_a_state(value: bytes) -> bool:
    return value.decode("utf-8", "replace").rstrip(".") not in _STATE_SET


STATE_ABBR = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM"
    "|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR|VI|GU|AS|MP|MH|FM|PW|AA|AE|AP"
)
STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts"
    "|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey"
    "|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania"
    "|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington"
    "|West Virginia|Wisconsin|Wyoming|District of Columbia|Puerto Rico"
)
_STATE_SET = frozenset(STATE_NAMES.split("|"))
STREET_SUFFIX = (
    "Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    "|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Loop|Path|Pike|Plaza"
    "|Alley|Aly|Bend|Bluff|Bluffs|Branch|Bridge|Brook|Brooks|Burg|Burgs|Bypass|Camp|Canyon|Cape"
    "|Causeway|Center|Centers|Cliff|Cliffs|Club|Common|Commons|Corner|Corners|Course|Courts|Cove"
    "|Coves|Creek|Crescent|Crest|Crossing|Crossroad|Curve|Dale|Dam|Divide|Drives|Estate|Estates"
    "|Expressway|Extension|Extensions|Fall|Falls|Ferry|Field|Fields|Flat|Flats|Ford|Fords|Forest"
    "|Forge|Forges|Fork|Forks|Fort|Freeway|Garden|Gardens|Gateway|Glen|Glens|Green|Greens|Grove"
    "|Groves|Harbor|Harbors|Haven|Heights|Hill|Hills|Hollow|Inlet|Island|Islands|Isle|Junction"
    "|Junctions|Key|Keys|Knoll|Knolls|Lake|Lakes|Land|Landing|Light|Lights|Lock|Locks|Lodge|Manor"
    "|Manors|Meadow|Meadows|Mews|Mill|Mills|Mission|Motorway|Mount|Mountain|Mountains|Neck"
    "|Orchard|Oval|Overpass|Park|Parks|Parkways|Pass|Passage|Pine|Pines|Plain|Plains|Point|Points"
    "|Port|Ports|Prairie|Radial|Ramp|Ranch|Rapid|Rapids|Rest|Ridge|Ridges|River|Roads|Route|Row"
    "|Rue|Run|Shoal|Shoals|Shore|Shores|Skyway|Spring|Springs|Spur|Spurs|Squares|Station"
    "|Stravenue|Stream|Streets|Summit|Throughway|Trace|Track|Trafficway|Tunnel|Turnpike"
    "|Underpass|Union|Unions|Valley|Valleys|Via|Viaduct|View|Views|Village|Villages|Ville|Vista"
    "|Walk|Walks|Wall|Ways|Well|Wells|Wharf|Circles|Loaf|Mall"
)
_MONTH = (
    "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MON_NUM = r"(?:0?[1-9]|1[0-2])"
_CAPWORD = r"\p{Lu}[\p{L}'’.-]*"
# An identifier-looking value after a label: letters, digits and dashes.
# It must hold a digit early, so a label followed by a word ("insurance member") is no match.
_IDVAL = r"(?:[A-Za-z]{1,8}-?)?\d[A-Za-z0-9-]{2,24}"
_SEP = r"\s*(?:no\.?|num(?:ber)?|#|id)?\s*(?:is\s+|[:#=]\s*)?"

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
        r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@\x22']{0,128}:(?P<v>[^\s@/\x22']{1,256})@",
        groups=(("v", SECRET),),
    ),
    PatternSpec(
        SECRET,
        r"(?i:\b(?:password|passwd|pwd|passphrase|secret|client_?secret|api_?key|apikey"
        r"|access_?token|auth_?token|refresh_?token|token|private_?key|accountkey|sharedaccesskey))"
        r"[\x22']?\s*(?:[:=]|=>|\bis\b)\s*"
        r"(?P<v>\x22[^\x22\n]{1,256}\x22|'[^'\n]{1,256}'|[^\s,;&'\x22<>]{1,256})",
        groups=(("v", SECRET),),
    ),
    PatternSpec(
        SECRET,
        r"\b[A-Z][A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY)[A-Z0-9_]*\s*[=:]\s*"
        r"(?P<v>[^\s'\x22]{1,256})",
        groups=(("v", SECRET),),
    ),
)

PHI_PATTERNS: tuple[PatternSpec, ...] = (
    # --- SSN
    PatternSpec(SSN, r"\b\d{3}-\d{2}-\d{4}\b", val.ssn),
    PatternSpec(
        SSN,
        r"(?i:\b(?:ssn|ss#|social security(?: number| no\.?| #)?|soc\.? sec\.?(?: no\.?)?))"
        r"\s*[:#]?\s*(?P<v>\d{3}[- .]?\d{2}[- .]?\d{4})\b",
        groups=(("v", SSN),),
    ),
    # --- phone and fax
    PatternSpec(
        PHONE,
        r"(?:\+1[-.\s]?|\b1[-.\s]|\b001[-.\s])?(?:\(\d{3}\)\s?|\b\d{3}[-.\s])\d{3}[-.\s]\d{4}"
        r"(?:\s?(?:x|ext\.?|extension)\s?\d{1,6})?\b",
    ),
    PatternSpec(PHONE, r"\b[2-9]\d{2}[2-9]\d{6}(?:x\d{1,6})?\b"),
    PatternSpec(
        PHONE,
        r"(?i:\b(?:phone|tel|telephone|cell|mobile|fax|pager|ph)\b\.?" + _SEP + r")"
        r"(?P<v>\+?\d[\d\s().-]{6,18}\d)",
        groups=(("v", PHONE),),
    ),
    # --- email, URL, IP
    PatternSpec(EMAIL, r"\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b"),
    PatternSpec(URL, r"\b(?:https?|ftp|sftp|wss?)://[^\s<>\x22'`]+[^\s<>\x22'`.,;:!?)\]}]"),
    PatternSpec(
        URL, r"\bwww\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s<>\x22']*[^\s<>\x22'.,;:!?)])?"
    ),
    PatternSpec(IP_ADDRESS, r"\b(?:\d{1,3}\.){3}\d{1,3}\b", val.ipv4),
    PatternSpec(
        IP_ADDRESS,
        r"(?i:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}"
        r"(?::[0-9a-f]{1,4}){0,6})?|::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?)"
        r"(?:\.\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})?",
        val.ipv6,
    ),
    # --- dates (every element but the year alone)
    PatternSpec(
        DATE, rf"\b{_MON_NUM}[/.-]{_DAY}[/.-](?:(?:18|19|20|21)\d{{2}}|\d{{2}})\b", _numeric_date
    ),
    PatternSpec(
        DATE,
        r"\b(?:18|19|20|21)\d{2}[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12]\d|3[01])"
        r"(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
    ),
    PatternSpec(
        DATE,
        rf"\b{_MONTH}\.?\s+{_DAY}(?:st|nd|rd|th)?\b(?:,?\s+(?:18|19|20|21)\d{{2}}\b)?"
        rf"|\b{_MONTH}\.?,?\s+(?:18|19|20|21)\d{{2}}\b"
        rf"|\b{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b\.?(?:,?\s+(?:18|19|20|21)\d{{2}}\b)?",
    ),
    PatternSpec(DATE, rf"\b{_MON_NUM}/(?:18|19|20)\d{{2}}\b"),
    PatternSpec(
        DATE,
        r"(?i:\b(?:on|since|from|until|till|dated?|dos|seen|admitted|discharged|dob)\s+)"
        rf"(?P<v>{_MON_NUM}/{_DAY})\b",
        groups=(("v", DATE),),
    ),
    PatternSpec(
        DATE,
        r"(?i:\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born)\s*[:#]?\s*)"
        r"(?P<v>(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))\b",
        groups=(("v", DATE),),
    ),
    # --- ages over 89
    PatternSpec(
        AGE,
        r"\b(?P<v>\d{2,3})[- ]?(?i:y/?o\b|yo\b|y\.o\.|years?[- ]old|yrs?[- ]old|-year-old)",
        _age_over_89,
        groups=(("v", AGE),),
    ),
    PatternSpec(
        AGE, r"(?i:\bage[d:]?\s*:?\s*)(?P<v>\d{2,3})\b", _age_over_89, groups=(("v", AGE),)
    ),
    # --- record, plan, account numbers
    PatternSpec(
        MRN,
        r"(?i:\b(?:mrn|mr#|mr no\.?|medical record(?: number| no\.?| #)?|chart(?: number| no\.?|"
        r" #)))\s*[:#]?\s*(?P<v>[A-Za-z0-9][A-Za-z0-9-]{3,24})\b",
        _has_digit,
        groups=(("v", MRN),),
    ),
    PatternSpec(MRN, r"\bMRN[-_:]?\d{4,14}\b"),
    PatternSpec(
        HEALTH_PLAN_ID,
        r"(?i:\b(?:member|subscriber|beneficiary|policy|insurance|medicaid|medicare|plan|group"
        r"|health plan)" + _SEP + r")(?P<v>" + _IDVAL + r")\b",
        _has_digit,
        groups=(("v", HEALTH_PLAN_ID),),
    ),
    PatternSpec(
        HEALTH_PLAN_ID,
        r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
        r"[AC-HJKMNP-RT-Y]{2}\d{2}\b",
    ),
    PatternSpec(
        ACCOUNT_NUMBER,
        r"(?i:\b(?:account|acct|a/c|routing)\.?" + _SEP + r")(?P<v>" + _IDVAL + r")\b",
        _has_digit,
        groups=(("v", ACCOUNT_NUMBER),),
    ),
    PatternSpec(CREDIT_CARD, r"\b(?:\d[ -]?){12,18}\d\b", val.credit_card),
    PatternSpec(IBAN, r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", val.iban),
    # --- licences and certificates
    PatternSpec(NPI, r"(?i:\bnpi" + _SEP + r")(?P<v>\d{10})\b", groups=(("v", NPI),)),
    PatternSpec(NPI, r"\b[12]\d{9}\b", val.npi),
    PatternSpec(DEA, r"\b[A-Za-z][A-Za-z9]\d{7}\b", val.dea),
    PatternSpec(
        LICENSE,
        r"(?i:\b(?:driver'?s?\s+licen[cs]e|dl|licen[cs]e|lic|certificate|cert|permit|passport)\.?"
        + _SEP
        + r")(?P<v>"
        + _IDVAL
        + r")\b",
        _has_digit,
        groups=(("v", LICENSE),),
    ),
    # --- vehicles and devices
    PatternSpec(VEHICLE_ID, r"\b[A-HJ-NPR-Z0-9]{17}\b", val.vin),
    PatternSpec(
        VEHICLE_ID,
        r"(?i:\b(?:licen[cs]e plate|plate|tag|vin)" + _SEP + r")"
        r"(?P<v>[A-Za-z0-9][A-Za-z0-9 -]{1,8}[A-Za-z0-9])\b",
        _has_digit,
        groups=(("v", VEHICLE_ID),),
    ),
    PatternSpec(
        DEVICE_ID,
        r"(?i:\b(?:serial|s/n|sn|device(?: id| identifier| serial)?|imei|udi|implant(?: id)?"
        r"|model/serial)" + _SEP + r")(?P<v>[A-Za-z0-9][A-Za-z0-9-]{3,39})\b",
        _has_digit,
        groups=(("v", DEVICE_ID),),
    ),
    PatternSpec(DEVICE_ID, r"\(01\)\d{14}(?:\(\d{2,4}\)[A-Za-z0-9-]{1,20})*"),
    PatternSpec(DEVICE_ID, r"\+[A-Z]\d{3}[A-Z0-9]{4,18}(?:/[$+A-Z0-9]{1,30})?\b"),
    PatternSpec(
        BIOMETRIC,
        r"(?i:\b(?:fingerprint|voiceprint|retinal? scan|iris scan|face ?print|biometric)"
        r"(?:\s+(?:id|template|hash))?" + _SEP + r")(?P<v>[A-Za-z0-9][A-Za-z0-9+/=-]{5,})",
        _has_digit,
        groups=(("v", BIOMETRIC),),
    ),
    PatternSpec(
        ID,
        r"(?i:\b(?:patient|pt|case|encounter|visit|claim|employee|student|badge|record)"
        r"\s*(?:id|no\.?|number|#)\s*[:#=]?\s*)(?P<v>" + _IDVAL + r")\b",
        _has_digit,
        groups=(("v", ID),),
    ),
    # --- geography smaller than a state
    PatternSpec(
        STREET_ADDRESS,
        r"\b\d{1,6}[A-Z]?\s+(?:[NSEW]\.?\s+|(?:North|South|East|West)\s+)?"
        rf"(?:(?:\d{{1,3}}(?:st|nd|rd|th)|{_CAPWORD})\s+){{1,4}}(?:{STREET_SUFFIX})\b\.?"
        r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
        r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room|#)\.?\s*#?\s*[A-Za-z0-9-]{1,8})?",
    ),
    PatternSpec(STREET_ADDRESS, r"(?i:\bp\.?\s?o\.?\s*box\s+\d{1,8})"),
    PatternSpec(STREET_ADDRESS, r"\b(?:PSC|Unit|CMR)\s+\d{3,5},?\s+Box\s+\d{3,5}"),
    PatternSpec(STREET_ADDRESS, r"\b(?:USNS|USNV|USS|USCGC)\s+\p{Lu}[\p{L}'-]+"),
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_CAPWORD}(?:\s+{_CAPWORD}){{0,3}}),\s*(?:{STATE_ABBR})\.?\s+"
        r"(?P<z>\d{5}(?:-\d{4})?)\b",
        groups=(("v", LOCATION), ("z", ZIP)),
    ),
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_CAPWORD}(?:\s+{_CAPWORD}){{0,3}}),\s*(?:{STATE_NAMES})\b"
        r"(?:\s+(?P<z>\d{5}(?:-\d{4})?)\b)?",
        groups=(("v", LOCATION), ("z", ZIP)),
    ),
    PatternSpec(
        LOCATION,
        r"(?i:\b(?:lives|living|resides|residing|resident|moved|relocated|home|born|hometown)"
        r"\s+(?:in|at|of|to|near|from)\s+)"
        rf"(?P<v>{_CAPWORD}(?:\s+{_CAPWORD}){{0,3}})",
        _not_a_state,
        groups=(("v", LOCATION),),
    ),
    PatternSpec(LOCATION, r"\b\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)?\s+(?:County|Parish|Borough)\b"),
    PatternSpec(
        ZIP,
        r"(?i:\b(?:zip(?:\s*code)?|postal\s+code|postcode)\s*[:#]?\s*)(?P<v>\d{5}(?:-\d{4})?)\b",
        groups=(("v", ZIP),),
    ),
    PatternSpec(
        ZIP,
        rf"\b(?:{STATE_NAMES}|APO|FPO|DPO)\s+(?:(?:AA|AE|AP)\s+)?(?P<v>\d{{5}}(?:-\d{{4}})?)\b",
        groups=(("v", ZIP),),
    ),
)
