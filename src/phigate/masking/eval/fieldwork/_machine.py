"""Documents an agent gets back from tools: FHIR, HL7 v2, MCP, REST, database rows,
search hits and logs."""

from __future__ import annotations

import random

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.fieldwork import _people as people
from phigate.masking.eval.fieldwork import _pools as pools
from phigate.masking.eval.fieldwork import _values as v
from phigate.masking.eval.fieldwork._builder import (
    Builder,
    Inline,
    JsonValue,
    Mark,
    decoy,
    emit_delimited,
    emit_json,
    emit_table,
    phi,
)


def _hospital(rng: random.Random) -> Mark:
    return phi(rng.choice(pools.HOSPITALS), "HOSPITAL")


def fhir_patient(rng: random.Random) -> Document:
    p = people.person(rng)
    telecom: list[JsonValue] = [
        {"system": "phone", "value": phi(p.phone, "PHONE"), "use": "home"},
        {"system": "email", "value": phi(p.email, "EMAIL")},
    ]
    if rng.random() < 0.4:
        telecom.append({"system": "fax", "value": phi(v.us_phone(rng), "FAX"), "use": "work"})
    resource: dict[str, JsonValue] = {
        "resourceType": "Patient",
        "id": decoy(v.guid_like(rng), "uuid"),
        "meta": {"versionId": str(rng.randint(1, 9)), "lastUpdated": people.timestamp(rng)},
        "identifier": [
            {
                "system": "urn:oid:2.16.840.1.113883.19.5",
                "type": {"text": "MRN"},
                "value": phi(v.mrn(rng), "MRN"),
            },
            {"system": "http://hl7.org/fhir/sid/us-ssn", "value": phi(v.ssn(rng), "SSN")},
        ],
        "name": [
            {
                "use": "official",
                "family": phi(p.family, "NAME"),
                "given": [phi(p.given, "NAME"), phi(p.middle, "NAME")],
            }
        ],
        "telecom": telecom,
        "gender": p.sex,
        "birthDate": phi(p.dob.iso(), "DATE"),
        "address": [
            {
                "line": [phi(p.street, "ADDRESS")],
                "city": phi(p.city, "CITY"),
                "state": decoy(p.state[0], "state"),
                "postalCode": phi(p.zip, "ZIP"),
                "country": "US",
            }
        ],
        "managingOrganization": {"reference": "Organization/12", "display": _hospital(rng)},
    }
    b = Builder()
    emit_json(b, resource, rng.choice((2, None)))
    return b.document("fhir_patient")


def fhir_bundle(rng: random.Random) -> Document:
    p = people.person(rng)
    name, value, ref = people.lab(rng)
    start = v.day(rng, 2024, 2026)
    encounter: dict[str, JsonValue] = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": f"Patient/{rng.randint(1000, 99999)}", "display": p.name()},
        "period": {"start": Inline((phi(start.iso(), "DATE"), f"T{v.clock(rng)}:00-05:00"))},
        "serviceProvider": {"display": _hospital(rng)},
        "participant": [
            {"individual": {"display": Inline(("Dr. ", phi(people.clinician(rng), "NAME")))}}
        ],
    }
    observation: dict[str, JsonValue] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {
            "coding": [{"system": "http://loinc.org", "code": people.code(rng)[1], "display": name}]
        },
        "valueString": value,
        "referenceRange": [{"text": ref}],
        "device": {"display": Inline(("glucometer ", phi(v.device(rng), "DEVICE")))},
        "effectiveDateTime": phi(start.iso(), "DATE"),
    }
    bundle: dict[str, JsonValue] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 2,
        "entry": [{"resource": encounter}, {"resource": observation}],
    }
    b = Builder()
    emit_json(b, bundle, rng.choice((2, None)))
    return b.document("fhir_bundle")


def _pid(b: Builder, rng: random.Random, p: people.Person) -> None:
    b.fill(
        "PID|1||{mrn}^^^{fac}^MR~{ssn}^^^SSA^SS||{fam}^{giv}^{mid}||{dob}|{sex}|||"
        "{street}^^{city}^{st}^{zip}^USA||{phone}|||M||{acct}|{ssn2}|{dl}\r",
        mrn=phi(v.mrn(rng), "MRN"),
        fac=rng.choice(("ASHGEN", "QVH", "NFUH")),
        ssn=phi(v.ssn(rng).replace(" ", "-"), "SSN"),
        fam=phi(p.family, "NAME"),
        giv=phi(p.given, "NAME"),
        mid=phi(p.middle, "NAME"),
        dob=phi(p.dob.compact(), "DATE"),
        sex=p.sex[0].upper(),
        street=phi(p.street, "ADDRESS"),
        city=phi(p.city, "CITY"),
        st=decoy(p.state[0], "state"),
        zip=phi(p.zip, "ZIP"),
        phone=phi(p.phone, "PHONE"),
        acct=phi(v.account(rng).replace(" ", ""), "ACCOUNT"),
        ssn2=phi(v.ssn(rng).replace(" ", ""), "SSN"),
        dl=phi(v.license_number(rng).replace(" ", ""), "LICENSE"),
    )


def _msh(b: Builder, rng: random.Random, kind: str) -> None:
    b.fill(
        "MSH|^~\\&|EPIC|{fac}|LABSYS|LAB|{ts}||{kind}|{ctl}|P|2.5.1\r",
        fac=rng.choice(("ASHGEN", "QVH", "NFUH")),
        ts=f"2026{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 23):02d}"
        f"{rng.randint(0, 59):02d}",
        kind=kind,
        ctl=decoy(f"MSG{v.digits(rng, 8)}", "request_id"),
    )


def _segments(rng: random.Random, doc: Document) -> Document:
    """HL7 ends segments with CR; copied through logs and terminals it is often LF.
    Both are one character, so the labels stay where they are."""
    text = doc.text.replace("\r", rng.choice(("\r", "\n")))
    return Document(doc.kind, text, doc.phi, doc.decoys)


def hl7_adt(rng: random.Random) -> Document:
    p, b = people.person(rng), Builder()
    _msh(b, rng, "ADT^A01^ADT_A01")
    b.fill("EVN|A01|{when}\r", when=phi(v.day(rng, 2025, 2026).compact() + "0842", "DATE"))
    _pid(b, rng, p)
    b.fill(
        "NK1|1|{fam}^{giv}|SPO|{phone}\r",
        fam=phi(rng.choice(pools.FAMILY), "NAME"),
        giv=phi(rng.choice(pools.GIVEN), "NAME"),
        phone=phi(v.us_phone(rng), "PHONE"),
    )
    doc = people.clinician(rng).split(" ", 1)
    b.fill(
        "PV1|1|I|{unit}^412^B||||{npi}^{fam}^{giv}|||MED||||||||{visit}\r",
        unit=decoy(rng.choice(pools.DEPARTMENTS).replace(" ", ""), "department"),
        npi=phi(v.digits(rng, 10), "ID"),
        fam=phi(doc[1], "NAME"),
        giv=phi(doc[0], "NAME"),
        visit=phi(f"V{v.digits(rng, 9)}", "ACCOUNT"),
    )
    b.fill(
        "IN1|1|{plan}|{payer}|{org}||||||||||||||||||||||||||||||||||{member}\r",
        plan=decoy(rng.choice(pools.PLANS), "plan"),
        payer=v.digits(rng, 5),
        org=rng.choice(("AETNA", "BCBS", "UHC", "HUMANA")),
        member=phi(v.health_plan(rng), "HEALTH_PLAN"),
    )
    return _segments(rng, b.document("hl7_adt"))


def hl7_oru(rng: random.Random) -> Document:
    p, b = people.person(rng), Builder()
    _msh(b, rng, "ORU^R01^ORU_R01")
    _pid(b, rng, p)
    b.fill(
        "OBR|1|{order}||{loinc}^PANEL^LN|||{when}\r",
        order=phi(f"ORD{v.digits(rng, 7)}", "ID"),
        loinc=people.code(rng)[1],
        when=phi(v.day(rng, 2025, 2026).compact(), "DATE"),
    )
    for i in range(rng.randint(2, 5)):
        name, value, ref = people.lab(rng)
        number, _, unit = value.value.partition(" ")
        b.fill(
            "OBX|{i}|NM|{code}^{name}^LN||{val}|{unit}|{ref}|{flag}|||F\r",
            i=str(i + 1),
            code=people.code(rng)[1],
            name=name,
            val=decoy(number, "lab_value"),
            unit=unit,
            ref=ref,
            flag=rng.choice(("H", "L", "N", "")),
        )
    return _segments(rng, b.document("hl7_oru"))


def _patient_sentence(rng: random.Random, p: people.Person) -> list[str | Mark]:
    drug, dose = people.drug(rng)
    return [
        "Found 1 patient: ",
        p.name(),
        " (DOB ",
        phi(p.dob.us(), "DATE"),
        ", MRN ",
        phi(v.mrn(rng), "MRN"),
        "), ",
        p.age_mark(),
        " y/o ",
        p.sex,
        ". Active meds: ",
        drug,
        " ",
        dose,
        ". Preferred contact ",
        phi(p.email, "EMAIL"),
        "; portal login ",
        phi(p.username, "USERNAME"),
        ". Last seen at ",
        _hospital(rng),
        " on ",
        phi(v.day(rng, 2025, 2026).long(), "DATE"),
        ".",
    ]


def mcp_result(rng: random.Random) -> Document:
    p = people.person(rng)
    text = Inline(tuple(_patient_sentence(rng, p)))
    body: dict[str, JsonValue] = {
        "jsonrpc": "2.0",
        "id": rng.randint(1, 400),
        "result": {"content": [{"type": "text", "text": text}], "isError": False},
    }
    b = Builder()
    emit_json(b, body, rng.choice((2, None)))
    return b.document("mcp_result")


def rest_error(rng: random.Random) -> Document:
    p = people.person(rng)
    status = rng.choice(("409", "422", "400"))
    body: dict[str, JsonValue] = {
        "status": decoy(status, "http_status"),
        "error": {
            "code": "DUPLICATE_PATIENT" if status == "409" else "VALIDATION_FAILED",
            "message": Inline(
                (
                    "Patient ",
                    p.name(),
                    " born ",
                    phi(p.dob.iso(), "DATE"),
                    " already registered under SSN ",
                    phi(v.ssn(rng), "SSN"),
                    " at ",
                    phi(p.street, "ADDRESS"),
                    ", ",
                    phi(p.city, "CITY"),
                )
            ),
            "field": "patient.identifier",
        },
        "requestId": people.software(rng),
        "upstream": "registry.internal:" + str(rng.choice((8443, 5432))),
    }
    b = Builder()
    b.fill(
        "HTTP/1.1 {status} Unprocessable\ncontent-type: application/json\n\n",
        status=decoy(status, "http_status"),
    )
    emit_json(b, body, rng.choice((2, None)))
    return b.document("rest_error")


def _row(rng: random.Random) -> list[str | Mark]:
    p = people.person(rng)
    return [
        str(rng.randint(1000, 9999)),
        phi(p.given, "NAME"),
        phi(p.family, "NAME"),
        phi(p.dob.iso(), "DATE"),
        phi(p.phone, "PHONE"),
        phi(p.zip, "ZIP"),
        phi(v.health_plan(rng), "HEALTH_PLAN"),
        rng.choice(pools.PLANS),
        people.code(rng)[1],
    ]


_COLUMNS = ["id", "first_name", "last_name", "dob", "phone", "zip", "member_id", "plan", "dx"]


def db_jsonl(rng: random.Random) -> Document:
    b = Builder()
    for _ in range(rng.randint(2, 5)):
        emit_json(b, dict(zip(_COLUMNS, _row(rng), strict=True)), None)
        b.text("\n")
    return b.document("db_jsonl")


def db_csv(rng: random.Random) -> Document:
    b = Builder()
    emit_delimited(b, [list(_COLUMNS)] + [_row(rng) for _ in range(rng.randint(2, 6))])
    return b.document("db_csv")


def psql_table(rng: random.Random) -> Document:
    b = Builder()
    b.text("phigate=> SELECT * FROM patients WHERE plan LIKE '%HMO%' LIMIT 5;\n")
    emit_table(b, _COLUMNS, [_row(rng) for _ in range(rng.randint(1, 5))])
    return b.document("psql_table")


def es_hits(rng: random.Random) -> Document:
    hits: list[JsonValue] = []
    for _ in range(rng.randint(1, 3)):
        p = people.person(rng)
        hits.append(
            {
                "_index": "claims-2026.03",
                "_id": v.hex_id(rng, 20),
                "_score": rng.randint(1, 90) / 10,
                "_source": {
                    "member": p.name(),
                    "member_id": phi(v.health_plan(rng), "HEALTH_PLAN"),
                    "billing_account": phi(v.account(rng), "ACCOUNT"),
                    "employer": phi(rng.choice(pools.ORGANIZATIONS), "ORGANIZATION"),
                    "amount": people.money(rng),
                    "cpt": people.code(rng)[1],
                    "service_date": phi(v.day(rng, 2025, 2026).iso(), "DATE"),
                },
            }
        )
    body: dict[str, JsonValue] = {
        "took": rng.randint(2, 80),
        "timed_out": False,
        "hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits},
    }
    b = Builder()
    emit_json(b, body, rng.choice((2, None)))
    return b.document("es_hits")


def cloud_log(rng: random.Random) -> Document:
    b = Builder()
    for _ in range(rng.randint(3, 6)):
        p = people.person(rng)
        b.fill("{ts} {rid} INFO ", ts=people.timestamp(rng), rid=people.software(rng))
        choice = rng.randint(0, 3)
        if choice == 0:
            b.fill(
                "login ok user={u} ip={ip} port={port}\n",
                u=phi(p.username, "USERNAME"),
                ip=phi(v.ip(rng), "IP"),
                port=decoy(str(rng.choice((443, 8443, 5432))), "port"),
            )
        elif choice == 1:
            b.fill(
                "sent reminder to {e} for appt on {d}\n",
                e=phi(p.email, "EMAIL"),
                d=phi(v.day(rng, 2026, 2026).iso(), "DATE"),
            )
        elif choice == 2:
            b.fill(
                "GET /api/v2/patients/{m}/chart {s} {dur}ms\n",
                m=phi(v.mrn(rng), "MRN"),
                s=decoy("200", "http_status"),
                dur=str(rng.randint(3, 900)),
            )
        else:
            b.fill(
                "record viewed: {url} from {ip}\n",
                url=phi(
                    f"https://portal.{rng.choice(('ashburygeneral', 'qvhealth', 'nfuh'))}.org/"
                    f"mychart/patient/{v.digits(rng, 7)}/results",
                    "URL",
                ),
                ip=phi(v.ip(rng), "IP"),
            )
    return b.document("cloud_log")


def k8s_log(rng: random.Random) -> Document:
    b = Builder()
    for _ in range(rng.randint(2, 5)):
        p = people.person(rng)
        b.fill(
            '{{"ts":"{ts}","level":"warn","pod":"intake-worker-{pod}","ver":"{ver}",'
            '"msg":"fax delivery failed","to_fax":"{fax}","patient":"{name}","trace":"{tr}"}}\n',
            ts=people.timestamp(rng),
            pod=v.hex_id(rng, 5),
            ver=decoy(f"v2.{rng.randint(0, 20)}.1", "version"),
            fax=phi(v.us_phone(rng), "FAX"),
            name=p.name(),
            tr=people.software(rng),
        )
    b.fill(
        "level=error caller=sync.go:{line} vehicle_vin={vin} plate={pl}"
        ' msg="transport claim missing"\n',
        line=str(rng.randint(10, 400)),
        vin=phi(v.vin(rng), "VEHICLE"),
        pl=phi(v.plate(rng), "VEHICLE"),
    )
    return b.document("k8s_log")


KINDS = (
    fhir_patient,
    fhir_bundle,
    hl7_adt,
    hl7_oru,
    mcp_result,
    rest_error,
    db_jsonl,
    db_csv,
    psql_table,
    es_hits,
    cloud_log,
    k8s_log,
)
