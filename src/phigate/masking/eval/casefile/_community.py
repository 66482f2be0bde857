"""Care-management, home-health, post-acute, hospice and behavioural-health documents."""

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
    event_day,
    hospital,
    mbi,
    person,
    personal_url,
)

CHURCHES = (
    "Harrowgate Baptist Fellowship",
    "St. Brendan's Parish of Orrin",
    "Temple Beth Wexley",
    "Lindale Kingdom Hall",
    "Masjid al-Nur of Pellham",
)


def outreach_log(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("outreach_log")
    b.f("CARE MGMT OUTREACH — member §  (§)\n", P("NAME", p.inverted()), P("HEALTH_PLAN", mbi(rng)))
    b.f("Program: § transitions of care, risk tier 3\n", pick(rng, "plan_generic"))
    for attempt in range(1, rng.randint(2, 4) + 1):
        when = english(rng, event_day(rng))
        b.f(
            "Attempt #§ § § — called § , ",
            D("quantity", str(attempt)),
            P("DATE", when),
            pick(rng, "weekday"),
            P("PHONE", p.phone),
        )
        b.add(rng.choice(("no answer, VM full.\n", "LM w/ callback #.\n", "spoke w/ daughter.\n")))
    b.f(
        "SDOH screen (§): food insecurity YES (§), housing unstable — staying with sister § at ",
        pick(rng, "loinc"),
        pick(rng, "icd10"),
        P("NAME", f"{rng.choice(('Hope', 'June', 'Mercy'))} {p.last}"),
    )
    b.f(
        "§, §, § §.\n",
        P("ADDRESS", p.street),
        P("CITY", p.city),
        D("state", p.state[0]),
        P("ZIP", p.zip),
    )
    b.f(
        "Referred to § (food box every §) and §.\n",
        P("ORGANIZATION", rng.choice(ORGS)),
        pick(rng, "weekday"),
        pick(rng, "org_type"),
    )
    b.f(
        "Family set up a fundraiser: § — confirm consent before sharing.\n",
        P("URL", personal_url(rng, p)),
    )
    if rng.random() < 0.5:
        b.f("Voiceprint enrolled for phone ID (§).\n", P("BIOMETRIC", _ids.biometric(rng)))
    b.f(
        "Meds reviewed: §; §. Next outreach in §. — CM §\n",
        pick(rng, "drug"),
        pick(rng, "drug"),
        pick(rng, "duration"),
        P("NAME", clinician(rng)),
    )
    return b


def home_health_visit(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("home_health_visit")
    b.f(
        "SKILLED NURSING VISIT NOTE (§ follow-up)\nPt: §   DOB §   Agency MR §\n",
        pick(rng, "form_number"),
        P("NAME", p.full()),
        P("DATE", p.dob.us()),
        P("MRN", p.mrn),
    )
    b.f(
        "Visit date §, time in 09:10 / out 09:55 (§). Home: §, § §\n",
        P("DATE", event_day(rng).us()),
        pick(rng, "duration"),
        P("ADDRESS", p.street),
        P("CITY", p.city),
        P("ZIP", p.zip),
    )
    b.f(
        "§ risk of hospitalization: 2 or more falls. § grooming 2. § §.\n",
        D("form_item", "M1033"),
        D("form_item", "M1800"),
        D("vital", "BP 138/84"),
        D("vital", "HR 88"),
    )
    pre, age, post = _ids.old_age(rng)
    b.f(
        f"Pt is a {pre}§{post} widow(er), formerly a §, lives alone; neighbor § checks in.\n",
        P("AGE", age),
        P("PROFESSION", rng.choice(JOBS)),
        P("NAME", clinician(rng)),
    )
    b.f("Pump supplies NDC §, §.\n", pick(rng, "ndc"), pick(rng, "quantity"))
    b.f(
        "Dx § (§). Insulin pump serial § alarming — called vendor. § noted.\n",
        pick(rng, "eponym"),
        pick(rng, "icd10"),
        P("DEVICE", _ids.device_serial(rng)),
        pick(rng, "lab"),
    )
    b.f(
        "Primary payer §, MBI §. Next visit §. RN §\n",
        pick(rng, "plan_generic"),
        P("HEALTH_PLAN", mbi(rng)),
        pick(rng, "weekday"),
        P("NAME", clinician(rng)),
    )
    return b


def mds_extract(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("mds_extract")
    b.f("MDS 3.0 item extract — §\n", P("HOSPITAL", hospital(rng)))
    b.f("A0100B CMS Certification Number: §\n", D("form_number", "CCN 365123"))
    b.f(
        "A0500A First: §|A0500C Last: §\nA0600A SSN: §\nA0600B MBI: §\nA0700 Medicaid: §\n",
        P("NAME", p.first),
        P("NAME", p.last),
        P("SSN", p.ssn),
        P("HEALTH_PLAN", mbi(rng)),
        P("HEALTH_PLAN", _ids.medicaid(rng)),
    )
    b.f(
        "A0900 Birth date: §\nA1600 Entry date: §\nA1300B Room: § (§)\n",
        P("DATE", p.dob.compact()),
        P("DATE", event_day(rng).compact()),
        D("quantity", str(rng.randint(100, 340))),
        pick(rng, "room_type"),
    )
    b.f(
        "I4200 §: 1\nN0415 high-risk drug: §\nK0200B weight: § lb\nsubmitted by § at §\n",
        pick(rng, "eponym"),
        pick(rng, "drug"),
        D("quantity", str(rng.randint(95, 240))),
        P("USERNAME", p.user.replace(p.user[0], "mds_", 1)),
        pick(rng, "sw_timestamp"),
    )
    return b


def hospice_note(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("hospice_note")
    pre, age, post = _ids.old_age(rng)
    b.f(
        f"Hospice IDG note §. § is a {pre}§{post} with end-stage § on §.\n",
        P("DATE", event_day(rng).long()),
        P("NAME", f'{p.first} "{p.nick}" {p.last}'),
        P("AGE", age),
        pick(rng, "eponym"),
        pick(rng, "drug"),
    )
    b.f(
        "Chaplain visited; pt is a lifelong member of §. Son § (§) is POA. Updates at §\n",
        P("ORGANIZATION", rng.choice(CHURCHES)),
        P("NAME", f"{rng.choice(('Hunter', 'Price', 'Young'))} {p.last}"),
        P("PHONE", p.phone),
        P("URL", personal_url(rng, p)),
    )
    b.f(
        "Comfort kit delivered (§, §). Level of care routine home care; § recert due §.\n",
        pick(rng, "drug"),
        pick(rng, "quantity"),
        pick(rng, "plan_generic"),
        P("DATE", event_day(rng).month_day()),
    )
    word = rng.choice(("nonagenarian", "centenarian"))
    b.add(f"Pt described by family as a {word} 'who outlived three doctors'. ")
    b.f("Death expected within §. Signed § MD.\n", pick(rng, "duration"), P("NAME", clinician(rng)))
    return b


def bh_dap(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("bh_dap_note")
    b.f(
        "DAP NOTE — Client: § | Session §, § | CPT §\n",
        P("NAME", p.full()),
        P("DATE", event_day(rng).us()),
        pick(rng, "duration"),
        pick(rng, "cpt"),
    )
    b.f(
        "D: Client reports conflict with supervisor at § where they work as a §. PHQ-9 = 17. ",
        P("ORGANIZATION", rng.choice(ORGS)),
        P("PROFESSION", rng.choice(JOBS)),
    )
    b.f(
        "Partner § texts from §.\n",
        P("NAME", clinician(rng).split()[0] + " " + p.last),
        P("PHONE", p.phone),
    )
    b.f(
        "A: § (§), moderate; no SI. Taking §.\n",
        pick(rng, "icd10"),
        D("eponym", "MDD"),
        pick(rng, "drug"),
    )
    b.f("Client showed posts from § about the conflict.\n", P("URL", personal_url(rng, p)))
    b.f(
        "P: weekly on §, safety plan updated, 988 info (§).  — §, LICSW\n",
        pick(rng, "weekday"),
        pick(rng, "public_url"),
        P("NAME", clinician(rng)),
    )
    return b


def bh_birp(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("bh_birp_note")
    b.f(
        "BIRP | § | DOB § | MRN § | §\n",
        P("NAME", p.inverted()),
        P("DATE", p.dob.us_short()),
        P("MRN", p.mrn),
        pick(rng, "department"),
    )
    b.f(
        "B: Pt arrived 20 min late, reports sleeping in car (plate §) behind §.\n",
        P("VEHICLE", _plate(rng)),
        P("ORGANIZATION", rng.choice(ORGS)),
    )
    b.f(
        "I: MI, CBT; discussed § referral. R: receptive; § on call.\n",
        pick(rng, "org_type"),
        pick(rng, "shift"),
    )
    b.f(
        "P: return §; email reminders to §.\n",
        P("DATE", event_day(rng).abbr()),
        P("EMAIL", p.email),
    )
    return b


def _plate(rng: random.Random) -> str:
    from phigate.masking.eval.casefile._people import plate

    return plate(rng)


def sud_intake(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("sud_intake")
    b.add(
        "*** 42 CFR Part 2 PROTECTED — FURTHER DISCLOSURE PROHIBITED WITHOUT WRITTEN CONSENT ***\n"
    )
    b.f(
        'Intake § at §. Client § (goes by "§"), DOB §, SSN §.\n',
        P("DATE", event_day(rng).iso()),
        P("HOSPITAL", hospital(rng)),
        P("NAME", p.full()),
        P("NAME", p.nick),
        P("DATE", p.dob.long()),
        P("SSN", p.ssn),
    )
    b.f(
        "Primary: opioid use d/o severe (§); last use § ago. §. Started §.\n",
        pick(rng, "icd10"),
        pick(rng, "duration"),
        pick(rng, "lab"),
        pick(rng, "drug"),
    )
    b.f("Dispensed NDC § (§) for take-home.\n", pick(rng, "ndc"), pick(rng, "quantity"))
    b.f(
        "Court referral from § drug court, probation officer § ( § ). DL § suspended.\n",
        P("CITY", p.city),
        P("NAME", clinician(rng)),
        P("PHONE", p.phone),
        P("LICENSE", _ids.license_no(rng)),
    )
    b.f(
        "Consent to disclose to § signed; revoke anytime. Placement: §.\n",
        pick(rng, "org_type"),
        pick(rng, "facility_type"),
    )
    return b


def ems_run(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("ems_run_report")
    when = event_day(rng)
    b.f(
        "eResponse.03 Incident #: §\neResponse.14 Unit: MEDIC 12\neTimes.03 Dispatched: § 02:14\n",
        P("ID", _ids.incident_no(rng, when)),
        P("DATE", when.us()),
    )
    b.f(
        "eScene.15 Address: §, §, § §\nePatient.13 Gender: §\n",
        P("ADDRESS", p.street),
        P("CITY", p.city),
        D("state", p.state[0]),
        P("ZIP", p.zip),
        p.sex,
    )
    age = str(rng.randint(90, 106))
    b.f(
        "ePatient.02-03 Name: §\nePatient.17 DOB: §   Age: § yrs\n",
        P("NAME", p.inverted()),
        P("DATE", p.dob.us()),
        P("AGE", age),
    )
    b.f(
        "Narrative: found on floor by caregiver §, § §, § §. Hx § on §.\n",
        P("NAME", clinician(rng)),
        pick(rng, "vital"),
        pick(rng, "vital"),
        pick(rng, "vital"),
        D("lab", "glucose 54 mg/dL"),
        pick(rng, "eponym"),
        pick(rng, "drug"),
    )
    if rng.random() < 0.6:
        b.f("ID from wallet: driver license §.\n", P("LICENSE", _ids.license_no(rng)))
    b.f(
        "Transport to § ED, mileage 14.2, § (§). Crew: §, §.\n",
        P("HOSPITAL", hospital(rng)),
        pick(rng, "cpt"),
        pick(rng, "money"),
        P("NAME", clinician(rng)),
        P("NAME", clinician(rng)),
    )
    return b


def interpreter_request(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("interpreter_request")
    lang = rng.choice(("Haitian Creole", "Korean", "Polish", "Mandarin", "K'iche'", "Russian"))
    b.f(
        f"Interpreter request — {lang}\nPatient: §  MRN §  Appt § § at §\n",
        P("NAME", p.full()),
        P("MRN", p.mrn),
        pick(rng, "weekday"),
        P("DATE", event_day(rng).abbr()),
        pick(rng, "department"),
    )
    b.f(
        "Video remote OK; patient's phone § does not support video. Home country §.\n",
        P("PHONE", p.phone),
        pick(rng, "country"),
    )
    b.f("Requested by § (ext 4417) for §.\n", P("NAME", clinician(rng)), pick(rng, "duration"))
    return b


def safety_event(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("safety_event_report")
    b.f(
        "Safety event #SE-§ | § | §\n",
        D("build_id", str(rng.randint(10000, 99999))),
        pick(rng, "shift"),
        pick(rng, "department"),
    )
    b.f(
        "Pt § (MRN §) in § received § instead of § at 02:40 on §.\n",
        P("NAME", p.full()),
        P("MRN", p.mrn),
        pick(rng, "room_type"),
        pick(rng, "drug"),
        pick(rng, "drug"),
        P("DATE", event_day(rng).us()),
    )
    b.f(
        "Badge scan by § (fingerprint template §) at dispensing cabinet, override reason blank.\n",
        P("USERNAME", f"rn_{p.user}"),
        P("BIOMETRIC", _ids.biometric(rng)),
    )
    b.f(
        "Harm: none. § after event. Reported to pharmacy; § notified.\n",
        pick(rng, "vital"),
        pick(rng, "org_type"),
    )
    return b
