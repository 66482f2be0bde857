"""Machine-exchange documents: HL7 v2, eICR and C-CDA XML, FHIR JSON, X12, CSV exports."""

from __future__ import annotations

import json
import random

from phigate.masking.eval.casefile import _ids
from phigate.masking.eval.casefile._builder import Builder, D, P, Piece
from phigate.masking.eval.casefile._decoys import pick
from phigate.masking.eval.casefile._people import (
    clinician,
    event_day,
    hospital,
    ipv4,
    ipv6,
    mbi,
    person,
)


def vxu(rng: random.Random) -> Builder:
    p, b, when = person(rng), Builder("hl7_vxu"), event_day(rng)
    b.f(
        "MSH|^~\\&|EHR|§|IIS|STATEIIS|§||VXU^V04^VXU_V04|§|P|2.5.1\r",
        P("HOSPITAL", hospital(rng)),
        P("DATE", when.hl7_time(rng)),
        D("request_id", f"MSG{rng.randint(10**6, 10**7)}"),
    )
    b.f(
        "PID|1||§^^^MRN~§^^^IIS||§^§||§|§|||§^^§^§^§||§\r",
        P("MRN", p.mrn),
        P("ID", _ids.iis_id(rng)),
        P("NAME", p.last.upper()),
        P("NAME", p.first.upper()),
        P("DATE", p.dob.compact()),
        p.sex[0].upper(),
        P("ADDRESS", p.street),
        P("CITY", p.city),
        D("state", p.state[0]),
        P("ZIP", p.zip),
        P("PHONE", "".join(c for c in p.phone if c.isdigit())[-10:]),
    )
    b.f(
        "RXA|0|1|§|§|§^Influenza, seasonal^CVX|0.5|mL\r",
        P("DATE", when.compact()),
        P("DATE", when.compact()),
        D("cpt", "150"),
    )
    b.f(
        "OBX|1|CE|§^Vaccine funding eligibility^LN||V02^VFC eligible Medicaid||||||F\r",
        D("loinc", "64994-7"),
    )
    return b


def eicr(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("eicr_xml")
    b.f('<ClinicalDocument xmlns="urn:hl7-org:v3"><!-- eICR § -->\n', pick(rng, "version"))
    b.f(
        '<patientRole><id root="§" extension="§"/>\n',
        D("oid", "2.16.840.1.113883.19.5"),
        P("MRN", p.mrn),
    )
    b.f(
        "<addr><streetAddressLine>§</streetAddressLine><city>§</city><state>§</state>"
        "<postalCode>§</postalCode></addr>\n",
        P("ADDRESS", p.street),
        P("CITY", p.city),
        D("state", p.state[0]),
        P("ZIP", p.zip),
    )
    b.f(
        '<telecom value="tel:§"/><telecom value="mailto:§"/>\n',
        P("PHONE", p.phone),
        P("EMAIL", p.email),
    )
    b.f(
        "<patient><name><given>§</given><family>§</family></name>"
        '<birthTime value="§"/></patient></patientRole>\n',
        P("NAME", p.first),
        P("NAME", p.last),
        P("DATE", p.dob.compact()),
    )
    b.f(
        '<value code="§" displayName="§"/><!-- trigger RCTC § -->\n',
        pick(rng, "snomed"),
        pick(rng, "eponym"),
        pick(rng, "version"),
    )
    b.f(
        "<employer>§</employer><occupation>§</occupation></ClinicalDocument>\n",
        P("ORGANIZATION", rng.choice(_orgs())),
        P("PROFESSION", rng.choice(_jobs())),
    )
    return b


def _orgs() -> tuple[str, ...]:
    from phigate.masking.eval.casefile._people import ORGS

    return ORGS


def _jobs() -> tuple[str, ...]:
    from phigate.masking.eval.casefile._people import JOBS

    return JOBS


def line_list(rng: random.Random) -> Builder:
    b = Builder("reportable_line_list")
    b.f(
        "# county line list, § — pertussis & §, exported §\n",
        D("year", "2026"),
        pick(rng, "eponym"),
        pick(rng, "sw_timestamp"),
    )
    b.add("case_id,last,first,dob,zip,onset,lab,county_note\n")
    for _ in range(rng.randint(2, 4)):
        p, onset = person(rng), event_day(rng)
        b.f(
            "§,§,§,§,§,§,§,§\n",
            P("ID", _ids.incident_no(rng, onset)),
            P("NAME", p.last),
            P("NAME", p.first),
            P("DATE", p.dob.iso()),
            P("ZIP", p.zip[:5]),
            P("DATE", onset.iso()),
            pick(rng, "loinc"),
            pick(rng, "org_type"),
        )
    return b


def fhir_bundle(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("fhir_bundle")
    ids = {
        "mrn": P("MRN", p.mrn),
        "mbi": P("HEALTH_PLAN", mbi(rng)),
        "family": P("NAME", p.last),
        "given": P("NAME", p.first),
        "dob": P("DATE", p.dob.iso()),
        "line": P("ADDRESS", p.street),
        "city": P("CITY", p.city),
        "zip": P("ZIP", p.zip),
        "tel": P("PHONE", p.phone),
        "udi": P("DEVICE", _ids.device_serial(rng)),
        "when": P("DATE", event_day(rng).stamp(rng)),
        "uuid": pick(rng, "uuid"),
        "org": P("HOSPITAL", hospital(rng)),
        "loinc": pick(rng, "loinc"),
    }
    skeleton = {
        "resourceType": "Bundle",
        "id": "§uuid",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [
                        {"system": "urn:mrn", "value": "§mrn"},
                        {"system": "http://hl7.org/fhir/sid/us-mbi", "value": "§mbi"},
                    ],
                    "name": [{"family": "§family", "given": ["§given"]}],
                    "birthDate": "§dob",
                    "address": [{"line": ["§line"], "city": "§city", "postalCode": "§zip"}],
                    "telecom": [{"system": "phone", "value": "§tel"}],
                    "managingOrganization": {"display": "§org"},
                    "contained": [
                        {"resourceType": "Device", "udiCarrier": [{"carrierHRF": "§udi"}]}
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "code": {"coding": [{"code": "§loinc"}]},
                    "effectiveDateTime": "§when",
                }
            },
        ],
    }
    text = json.dumps(skeleton, indent=1, ensure_ascii=False)
    return _fill_keys(b, text, ids)


def _fill_keys(b: Builder, text: str, ids: dict[str, Piece]) -> Builder:
    """Replace each "§key" in serialised JSON with its labelled value, in text order."""
    chunks = text.split("§")
    b.add(chunks[0])
    for chunk in chunks[1:]:
        key = chunk.split('"', 1)[0]
        slot = ids[key]
        b.put(slot)
        b.add(chunk[len(key) :])
    return b


def x12_837(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("x12_837")
    b.f(
        "ST*837*0001*§~BHT*0019*00*§*§*1130*CH~\n",
        D("version", "005010X222A1"),
        D("build_id", str(rng.randint(1000, 9999))),
        P("DATE", event_day(rng).compact()),
    )
    b.f(
        "NM1*IL*1*§*§****MI*§~\nN3*§~\nN4*§*§*§~\nDMG*D8*§*§~\nREF*SY*§~\n",
        P("NAME", p.last.upper()),
        P("NAME", p.first.upper()),
        P("HEALTH_PLAN", _ids.member_id(rng)),
        P("ADDRESS", p.street.upper()),
        P("CITY", p.city.upper()),
        D("state", p.state[0]),
        P("ZIP", p.zip.replace("-", "")),
        P("DATE", p.dob.compact()),
        p.sex[0].upper(),
        P("SSN", p.ssn.replace("-", "")),
    )
    b.f(
        "CLM*§*§***11:B:1*Y*A*Y*Y~\nHI*ABK:§~\nSV1*HC:§*§*UN*1***1~\nDTP*472*D8*§~\nSE*24*0001~\n",
        P("ACCOUNT", _ids.account(rng)),
        D("money", str(rng.randint(80, 900))),
        D("icd10", "E119"),
        pick(rng, "cpt"),
        D("money", "125"),
        P("DATE", event_day(rng).compact()),
    )
    return b


def x12_835(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("x12_835")
    b.f(
        "ST*835*1001~BPR*I*§*C*ACH~TRN*1*§*1512345678~\n",
        D("money", f"{rng.randint(100, 9000)}.00"),
        D("request_id", _ids.hexid(rng, 10).upper()),
    )
    b.f(
        "CLP*§*1*§*§**MC*§~\nNM1*QC*1*§*§****MI*§~\nDTM*232*§~\nCAS*CO*45*§~\n",
        P("ACCOUNT", _ids.account(rng)),
        D("money", "412.00"),
        D("money", "188.34"),
        D("request_id", _ids.hexid(rng, 14).upper()),
        P("NAME", p.last.upper()),
        P("NAME", p.first.upper()),
        P("HEALTH_PLAN", mbi(rng).replace("-", "")),
        P("DATE", event_day(rng).compact()),
        D("money", "223.66"),
    )
    return b


def hedis_csv(rng: random.Random) -> Builder:
    b = Builder("hedis_export")
    b.f(
        "measure,member_id,member_name,dob,numerator,gap_note  # § MY2025 §\n",
        D("version", "HEDIS"),
        pick(rng, "public_url"),
    )
    for _ in range(rng.randint(2, 4)):
        p = person(rng)
        b.f(
            'CBP,§,"§",§,0,last § on § — § over goal\n',
            P("HEALTH_PLAN", _ids.member_id(rng)),
            P("NAME", p.inverted()),
            P("DATE", p.dob.us()),
            pick(rng, "vital"),
            P("DATE", event_day(rng).us()),
            pick(rng, "quantity"),
        )
    return b


def ccda(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("ccda_fragment")
    b.f(
        '<recordTarget><patientRole><id extension="§" root="§"/>\n',
        P("SSN", p.ssn),
        D("oid", "2.16.840.1.113883.4.1"),
    )
    b.f(
        '<patient><name use="L"><given>§</given><given>§</given><family>§</family></name>\n',
        P("NAME", p.first),
        P("NAME", p.nick),
        P("NAME", p.last),
    )
    b.f(
        "<guardian><guardianPerson><name>§</name></guardianPerson></guardian></patient>\n",
        P("NAME", clinician(rng)),
    )
    b.f(
        "<providerOrganization><name>§</name></providerOrganization></patientRole></recordTarget>\n",
        P("HOSPITAL", hospital(rng)),
    )
    b.f(
        "<!-- portal session from § / § -->\n<entry><substanceAdministration><consumable>§ (§)"
        "</consumable></substanceAdministration></entry>\n",
        P("IP", ipv4(rng)),
        P("IP", ipv6(rng)),
        pick(rng, "drug"),
        pick(rng, "rxnorm"),
    )
    return b
