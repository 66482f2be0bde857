"""What a column name or JSON key says about its values.

`hint(name)` returns an entity type (the values are that identifier, whole),
`KEEP` (not PHI: ids, codes, amounts, sex, state), `TEXT` (free text to scan)
or None (the name says nothing; look at the values).
"""

from __future__ import annotations

import functools
import itertools
import unicodedata

from phigate.masking import entities as e

KEEP = "KEEP"
TEXT = "TEXT"

# What `normalise` rewrites: a lower-case letter or digit before a capital gets a
# separator (`([a-z0-9])([A-Z])`), and each run of anything but [a-z0-9] becomes one
# `_` (`[^a-z0-9]+`). Written out instead of the `re2` wrapper's `sub`, which builds a
# Match object per match: ~15-150 us a label instead of ~1-9 us, paid once per new
# label or key (a note's labels are new text: ~3-5% of the samples of masking new
# documents in a profile, though no gain showed beyond the noise of a whole pass).
_NON_WORD = str.maketrans(
    {c: "_" for c in map(chr, range(128)) if not ("a" <= c <= "z" or "0" <= c <= "9")}
)

# Exact normalised names first; then token rules, in order.
_EXACT: dict[str, str] = {
    "id": KEEP,
    "uuid": KEEP,
    "sex": KEEP,
    "gender": KEEP,
    "state": KEEP,
    "state_code": KEEP,
    "country": KEEP,
    "country_code": KEEP,
    "status": KEEP,
    "payer": KEEP,
    "department": KEEP,
    "specialty": KEEP,
    "type": KEEP,
    "kind": KEEP,
    "category": KEEP,
    "unit": KEEP,
    "units": KEEP,
    "currency": KEEP,
    "year": KEEP,
    "race": KEEP,
    "ethnicity": KEEP,
    "language": KEEP,
    "name": e.PERSON,
    "given": e.PERSON,
    "family": e.PERSON,
    "author": e.PERSON,
    "provider": e.PERSON,
    "physician": e.PERSON,
    "doctor": e.PERSON,
    "attending": e.PERSON,
    "nurse": e.PERSON,
    "surgeon": e.PERSON,
    "signed_by": e.PERSON,
    "guardian": e.PERSON,
    "emergency_contact": e.PERSON,
    "ssn": e.SSN,
    "sin": e.SSN,
    "mrn": e.MRN,
    "npi": e.NPI,
    "dea": e.DEA,
    "vin": e.VEHICLE_ID,
    "ip": e.IP_ADDRESS,
    "udi": e.DEVICE_ID,
    "imei": e.DEVICE_ID,
    "iban": e.IBAN,
    "mbi": e.HEALTH_PLAN_ID,
    "dob": e.DATE,
    "dod": e.DATE,
    "date": e.DATE,
    "age": e.AGE,
    "fax": e.PHONE,
    "url": e.URL,
    "zip": e.ZIP,
    "zipcode": e.ZIP,
    "c_p": e.ZIP,  # Spanish "C.P." (código postal)
    "zip5": e.ZIP,
    "postcode": e.ZIP,
    "city": e.LOCATION,
    "town": e.LOCATION,
    "county": e.LOCATION,
    "email": e.EMAIL,
    "mail": e.EMAIL,
    # What a person does and where: a rare trade or a named employer narrows to few.
    "occupation": e.PROFESSION,
    "profession": e.PROFESSION,
    "job": e.PROFESSION,
    "job_title": e.PROFESSION,
    "occ": e.PROFESSION,
    "ocupacion": e.PROFESSION,
    "profesion": e.PROFESSION,
    "oficio": e.PROFESSION,
    "empleo": e.PROFESSION,
    "puesto": e.PROFESSION,
    "employer": e.LOCATION,
    "employer_name": e.LOCATION,
    "workplace": e.LOCATION,
    "organization": e.LOCATION,
    "organisation": e.LOCATION,
    "company": e.LOCATION,
    "vehicle": e.VEHICLE_ID,
    "social": e.SSN,
    "dl": e.LICENSE,
    "dl_number": e.LICENSE,
    "dl_no": e.LICENSE,
    "lic": e.LICENSE,
    "lic_no": e.LICENSE,
    "d_o_b": e.DATE,
    "residence": e.LOCATION,
    "hometown": e.LOCATION,
    "home_town": e.LOCATION,
    "birthplace": e.LOCATION,
    "birth_place": e.LOCATION,
    "place_of_birth": e.LOCATION,
    "referring": e.PERSON,
    "attending_md": e.PERSON,
    "pcp": e.PERSON,
    # Identifiers under the names health IT gives them (HL7, Medicare, MPI vendors).
    "hicn": e.HEALTH_PLAN_ID,  # Medicare's Health Insurance Claim Number: SSN + letter
    "hic": e.HEALTH_PLAN_ID,
    "hic_number": e.HEALTH_PLAN_ID,
    "empi": e.MRN,  # enterprise master patient index
    "mpi": e.MRN,
    "ss_no": e.SSN,
    "ss_num": e.SSN,
    "ss_number": e.SSN,
    "socsec": e.SSN,
    # A person's taxpayer id is their SSN (or an ITIN of the same shape). An employer's
    # EIN is masked too: Safe Harbor removes identifiers of the person's employer.
    "tin": e.SSN,
    "itin": e.SSN,
    "tax_id": e.SSN,
    "taxid": e.SSN,
    "tax_no": e.SSN,
    "tax_number": e.SSN,
    "taxpayer_id": e.SSN,
    "ein": e.ID,
    "fein": e.ID,
    # Where one patient lies: a census table's "Room" and "Bed" columns (i2b2's ROOM)
    "room": e.ID,
    "rm": e.ID,
    "bed": e.ID,
    "room_bed": e.ID,
    "rm_bed": e.ID,
    "room_number": e.ID,
    "room_no": e.ID,
}
# A clinical trial's subject under CDISC's names (SUBJID, USUBJID) and a case report
# form's: the study's number for one person ("SUBJID" ends in no `_id`, and a surrogate
# key's `subject_id` stays a key)
_TRIAL_SUBJECT = (
    "subjid usubjid scrnum randno rand_no screening_no screening_number screening_num"
    " randomization_no randomization_number subject_no subject_number subject_num"
    " participant_no participant_number"
)
for _name in _TRIAL_SUBJECT.split():
    _EXACT[_name] = e.ID

# Column and field names of forms and exports written in other languages (German,
# French, Spanish, Italian, Dutch, Portuguese) and of other countries' identifiers
# (NHS, NIR, BSN, CPF, CURP, codice fiscale), written without accents.
_FOREIGN: dict[str, str] = {
    e.PERSON: (
        "nachname vorname familienname nom prenom nom_de_famille nombre apellido apellidos"
        " nombre_completo cognome nome achternaam voornaam naam sobrenome forename forenames"
        " patientenname nom_du_patient paciente"
    ),
    e.DATE: (
        "geburtsdatum geb_datum geboren date_de_naissance naissance fecha_de_nacimiento"
        " fecha_nacimiento f_nacimiento data_di_nascita data_nascita geboortedatum"
        " data_de_nascimento aufnahmedatum datum fecha"
    ),
    e.ZIP: "plz postleitzahl code_postal codigo_postal cep ma_buu_chinh buu_chinh ma_buu_dien",
    e.LOCATION: (
        "ort wohnort stadt ville commune ciudad localidad municipio poblacion citta comune"
        " woonplaats plaats cidade lieu_de_naissance geburtsort arbeitgeber employeur empleador"
        " datore_di_lavoro werkgever"
    ),
    e.STREET_ADDRESS: (
        "strasse anschrift adresse rue direccion domicilio calle indirizzo adres straat"
        " endereco morada"
    ),
    e.PHONE: "telefon handy telephone portable telefono celular movil telefoon telemovel",
    e.EMAIL: "courriel correo correo_electronico e_mail",
    e.AGE: "alter edad idade leeftijd",
    e.PROFESSION: "beruf ocupacion professione beroep profissao metier",
    e.SSN: (
        "nir numero_de_securite_sociale securite_sociale sozialversicherungsnummer svnr nss"
        " curp dni nie codice_fiscale bsn cpf ni_number national_insurance nino tfn"
    ),
    e.MRN: (
        "nhs nhs_number nhs_no ipp patientennummer fallnummer numero_de_dossier historia_clinica"
        " nhc cartella"
    ),
    e.HEALTH_PLAN_ID: (
        "versicherungsnummer versichertennummer krankenkassennummer mutuelle ohip health_card"
        " tarjeta_sanitaria tessera_sanitaria"
    ),
    e.VEHICLE_ID: "kennzeichen immatriculation matricula placa targa kenteken",
}
for _entity, _names in _FOREIGN.items():
    for _name in _names.split():
        _EXACT.setdefault(_name, _entity)

_TOKEN_RULES: tuple[tuple[frozenset[str], str], ...] = tuple(
    (frozenset(words.split()), entity)
    for words, entity in (
        ("password passwd pwd secret token apikey api_key credential credentials", e.SECRET),
        ("ssn social_security ss_no ss_num ssn_no tax_id taxpayer itin", e.SSN),
        (
            "mrn medical_record chart_number empi mpi patient_number patient_no patient_num"
            " pat_num pat_no hospital_number hospital_no hospital_num hosp_no hosp_num",
            e.MRN,
        ),
        (
            "member mbr subscriber beneficiary policy insurance medicaid medicare hicn mbi"
            # a plan's or an employer group's number on the insurance card
            " plan_id plan_no plan_number plan_num group_no group_number group_num grp_no",
            e.HEALTH_PLAN_ID,
        ),
        ("card credit_card cc_number pan", e.CREDIT_CARD),
        ("iban", e.IBAN),
        ("account acct routing", e.ACCOUNT_NUMBER),
        ("npi", e.NPI),
        ("dea", e.DEA),
        ("license licence certificate passport permit", e.LICENSE),
        ("vin plate", e.VEHICLE_ID),
        ("device serial udi imei mac", e.DEVICE_ID),
        ("fingerprint biometric voiceprint retina iris photo photograph face image", e.BIOMETRIC),
        ("email", e.EMAIL),
        ("phone telephone tel mobile cell fax pager", e.PHONE),
        ("url website homepage link", e.URL),
        ("ip ipv4 ipv6 ip_address remote_addr", e.IP_ADDRESS),
        ("zip zipcode postal postcode plz postleitzahl eircode postnummer", e.ZIP),
        ("address street addr line1 line2 address1 address2", e.STREET_ADDRESS),
        ("city town county municipality neighborhood neighbourhood", e.LOCATION),
        ("dob birth birthdate birthday death dod", e.DATE),
        ("age", e.AGE),
        # "Employer / Occupation", "Employment", "Current occupation"
        ("occupation occupations profession job_title employment trade", e.PROFESSION),
        (
            "note notes text comment comments description message body reason narrative summary"
            " content details remarks history instructions memo subject",
            TEXT,
        ),
        ("code codes cpt icd icd10 icd9 loinc ndc hcpcs snomed drg dx rxcui rxnorm", KEEP),
        ("amount total price cost balance charge charges paid count quantity qty score", KEEP),
    )
)
_NAME_WORDS = frozenset(
    [
        "first",
        "last",
        "middle",
        "given",
        "family",
        "sur",
        "full",
        "patient",
        "maiden",
        "contact",
        "legal",
        "preferred",
        "nick",
        "display",
        "user",
        "member",
        "subscriber",
        "provider",
        "physician",
        "doctor",
        "nurse",
        "author",
        "pt",
        "guardian",
        "kin",
        "spouse",
        "caller",
    ]
)
# A quality measure's or a claim's export names its member by abbreviations: "MBR_NAME",
# "MBR_LAST", "PAT_FIRST_NM", "Patient Last", "SUB_LNAME": a word for the person and a
# part of a name and nothing else, or an abbreviation only a name has
# ("patient_first_visit" and "member_since" are no names).
_NAME_COLUMNS = frozenset(("fullname", "firstname", "lastname", "surname"))
_NAME_TOKENS = frozenset(("name", "nm"))
_NAME_PARTS = frozenset(("last", "first", "middle", "surname"))
_NAME_SHORT = frozenset(("lname", "fname", "mname", "lnm", "fnm"))  # only ever a name
_PERSONS = frozenset(
    ("member", "mbr", "patient", "pt", "pat", "subscriber", "enrollee", "beneficiary", "bene",
     "insured", "guardian", "spouse", "contact", "provider", "physician", "pcp", "prov",
     "rendering", "attending", "referring", "ordering", "prescriber", "prescribing",
     "servicing", "caregiver")
)  # fmt: skip


def _names_a_person(tokens: set[str]) -> bool:
    if tokens & _NAME_SHORT or (tokens & _NAME_TOKENS and tokens & (_NAME_WORDS | _PERSONS)):
        return True
    named = _PERSONS | _NAME_PARTS | _NAME_TOKENS
    return bool(tokens & _PERSONS and tokens & _NAME_PARTS and tokens <= named)


# Where a person works narrows down who they are ("employer_name", "companyName",
# "works_at"); after the token rules, so a "company_code" stays a code, and not its
# number or kind ("organization_identifier", "org_type")
_EMPLOYER_WORDS = frozenset(
    ["employer", "employers", "company", "organization", "organisation", "workplace", "works"]
)
_NOT_EMPLOYER = frozenset(
    ["id", "identifier", "ids", "uuid", "key", "type", "kind", "number", "no", "num", "ref",
     "reference"]
)  # fmt: skip
_DATE_SUFFIXES = ("_date", "_at", "_on", "_dt", "_ts", "_time", "_datetime", "_timestamp")


@functools.lru_cache(maxsize=4096)
def hint(name: str) -> str | None:
    normal = normalise(name)
    found = _hint(normal)
    if found is None:  # a list of them is named in the plural: `ssns`, `patient_ids`
        singular = _singular(normal)
        if singular != normal:
            found = _hint(singular)
    return found


def _singular(normal: str) -> str:
    """The normalised name with its last word in the singular (`mrns` `mrn`,
    `phone_numbers` `phone_number`, `cities` `city`, `addresses` `address`); words that
    end in `s` in the singular (`status`, `address`, `diagnosis`) stay."""
    head, _, last = normal.rpartition("_")
    if len(last) < 3 or not last.endswith("s") or last.endswith(("ss", "us", "is")):
        return normal
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes", "zes")):
        last = last[:-2]
    else:
        last = last[:-1]
    return f"{head}_{last}" if head else last


def _hint(normal: str) -> str | None:
    if normal in _EXACT:
        return _EXACT[normal]
    tokens = set(normal.split("_"))
    parts = normal.split("_")
    joined = {normal} | {f"{a}_{b}" for a, b in itertools.pairwise(parts)}
    # a trial's case report form names its subject by initials ("Subject Initials: ABK")
    if normal in _NAME_COLUMNS or _names_a_person(tokens) or "initials" in tokens:
        return e.PERSON
    for words, entity in _TOKEN_RULES:
        if tokens & words or joined & words:
            return entity
    if tokens & _EMPLOYER_WORDS and not tokens & _NOT_EMPLOYER:
        return e.LOCATION
    if normal.endswith(_DATE_SUFFIXES) or normal.startswith("date_"):
        return e.DATE
    if normal.endswith("_id") or normal.endswith("_uuid") or normal.endswith("_key"):
        return KEEP  # surrogate keys: joins need them, and they identify rows, not people
    return None


def normalise(name: str) -> str:
    """The name in lower snake case without accents: `dateOfBirth` is `date_of_birth`,
    "Código postal" `codigo_postal`."""
    if not name.isascii():  # "Prénom", "Straße", "Código postal"
        name = _ascii(name)
    # ASCII now: each character but [a-z0-9] is `_`, and runs of `_` one, none at the ends
    return "_".join(filter(None, uncamel(name, "_").lower().translate(_NON_WORD).split("_")))


def uncamel(text: str, separator: str) -> str:
    """`text` with `separator` between a lower-case ASCII letter or digit and the ASCII
    capital after it (`dateOfBirth` `date_Of_Birth`): RE2's `([a-z0-9])([A-Z])`
    replaced by `\\1<separator>\\2`, for any text."""
    out: list[str] = []
    taken = 0
    before = text[:1]
    for i in range(1, len(text)):
        char = text[i]
        if "A" <= char <= "Z" and ("a" <= before <= "z" or "0" <= before <= "9"):
            out.append(text[taken:i])
            out.append(separator)
            taken = i
        before = char
    if not out:
        return text
    out.append(text[taken:])
    return "".join(out)


def _ascii(name: str) -> str:
    """The name without accents, so that one spelling of each foreign key suffices."""
    name = name.replace("ß", "ss")
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def type_hint(type_name: str | None) -> str | None:
    """What a column's SQL type says: dates are PHI elements, JSON is scanned."""
    if type_name is None:
        return None
    t = type_name.lower()
    if t.startswith(("date", "timestamp")):
        return e.DATE
    if t in (
        "bool",
        "boolean",
        "money",
        "numeric",
        "decimal",
        "real",
        "double precision",
        "float4",
        "float8",
        "interval",
        "time",
        "timetz",
    ):
        return KEEP
    if t in ("json", "jsonb", "text", "varchar", "character varying", "xml"):
        return TEXT
    if t == "inet" or t == "cidr":
        return e.IP_ADDRESS
    if t == "macaddr":
        return e.DEVICE_ID
    return None
