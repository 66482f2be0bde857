"""Shared pieces of the detector patterns: the pattern record and the regex
fragments (states, street suffixes, months, identifier values) that several
pattern modules spell the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Validator = Callable[[bytes], bool]


@dataclass(frozen=True, slots=True)
class PatternSpec:
    entity: str
    regex: str
    validator: Validator | None = None
    # Named groups to mask, mapped to entity types; empty = the whole match.
    groups: tuple[tuple[str, str], ...] = ()
    # For a first group of several words of which only the leading ones may be the
    # entity: the byte length of the longest accepted run of leading words (0: none).
    # The search then resumes at the group's start, so a cue among the words still
    # starts a match of its own. One pattern then does the work of one per length.
    leading: Callable[[bytes], int] | None = None
    # A trigger that can start at almost any word (a capitalised word that may begin
    # a place or an institution, a number that may begin a street, a cue word):
    # kept out of the big RE2 sets into small ones of its own kind, where text seen
    # the first time builds far fewer DFA states (detect._pattern_sets). It changes
    # only which set reports the trigger, never whether it is reported.
    wide: bool = False
    # The first pieces of `regex`, cheap to search for, where every match starts
    # (`_least.is_head`): the pattern is then run anchored at each place `head`
    # matches instead of searched for over the whole text (`Regex.spans_after`).
    # Its DFA then sees a few bytes at each such place, not all of a new text: for a
    # large program (a Unicode class repeated 58 times) ~1 ms a document less.
    head: str = ""
    # A piece of `regex` every match holds (`_least.is_within`: the state after
    # "Springfield, ", the suffix of "Riverside Medical Center"), searched for in the
    # RE2 sets instead of the whole pattern. A pattern that can start at any
    # capitalised word keeps a partial match alive at every word of a text; its cue
    # starts only where the cue's first piece does, so text seen the first time
    # builds far fewer set states. The sets then say "maybe" where the cue occurs
    # without the pattern, and the pattern's own search decides: `find` returns the
    # same spans, it runs the pattern on a few more texts.
    cue: str = ""


def has_digit(value: bytes) -> bool:
    return any(48 <= c <= 57 for c in value)


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
STATE_SET = frozenset(STATE_NAMES.split("|"))
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
MONTH = (
    "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Month names in any case ("19-JAN-2025", "23-feb-17"): only where a day and a year
# surround them, so "may" and "mar" as words are left alone.
MONTH_ANY = "(?i:" + MONTH[3:]
WEEKDAY = (
    r"(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?"
    r"|Sat(?:urday)?|Sun(?:day)?)"
)
DAY = r"(?:0?[1-9]|[12]\d|3[01])"
MON_NUM = r"(?:0?[1-9]|1[0-2])"
CAPWORD = r"\p{Lu}[\p{L}'’.-]*"
# An identifier-looking value after a label: letters, digits and dashes.
# It must hold a digit early, so a label followed by a word ("insurance member") is no match.
IDVAL = r"(?:[A-Za-z]{1,8}[- ]?)?\d[A-Za-z0-9-]{2,24}(?: \d{2,6}){0,3}"
SEP = r"\s*(?i:no\.?|num(?:ber)?|#|id)?\s*(?:is\s+|[:#=]\s*)?"
