"""Word lists for the name detector: person names, words that are not names,
clinical eponyms, titles and context cues.

Person names come from Faker's locale data (SSA and census-derived frequency
lists for en_US, plus en_GB, en_IN and es_MX), loaded once, lazily. Common
words come from Faker's English word list plus the clinical vocabulary below;
a dictionary name that is also a common word ("Will", "May", "Young") is only
a name with context.
"""

from __future__ import annotations

import functools
import importlib
import unicodedata

import re2

_NAME_LOCALES = ("en_US", "en_GB", "en_IN", "es_MX")
# Names of people seen in US records who were named elsewhere: Latin-script locales,
# so a Vietnamese, Polish or Nigerian name is a dictionary name, not only a guess.
# They are names only when they are not also common words, like every other name.
_WORLD_LOCALES = (
    "vi_VN", "de_DE", "fr_FR", "it_IT", "pl_PL", "pt_BR", "es_ES", "nl_NL", "tr_TR",
    "cs_CZ", "hu_HU", "ro_RO", "sv_SE", "da_DK", "no_NO", "fi_FI", "en_IE", "en_NG",
    "yo_NG", "ig_NG", "ha_NG", "zu_ZA", "en_KE", "sw", "id_ID", "en_PK", "tw_GH",
    "az_AZ", "de_AT", "de_CH", "en_NZ", "es_AR", "es_CL", "es_CO", "et_EE", "fr_CA", "fr_CH",
    "ga_IE", "hr_HR", "is_IS", "lt_LT", "lv_LV", "nl_BE", "pt_PT", "sk_SK", "sl_SI",
)  # fmt: skip
# Chinese and Japanese names as they are spelled in Latin letters (pinyin, Hepburn).
_ROMANIZED_LOCALES = ("zh_CN", "ja_JP")

# PostgreSQL's plan vocabulary: EXPLAIN output passes through the free-text detectors,
# and "Seq Scan" or "Hash Cond" read as two unknown capitalised words, a full name.
# They count as common words: names only with context when a name list has them too.
_SQL_PLAN = """
seq scan index only bitmap heap recheck cond hash merge nested loop join anti semi left
right full inner outer gather parallel workers planned launched subquery function values
cte tid foreign sample tuplestore named recursive union setop append result unique limit
sort incremental presorted key method group aggregate hashaggregate groupaggregate
windowagg materialize memoize cache filter removed rows fetches output initplan subplan
one-time full-sort planning execution time buffers shared local temp hit read written
dirtied batches memory usage storage maximum peak disk insert update delete lockrows
trigger constraint conflict arbiter tuples settings jit functions options inlining
optimization emission generation total query identifier
"""

# A hospital's departments, services and offices, clinical and administrative: the
# words of a department's name ("Cardiology", "Patient Access", "Revenue Cycle").
_DEPARTMENTS = """
emergency department ed er icu clinic hospital unit ward floor room service services
cardiology oncology neurology pediatrics surgery radiology orthopedics dermatology psychiatry
internal medicine family obstetrics gynecology urology nephrology endocrinology
gastroenterology pulmonology rheumatology infectious disease hematology ophthalmology
telemetry interventional palliative hospice labor delivery picu pacu cath wound
rehab rehabilitation therapy occupational speech nutrition dietary pharmacy laboratory
pathology anesthesia anesthesiology imaging nuclear infusion dialysis transplant trauma
burn neonatal pediatric geriatric geriatrics behavioral psychiatric vascular thoracic
cardiothoracic neurosurgery otolaryngology ent audiology podiatry allergy immunology
ambulatory outpatient inpatient surgical stepdown observation triage admitting
registration social work case management chaplaincy spiritual quality compliance
prevention control wellness maternity obstetric birthing postpartum antepartum newborn
nursery radiation endoscopy bronchoscopy electrophysiology echocardiography ostomy
education tower pavilion annex campus building level intensive critical
access revenue cycle utilization review admissions scheduling coding finance informatics
privacy legal supply chain materials facilities engineering nursing payroll accounts payable
receivable collections denials intake referral referrals transport transfer center
"""

_CLINICAL = """
patient pt history hx assessment plan impression diagnosis dx chief complaint cc hpi ros pmh
psh fh sh exam physical vitals vital signs labs lab results medications meds allergies nkda
subjective objective procedure procedures note notes progress discharge summary admission
follow followup return reports report denies endorses presents presented states stated noted
given started continue continued stop stopped start increase decrease hold resume recommend
recommended advised counseled reviewed discussed ordered obtained performed tolerated tolerating
blood pressure heart rate temperature respiratory oxygen saturation weight height bmi pain
chest abdomen abdominal head neck back extremities skin neuro neurologic cardiac pulmonary
lungs heart gi gu heent general alert oriented well appears appeared normal abnormal mild
moderate severe acute chronic stable unstable improved improving worsening unchanged
negative positive left right bilateral anterior posterior lateral medial upper lower
daily twice bid tid qid prn po iv im sc mg mcg ml units tab tabs tablet tablets capsule dose
insulin metformin lisinopril atorvastatin amlodipine aspirin ibuprofen acetaminophen tylenol
advil lasix furosemide warfarin coumadin heparin albuterol prednisone omeprazole gabapentin
hydrochlorothiazide losartan levothyroxine simvastatin sertraline amoxicillin azithromycin
diabetes mellitus type hypertension hyperlipidemia asthma copd chf cad ckd afib gerd mri ct
xray x-ray ekg ecg echo ultrasound cbc bmp cmp a1c hba1c tsh ldl hdl inr ptt bun cr gfr
hgb wbc plt na potassium sodium glucose creatinine troponin bnp urinalysis ua culture
primary care pcp provider physician doctor nurse np pa rn md do attending resident fellow
insurance payer claim claims billing member plan policy copay deductible prior authorization
medicare medicaid aetna cigna humana anthem kaiser blue cross shield unitedhealthcare
message portal reply re subject dear hi hello thanks thank regards sincerely best team
please call contact questions appointment appointments scheduled schedule visit visits
today tomorrow yesterday tonight morning afternoon evening night week weeks month months
year years day days hour hours minute minutes am pm mon tue wed thu fri sat sun
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
mr mrs ms miss dr prof mx rev sr jr ii iii iv
he she they his her their him them the a an and or but if with without for from to of in on
at by as is was were be been no not yes none per via vs also then this that these those
status post s/p w/ w/o r/o h/o c/o f/u no. pt's
smoking tobacco alcohol etoh drugs denies married single divorced widowed lives works
retired employed unemployed occupation education exercise diet sleep mood anxiety
depression depressive disorder syndrome disease sign test score scale criteria
infection fever cough shortness breath nausea vomiting diarrhea constipation fatigue
dizziness headache rash swelling edema bleeding fracture injury fall
medical med rec record records number id dob sex gender male female age race ethnicity
language english
spanish interpreter address phone email fax city state zip county country
signed electronically dictated transcribed cosigned verified addendum attestation
date time location department reason code status amount total payment
hospital medical center health system clinic group associates partners
united states america usa us north south east west new saint st mount
american african asian hispanic latino white black caucasian
ok okay sure fine see seen send sent need needs needed also still just
will may hope grant rose mark young summer bill long brown faith joy grace art rich page
autumn dawn sunny sky star storm river lane bishop king knight cook baker hunter mason
carter porter miller fisher taylor banks bush ford hill hall wood woods stone lake park
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia
hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
michigan minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico york
carolina dakota ohio oklahoma oregon pennsylvania rhode island tennessee texas utah vermont
virginia washington wisconsin wyoming columbia puerto rico
ontario quebec manitoba saskatchewan scotia brunswick newfoundland labrador
yukon nunavut queensland tasmania wales bavaria bayern saxony
thuringia tamil nadu kerala karnataka maharashtra gujarat punjab
bengal bihar rajasthan uttar pradesh jalisco oaxaca chiapas yucatan sonora chihuahua
nuevo guanajuato veracruz puebla michoacan catalonia andalusia galicia lombardy
tuscany sicily sardinia normandy provence alsace wallonia
medicine surgical sleep spine sports urgent respiratory cardiac cardiovascular
lithium magnesium calcium zinc vitamin folic ferrous melatonin mucinex sudafed pepto
tums maalox gaviscon robitussin dayquil nyquil pedialyte
lipitor crestor zocor pravachol norvasc coumadin eliquis xarelto pradaxa plavix brilinta
synthroid levoxyl glucophage januvia jardiance farxiga invokana trulicity ozempic wegovy
mounjaro victoza lantus levemir humalog novolog tresiba basaglar toujeo zoloft prozac
lexapro celexa paxil effexor cymbalta wellbutrin remeron abilify seroquel zyprexa
risperdal haldol xanax ativan klonopin valium ambien lunesta adderall ritalin vyvanse
concerta strattera neurontin lyrica topamax keppra lamictal depakote tegretol dilantin
aricept namenda sinemet requip mirapex flomax proscar avodart cialis viagra detrol
ditropan myrbetriq vesicare prilosec nexium protonix pepcid zantac prevacid dexilant
reglan zofran phenergan imodium miralax colace senokot dulcolax linzess amitiza humira
enbrel remicade stelara dupixent keytruda opdivo herceptin avastin rituxan gleevec
revlimid arimidex femara aromasin xgeva prolia fosamax boniva actonel evista premarin
estrace provera prometrium advair symbicort breo trelegy spiriva incruse anoro proair
ventolin proventil xopenex pulmicort qvar singulair zyrtec claritin
benadryl flonase nasonex motrin aleve celebrex mobic toradol norco vicodin percocet
oxycontin dilaudid ultram suboxone narcan keflex augmentin zithromax levaquin cipro
bactrim macrobid flagyl diflucan valtrex tamiflu paxlovid zosyn rocephin lovenox toprol
lopressor coreg tenormin inderal cardizem procardia zestril prinivil vasotec altace
lotensin diovan cozaar benicar avapro micardis entresto aldactone bumex demadex lanoxin
cordarone pacerone multaq tikosyn nitrostat imdur ranexa zetia vytorin tricor lopid
niaspan repatha praluent zyloprim uloric colcrys medrol deltasone decadron plaquenil
imuran cellcept prograf neoral epogen procrit neulasta jantoven narcan evzio kcentra
"""

# Clinical eponyms: names of diseases, signs and scores, not of patients,
# unless a title or a name cue says otherwise ("Dr. Parkinson").
EPONYMS = frozenset(
    [
        "parkinson",
        "parkinsons",
        "crohn",
        "crohns",
        "apgar",
        "alzheimer",
        "alzheimers",
        "hodgkin",
        "hodgkins",
        "hashimoto",
        "graves",
        "addison",
        "cushing",
        "down",
        "asperger",
        "bell",
        "tourette",
        "huntington",
        "wilson",
        "gilbert",
        "raynaud",
        "sjogren",
        "sjögren",
        "kawasaki",
        "guillain",
        "barre",
        "barré",
        "bell's",
        "babinski",
        "murphy",
        "mcburney",
        "homan",
        "homans",
        "glasgow",
        "braden",
        "wells",
        "framingham",
        "kaposi",
        "kussmaul",
        "cheyne",
        "stokes",
        "korsakoff",
        "wernicke",
        "broca",
        "meniere",
        "ménière",
        "paget",
        "marfan",
        "turner",
        "klinefelter",
        "epstein",
        "barr",
        "lyme",
        "reye",
        "tay",
        "sachs",
        "whipple",
        "duchenne",
        "becker",
        "charcot",
        "tooth",
        "dupuytren",
        "osgood",
        "schlatter",
        "baker",
        "baker's",
        "colles",
        "barrett",
        "barretts",
        "bartholin",
        "bence",
        "jones",
        "brugada",
        "chvostek",
        "trousseau",
        "kernig",
        "brudzinski",
        "fallot",
        "hirschsprung",
        "kaplan",
        "meier",
        "lown",
        "mallory",
        "weiss",
        "nissen",
        "roux",
        "heimlich",
        "valsalva",
        "trendelenburg",
        "fowler",
        "foley",
        "swan",
        "ganz",
        "hickman",
        "holter",
        "doppler",
        "pap",
        "gram",
        "ziehl",
        "neelsen",
        "sjogren's",
        "wegener",
        "takayasu",
        "buerger",
        "behcet",
        "behçet",
        "creutzfeldt",
        "ehlers",
        "danlos",
        "chiari",
        "perthes",
        "peyronie",
        "quervain",
        "tietze",
        "burkitt",
        "meckel",
        "zenker",
        "tinel",
        "mallampati",
        "rockall",
        "blatchford",
        "schatzker",
        "monteggia",
        "galeazzi",
        "lisfranc",
        "maisonneuve",
        "chopart",
        "bankart",
        "heberden",
        "osler",
        "virchow",
        "korotkoff",
        "kehr",
        "rovsing",
        "lewy",
        "langerhans",
        "purkinje",
        "kupffer",
        "treitz",
        "calot",
        "gerota",
        "sylvius",
        "brodmann",
        "bezold",
        "jarisch",
        "whipple's",
        "addison's",
        "cushing's",
        "graves'",
        "still's",
        "kawasaki's",
        "tourette's",
        "asperger's",
        "hirschsprung's",
        "parkinsonism",
    ]
)

TITLES = frozenset(
    [
        "dr",
        "doctor",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "professor",
        "rev",
        "sister",
        "nurse",
        "np",
        "pa",
        "rn",
        "attending",
        # Haitian Creole: Madam, Mister, Doctor, Nurse, Miss
        "madanm",
        "madan",
        "msye",
        "mesye",
        "mèsye",
        "doktè",
        "dokte",
        "enfimyè",
        "manmzèl",
    ]
)

# Words just before a capitalised word that make it a name.
NAME_CUES = (
    b"patient",
    b"pt",
    # Haitian Creole: the patient, mother, father, child, and "li" (his/her) after
    # them: "manman li Rose", "pitit li Junior"
    b"pasyan",
    b"manman",
    b"papa",
    b"pitit",
    b"li",
    b"name",
    b"named",
    b"by",
    b"mother",
    b"father",
    b"mom",
    b"dad",
    b"wife",
    b"husband",
    b"son",
    b"daughter",
    b"sister",
    b"brother",
    b"spouse",
    b"partner",
    b"guardian",
    b"caregiver",
    b"friend",
    b"neighbor",
    b"dear",
    b"hi",
    b"hello",
    b"thanks",
    b"regards",
    b"sincerely",
    b"attending",
    b"author",
    b"contact",
    b"signed",
    b"from",
    b"with",
    b"saw",
    b"called",
    b"per",
    b"best",
    b"cheers",
    b"warmly",
    b"respectfully",
    b"cordially",
    b"provider",
    b"clinician",
    b"therapist",
    b"pharmacist",
    b"technician",
    b"coordinator",
    b"manager",
    b"representative",
    b"interpreter",
    b"chaplain",
    b"aide",
    b"cc",
    b"attn",
    b"pcp",
    b"caller",
    b"grandmother",
    b"grandfather",
    b"grandson",
    b"granddaughter",
    b"niece",
    b"nephew",
    b"aunt",
    b"uncle",
    b"cousin",
    b"roommate",
    b"fiance",
    b"fiancee",
    b"girlfriend",
    b"boyfriend",
    # verbs whose object is a person: "told Thabo", "paged Nkechi", "accompanied by"
    b"told",
    b"asked",
    b"paged",
    b"notified",
    b"informed",
    b"messaged",
    b"texted",
    b"emailed",
    b"thanked",
    b"accompanied",
    b"visited",
    b"escorted",
    b"ask",
    b"tell",
    b"page",
    b"love",
    b"xo",
    b"thx",
    b"its",
)


@functools.cache
def person_names() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, last names), lower-cased."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in (*_NAME_LOCALES, *_WORLD_LOCALES):
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        given = _names(provider, ("first_names", "first_names_male", "first_names_female"))
        first.update(_spellings(given))
        last.update(_spellings(_names(provider, ("last_names",))))
    for locale in _ROMANIZED_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first.update(_spellings(_names(provider, ("first_romanized_names",))))
        last.update(_spellings(_names(provider, ("last_romanized_names",))))
    return frozenset(first), frozenset(last)


def _spellings(names: list[str]) -> set[str]:
    """Lower-cased names, and their ASCII spelling ("Nguyễn" is often typed "Nguyen")."""
    out: set[str] = set()
    for name in names:
        lowered = name.lower()
        out.add(lowered)
        folded = unicodedata.normalize("NFKD", lowered.replace("đ", "d").replace("ł", "l"))
        out.add("".join(c for c in folded if not unicodedata.combining(c)))
    return out


def _names(provider: object, attributes: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for attribute in attributes:
        names = getattr(provider, attribute, ())
        if not isinstance(names, property):  # es_CL computes first_names per instance
            found.extend(str(n) for n in names)
    return [n for n in found if n.isalpha() or "-" in n or "'" in n]


# Drug names, brand and generic, among the most prescribed: capitalised in a note, they
# read like names ("Started Januvia"), and some are ("Jardiance" is no one).
_DRUGS = """
abilify adderall advair aldactone allegra ambien amoxil anoro aricept arimidex atacand ativan
augmentin avapro avodart azor bactrim benadryl benicar biktarvy boniva breo brilinta bystolic
cardizem cardura celebrex celexa cialis cipro claritin clarinex cozaar crestor cymbalta
depakote descovy diflucan dilantin diovan ditropan effexor eliquis entresto epclusa farxiga
flexeril flomax flonase fosamax glucophage glucotrol harvoni humalog humira imdur imitrex
invokana januvia jardiance keflex keppra klonopin lamictal lantus levaquin levemir lexapro
lipitor lopressor lotensin lovenox lunesta lyrica macrobid medrol mobic motrin namenda
neurontin nexium norco norvasc novolog ozempic pepcid percocet plaquenix plavix pradaxa
pravachol premarin prilosec pristiq proscar protonix provera prozac reglan remeron requip
restoril risperdal ritalin robaxin seroquel singulair soma spiriva suboxone synthroid tamiflu
tenormin toprol tradjenta tresiba tricor trulicity ultram valium valtrex vasotec ventolin
vesicare viagra victoza vistaril voltaren vyvanse wellbutrin xanax xarelto yaz zanaflex
zantac zestril zetia zithromax zocor zofran zoloft zyprexa zyrtec keytruda opdivo herceptin
avastin rituxan enbrel remicade stelara dupixent otezla xeljanz rinvoq skyrizi taltz cosentyx
mounjaro wegovy rybelsus steglatro tymlos prolia evenity repatha praluent leqvio nurtec
ubrelvy aimovig emgality ajovy vraylar rexulti caplyta latuda trintellix auvelity
"""


@functools.cache
def common_words() -> frozenset[str]:
    """Words that are not names on their own (English vocabulary, clinical terms and
    the words of query plans)."""
    lorem = importlib.import_module("faker.providers.lorem.en_US").Provider
    words = {str(w).lower() for w in lorem.word_list}
    words.update(_CLINICAL.split())
    words.update(_DEPARTMENTS.split())
    words.update(_DRUGS.split())
    words.update(_SQL_PLAN.split())
    return frozenset(words)


@functools.cache
def plain_names() -> frozenset[str]:
    """Dictionary names that are no common word or eponym: names even in lower case."""
    first, last = person_names()
    blocked = common_words() | EPONYMS
    return frozenset(n for n in first | last if len(n) > 2 and n not in blocked)


# A hospital's units by their abbreviations: the intensive and critical care units
# (ICU, NICU, MICU, CVICU, NSICU), coronary and progressive care (CCU, CICU, PCU,
# IMCU), recovery (PACU), labour and delivery (L&D, LDRP), and a ward named by its
# floor and wing ("4 West", "5N"). A place in a hospital, no one's name or town.
_UNIT = re2.compile(
    r"^(?:[a-z]{0,3}icu|[a-z]{0,2}ccu|[a-z]{0,2}pcu|imcu|pacu|l&d|ldrp?"
    r"|\d{1,2}\s?(?:[nsew]|north|south|east|west|[nsew]{2}))$"
)


def hospital_unit(text: str) -> bool:
    """Whether the words name a unit or ward of a hospital ("MICU", "L&D", "4 West")."""
    lowered = " ".join(text.lower().split())
    if not (lowered.endswith("cu") or lowered[:1].isdigit() or lowered[:2] in ("l&", "ld")):
        return False  # what every unit's name starts or ends with: most words, no search
    return _UNIT.match(lowered) is not None


@functools.cache
def _department_words() -> frozenset[str]:
    return frozenset(_DEPARTMENTS.split())


def department(text: str) -> bool:
    """Whether the words name a department or a unit, no place or organisation: each
    a common word and no name, and one a department's ("Cardiology", "Health Information
    Management", "Patient Access"), or a unit's abbreviation ("MICU")."""
    words = text.lower().replace("&", " ").replace("/", " ").split()
    if not words or hospital_unit(text):
        return bool(words)
    common = common_words()
    first, last = person_names()  # "Porter Pharmacy" is someone's
    return all(w in common and w not in first and w not in last for w in words) and any(
        w in _department_words() for w in words
    )


# The words a kind of organisation is written in, no name among them: its level of
# government ("county", "state"), its service ("public health", "skilled nursing",
# "urgent care", "assisted living") and its noun ("department", "laboratory",
# "facility"). A reportable-disease line list writes the reporter's kind in the
# column where a named reporter could stand.
_KIND_WORDS = """county state city municipal local regional tribal federal public health department
    dept laboratory lab skilled nursing facility urgent care home assisted living long-term
    long term acute residential treatment center centre clinic hospital agency office
    correctional school daycare child adult day ambulatory surgery surgical outpatient
    inpatient behavioral mental rehabilitation rehab hospice dialysis physician practice
    private reference commercial infirmary"""
_ORGANISATION_KIND_WORDS = frozenset(_KIND_WORDS.split())
# A kind of organisation ends in its noun: "urgent care", not "county" alone.
_KIND_NOUNS = """department dept laboratory lab facility care center centre clinic hospital agency
    office home practice infirmary"""
_ORGANISATION_KIND_NOUNS = frozenset(_KIND_NOUNS.split())


def organisation_kind(text: str) -> bool:
    """Whether the words name a kind of organisation, no organisation of one's own
    ("county health department", "Skilled Nursing Facility", "urgent care"): every word
    a kind's and the last its noun; a place or a person in it ("Franklin County Health
    Department") makes it a name."""
    words = text.lower().replace("/", " ").split()
    return (
        0 < len(words) <= 6
        and words[-1] in _ORGANISATION_KIND_NOUNS
        and all(w in _ORGANISATION_KIND_WORDS for w in words)
    )
