"""Geography smaller than a state: street addresses, cities and towns, ZIP codes
and foreign postcodes, as RE2 patterns.

A place is found by its shape (a street suffix, "City, ST 12345", a UK or
Canadian postcode) or by context: a cue phrase before it ("lives in", "pharmacy
is in", "stay with family in"), a street address before it, a postcode before
it. A validator disposes of candidates that are states, departments or common
words.
"""

from __future__ import annotations

import functools
import importlib

import re2

from phigate.masking._shapes import (
    CAPWORD,
    STATE_ABBR,
    STATE_NAMES,
    STATE_SET,
    STREET_SUFFIX,
    PatternSpec,
)
from phigate.masking._wordlists import EPONYMS, common_words, hospital_unit
from phigate.masking.entities import LOCATION, STREET_ADDRESS, ZIP

# Up to four capitalised words; a dot only in "St." and the like, so a sentence end
# ("lives in Springfield. Her ...") stops the place.
_PLACE_WORD = r"(?:(?:St|Ste|Mt|Ft)\.\s?)?\p{Lu}[\p{L}'’-]*"
# Joining words inside a town's name: "Rio de Janeiro", "Stratford upon Avon",
# "Châlons-en-Champagne" (hyphens are in the word), "Frankfurt am Main".
_PLACE_JOIN = r"(?:de|da|do|dos|das|del|de la|la|le|les|upon|on|en|sur|am|an|der|di|y|el)"
_PLACE = rf"{_PLACE_WORD}(?:\s+(?:{_PLACE_JOIN}\s+)?{_PLACE_WORD}){{0,3}}"
_ZIP5 = r"\d{5}(?:-\d{4})?"
# State codes in lower case that are no English word ("in", "or", "me", "ok", "hi" are)
_LOWER_STATES = "|".join(
    code
    for code in STATE_ABBR.split("|")
    if code.lower() not in ("in", "or", "me", "ok", "hi", "oh", "id", "de", "la", "pa", "mo",
                            "al", "as", "co", "ma", "mt", "md", "wa", "va", "ga", "ne")
)  # fmt: skip
# The AP style's abbreviations of state names, as newspapers and letters write them
_AP_STATES = (
    r"(?:Ala|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss"
    r"|Mo|Mont|Neb|Nev|Okla|Ore|Pa|Tenn|Vt|Va|Wash|Wis|Wyo)\."
)
_US_STREET = (
    r"\b\d{1,6}[A-Z]?\s+(?:[NSEW]\.?\s+|(?:North|South|East|West)\s+)?"
    rf"(?:(?:\d{{1,3}}(?:st|nd|rd|th)|{CAPWORD})\s+){{1,4}}(?:{STREET_SUFFIX})\b\.?"
    r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|Northeast|Northwest|Southeast|Southwest)\b)?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room|#)\.?\s*#?\s*[A-Za-z0-9-]{1,8})?"
)
# Endings of town names: Faker's en_US city suffixes (the towns synthetic records are
# made of) and the commonest English ones. "Walterfort", "Lake Jacobsborough".
_TOWN_END = "berg|burg|burgh|borough|bury|stad|furt|chester|mouth|haven|shire|ville|view|fort"
_TOWN_PREFIX = r"(?:North|East|West|South|New|Lake|Port|Fort|Mount|Glen|Saint|St\.)"
_PARTICLES = r"(?:(?:de|du|des|la|le|les|del|della|delle|dei|di|da|dos|das|do|l')\s+)*"
_COUNTRIES = (
    "France|Germany|Italy|Spain|Portugal|Ireland|England|Scotland|Wales|United Kingdom|UK"
    "|Canada|Mexico|India|Pakistan|China|Japan|Korea|Vietnam|Philippines|Nigeria|Ghana|Kenya"
    "|Poland|Netherlands|Belgium|Switzerland|Austria|Sweden|Norway|Denmark|Brazil|Argentina"
    "|Colombia|Peru|Chile|Australia|New Zealand|Israel|Egypt|Turkey|Greece|Russia|Ukraine"
)
# What a "Town, State" pattern ends with: the cue it is searched for by in the RE2
# sets (`PatternSpec.cue`), since a capitalised word, where it starts, is everywhere.
_AFTER_ABBR_ZIP = rf",\s*(?:{STATE_ABBR})\.?\s+(?P<z>{_ZIP5})\b"
_AFTER_STATE = rf",\s*(?:{STATE_NAMES})\b"
_AFTER_ABBR = rf",\s*(?:{STATE_ABBR})\b"
_AFTER_COUNTRY = rf",\s*(?:{_COUNTRIES})\b"
# One space before "County": a wider gap (a tab, a column's spaces, a line's end) parts
# a table's cells, as a line list's "Pertussis<TAB>County Health Department" does.
_COUNTY = r"[ \x{a0}](?:County|Parish|Borough)\b"
# A street's name's end in German, Dutch or Nordic, and its number: "Hauptstraße 5"
_STREET_END_NUMBER = (
    r"(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|straat"
    r"|laan|gracht|plein|kade|dreef|singel|gatan|vägen|gade|vej)"
    r"\s+\d{1,4}[a-z]?\b"
)
_BESIDE_ABBR_ZIP = rf"\s+(?:{STATE_ABBR})\s+(?P<z>{_ZIP5})\b"
_AFTER_PROVINCE = (
    r"\s+(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\s+(?P<z>[A-Z]\d[A-Z]\s?\d[A-Z]\d)\b"
)
_AFTER_AU_STATE = r"\s+(?:NSW|VIC|QLD|TAS|ACT|NT|WA|SA)\s+(?P<z>\d{4})\b"
# Last words that make a capitalised run a department or an institution, not a town.
_NOT_TOWN_ENDS = frozenset(
    [
        "hospital",
        "clinic",
        "center",
        "centre",
        "department",
        "unit",
        "pharmacy",
        "hall",
        "school",
        "university",
        "college",
        "institute",
        "ward",
        "floor",
        "service",
        "services",
        "office",
        "practice",
        "church",
        "street",
    ]
)
_NOT_TOWNS = frozenset(["comfort", "effort", "interview", "overview", "preview", "purview"])
# Provinces and states outside the US: like US states, too large to identify anyone.
PROVINCES = frozenset(
    [
        "north holland",
        "south holland",
        "utrecht",
        "gelderland",
        "friesland",
        "groningen",
        "drenthe",
        "overijssel",
        "flevoland",
        "zeeland",
        "limburg",
        "north brabant",
        "north rhine-westphalia",
        "lower saxony",
        "rhineland-palatinate",
        "saxony-anhalt",
        "schleswig-holstein",
        "baden-württemberg",
        "baden-wurttemberg",
        "mecklenburg-vorpommern",
        "saarland",
        "andhra pradesh",
        "madhya pradesh",
        "himachal pradesh",
        "telangana",
        "odisha",
        "assam",
        "jharkhand",
        "chhattisgarh",
        "uttarakhand",
        "haryana",
        "quintana roo",
        "coahuila",
        "tamaulipas",
        "sinaloa",
        "zacatecas",
        "aguascalientes",
        "querétaro",
        "queretaro",
        "tlaxcala",
        "morelos",
        "tabasco",
        "campeche",
        "nayarit",
        "castilla y león",
        "basque country",
        "navarre",
        "aragon",
        "asturias",
        "cantabria",
        "murcia",
        "extremadura",
        "canary islands",
        "balearic islands",
        "lazio",
        "campania",
        "piedmont",
        "veneto",
        "emilia-romagna",
        "liguria",
        "apulia",
        "calabria",
        "abruzzo",
        "umbria",
        "friuli",
        "occitanie",
        "auvergne-rhône-alpes",
        "hauts-de-france",
        "grand est",
        "nouvelle-aquitaine",
        "pays de la loire",
        "corsica",
        "minas gerais",
        "rio grande do sul",
        "paraná",
        "pernambuco",
        "ceará",
        "guangdong",
        "sichuan",
        "zhejiang",
        "jiangsu",
        "shandong",
        "henan",
        "hubei",
        "hunan",
        "fujian",
        "yunnan",
        "victoria",
        "alberta",
        "ontario",
        "quebec",
        "new south wales",
        "ontario",
        "quebec",
        "alberta",
        "manitoba",
        "saskatchewan",
        "yukon",
        "nunavut",
        "queensland",
        "victoria",
        "tasmania",
        "bavaria",
        "bayern",
        "saxony",
        "hesse",
        "brandenburg",
        "thuringia",
        "kerala",
        "karnataka",
        "maharashtra",
        "gujarat",
        "punjab",
        "bihar",
        "rajasthan",
        "jalisco",
        "oaxaca",
        "chiapas",
        "yucatan",
        "sonora",
        "chihuahua",
        "guanajuato",
        "veracruz",
        "puebla",
        "michoacan",
        "catalonia",
        "andalusia",
        "galicia",
        "lombardy",
        "tuscany",
        "sicily",
        "sardinia",
        "brittany",
        "normandy",
        "provence",
        "alsace",
        "flanders",
        "wallonia",
        "scotland",
        "wales",
        "england",
        "new south wales",
        "british columbia",
        "nova scotia",
        "new brunswick",
        "prince edward island",
        "western australia",
        "south australia",
        "northern territory",
        "tamil nadu",
        "uttar pradesh",
        "west bengal",
        "nuevo leon",
        "baja california",
        "île-de-france",
        "ile-de-france",
    ]
)


# Regions of other countries, as Faker's address providers name them (the towns
# synthetic records are made of sit in these): Germany's states but the city-states,
# France's regions, Spain's communities, Mexico's states, Australia's states and
# territories, Canada's provinces, the Netherlands' provinces, Poland's voivodeships
# and India's states. Spain's and Italy's provinces are named for their capitals:
# towns, left out.
_FAKER_REGIONS = (
    ("de_DE", "states"), ("fr_FR", "regions"), ("es_ES", "regions"), ("es_MX", "states"),
    ("en_AU", "states"), ("en_CA", "provinces"), ("nl_NL", "provinces"),
    ("pl_PL", "regions"), ("en_IN", "states"),
)  # fmt: skip
# Left out: cities that are states too, and France's "Centre", a word of institutions.
_NOT_REGIONS = frozenset(["berlin", "hamburg", "bremen", "ciudad de méxico", "centre"])


@functools.cache
def regions() -> frozenset[str]:
    """Provinces and states outside the US, in lower case: `PROVINCES` and Faker's."""
    names = set(PROVINCES)
    for locale, attribute in _FAKER_REGIONS:
        provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        for region in getattr(provider, attribute):
            name = str(region[-1] if isinstance(region, tuple) else region).lower()
            names.add(" ".join(name.replace(" - ", "-").split()))
    return frozenset(names - _NOT_REGIONS)


@functools.lru_cache(maxsize=8192)
def has_digit_and_letter(value: bytes) -> bool:
    """An Eircode (D02 X285) mixes both; "A12 3456" read as a code does not."""
    tail = value[3:].strip()
    return any(48 <= c <= 57 for c in tail) and any(65 <= c <= 90 for c in tail)


def _place(value: bytes) -> bool:
    """A town or city: not a state, not an institution, not only common words."""
    text = value.decode("utf-8", "replace").strip().rstrip(".,")
    if len(text) < 2 or text in STATE_SET or text.lower() in regions():
        return False  # a letter ("L" of "L&D") names no town
    if hospital_unit(text):
        return False  # "transferred to MICU", "moved to 4 West": a ward, no town
    words = text.lower().replace("’", "'").split()
    if words[-1] in _NOT_TOWN_ENDS or words[-1] in _NOT_TOWNS:
        return False
    common = common_words()
    return not all(_common(w.rstrip(".'s"), common) for w in words)


def _common(word: str, common: frozenset[str]) -> bool:
    """A dictionary word, or its past tense ("BILLED", "PAID" is one already): a column's
    word after a code ("80053  BILLED $120.00") reads as a postcode and its town."""
    if word in common:
        return True
    if len(word) < 5 or not word.endswith("ed"):
        return False
    stem = word[:-2]
    if word.endswith("ied") and stem[:-1] + "y" in common:
        return True  # "DENIED"
    return stem in common or stem + "e" in common or (stem[-1] == stem[-2] and stem[:-1] in common)


# Words a town's name may share with the dictionary ("Lake City", "Cedar Falls").
_PLACE_WORDS = frozenset(
    [
        "new",
        "north",
        "south",
        "east",
        "west",
        "lake",
        "port",
        "fort",
        "mount",
        "saint",
        "st",
        "san",
        "santa",
        "los",
        "las",
        "el",
        "la",
        "city",
        "falls",
        "springs",
        "park",
        "heights",
        "beach",
        "valley",
        "hills",
        "creek",
        "grove",
        "harbor",
        "village",
        "rapids",
    ]
)


@functools.lru_cache(maxsize=8192)
def _bare_place(value: bytes) -> bool:
    """A place after a bare preposition ("from Springfield"): stricter than after a cue.
    No word may be a common word (departments, drugs and plan words are), no word an
    abbreviation, an eponym or a dictionary first name."""
    text = value.decode("utf-8", "replace").strip().rstrip(".,")
    if not _place(value) or any(w.isupper() for w in text.split()):
        return False
    common = common_words()
    words = [w.rstrip(".'s").replace("’", "'") for w in text.lower().split()]
    unknown = [w for w in words if w not in _PLACE_WORDS]
    return bool(unknown) and not any(w in common or w in EPONYMS for w in unknown)


# An HTTP answer's status and reason ("502 Bad Gateway", "504 Gateway Timeout") reads
# as a number and a street's name; a server wrote it, no one lives there.
_HTTP_STATUS = re2.compile(rb"^5\d\d (?:Bad Gateway|Gateway Time-?out)$")


def _no_http_status(value: bytes) -> bool:
    """Whether a street's match is no HTTP status with its reason phrase."""
    return _HTTP_STATUS.search(value.strip()) is None


PLACE_PATTERNS: tuple[PatternSpec, ...] = (
    PatternSpec(STREET_ADDRESS, _US_STREET, _no_http_status, wide=True),
    # "Lives at 4 Elm St, Johnsonberg." - the town after a street address
    PatternSpec(
        LOCATION,
        _US_STREET + r",\s*(?P<v>\p{Lu}\p{Ll}+(?:[ -]\p{Lu}\p{Ll}+){0,2})\b",
        _place,
        groups=(("v", LOCATION),),
        wide=True,
    ),
    PatternSpec(STREET_ADDRESS, r"(?i:\bp\.?\s?o\.?\s*box\s+\d{1,8})"),
    # The flat alone: "apartment 2B", "Apt #14"
    PatternSpec(
        STREET_ADDRESS,
        r"(?i:\b(?:apartment|apt\.?|flat)\s*#?\s*)(?P<v>\d{1,5}[A-Za-z]?|[A-Za-z]-?\d{1,4})\b",
        groups=(("v", STREET_ADDRESS),),
    ),
    PatternSpec(STREET_ADDRESS, r"\b(?:PSC|Unit|CMR)\s+\d{3,5},?\s+Box\s+\d{3,5}"),
    PatternSpec(STREET_ADDRESS, r"\b(?:USNS|USNV|USS|USCGC)\s+\p{Lu}[\p{L}'-]+"),
    # Foreign streets: 12 rue de Rivoli, Via Roma 15, Calle de Alcalá 42, Hauptstraße 5
    PatternSpec(
        STREET_ADDRESS,
        r"\b\d{1,4}(?:\s?(?:bis|ter|[a-z]))?,?\s+(?i:rue|avenue|av\.|boulevard|bd|place|chemin"
        r"|allée|impasse|quai|route|via|viale|piazza|corso|calle|avenida|plaza|paseo|carrer|rua"
        # Vietnamese streets too: "12 đường Lê Lợi", "5 phố Huế"
        r"|praça|travessa|largo|đường|phố|ngõ|hẻm)"
        rf"\s+{_PARTICLES}\p{{Lu}}[\p{{L}}'-]+(?:\s+\p{{Lu}}[\p{{L}}'-]+){{0,3}}",
    ),
    PatternSpec(
        STREET_ADDRESS,
        r"\b(?:Rue|Via|Viale|Calle|C/|Avenida|Av\.|Rua|Piazza|Corso|Paseo|Carrer|Chemin|Quai|Allée"
        r"|Impasse|Privada|Cerrada|Calzada|Callejón|Prolongación|Bulevar|Blvd\.|Circuito"
        rf"|Andador|Ronda|Travesía|Glorieta)\s+{_PARTICLES}\p{{Lu}}[\p{{L}}'-]+"
        r"(?:\s+\p{Lu}[\p{L}'-]+){0,3}"
        # the number, in Mexico often after "No." or "#": "Av. Revolución No. 1425"
        r"(?:,?\s+(?:(?:No\.?|Núm\.?|#)\s?)?\d{1,4}[a-zA-Z]?\b)?",
    ),
    # A Vietnamese address's ward and district, by number or name: "phường 5, quận 3",
    # "Phường Bến Nghé", "huyện Củ Chi"
    PatternSpec(
        LOCATION,
        r"(?i:\b(?:phường|quận|huyện|thị xã)\s+)"
        r"(?P<v>\d{1,2}\b|\p{Lu}\p{Ll}+(?:\s\p{Lu}\p{Ll}+){0,2})",
        groups=(("v", LOCATION),),
    ),
    # Colombian streets are numbered, the house by the crossing street and its distance:
    # "Calle 45 # 12-34", "Carrera 7 No. 32-16", "Cra. 15 Bis # 93-60"
    PatternSpec(
        STREET_ADDRESS,
        r"\b(?:Calle|Carrera|Cra\.|Cl\.|Avenida|Diagonal|Transversal|Av\.)\s+\d{1,3}[A-Za-z]?"
        r"(?:\s(?:Bis|bis|Sur|sur))?\s*(?:#|No\.?|N[º°]\.?)\s*\d{1,3}[A-Za-z]?\s?-\s?\d{1,3}\b",
        wide=True,
    ),
    # Polish streets: "ul. Marszałkowska 84/92", "os. Tysiąclecia 12", "pl. Bankowy 3"
    # (the number, a flat after a slash, is what tells "ul." from an abbreviation).
    PatternSpec(
        STREET_ADDRESS,
        r"\b(?:ul\.|ulica|os\.|osiedle|pl\.|plac|al\.|aleja|aleje)\s+\p{Lu}[\p{L}'-]+"
        r"(?:\s+\p{Lu}[\p{L}'-]+){0,3}\s+\d{1,4}[a-zA-Z]?(?:/\d{1,4}[a-zA-Z]?)?\b",
    ),
    PatternSpec(
        STREET_ADDRESS,
        r"\b\p{Lu}\p{Ll}+" + _STREET_END_NUMBER,
        wide=True,
        cue=_STREET_END_NUMBER,
    ),
    # City, ST 12345 / City, State 12345 / City, ST
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_PLACE}){_AFTER_ABBR_ZIP}",
        groups=(("v", LOCATION), ("z", ZIP)),
        wide=True,
        cue=_AFTER_ABBR_ZIP,
    ),
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_PLACE}){_AFTER_STATE}(?:\s+(?P<z>{_ZIP5})\b)?",
        _place,
        groups=(("v", LOCATION), ("z", ZIP)),
        wide=True,
        cue=_AFTER_STATE,
    ),
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_PLACE}){_AFTER_ABBR}",
        _place,
        groups=(("v", LOCATION),),
        wide=True,
        cue=_AFTER_ABBR,
    ),
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_PLACE}){_AFTER_COUNTRY}",
        _place,
        groups=(("v", LOCATION),),
        wide=True,
        cue=_AFTER_COUNTRY,
    ),
    # A row of an export: the state's cell, then the ZIP code's ("Quincy,MA,02169",
    # "Quincy;Massachusetts;02169", tab-separated alike)
    PatternSpec(
        ZIP,
        rf"[,;\t|]\s*\"?(?:{STATE_ABBR}|{STATE_NAMES})\"?\s*[,;\t|]\s*\"?(?P<z>{_ZIP5})\b",
        groups=(("z", ZIP),),
    ),
    # An address line that opens with a ZIP+4 and names its town ("89191-9757 San
    # Victoria los altos, Colima"): nine digits in the 5-4 grouping then a capital; an
    # NDC (5-4-2) goes on with a dash, so the code is followed by blanks here
    PatternSpec(
        ZIP,
        r"(?m:^[ \t]*(?P<z>\d{5}-\d{4})[ \t]+(?P<v>\p{Lu}[^\n,;]{1,40}))",
        groups=(("z", ZIP), ("v", LOCATION)),
    ),
    # A ZIP code after a state written in lower case ("quincy, ma 02169"), in the
    # AP style's abbreviations ("Quincy, Mass. 02169") or with dots ("M.A.")
    PatternSpec(
        ZIP,
        rf",\s*(?:{STATE_ABBR}|(?i:{_LOWER_STATES})|{_AP_STATES}|[A-Z]\.[A-Z]\.)\.?,?\s+"
        rf"(?P<z>{_ZIP5})\b",
        groups=(("z", ZIP),),
    ),
    # Without the comma: "Boston MA 02118"; Canada: "Toronto, ON M5V 2T6"
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_PLACE}){_BESIDE_ABBR_ZIP}",
        _place,
        groups=(("v", LOCATION), ("z", ZIP)),
        wide=True,
        cue=_BESIDE_ABBR_ZIP,
    ),
    # Australia: "Melbourne VIC 3000", "Hobart, TAS 7000"
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_PLACE}),?{_AFTER_AU_STATE}",
        _place,
        groups=(("v", LOCATION), ("z", ZIP)),
        wide=True,
        cue=_AFTER_AU_STATE,
    ),
    PatternSpec(
        LOCATION,
        rf"(?P<v>{_PLACE}),?{_AFTER_PROVINCE}",
        _place,
        groups=(("v", LOCATION), ("z", ZIP)),
        wide=True,
        cue=_AFTER_PROVINCE,
    ),
    # After a cue phrase: lives in, pharmacy is in, stay with family in, moved to
    PatternSpec(
        LOCATION,
        r"(?i:\b(?:lives?|living|resides|residing|resident|moved|moving|relocated|relocating"
        r"|home|born|hometown|raised|grew\s+up|originally|visiting|visited|vacation(?:ing)?"
        r"|travel(?:l)?ed|travel(?:l)?ing|trip|flew|drove|drives|driving|commuting|going|went"
        r"|heading|headed|returned|staying|stay|stays|family"
        r"|relatives|pharmacy(?:\s+is)?|located|based|commutes?|transferred|arrived|came)"
        r"(?:\s+(?:back|up|here|there|home|with\s+(?:family|relatives|friends"
        r"|(?:his|her|their)\s+\w+)))?"
        r"\s+(?:in|at|of|to|near|from|outside(?:\s+of)?|into)\s+"
        r"(?:the\s+(?:town|city|village|area)\s+of\s+)?)"
        rf"(?P<v>{_PLACE})",
        _place,
        groups=(("v", LOCATION),),
        wide=True,
    ),
    PatternSpec(
        LOCATION,
        r"(?i:\b(?:city|town|village|municipality|hometown|birthplace|place of birth)\s*[:=]\s*)"
        rf"(?P<v>{_PLACE})",
        _place,
        groups=(("v", LOCATION),),
    ),
    # After a bare preposition, with a stricter validator: "visiting from Dunmore"
    PatternSpec(
        LOCATION,
        rf"\b(?:in|near|from|outside(?:\s+of)?|around|visiting)\s+(?P<v>{_PLACE_WORD}(?:\s+{_PLACE_WORD}){{0,2}})",
        _bare_place,
        groups=(("v", LOCATION),),
    ),
    PatternSpec(
        LOCATION,
        rf"\b(?:in|near|from|outside(?:\s+of)?|around|visiting)\s+(?P<v>{_PLACE_WORD})"
        # not the first word of a longer name ("from Mercy Medical Center")
        r"(?:[^\p{L}\s]|\s+[^\p{Lu}\s]|\s*\z)",
        _bare_place,
        groups=(("v", LOCATION),),
    ),
    # Town-shaped names: Walterfort, Lake Jacobsborough, New Johnsonberg
    PatternSpec(
        LOCATION,
        rf"\b(?P<v>(?:{_TOWN_PREFIX}\s+)?\p{{Lu}}\p{{Ll}}{{2,}}(?:{_TOWN_END})"
        r"|(?:North|East|West|South|New|Lake|Port)\s+\p{Lu}\p{Ll}{2,}(?:town|ton|land|side|port))\b",
        _place,
        groups=(("v", LOCATION),),
        wide=True,
    ),
    PatternSpec(
        LOCATION,
        r"\b\p{Lu}\p{Ll}+(?:[ \x{a0}]\p{Lu}\p{Ll}+)?" + _COUNTY,
        cue=_COUNTY,
    ),
    # ZIP codes after a label, after a state, and foreign postcodes
    PatternSpec(
        ZIP,
        r"(?i:\b(?:z[i1l]p(?:\s*c[o0]de)?|postal\s+code|post\s*code|postleitzahl|plz|code\s+postal"
        r"|c[oó]digo\s+postal|eircode|postnummer|postcode|m[ãa]\s+b[ưu]u\s+(?:ch[íi]nh|đi[ệe]n))\s*"
        r"(?:(?:on\s+file|in\s+the\s+chart|is|was|now|still|should\s+be|changed\s+to|became"
        r"|listed\s+as|there|here)\s+){0,3}[:#]?\s*)"
        rf"(?P<v>{_ZIP5}|[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}}|[A-Z]\d[A-Z]\s?\d[A-Z]\d"
        r"|\d{3}-\d{4}|\d{2}-\d{3}|\d{4}-\d{3}|\d{4,6}|[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y0-9]{4})\b",
        groups=(("v", ZIP),),
    ),
    PatternSpec(
        ZIP,
        rf"\b(?:{STATE_NAMES}|APO|FPO|DPO)\s+(?:(?:AA|AE|AP)\s+)?(?P<v>{_ZIP5})\b",
        groups=(("v", ZIP),),
        wide=True,
    ),
    # a capital right after it glues the next field on, as text taken from a PDF's
    # columns does ("Tulsa, OK 74103Fax …")
    PatternSpec(
        ZIP, rf"\b(?:{STATE_ABBR})\.?,?\s+(?P<v>{_ZIP5})(?:\b|[A-Z])", groups=(("v", ZIP),)
    ),
    PatternSpec(ZIP, r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) \d[A-Z]{2}\b"),
    # Brazil's CEP: 01310-200; not the first groups of a drug code (NDC 12345-678-90)
    PatternSpec(ZIP, r"\b(?P<v>\d{5}-\d{3})(?:\s|$|[.,;:)])", groups=(("v", ZIP),)),
    # A street named without its number: "CVS on Elm St"
    PatternSpec(
        STREET_ADDRESS,
        r"\b(?:on|off)\s+(?P<v>\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)?\s+(?:St|Street|Ave|Avenue|Rd|Road"
        r"|Blvd|Boulevard|Ln|Lane|Dr|Drive|Ct|Court|Pl|Place|Pkwy|Parkway|Hwy|Highway)\b\.?)",
        groups=(("v", STREET_ADDRESS),),
    ),
    PatternSpec(ZIP, r"\b(?:NSW|VIC|QLD|TAS|ACT|NT|WA|SA)\s+(?P<v>\d{4})\b", groups=(("v", ZIP),)),
    PatternSpec(
        ZIP, r"(?i:\b(?:pin|pincode|pin code)\s*[:#-]?\s*)(?P<v>\d{6})\b", groups=(("v", ZIP),)
    ),
    PatternSpec(ZIP, r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b"),
    # Dutch, Polish, Portuguese, Swedish postcodes before the town: 1012 AB Amsterdam,
    # 00-950 Warszawa, 1000-001 Lisboa, 114 55 Stockholm; Irish Eircodes; Japanese 〒
    PatternSpec(
        LOCATION,
        r"\b(?P<z>\d{4} ?[A-Z]{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{3} \d{2})\s+"
        r"(?P<v>\p{Lu}\p{L}+(?:[- ]\p{Lu}\p{L}+){0,2})",
        _place,
        groups=(("v", LOCATION), ("z", ZIP)),
    ),
    PatternSpec(ZIP, r"\b[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y0-9]{4}\b", has_digit_and_letter),
    PatternSpec(ZIP, r"〒\s?\d{3}-\d{4}"),
    # Vietnam's and the Philippines' codes after the city a marker names ("TP. Hồ Chí
    # Minh 700000", "Tỉnh Lâm Đồng 670000", "Lungsod ng Valenzuela 1440"), or before the
    # country ("Hà Nội 100000, Việt Nam")
    PatternSpec(
        ZIP,
        r"(?:\b(?:TP|Tp)\.\s*|\b(?:Thành phố|Tỉnh|Lungsod ng|Bayan ng|Lalawigan ng)\s+)"
        r"(?:\p{Lu}\p{Ll}*\s+){0,3}\p{Lu}\p{Ll}*,?\s+(?P<v>\d{4,6})\b"
        r"|\b(?P<w>\d{5,6}),?\s+(?:Việt Nam|Viet Nam|Vietnam)\b",
        groups=(("v", ZIP), ("w", ZIP)),
    ),
    # 75001 Paris, D-10115 Berlin: a postcode then the town, after a comma or a line start
    PatternSpec(
        LOCATION,
        r"(?:,|^|\n)\s*(?P<z>(?:[A-Z]{1,2}-)?\d{4,5}(?:\s?[A-Z]{2}\b)?)\s+"
        r"(?P<v>\p{Lu}\p{L}+(?:[- ]\p{Lu}\p{L}+){0,2})",
        _place,
        groups=(("v", LOCATION), ("z", ZIP)),
    ),
)
