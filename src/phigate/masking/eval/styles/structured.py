"""Machine-shaped styles: HL7 v2, FHIR R4 JSON, CSV fragments, application logs."""

from __future__ import annotations

import json
from datetime import datetime

from phigate.masking.eval.styles.pieces import Builder, Decoy, Phi, Piece
from phigate.masking.eval.styles.values import Person, Place, Values

P, D = Phi, Decoy


def _hl7_dt(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _xpn(person: Person) -> list[Piece]:
    """An HL7 person name, LAST^FIRST^MIDDLE, one span per component."""
    out: list[Piece] = [P(person.family, "NAME"), "^", P(person.given, "NAME")]
    if person.middle:
        out += ["^", P(person.middle, "NAME")]
    return out


def _xad(place: Place) -> list[Piece]:
    return [
        P(place.street, "ADDRESS"),
        "^^",
        P(place.city, "CITY"),
        "^",
        D(place.region, "STATE"),
        "^",
        P(place.postcode, "ZIP"),
        "^",
        D(place.country, "COUNTRY"),
    ]


def _xtn(v: Values) -> list[Piece]:
    area, line = v.pick(["617", "508", "978"]), f"555{v.digits(4)}"
    if v.chance(0.5):
        return [P(f"({area}){line[:3]}-{line[3:]}", "PHONE"), "^PRN^PH"]
    return ["^PRN^PH^^1^", P(f"{area}^{line}", "PHONE")]


_OBSERVATIONS = [
    ("2345-7", "Glucose", "98", "mg/dL"),
    ("718-7", "Hemoglobin", "13.2", "g/dL"),
    ("2160-0", "Creatinine", "0.9", "mg/dL"),
    ("4548-4", "Hemoglobin A1c", "7.2", "%"),
]


def hl7(v: Values, b: Builder) -> None:
    """An ORU^R01 or ADT^A01 message with PID, NK1, PV1, IN1 and OBX segments."""
    patient, kin, doctor, place = v.person(), v.person(), v.doctor(), v.place()
    event = v.pick(["ORU^R01", "ADT^A01", "ADT^A08"])
    facility = v.pick(["MGH", "LRMC", "STBRIG", "RPAH"])
    sep = v.pick(["\r", "\n", "\r\n"])
    b.add(
        D("MSH", "SYNTAX"),
        "|",
        D("^~\\&", "SYNTAX"),
        f"|EPIC|{facility}|LABSYS|{facility}|",
        P(_hl7_dt(v.moment()), "DATE"),
        "||",
        D(event, "SYNTAX"),
        f"|MSG{v.digits(8)}|P|",
        D(v.pick(["2.3", "2.5.1", "2.4"]), "VERSION"),
        sep,
    )
    b.add(
        D("PID", "SYNTAX"),
        "|1||",
        P(v.mrn(), "MRN"),
        f"^^^{facility}^MR~",
        P(v.ssn().replace(" ", "-"), "SSN"),
        "^^^SSA^SS||",
        *_xpn(patient),
        "||",
        P(v.birth_date().strftime("%Y%m%d"), "DATE"),
        f"|{v.pick(['F', 'M', 'U'])}|||",
        *_xad(place),
        "||",
        *_xtn(v),
        "||EN|M||",
        P(v.account(), "ACCOUNT"),
        sep,
    )
    if v.chance(0.7):
        relation = v.pick(["SPO^Spouse", "DAU^Daughter", "SON^Son", "MTH^Mother"])
        b.add(
            D("NK1", "SYNTAX"),
            "|1|",
            *_xpn(kin),
            f"|{relation}|",
            *_xad(v.place()),
            "|",
            *_xtn(v),
            sep,
        )
    room = f"{v.rng.randrange(2, 9)}W^{v.rng.randrange(100, 499)}^{v.pick(['A', 'B'])}"
    b.add(
        D("PV1", "SYNTAX"),
        f"|1|I|{room}^{facility}||||",
        P(v.npi(), "ID"),
        "^",
        *_xpn(doctor),
        "^^^MD|||",
        D(v.pick(["CAR", "MED", "SUR"]), "DEPARTMENT"),
        "||||||||",
        P(f"V{v.digits(9)}", "ID"),
        "|||||||||||||||||||||||||",
        P(_hl7_dt(v.moment()), "DATE"),
        sep,
    )
    if v.chance(0.6):
        b.add(
            D("IN1", "SYNTAX"),
            "|1|",
            v.pick(["BCBS", "AETNA", "MEDICARE"]),
            "|",
            v.digits(5),
            "|",
            v.pick(["Blue Cross Blue Shield", "Aetna", "Medicare Part B"]),
            "||||||||||||||||||||||||||||||||||",
            P(v.health_plan(), "HEALTH_PLAN"),
            sep,
        )
    for index in range(1, v.rng.randrange(2, 5)):
        loinc, name, value, unit = _OBSERVATIONS[v.rng.randrange(len(_OBSERVATIONS))]
        b.add(
            D("OBX", "SYNTAX"),
            f"|{index}|NM|",
            D(loinc, "LOINC"),
            f"^{name}^LN||",
            D(value, "LAB_VALUE"),
            f"|{unit}|||N|||F|||",
            P(_hl7_dt(v.moment()), "DATE"),
            sep,
        )
    if v.chance(0.5):
        b.add(D("DG1", "SYNTAX"), "|1||", D(v.decoy("ICD10"), "ICD10"), "^^I10", sep)


# -- FHIR ---------------------------------------------------------------------

#: A JSON value in which strings may be labelled; a tuple is one string made of pieces.
Json = str | int | float | bool | Phi | Decoy | tuple[Piece, ...] | list["Json"] | dict[str, "Json"]


def _escape(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _string_pieces(value: Json) -> list[Piece]:
    if isinstance(value, str):
        return [_escape(value)]
    if isinstance(value, Phi):
        return [Phi(_escape(value.value), value.type)]
    if isinstance(value, Decoy):
        return [Decoy(_escape(value.value), value.type)]
    assert isinstance(value, tuple)
    return [p for piece in value for p in _string_pieces(piece)]


def emit_json(b: Builder, value: Json, indent: int = 0, step: int = 2) -> None:
    """Writes ``value`` as indented JSON, labelling the strings that carry spans."""
    pad, inner = " " * indent, " " * (indent + step)
    if isinstance(value, bool | int | float):
        b.add(json.dumps(value))
    elif isinstance(value, dict):
        b.add("{\n")
        for index, (key, item) in enumerate(value.items()):
            b.add(f'{inner}"{key}": ')
            emit_json(b, item, indent + step, step)
            b.add(",\n" if index < len(value) - 1 else "\n")
        b.add(pad + "}")
    elif isinstance(value, list):
        b.add("[\n")
        for index, item in enumerate(value):
            b.add(inner)
            emit_json(b, item, indent + step, step)
            b.add(",\n" if index < len(value) - 1 else "\n")
        b.add(pad + "]")
    else:
        b.add('"', *_string_pieces(value), '"')


def _human_name(person: Person) -> dict[str, Json]:
    given: list[Json] = [P(person.given, "NAME")]
    if person.middle:
        given.append(P(person.middle, "NAME"))
    return {"use": "official", "family": P(person.family, "NAME"), "given": given}


def _address(place: Place) -> dict[str, Json]:
    return {
        "use": "home",
        "line": [P(place.street, "ADDRESS")],
        "city": P(place.city, "CITY"),
        "state": D(place.region, "STATE"),
        "postalCode": P(place.postcode, "ZIP"),
        "country": D(place.country, "COUNTRY"),
    }


def _patient(v: Values, pid: str) -> dict[str, Json]:
    person, place = v.person(), v.place()
    birth_place = v.place()
    return {
        "resourceType": D("Patient", "RESOURCE_TYPE"),
        "id": P(pid, "ID"),
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                "valueAddress": {
                    "city": P(birth_place.city, "CITY"),
                    "country": D(birth_place.country, "COUNTRY"),
                },
            },
            {
                "url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex",
                "valueCode": "F",
            },
        ],
        "identifier": [
            {"system": "http://hospital.example.org/fhir/mrn", "value": P(v.mrn(), "MRN")},
            {"system": "http://hl7.org/fhir/sid/us-ssn", "value": P(v.ssn(), "SSN")},
            {"system": "urn:oid:2.16.840.1.113883.4.3.25", "value": P(v.license(), "LICENSE")},
        ],
        "name": [_human_name(person)],
        "telecom": [
            {"system": "phone", "value": P(place.phone, "PHONE"), "use": "home"},
            {"system": "email", "value": P(v.email(person), "EMAIL")},
        ],
        "gender": v.pick(["female", "male", "other"]),
        "birthDate": P(v.birth_date().isoformat(), "DATE"),
        "address": [_address(place)],
    }


def _practitioner(v: Values, pid: str) -> dict[str, Json]:
    person = v.doctor()
    return {
        "resourceType": D("Practitioner", "RESOURCE_TYPE"),
        "id": P(pid, "ID"),
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": P(v.npi(), "ID")}],
        "name": [_human_name(person)],
        "telecom": [
            {"system": "phone", "value": P(v.us_phone(), "PHONE"), "use": "work"},
            {"system": "fax", "value": P(v.us_phone(), "FAX"), "use": "work"},
        ],
        "qualification": [
            {
                "identifier": [{"value": P(v.license(), "LICENSE")}],
                "code": {"text": v.pick(["MD", "DO", "NP"])},
            }
        ],
    }


def _encounter(v: Values, patient_id: str) -> dict[str, Json]:
    start = v.moment()
    return {
        "resourceType": D("Encounter", "RESOURCE_TYPE"),
        "status": "finished",
        "identifier": [
            {"system": "http://hospital.example.org/visit", "value": P(f"V{v.digits(9)}", "ID")}
        ],
        "subject": {"reference": ("Patient/", P(patient_id, "ID"))},
        "period": {"start": P(start.isoformat(), "DATE"), "end": P(v.moment().isoformat(), "DATE")},
        "serviceProvider": {"display": P(v.hospital(), "HOSPITAL")},
        "reasonCode": [
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/sid/icd-10-cm",
                        "code": D(v.decoy("ICD10"), "ICD10"),
                    }
                ],
                "text": D(v.decoy("EPONYM"), "EPONYM"),
            }
        ],
    }


def _observation(v: Values, patient_id: str) -> dict[str, Json]:
    performer = v.doctor()
    return {
        "resourceType": D("Observation", "RESOURCE_TYPE"),
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": D(v.decoy("LOINC"), "LOINC")}]},
        "subject": {"reference": ("Patient/", P(patient_id, "ID"))},
        "effectiveDateTime": P(v.moment().isoformat() + "Z", "DATE"),
        "valueQuantity": {"value": v.rng.randrange(40, 200) / 10, "unit": "mg/dL"},
        "performer": [{"display": (P(performer.given, "NAME"), " ", P(performer.family, "NAME"))}],
        "note": [
            {
                "text": (
                    "Age at collection ",
                    P(str(v.old_age()), "AGE"),
                    "; on ",
                    D(v.decoy("DOSE"), "DOSE"),
                )
            }
        ],
    }


def _coverage_or_device(v: Values, patient_id: str) -> dict[str, Json]:
    if v.chance(0.5):
        return {
            "resourceType": D("Coverage", "RESOURCE_TYPE"),
            "subscriberId": P(v.health_plan(), "HEALTH_PLAN"),
            "beneficiary": {"reference": ("Patient/", P(patient_id, "ID"))},
            "payor": [{"display": P(v.organization(), "ORGANIZATION")}],
        }
    return {
        "resourceType": D("Device", "RESOURCE_TYPE"),
        "serialNumber": P(v.device(), "DEVICE"),
        "udiCarrier": [{"deviceIdentifier": P(f"00{v.digits(12)}", "DEVICE")}],
        "patient": {"reference": ("Patient/", P(patient_id, "ID"))},
        "version": [{"value": D(v.decoy("VERSION"), "VERSION")}],
    }


def fhir(v: Values, b: Builder) -> None:
    """A Bundle of R4 resources, or one resource alone."""
    patient_id = f"{v.pick(['pt', 'example', ''])}{v.digits(6)}"
    makers = [_encounter, _observation, _coverage_or_device]
    chosen = [maker for maker in makers if v.chance(0.6)]
    resources: list[Json] = [_patient(v, patient_id)]
    resources += [maker(v, patient_id) for maker in chosen]
    if v.chance(0.4):
        resources.append(_practitioner(v, v.digits(5)))
    if len(resources) == 1:
        emit_json(b, resources[0])
        return
    entries: list[Json] = [{"resource": r} for r in resources]
    emit_json(
        b, {"resourceType": D("Bundle", "RESOURCE_TYPE"), "type": "collection", "entry": entries}
    )


# -- CSV ----------------------------------------------------------------------

_CSV_COLUMNS: list[tuple[str, str]] = [
    ("patient_name", "NAME"),
    ("dob", "DATE"),
    ("mrn", "MRN"),
    ("phone", "PHONE"),
    ("zip", "ZIP"),
    ("street", "ADDRESS"),
    ("city", "CITY"),
    ("email", "EMAIL"),
    ("ssn", "SSN"),
    ("member_id", "HEALTH_PLAN"),
    ("age", "AGE"),
    ("icd10", "ICD10"),
    ("dose", "DOSE"),
    ("qty", "QUANTITY"),
    ("year", "YEAR"),
    ("state", "STATE"),
]


def _csv_cell(v: Values, kind: str, person: Person, place: Place) -> Piece:
    if kind == "NAME":
        name = f"{person.family}, {person.given}" if v.chance(0.5) else person.full
        return P(name, "NAME")
    if kind == "AGE":
        return P(str(v.old_age()), "AGE") if v.chance(0.3) else D(str(v.young_age()), "AGE")
    decoys = {
        "ICD10": lambda: v.decoy("ICD10"),
        "DOSE": lambda: v.decoy("DOSE"),
        "QUANTITY": lambda: str(v.rng.randrange(1, 120)),
        "YEAR": lambda: str(v.rng.randrange(1990, 2025)),
        "STATE": lambda: place.region,
    }
    if kind in decoys:
        return D(decoys[kind](), kind)
    values = {
        "DATE": lambda: v.written_date(v.birth_date()),
        "MRN": v.mrn,
        "PHONE": lambda: place.phone,
        "ZIP": lambda: place.postcode,
        "ADDRESS": lambda: place.street,
        "CITY": lambda: place.city,
        "EMAIL": lambda: v.email(person),
        "SSN": v.ssn,
        "HEALTH_PLAN": v.health_plan,
    }
    return P(values[kind](), kind)


def csv_fragment(v: Values, b: Builder) -> None:
    """A CSV export: telling or opaque headers, quoting where a cell needs it."""
    columns = v.rng.sample(_CSV_COLUMNS, v.rng.randrange(4, 9))
    delimiter = v.pick([",", ",", ";", "\t"])
    opaque = v.chance(0.4)
    header = [f"col{i + 1}" if opaque else name for i, (name, _) in enumerate(columns)]
    b.add(delimiter.join(header), "\n")
    for _ in range(v.rng.randrange(2, 7)):
        person, place = v.person(), v.place()
        for index, (_, kind) in enumerate(columns):
            cell = _csv_cell(v, kind, person, place)
            text = cell if isinstance(cell, str) else cell.value
            quoted = delimiter in text or v.chance(0.2)
            b.add(
                '"' if quoted else "",
                cell,
                '"' if quoted else "",
                delimiter if index < len(columns) - 1 else "",
            )
        b.add("\n")


# -- application logs ---------------------------------------------------------


def _log_json(v: Values, b: Builder, user: str, mrn: str) -> None:
    b.add(
        '{"ts": "',
        P(v.moment().isoformat() + "Z", "DATE"),
        '", "level": "INFO", "user": "',
        P(user, "USERNAME"),
        '", "client_ip": "',
        P(v.ipv4(), "IP"),
        '", "method": "GET", "path": "/api/v2/patients/',
        P(mrn, "MRN"),
        "/labs?dob=",
        P(v.birth_date().isoformat(), "DATE"),
        '", "session": "',
        P(v.session(), "ID"),
        '", "app_version": "',
        D(v.decoy("VERSION"), "VERSION"),
        '", "status": 200, "ms": ',
        str(v.rng.randrange(3, 900)),
        "}\n",
    )


def _log_kv(v: Values, b: Builder, user: str, mrn: str) -> None:
    ip = v.ipv6() if v.chance(0.3) else v.ipv4()
    b.add(
        P(v.moment().strftime("%Y-%m-%d %H:%M:%S"), "DATE"),
        f",{v.digits(3)} WARN [http-nio-8080-exec-{v.rng.randrange(1, 20)}] "
        "c.e.ehr.PatientService - lookup failed user=",
        P(user, "USERNAME"),
        " mrn=",
        P(mrn, "MRN"),
        " src=",
        P(ip, "IP"),
        " acct=",
        P(v.account(), "ACCOUNT"),
        f" took={v.rng.randrange(5, 3000)}ms\n",
    )


def _log_url(v: Values, b: Builder, person: Person, mrn: str) -> None:
    url = (
        f"https://portal.{v.pick(['mercyhealth.org', 'lakeside-rmc.com', 'stbrigids.ie'])}"
        f"/patients/{mrn}/chart"
        f"?name={person.given}+{person.family}".replace(" ", "+")
    )
    b.add(
        P(v.ipv4(), "IP"),
        " - ",
        P(v.username(person), "USERNAME"),
        " [",
        P(v.moment().strftime("%d/%b/%Y:%H:%M:%S +0000"), "DATE"),
        '] "GET ',
        P(url, "URL"),
        ' HTTP/1.1" 302 512\n',
    )


def _log_trace(v: Values, b: Builder, person: Person) -> None:
    if v.chance(0.5):
        b.add(
            "Traceback (most recent call last):\n",
            f'  File "/srv/ehr/intake/views.py", line {v.rng.randrange(20, 400)}, in register\n',
            "    record = registry.add(form.cleaned_data)\n",
            "ValueError: duplicate SSN ",
            P(v.ssn(), "SSN"),
            " for patient ",
            P(person.full, "NAME"),
            " (driver licence ",
            P(v.license(), "LICENSE"),
            ")\n",
        )
        return
    b.add(
        "java.lang.IllegalStateException: biometric template ",
        P(v.biometric(), "BIOMETRIC"),
        " already enrolled for ",
        P(person.family.upper(), "NAME"),
        ", ",
        P(person.given.upper(), "NAME"),
        "\n",
        f"\tat com.example.ehr.enroll.Enroller.add(Enroller.java:{v.rng.randrange(40, 300)})\n",
        "\tat com.example.ehr.enroll.Api.post(Api.java:88)\n",
    )


def applog(v: Values, b: Builder) -> None:
    """Logs an EHR service writes: JSON lines, key=value, access log, stack traces."""
    b.add(
        "service ehr-api ",
        D(v.decoy("VERSION"), "VERSION"),
        " build=",
        D(v.build_time(), "BUILD_TIME"),
        " starting on port 8443\n",
    )
    for _ in range(v.rng.randrange(2, 5)):
        person = v.person()
        user, mrn = v.username(v.person()), v.mrn()
        kind = v.rng.randrange(4)
        writer = (_log_json, _log_kv)[kind] if kind < 2 else None
        if writer is not None:
            writer(v, b, user, mrn)
        elif kind == 2:
            _log_url(v, b, person, mrn)
        else:
            _log_trace(v, b, person)
    if v.chance(0.3):
        b.add(
            "fleet: courier vehicle ",
            P(v.vehicle(), "VEHICLE"),
            " assigned for home delivery of ",
            D(v.decoy("DRUG"), "DRUG"),
            " ",
            D(v.decoy("QUANTITY"), "QUANTITY"),
            "\n",
        )
