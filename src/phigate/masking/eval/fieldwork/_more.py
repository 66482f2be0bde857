"""Documents that arrive damaged or foreign: OCR, speech, Spanish, Markdown,
spreadsheets, PDF text, device exports, trial forms and overseas referrals."""

from __future__ import annotations

import random

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.fieldwork import _people as people
from phigate.masking.eval.fieldwork import _pools as pools
from phigate.masking.eval.fieldwork import _values as v
from phigate.masking.eval.fieldwork._builder import (
    Builder,
    Mark,
    decoy,
    emit_delimited,
    emit_json,
    phi,
)

_OCR = {"0": "O", "1": "l", "5": "S", "8": "B", "O": "0", "l": "1", "I": "1"}


def ocr(rng: random.Random, text: str) -> str:
    """Scanner damage: look-alike swaps and a stray space inside a run of digits."""
    chars = [(_OCR.get(c, c) if rng.random() < 0.15 else c) for c in text]
    if len(chars) > 4 and rng.random() < 0.4:
        at = rng.randint(1, len(chars) - 2)
        if chars[at - 1] != " " and chars[at] != " ":
            chars.insert(at, " ")
    return "".join(chars)


def _hospital(rng: random.Random) -> Mark:
    return phi(rng.choice(pools.HOSPITALS), "HOSPITAL")


def ocr_intake(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    b.fill(
        "PAT1ENT REG1STRATI0N F0RM  pg 1/2\nName (Last, First) : {fam} , {giv}\n"
        "D0B: {dob}     Age: {age}\nAddr: {street}\n      {city} {st}  {zip}\n"
        "H0me Ph: {phone}    Emp1oyer: {org}\nOccupati0n: {prof}\nSSN: {ssn}\n"
        "Insurance ID: {member}\nPa1m vein ID (kiosk check-in): {bio}\n"
        "Signature: ______  Date: {signed}\n",
        fam=phi(ocr(rng, p.family.upper()), "NAME"),
        giv=phi(ocr(rng, p.given.upper()), "NAME"),
        dob=phi(ocr(rng, p.dob.us()), "DATE"),
        age=p.age_mark(),
        street=phi(ocr(rng, p.street), "ADDRESS"),
        city=phi(p.city, "CITY"),
        st=decoy(p.state[0], "state"),
        zip=phi(ocr(rng, p.zip), "ZIP"),
        phone=phi(ocr(rng, p.phone), "PHONE"),
        org=phi(rng.choice(pools.ORGANIZATIONS), "ORGANIZATION"),
        prof=phi(rng.choice(pools.PROFESSIONS), "PROFESSION"),
        ssn=phi(ocr(rng, v.ssn(rng)), "SSN"),
        member=phi(ocr(rng, v.health_plan(rng)), "HEALTH_PLAN"),
        bio=phi(v.biometric(rng), "BIOMETRIC"),
        signed=phi(ocr(rng, v.day(rng, 2026, 2026).us()), "DATE"),
    )
    return b.document("ocr_intake")


def _spoken_digits(text: str) -> str:
    names = {
        "0": "oh",
        "1": "one",
        "2": "two",
        "3": "three",
        "4": "four",
        "5": "five",
        "6": "six",
        "7": "seven",
        "8": "eight",
        "9": "nine",
    }
    groups = ["".join(ch for ch in part if ch.isdigit()) for part in text.replace("(", "").split()]
    return ", ".join(" ".join(names[d] for d in g) for g in groups if g)


def phone_transcript(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    phone = f"({rng.randint(201, 989)}) {rng.randint(200, 999)} {v.digits(rng, 4)}"
    b.fill(
        "[00:00:04] AGENT: Thank you for calling {hosp} scheduling, this is {agent}.\n"
        "[00:00:09] CALLER: hi yeah um this is {name}, calling about my, uh, my MRI.\n"
        "[00:00:15] AGENT: Can I get your date of birth?\n"
        "[00:00:18] CALLER: {dob}.\n[00:00:24] AGENT: And you're, let me see, {age}?\n"
        "[00:00:27] CALLER: {age2}, yes ma'am, still driving.\n"
        "[00:00:31] AGENT: Best callback number?\n[00:00:33] CALLER: {phone}.\n"
        "[00:00:40] AGENT: Last four of the social?\n[00:00:42] CALLER: {ssn4}.\n"
        "[00:00:51] AGENT: You're set for {weekday} at two, arrive {dur} early.\n",
        hosp=_hospital(rng),
        agent=phi(rng.choice(pools.GIVEN), "NAME"),
        name=phi(f"{p.given} {p.family}", "NAME"),
        dob=phi(p.dob.spoken(), "DATE"),
        age=p.age_words(),
        age2=p.age_words(),
        phone=phi(_spoken_digits(phone), "PHONE"),
        ssn4=phi(_spoken_digits(v.digits(rng, 4)), "SSN"),
        weekday=people.one_of(rng, pools.WEEKDAYS, "weekday"),
        dur=people.duration(rng),
    )
    return b.document("phone_transcript")


def _curp(rng: random.Random, p: people.Person) -> str:
    return (
        f"{v.letters(rng, 4)}{p.dob.year % 100:02d}{p.dob.month:02d}{p.dob.day:02d}"
        f"{rng.choice('HM')}{v.letters(rng, 5)}{v.digits(rng, 2)}"
    )


def spanish_note(rng: random.Random) -> Document:
    p = people.person(rng, old=0.5)
    b = Builder()
    drug, dose = people.drug(rng)
    age = p.age_mark()
    b.fill(
        "NOTA DE EVOLUCIÓN / PROGRESS NOTE\nPaciente: {name}   Fecha de nacimiento: {dob}\n"
        "CURP: {curp}   Tel: {phone}\nDomicilio: {street}, {city}, CP {zip}\n"
        "Paciente de {age} años, {prof} jubilado/a, acude con su hija {hija} por disnea. "
        "Signos: {v1}, {v2}. Se ajusta {drug} {dose}. Cita de control el {cita} en {hosp}.\n"
        "Patient speaks Spanish only; daughter interprets. Plan reviewed in {dept}.\n",
        name=p.name(),
        dob=phi(p.dob.spanish(), "DATE"),
        curp=phi(_curp(rng, p), "ID"),
        phone=phi(v.intl_phone(rng) if rng.random() < 0.5 else p.phone, "PHONE"),
        street=phi(
            f"Calle {rng.choice(pools.STREETS).replace('_', ' ')} {rng.randint(1, 999)}", "ADDRESS"
        ),
        city=phi(v.underscored(rng.choice(pools.TOWNS[-6:])), "CITY"),
        zip=phi(v.digits(rng, 5), "ZIP"),
        age=age,
        prof=phi(rng.choice(pools.PROFESSIONS_ES), "PROFESSION"),
        hija=phi(rng.choice(pools.GIVEN), "NAME"),
        v1=people.vital(rng),
        v2=people.vital(rng),
        drug=drug,
        dose=dose,
        cita=phi(v.day(rng, 2026, 2026).spanish(), "DATE"),
        hosp=_hospital(rng),
        dept=people.one_of(rng, pools.DEPARTMENTS, "department"),
    )
    return b.document("spanish_note")


def meeting_notes(rng: random.Random) -> Document:
    p, q = people.person(rng), people.person(rng)
    b = Builder()
    b.fill(
        "# Complex care huddle ({weekday})\n\n**Attendees:** {a1}, {a2}, @{slack}\n\n"
        "## Patients\n\n- **{p1}** ({age1}) - readmitted, {epo}; family started a fundraiser "
        "{url}. Action: SW to call {phone}.\n- **{p2}**, lives at {street}, {city}: "
        "missed {n} visits; car ({vehicle}) impounded. Action: transport referral.\n\n"
        "## Systems\n\n- EHR upgrade to {ver} moved to {year}; see {guide}\n",
        weekday=people.one_of(rng, pools.WEEKDAYS, "weekday"),
        a1=phi(people.clinician(rng), "NAME"),
        a2=phi(people.clinician(rng), "NAME"),
        slack=phi(
            f"{rng.choice(pools.GIVEN).lower()}.{rng.choice(pools.FAMILY).lower()}", "USERNAME"
        ),
        p1=p.name(),
        age1=p.age_mark(),
        epo=people.one_of(rng, pools.EPONYMS, "eponym"),
        url=phi(
            f"https://www.gofundme.com/f/help-{p.given.lower()}-"
            f"{p.family.lower().replace(' ', '-')}"
            f"-{rng.randint(10, 99)}",
            "URL",
        ),
        phone=phi(p.phone, "PHONE"),
        p2=q.name(),
        street=phi(q.street, "ADDRESS"),
        city=phi(q.city, "CITY"),
        n=decoy(str(rng.randint(2, 6)), "quantity"),
        vehicle=phi(v.vin(rng) if rng.random() < 0.5 else v.plate(rng), "VEHICLE"),
        ver=decoy(f"{rng.randint(2024, 2026)}.{rng.randint(1, 4)}", "version"),
        year=people.year(rng),
        guide=people.one_of(rng, pools.GUIDELINE_URLS, "guideline_url"),
    )
    return b.document("meeting_notes")


def spreadsheet(rng: random.Random) -> Document:
    b = Builder()
    rows: list[list[str | Mark]] = [
        ["", "Patient", "", "", "Coverage", "", "Visit", ""],
        ["#", "Name", "DOB", "Phone", "Plan", "Member ID", "Date", "Copay"],
    ]
    for i in range(rng.randint(3, 6)):
        p = people.person(rng)
        rows.append(
            [
                str(i + 1),
                phi(f"{p.family}, {p.given}", "NAME"),
                phi(p.dob.us(), "DATE"),
                phi(p.phone, "PHONE"),
                decoy(rng.choice(pools.PLANS), "plan"),
                phi(v.health_plan(rng), "HEALTH_PLAN"),
                phi(v.day(rng, 2026, 2026).us_short(), "DATE"),
                people.money(rng),
            ]
        )
    rows.append(["", "TOTAL", "", "", "", "", "", decoy(f"${rng.randint(100, 900)}.00", "money")])
    emit_delimited(b, rows)
    return b.document("spreadsheet")


def pdf_columns(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    b.fill(
        "REFERRAL FORM{hosp}\nPatient Name{name}Referring Physician{doc}\nDate of Birth{dob}"
        "NPI{npi}\nAddress{street}Phone{dphone}\n{city}, {st} {zip}Fax{fax}\n"
        "Reason{epo} - {drug}Insurance{member}\n",
        hosp=_hospital(rng),
        name=p.name(),
        doc=phi(people.clinician(rng), "NAME"),
        dob=phi(p.dob.us(), "DATE"),
        npi=phi(v.digits(rng, 10), "ID"),
        street=phi(p.street, "ADDRESS"),
        dphone=phi(v.us_phone(rng), "PHONE"),
        city=phi(p.city, "CITY"),
        st=decoy(p.state[0], "state"),
        zip=phi(p.zip, "ZIP"),
        fax=phi(v.us_phone(rng), "FAX"),
        epo=people.one_of(rng, pools.EPONYMS, "eponym"),
        drug=people.drug(rng)[0],
        member=phi(v.health_plan(rng), "HEALTH_PLAN"),
    )
    return b.document("pdf_columns")


def wearable_export(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    header = {
        "export": {
            "user": phi(p.username, "USERNAME"),
            "display_name": p.name(),
            "device_serial": phi(v.device(rng), "DEVICE"),
            "paired_phone_ip": phi(v.ip(rng), "IP"),
            "unlock_template": phi(v.biometric(rng), "BIOMETRIC"),
            "app_version": decoy(
                f"{rng.randint(3, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}", "version"
            ),
            "period_start": phi(v.day(rng, 2026, 2026).iso(), "DATE"),
        }
    }
    emit_json(b, header, 2)
    b.text("\nlocal_time,heart_rate_bpm,spo2_pct,steps\n")
    rows: list[list[str | Mark]] = []
    for hour in range(rng.randint(3, 6)):
        rows.append(
            [
                f"{hour + 7:02d}:00",
                decoy(str(rng.randint(52, 120)), "vital"),
                decoy(str(rng.randint(88, 100)), "vital"),
                decoy(str(rng.randint(0, 4000)), "quantity"),
            ]
        )
    emit_delimited(b, rows)
    return b.document("wearable_export")


def trial_crf(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    drug, dose = people.drug(rng)
    b.fill(
        "CASE REPORT FORM - Protocol PHG-{proto} - Visit 4 (Week 12)\n"
        "Site: {site}   Subject: {subj}"
        "   Randomization #: {rand}\nVisit date: {vd}   Age at consent: {age}\n"
        "Adverse event: {epo}, grade 2, onset {onset}, duration {dur}\nConmed: {drug} {dose}\n"
        "Lab: {lab} {val} (ref {ref})\nInvestigator signature: {pi}\n",
        proto=decoy(v.digits(rng, 3), "protocol"),
        site=_hospital(rng),
        subj=phi(f"{rng.randint(101, 140)}-{v.digits(rng, 4)}", "ID"),
        rand=phi(f"R{v.digits(rng, 5)}", "ID"),
        vd=phi(v.day(rng, 2026, 2026).upper(), "DATE"),
        age=p.age_mark(),
        epo=people.one_of(rng, pools.EPONYMS, "eponym"),
        onset=phi(v.day(rng, 2026, 2026).dmy(), "DATE"),
        dur=people.duration(rng),
        drug=drug,
        dose=dose,
        lab=people.lab(rng)[0],
        val=people.lab(rng)[1],
        ref=people.lab(rng)[2],
        pi=phi(people.clinician(rng), "NAME"),
    )
    return b.document("trial_crf")


def intl_referral(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    country = rng.choice(("United Kingdom", "Canada", "Australia", "India"))
    ident = {
        "United Kingdom": ("NHS number", v.nhs_number(rng), "ID"),
        "Canada": (
            "Ontario health card",
            f"{v.digits(rng, 4)}-{v.digits(rng, 3)}-{v.digits(rng, 3)}-{v.letters(rng, 2)}",
            "HEALTH_PLAN",
        ),
        "Australia": (
            "Medicare card",
            f"{rng.randint(2, 6)}{v.digits(rng, 3)} {v.digits(rng, 5)} {rng.randint(1, 9)}",
            "HEALTH_PLAN",
        ),
        "India": ("Aadhaar", v.aadhaar_like(rng), "ID"),
    }[country]
    b.fill(
        "Overseas patient referral ({country})\nName: {name}\nDOB: {dob}\n{label}: {ident}\n"
        "Mobile: {phone}\nPostcode: {post}\nRefunds to IBAN {iban}\nPassport: {passport}\n"
        "Travelling insurance plan: {plan}; deposit {money}.\n",
        country=decoy(country, "country"),
        name=p.name(),
        dob=phi(p.dob.european(), "DATE"),
        label=ident[0],
        ident=phi(ident[1], ident[2]),
        phone=phi(v.intl_phone(rng), "PHONE"),
        post=phi(
            f"{v.letters(rng, 2)}{rng.randint(1, 20)} {rng.randint(1, 9)}{v.letters(rng, 2)}", "ZIP"
        ),
        iban=phi(v.iban(rng), "ACCOUNT"),
        passport=phi(f"{v.letters(rng, 1)}{v.digits(rng, 8)}", "ID"),
        plan=decoy(rng.choice(pools.PLANS), "plan"),
        money=people.money(rng),
    )
    return b.document("intl_referral")


KINDS = (
    ocr_intake,
    phone_transcript,
    spanish_note,
    meeting_notes,
    spreadsheet,
    pdf_columns,
    wearable_export,
    trial_crf,
    intl_referral,
)
