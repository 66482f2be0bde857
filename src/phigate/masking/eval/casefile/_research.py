"""Research, registry, vital-records and payer-correspondence documents."""

from __future__ import annotations

import random

from phigate.masking.eval.casefile import _ids
from phigate.masking.eval.casefile._builder import Builder, D, P
from phigate.masking.eval.casefile._dates import english
from phigate.masking.eval.casefile._decoys import pick
from phigate.masking.eval.casefile._people import (
    JOBS,
    ORGS,
    clinician,
    digits,
    event_day,
    hospital,
    mbi,
    person,
    personal_url,
    phone,
    vin,
)


def crf_export(rng: random.Random) -> Builder:
    b = Builder("crf_export")
    b.f("STUDY,SITE,SUBJID,VISIT,VISDAT,BRTHYR,AGE,AETERM  # EDC export §\n", pick(rng, "version"))
    site = rng.randint(101, 148)
    for _ in range(rng.randint(2, 4)):
        p = person(rng)
        visit = rng.choice(("SCREEN", "WEEK 4", "WEEK 12", "EOT"))
        b.f(
            f"ONC-301,{site},§,{visit},§,§,§,§\n",
            P("ID", f"{site}-{digits(rng, 4)}"),
            P("DATE", event_day(rng).oracle()),
            D("year", str(p.dob.y)),
            D("age_young", str(rng.randint(40, 89))),
            pick(rng, "eponym"),
        )
    return b


def ae_narrative(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("ae_narrative")
    pre, age, post = _ids.old_age(rng)
    b.f(
        f"SAE narrative, Subject § (site §). This {pre}§{post} subject, initials §, ",
        P("ID", _ids.subject_id(rng)),
        D("quantity", str(rng.randint(101, 148))),
        P("AGE", age),
        P("NAME", f"{p.first[0]}.{p.last[0]}."),
    )
    b.f(
        "was hospitalized at § on § with § after dose 3 of study drug. ",
        P("HOSPITAL", hospital(rng)),
        P("DATE", event_day(rng).dmy()),
        pick(rng, "eponym"),
    )
    b.f(
        "§. Concomitant: §. Pacemaker § interrogated normal. Outcome: "
        "recovered (§). Reported to § via §.\n",
        pick(rng, "lab"),
        pick(rng, "drug"),
        P("DEVICE", _ids.device_serial(rng)),
        pick(rng, "duration"),
        D("org_type", "the sponsor and the FDA"),
        D("form_number", "MedWatch 3500A"),
    )
    return b


def irb_letter(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("irb_correspondence")
    b.f(
        "§ Institutional Review Board\n§\nRE: Protocol § (§), reportable event\n",
        P("HOSPITAL", hospital(rng)),
        P("DATE", event_day(rng).long()),
        D("protocol", f"{rng.randint(2019, 2026)}-{rng.randint(1, 999):04d}"),
        pick(rng, "version"),
    )
    b.f(
        "Dear Dr. §,\nThe Board reviewed the deviation in which participant "
        "§'s consent form (signed §) was "
        "emailed unencrypted to §. ",
        P("NAME", clinician(rng).split()[1]),
        P("NAME", p.full()),
        P("DATE", event_day(rng).us()),
        P("EMAIL", p.email),
    )
    b.f(
        "Because the participant is the § of a small town and identifiable, re-consent is required "
        "within §. Guidance: §.\n",
        P("PROFESSION", rng.choice(JOBS)),
        pick(rng, "duration"),
        pick(rng, "public_url"),
    )
    b.f("Sincerely,\n§, IRB Chair\n", P("NAME", clinician(rng)))
    return b


def tumor_registry(rng: random.Random) -> Builder:
    p, b, dx = person(rng), Builder("tumor_registry_abstract"), event_day(rng)
    fields = (
        ("Accession Number", P("ID", _ids.registry_accession(rng, dx))),
        ("Medical Record Number", P("MRN", p.mrn)),
        ("Patient Name", P("NAME", p.inverted())),
        ("Date of Birth", P("DATE", p.dob.compact())),
        ("Addr at DX--City", P("CITY", p.city.upper())),
        ("Addr at DX--Postal Code", P("ZIP", p.zip[:5])),
        ("Date of Diagnosis", P("DATE", dx.compact())),
        ("Primary Site", D("icd10", "C50.4")),
        ("Histology/Behavior", D("snomed", "8500/3")),
        ("Grade", D("quantity", "2")),
        ("Reporting Facility", P("HOSPITAL", hospital(rng))),
        ("Usual Occupation", P("PROFESSION", rng.choice(JOBS))),
        ("Layout version", pick(rng, "version")),
    )
    for name, slot in fields:
        b.f(f"{name:<26}: §\n", slot)
    return b


def death_worksheet(rng: random.Random) -> Builder:
    p, b, died = person(rng), Builder("death_certificate_worksheet"), event_day(rng)
    years = rng.randint(61, 107)
    # Ages up to 89 stay readable under Safe Harbor; only older ages are PHI.
    age = P("AGE", str(years)) if years > 89 else D("age_young", str(years))
    b.f(
        "FACT OF DEATH WORKSHEET\n1. Decedent legal name: §\n2. SSN: §\n3. Age: §\n",
        P("NAME", p.full()),
        P("SSN", p.ssn),
        age,
    )
    b.f(
        "4. Date of birth: §   5. Date of death: §\n6. Residence: §, §, § §\n",
        P("DATE", p.dob.us()),
        P("DATE", died.us()),
        P("ADDRESS", p.street),
        P("CITY", p.city),
        pick(rng, "state"),
        P("ZIP", p.zip),
    )
    b.f(
        "7. Usual occupation: §   Industry: §\n8. Informant: § (son), §\n",
        P("PROFESSION", rng.choice(JOBS)),
        P("ORGANIZATION", rng.choice(ORGS)),
        P("NAME", clinician(rng)),
        P("PHONE", phone(rng)),
    )
    b.f(
        "9. Place of death: § (§)\nPart I a) § b) § c) §\nCertifier: §, MD\n",
        P("HOSPITAL", hospital(rng)),
        pick(rng, "facility_type"),
        pick(rng, "eponym"),
        pick(rng, "eponym"),
        pick(rng, "icd10"),
        P("NAME", clinician(rng)),
    )
    return b


def risk_adjust(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("risk_adjustment_review")
    b.f(
        "RADV chart review | member § | MBI § | DOS §\n",
        P("NAME", p.full()),
        P("HEALTH_PLAN", mbi(rng)),
        P("DATE", english(rng, event_day(rng))),
    )
    b.f(
        "HCC 18 supported: § (§) documented with MEAT; §. HCC 85 § (§) not "
        "supported — only in problem list.\n",
        pick(rng, "eponym"),
        pick(rng, "icd10"),
        pick(rng, "lab"),
        D("eponym", "CHF"),
        pick(rng, "icd10"),
    )
    b.f(
        "Coder § § ; chart pulled from § HIM on §.\n",
        P("USERNAME", f"coder.{p.user}"),
        pick(rng, "shift"),
        P("HOSPITAL", hospital(rng)),
        P("DATE", event_day(rng).us()),
    )
    return b


def ur_letter(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("utilization_review_letter")
    b.f(
        "§\n§\n§\n§, § §\n\nRe: Member ID §  Auth §\n",
        P("DATE", event_day(rng).long()),
        P("NAME", p.full()),
        P("ADDRESS", p.street),
        P("CITY", p.city),
        D("state", p.state[0]),
        P("ZIP", p.zip),
        P("HEALTH_PLAN", _ids.member_id(rng)),
        P("ACCOUNT", f"UM{digits(rng, 9)}"),
    )
    b.f(
        "We reviewed the request for a § stay in a § for § (§). Based on "
        "InterQual criteria the request is "
        "partially approved. ",
        pick(rng, "duration"),
        pick(rng, "facility_type"),
        pick(rng, "eponym"),
        pick(rng, "icd10"),
    )
    b.f(
        "You may appeal within §. Call § or fax § . Form §.\n",
        pick(rng, "duration"),
        D("public_phone", "1-800-555-0199"),
        P("FAX", phone(rng)),
        pick(rng, "form_number"),
    )
    return b


def appeal_letter(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("appeal_grievance_letter")
    b.f(
        "To the Grievance Unit,\nI am writing for my mother, §, born §, policy §.\n",
        P("NAME", p.full()),
        P("DATE", p.dob.long()),
        P("HEALTH_PLAN", _ids.member_id(rng)),
    )
    b.f(
        "Her claim § for the ambulance on § (§) was denied. She is § and "
        "cannot drive; her car (VIN §) "
        "was sold.\n",
        P("ACCOUNT", _ids.account(rng)),
        P("DATE", event_day(rng).us()),
        pick(rng, "money"),
        P("AGE", str(rng.randint(90, 103))),
        P("VEHICLE", vin(rng)),
    )
    b.f("Her story is at § if that helps.\n", P("URL", personal_url(rng, p)))
    b.f(
        "Reach me at § or §. My login on your portal is §.\nThank you, §\n",
        P("PHONE", phone(rng)),
        P("EMAIL", p.email.replace(p.first.lower(), "j", 1)),
        P("USERNAME", p.user + "_dtr"),
        P("NAME", f"{rng.choice(('Hope', 'Faith', 'Grace'))} {p.last}"),
    )
    return b
