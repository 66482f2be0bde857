"""Institutions and occupations: the hospital a patient was seen at, the employer
and the job a note mentions. Each narrows down who the patient is; a department
("Cardiology Clinic", "Emergency Department") does not.

A hospital or an employer is found by its last word ("Riverside Medical Center",
"Hôpital de la Pitié", "Acme Logistics Inc."), and kept when one of its other
words distinguishes it; an occupation by a cue ("works as a bus driver",
"Occupation: welder", "retired logger").
"""

from __future__ import annotations

import functools
import importlib

import re2

from phigate.masking._hints import hint
from phigate.masking._shapes import STATE_NAMES, PatternSpec
from phigate.masking._wordlists import EPONYMS, common_words, person_names, plain_names
from phigate.masking.entities import LOCATION, PERSON, PROFESSION

_CAP = r"(?:St\.|Mt\.|ST\.|MT\.|\p{Lu}[\p{L}'’.-]*)"
_SURNAME = r"\p{Lu}\p{Ll}+"
_JOIN = r"(?: (?:of|the|&|de|du|la|del|der|ng) | |-)"
_HOSPITAL_END = (
    r"(?:HOSPITAL|MEDICAL CENTER|CLINIC|HEALTH SCIENCES? CENT(?:ER|RE)|HEALTH|Hospitals?"
    r"|Medical Cent(?:er|re)"
    r"|Med(?:ical)? Ctr|Health Sciences? Cent(?:er|re)|Health Cent(?:er|re)|Health System"
    r"|Health(?:care)?|Clinic|Infirmary|Hospice|Medical Group|Surgery Cent(?:er|re)"
    r"|Surgical Cent(?:er|re)|Nursing Home|Nursing Cent(?:er|re)|Rehabilitation Cent(?:er|re)"
    r"|Care Cent(?:er|re)|Cancer Cent(?:er|re)|Institute|Sanatorium|Klinikum|Krankenhaus"
    r"|Kliniken|Polyclinic|Children's|Memorial"
    # a dental practice is named like a clinic: "Lakeview Family Dental"
    r"|Dental(?: Group| Care| Clinic| Cent(?:er|re)| Associates)?|Dentistry"
    # outpatient sites named like a hospital: "Lakeshore Urgent Care" ("Labs" alone is
    # also a heading after an initial: "T 37.9 C. Labs:")
    r"|Urgent Care|Birthing Cent(?:er|re)|Imaging(?: Cent(?:er|re))?|Laboratories"
    r"|Rehab|Family Practice|Family Medicine|Physicians|Medical Associates|Diagnostics"
    # an eye practice, a home infusion firm ("… Radiology" and "… Infusion Center" were
    # tried: a department, "Division of Oncology Infusion Center", and a verb
    # opening a sentence, "Consult Pediatric Radiology", read as naming words)
    r"|Eye Care|Eye Cent(?:er|re)|Home Infusion)"
)
# The same ends in capitals, as a form's header or an OCR'd letterhead prints them
# ("ST. JOSEPH'S INFIRMARY"); the words before them are capitals too.
_HOSPITAL_END_UPPER = _HOSPITAL_END[3:-1].upper()  # "(?:" and "?" have no case
_ORG_END = (
    # European legal forms, the longest first: "Gute GmbH & Co. KGaA", "Bien e.V." (a bare
    # "AG" is also a lab's antigen: "HBs AG")
    r"(?:(?:GmbH|AG) & Co\. KG(?:aA)?|OHG(?: mbH)?|KGaA|e\.V\.|e\.G\.|S\.A\.S\.|SARL"
    r"|S\.r\.l\.|S\.p\.A\.|B\.V\.|N\.V\.|Pty Ltd"
    r"|Inc\.?|LLC|L\.L\.C\.|Corp\.?|Corporation|Company|Co\.|Ltd\.?|GmbH|S\.A\.|PLC|LLP"
    r"|Industries|Logistics|Foods|Technologies|Manufacturing|Construction|Bank|Credit Union"
    r"|School District|Elementary School|High School|Middle School|Academy|Airlines"
    r"|Transit|Railroad|Insurance|Public Library|Call Cent(?:er|re)"
    # a shipper or consignee on a courier's manifest, a firm a bill is paid to
    r"|Partners|Supply|Supplies|Biologics|Pharmaceuticals|Therapeutics|Distributors"
    r"|Distribution|Freight|Couriers?"
    # where a patient is referred for food, a bed or a meal: "Riverbend Family Shelter"
    r"|Food Pantry|Food Shelf|Soup Kitchen|Shelter|Church|Ministries|Rescue Mission"
    r"|Charities|Foundation|Coalition"
    # a service that helps people, not a desk's ("Member Services", "Lab Client Services")
    r"|(?:Community|Recovery|Resource|Senior|Youth|Family) Cent(?:er|re)"
    r"|(?:Community|Family|Human|Social|Support|Legal|Housing|Youth|Senior|Recovery) Services)"
)
# The word a hospital's short name ends with: "Mercy General", "Toronto Western"
_PHARMACY_END = r" (?:Pharmacy|PHARMACY|Drugs|Drug Store|Apothecary|Chemists?)"
_STORE = r"(?:\s?#\s?\d{2,6}|\s\d{3,6})?"  # the store's number: "#2231", "04412"
_HOSPITAL_WORD = (
    r"(?:General|Regional|Memorial|Presbyterian|Methodist"
    r"|Baptist|Medical|Western|Eastern|Northwestern|Southwestern|Mercy)"
)
# Each pattern that starts at any capitalised word is searched for in the RE2 sets by
# the last word it needs (`PatternSpec.cue`): a suffix is rare, a capital everywhere.
# Words every hospital or firm may have; one other word must name this one.
_GENERIC_WORDS = (
    "general memorial regional community university medical center centre hospital hospitals"
    " health healthcare clinic clinics children's women's saint st st. mt. county city state"
    " the of and & de du la del der system group care institute inc inc. llc corp corp. company"
    " co. ltd ltd. national international united american new north south east west central"
    " valley family internal medicine specialty specialists surgical surgery cancer heart"
    " rehabilitation nursing home behavioral mental veterans affairs va"
    " pharmacy farmacia drugs drug store apothecary inpatient outpatient retail mail order"
    " compounding discharge main satellite science sciences dental dentistry associates"
    " urgent birthing imaging lab labs laboratory laboratories rehab practice physicians"
    " diagnostics chemist chemists library"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())


_NAME_ABBREVIATIONS = frozenset({"ST.", "MT.", "FT.", "CO.", "INC.", "LTD.", "CORP."})


def _ends_a_sentence(words: list[str]) -> bool:
    """An abbreviation in capitals with a full stop before the end word: "SpO2 97% RA.
    Labs:" is a heading after a sentence, no institution ("ST. JOSEPH'S" is a saint's)."""
    return any(
        len(w) > 2
        and w.endswith(".")
        and w[:-1].isupper()
        and "." not in w[:-1]
        and w not in _NAME_ABBREVIATIONS
        for w in words[:-1]
    )


@functools.lru_cache(maxsize=4096)
def _named(value: bytes) -> bool:
    """Whether an institution's words include one that names it ("Riverside", "Kaiser"),
    not only generic and department words ("Cardiology Clinic", "General Hospital")."""
    common = common_words()
    text = value.decode("utf-8", "replace")
    if _ends_a_sentence(text.split()):
        return False
    words = text.lower().replace("’", "'").split()
    distinct = [w.strip(".,'") for w in words if w not in _GENERIC]
    distinct = [w[:-2] if w.endswith("'s") else w for w in distinct]
    names = plain_names()  # a saint's or a founder's name: "St. Mary's", "Hillary"
    return _honoured(words) or any(
        w
        and (w in _STATE_WORDS or w in names or (w not in common and _SPECIALTY.search(w) is None))
        for w in distinct
    )


def _honoured(words: list[str]) -> bool:
    """Whether the word before "Memorial" is a person's name, also one that is a common
    word ("Long Memorial Hospital", "Mason Memorial"): a memorial honours someone, so
    there the word is that person's name, which names the hospital."""
    if "memorial" not in words[1:]:
        return False
    honoured = words[words.index("memorial") - 1].strip(".,'")
    first, last = person_names()
    return honoured not in _GENERIC and (honoured in first or honoured in last)


_FIRM_WORDS = frozenset({"and", "&", "sons", "group"})


@functools.lru_cache(maxsize=4096)
def _firm(value: bytes) -> bool:
    """Whether a firm's name is made of surnames ("Price Group", "Cole and Sons", "Reed,
    Hale and Ward"): every other word a surname, also one that is a common word, none a
    disease's eponym ("Graves, Hashimoto and Addison" stays) nor a generic word."""
    words = value.decode("utf-8", "replace").lower().replace(",", " ").split()
    surnames = [w for w in words if w not in _FIRM_WORDS]
    last = person_names()[1]
    return all(w in last and w not in EPONYMS and w not in _GENERIC for w in surnames)


# Endings of specialties and services, which name departments: "Anticoagulation Clinic",
# "Orthopaedic Institute", "Geriatrics Clinic".
_SPECIALTY = re2.compile(
    r"(?:ology|ologic|ological|ologist|iatry|iatric|iatrics|ation|ative|ive|ics|ment|ence"
    r"|ance|aedic|aedics|opedic|opedics|ical|ary|ory|ure|ist|ists|ing)$"
)
# A hospital named after its state is as telling as one named after its town.
_STATE_WORDS = frozenset(w.lower() for w in STATE_NAMES.replace("|", " ").split())

_STOP_WORDS = (
    "a an the in at for from to since until and or of on with now last early late after"
    " before this that his her their there here home full part time currently previously"
    " years year months week weeks"
)
_STOP = frozenset(_STOP_WORDS.split())
# Stop words that are nouns naming where the work is when a job word follows ("home
# health aide"), as against the place alone ("works from home", "works at home")
_PLACE_NOUNS = frozenset({"home"})


# Trades and jobs faker's lists (made of office and professional titles) lack.
_TRADES = (
    "welder plumber electrician carpenter mechanic driver trucker cashier farmer rancher miner"
    " logger machinist mason bricklayer roofer painter janitor custodian housekeeper cook chef"
    " baker butcher waiter waitress bartender barber hairdresser stylist cosmetologist"
    " landscaper gardener fisherman clerk salesman saleswoman guard soldier sailor pastor"
    " minister priest rabbi imam nanny caregiver babysitter receptionist mail carrier courier"
    " firefighter policeman policewoman cop deputy sheriff teacher professor accountant"
    " lawyer programmer engineer nurse contractor laborer labourer dishwasher housecleaner"
    " seamstress tailor jeweler realtor bus lineman linesman longshoreman mover dockworker"
    " attendant teller paralegal bookkeeper veterinarian aide dispatcher mailman postman"
    " installer repairman handyman lumberjack millwright pipefitter ironworker steelworker"
    " boilermaker foreman supervisor superintendent principal physician trooper bailiff judge"
    " clergyman deacon monk nun missionary homemaker housewife student apprentice"
    " electrician operator hvac cook server stocker loader packer sorter assembler"
    # trades rare enough to single out a participant or a patient in a small town
    " keeper beekeeper glassblower blacksmith farrier shepherd trapper lifeguard surveyor"
    " midwife doula undertaker mortician coroner mayor councilman councilwoman"
    " newscaster broadcaster announcer jockey clown ranger auctioneer taxidermist"
)
_JOB_STOP_WORDS = (
    "person staff associate assistant boy crew sub land make copy emeritus visitor professional"
    " personal personas miembro empleado trabajador oficial jefe agente modelo guía"
)
_JOB_STOP = frozenset(_JOB_STOP_WORDS.split())


def _job_words() -> list[str]:
    """Words a job title ends with (English) or starts with (Spanish), from faker's job
    lists and the trades above, with the Spanish feminine ("maestra", "abogada")."""
    english = importlib.import_module("faker.providers.job.en_US").Provider.jobs
    spanish = importlib.import_module("faker.providers.job.es_ES").Provider.jobs
    words = {str(j).split(",")[0].split()[-1].lower() for j in english}
    words.update(_TRADES.split())
    for job in spanish:
        word = str(job).split()[0].lower().strip(",")
        words.add(word)
        if word.endswith("o"):
            words.add(word[:-1] + "a")
        elif word.endswith("or"):
            words.add(word + "a")
    kept = (w for w in words if w.isalpha() and w not in _JOB_STOP and len(w) > 2)
    return sorted(kept, key=len, reverse=True)


_JOB = "(?:" + "|".join(_job_words()) + ")"


def _workplace(value: bytes) -> bool:
    """A named place, not a disease named for a person ("attends Alzheimer's support
    group", "works with Parkinson's patients")."""
    words = value.decode("utf-8", "replace").lower().replace("’", "'").split()
    eponym = any(w.removesuffix("'s").strip(".,'") in EPONYMS for w in words)
    return not eponym and _named(value)


@functools.lru_cache(maxsize=4096)
def _occupation(value: bytes) -> bool:
    words = value.decode("utf-8", "replace").lower().split()
    return (
        bool(words)
        and (words[0] not in _STOP or (len(words) > 1 and words[0] in _PLACE_NOUNS))
        and words[-1] not in _STOP
        and hint("_".join(words)) in (None, PERSON, PROFESSION)
    )  # "occupation | zip | age": a table's header names the next column, no job


INSTITUTION_PATTERNS: tuple[PatternSpec, ...] = (
    # Riverside Medical Center, St. Mary's Hospital, Brigham and Women's Hospital
    PatternSpec(
        LOCATION,
        rf"\b(?P<v>{_CAP}(?:{_JOIN}{_CAP}){{0,4}} (?:{_HOSPITAL_END}|{_HOSPITAL_END_UPPER}))\b",
        _named,
        groups=(("v", LOCATION),),
        wide=True,
        cue=rf" (?:{_HOSPITAL_END}|{_HOSPITAL_END_UPPER})\b",
    ),
    # Hospital of the University of Pennsylvania, Hôpital de la Pitié, Ospedale San Raffaele;
    # a French university hospital (`CHU de Rennes`), a Vietnamese hospital or clinic
    # (`Bệnh viện Chợ Rẫy`, `Phòng khám Đa khoa An Khang`), a Tagalog one (`Ospital ng
    # Maynila`, `Pagamutan ng Lungsod`), a Portuguese health post (`Centro de Saúde da Lapa`)
    PatternSpec(
        LOCATION,
        r"\b(?P<v>(?:Hospital|Hôpital|Hospital Universitario|Hospital General|Ospedale|Clinique"
        r"|Clínica|Klinik|Klinikum|Krankenhaus|Policlinico|Centre Hospitalier|Centro Hospitalar"
        r"|Universitätsklinikum|Royal|Sanatorio|Instituto|Institut|Polyclinique|CHU|CHRU|CHR"
        r"|Bệnh viện|Phòng khám(?: Đa khoa)?|Trung tâm Y tế|Ospital|Pagamutan"
        r"|Centro de Saúde|Centro de Salud|Posto de Saúde|Santa Casa)"
        rf" (?:(?:of|de|du|des|del|di|della|la|le|the|der|am|an|rechts|links|ng|da|do|dos|das)"
        rf" )*{_CAP}"
        rf"(?:{_JOIN}{_CAP}){{0,3}})",
        _named,
        groups=(("v", LOCATION),),
    ),
    # Mercy General, Lakeview Regional, Toronto Western
    PatternSpec(
        LOCATION,
        rf"\b(?P<v>{_CAP}(?: {_CAP}){{0,2}} {_HOSPITAL_WORD})\b"
        r"(?: (?:Hospital|Health|Medical Center|Campus))?",
        _named,
        groups=(("v", LOCATION),),
        wide=True,
        cue=rf" {_HOSPITAL_WORD}\b",
    ),
    # Acme Logistics Inc., Lincoln High School, AC Transit
    PatternSpec(
        LOCATION,
        rf"\b(?P<v>{_CAP}(?:{_JOIN}{_CAP}){{0,3}} {_ORG_END})(?:\s|$|[.,;:)])",
        _named,
        groups=(("v", LOCATION),),
        wide=True,
        cue=rf" {_ORG_END}(?:\s|$|[.,;:)])",
    ),
    # A firm named for its founders, as registries and employers' lists write it:
    # "Price Group", "Cole and Sons", "Reed, Hale and Ward" (`_firm` checks the surnames)
    PatternSpec(
        LOCATION,
        rf"\b(?P<v>{_SURNAME}, {_SURNAME} and {_SURNAME})\b",
        _firm,
        groups=(("v", LOCATION),),
        wide=True,
        cue=rf", {_SURNAME} and {_SURNAME}\b",
    ),
    PatternSpec(
        LOCATION,
        rf"\b(?P<v>{_SURNAME} (?:and Sons|& Sons|Group))\b",
        _firm,
        groups=(("v", LOCATION),),
        wide=True,
        cue=r" (?:and Sons|& Sons|Group)\b",
    ),
    # The pharmacy that filled a prescription, with its store number: "CVS Pharmacy
    # #2231", "Rite Aid Pharmacy 04412", "Farmacia San Pablo"; a hospital's own
    # ("Inpatient Pharmacy", "Central Pharmacy") names no one's.
    PatternSpec(
        LOCATION,
        rf"\b(?P<v>{_CAP}(?:{_JOIN}{_CAP}){{0,3}}{_PHARMACY_END}{_STORE})(?:\s|$|[.,;:)])",
        _named,
        groups=(("v", LOCATION),),
        wide=True,
        cue=_PHARMACY_END,
    ),
    PatternSpec(
        LOCATION,
        rf"\b(?P<v>Farmacia(?: {_CAP}){{1,3}}{_STORE})(?:\s|$|[.,;:)])",
        _named,
        groups=(("v", LOCATION),),
        wide=True,
    ),
    # Where someone works or goes each day: "works at Northwind Traders", "has worked for
    # Granite Peak Dairy", "attends Lincoln Elementary"; the words must name the place
    # ("works at the Cardiology Clinic" names no one's)
    PatternSpec(
        LOCATION,
        r"(?i:\b(?:works?|worked|working|employed|volunteers?|volunteering|attends|attended|job"
        r"|teaches|taught|employer(?:\s+is|\s+was)?)"
        r"(?:\s+(?:part[- ]time|full[- ]time|now|still|currently))?"
        r"(?:\s+(?:at|for|by|with)|\s+as\s+an?\s+(?:[\p{Ll}-]+\s+){1,3}(?:at|for))?"
        r"\s+(?:the\s+)?)"
        rf"(?P<v>{_CAP}(?:(?:,? and |, | & |{_JOIN}){_CAP}){{0,4}})",
        _workplace,
        groups=(("v", LOCATION),),
    ),
    # works as a bus driver for ..., retired logger, Occupation: welder, a label in a table
    # or a dotted form ("Occupation | welder", "Occ..... welder"); in Spanish, "trabaja
    # como albañil", "de profesión carpintero", "Ocupación: maestra"
    PatternSpec(
        PROFESSION,
        r"(?i:\b(?:works?|worked|working|employed|employment|job|career)\s+"
        r"(?:(?:part[- ]time|full[- ]time|now|still|currently)\s+)?(?:as|is)\s+(?:an?\s+)?"
        r"|\b(?:retired|former|ex-|unemployed|part-time|full-time)\s+"
        r"|\b(?:occupation|profession|job title|employment|works as|trade|occ|job|ocupación"
        r"|ocupacion|profesión|profesion|oficio)\s*(?:[:=|(-]|\.{2,}|_{2,})\s*"
        r"|\b(?:he|she|patient|pt|they)\s+(?:is|was)\s+an?\s+(?:retired\s+)?"
        r"|\b(?:trabaja|trabajaba|trabajó|labora|laboraba|empleado|empleada)\s+(?:como|de)"
        r"\s+(?:una?\s+)?|\bde\s+(?:profesión|profesion|oficio)\s+)"
        r"(?P<v>\p{L}[\p{Ll}'-]+(?:[ -]\p{Ll}[\p{Ll}'-]+){0,2}?)"
        r"(?:\s+(?:en|para|con|desde|hasta|y|que|at|for|in|with|and|until|since|who|by|from)\b"
        r"|\s*[.,;()|\n]|\s*(?m:$))",
        _occupation,
        groups=(("v", PROFESSION),),
    ),
    # A job word from the gazetteer after a cue that says it is someone's: "is a retired
    # school teacher", "was an electrician", "former bus driver", "es maestra", "ex-minero"
    PatternSpec(
        PROFESSION,
        r"(?i:\b(?:is|was|as|retired|former|ex-|es|era|fue|como|jubilad[oa]|retirad[oa]"
        # "a 54-year-old plumber", "a 61 y/o male retired machinist"
        r"|\d{1,3}[- ]?(?:years?[- ]old|year-old|yr[- ]old|y/?o)(?:\s+(?:male|female|man|woman"
        r"|gentleman|lady|widow|widower|married|single|divorced))?,?"
        # a person and their trade in apposition: "Patient, a dairy farmer, lives", "the
        # participant, an ICU nurse,"
        r"|(?:patient|pt|participant|subject|client|resident|veteran|caregiver|husband|wife"
        r"|spouse|partner|son|daughter|mother|father|brother|sister),)\s*"
        r"(?:(?:an?|una?)\s+)?(?:(?:retired|former|semi-retired|part-time|full-time|self-employed)\s+)?)"
        # up to two words naming the trade more closely: "long-haul truck driver"; a
        # closed compound ends with the job word: "farmworker", "schoolteacher"
        rf"(?P<v>(?i:(?:\p{{L}}[\p{{L}}-]+\s+){{0,2}}(?:\p{{L}}{{3,}})?{_JOB}(?:e?s)?))\b",
        _occupation,
        groups=(("v", PROFESSION),),
        wide=True,  # "is", "was" and "as" start a partial match at almost every sentence
    ),
)
