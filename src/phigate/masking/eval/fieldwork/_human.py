"""Documents people write: portal messages, e-mails, visit notes, run reports,
letters, registry records and requisitions."""

from __future__ import annotations

import random

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.fieldwork import _people as people
from phigate.masking.eval.fieldwork import _pools as pools
from phigate.masking.eval.fieldwork import _values as v
from phigate.masking.eval.fieldwork._builder import Builder, Mark, decoy, phi


def _hospital(rng: random.Random) -> Mark:
    return phi(rng.choice(pools.HOSPITALS), "HOSPITAL")


def _tempting(b: Builder, rng: random.Random) -> None:
    """About a third of documents carry a line of values that only look like identifiers."""
    if rng.random() >= 0.35:
        return
    system, code = people.code(rng)
    lab, value, ref = people.lab(rng)
    b.fill(
        "\n(ref: {eponym} workup per {url}; {system} {code}; {lab} {value}, ref {ref}; "
        "seen {weekday}, {dept}, {room})",
        eponym=people.one_of(rng, pools.EPONYMS, "eponym"),
        url=people.one_of(rng, pools.GUIDELINE_URLS, "guideline_url"),
        system=system,
        code=code,
        lab=lab,
        value=value,
        ref=ref,
        weekday=people.one_of(rng, pools.WEEKDAYS, "weekday"),
        dept=people.one_of(rng, pools.DEPARTMENTS, "department"),
        room=people.one_of(rng, pools.ROOMS, "room"),
    )


def portal_message(rng: random.Random) -> Document:
    p, b = people.person(rng), people.person(rng)
    out = Builder()
    drug, dose = people.drug(rng)
    out.fill(
        "From: {u} (verified)\nSubject: {subj}\n\n",
        u=phi(p.username, "USERNAME"),
        subj=rng.choice(("question abt my mom", "refill??", "Re: appt", "pain again 😣")),
    )
    out.fill(
        "hi dr {doc} its {me}, im writing for my mom {mom} shes {age} now and "
        "still sharp lol. she took the {drug} {dose} but been dizzy since {day} 🙏 "
        "can u call her at {phone} or me at {cell}? we moved, new addy is {street} "
        "{city} {zip}. her medicare # is {plan} if u need it. thx!!\n",
        doc=phi(b.family, "NAME"),
        me=phi(rng.choice(pools.GIVEN).lower(), "NAME"),
        mom=p.name(),
        age=p.age_words() if rng.random() < 0.5 else p.age_mark(),
        drug=drug,
        dose=dose,
        day=people.one_of(rng, pools.WEEKDAYS, "weekday")
        if rng.random() < 0.5
        else phi(v.day(rng, 2026, 2026).us_short(), "DATE"),
        phone=phi(p.phone, "PHONE"),
        cell=phi(v.us_phone(rng), "PHONE"),
        street=phi(p.street.lower(), "ADDRESS"),
        city=phi(p.city.lower(), "CITY"),
        zip=phi(p.zip, "ZIP"),
        plan=phi(v.health_plan(rng), "HEALTH_PLAN"),
    )
    _tempting(out, rng)
    return out.document("portal_message")


def care_email(rng: random.Random) -> Document:
    p, sender = people.person(rng), people.clinician(rng)
    b = Builder()
    b.fill(
        "To: {to}\nFrom: {frm}\nSubject: transition of care - {pt}\n\n"
        "Hi team,\n\n{pt2} ({age} yo) discharges {when} from {hosp} to {snf}. Son works as a "
        "{prof} at {org} and can be reached at {phone}. Please send the PT plan to fax {fax}.\n"
        "Home health starts within {dur}.\n\nThanks,\n{sig}\nRN Case Manager | {dept}\n"
        "{hosp2}\nDirect {direct} | {mail}\n",
        to=phi(f"carecoord@{rng.choice(('maplecroftsnf', 'dovecotehome'))}.org", "EMAIL"),
        frm=phi(
            f"{sender.split()[0].lower()}.{sender.split()[-1].lower().replace(chr(39), '')}"
            "@ashburygeneral.org",
            "EMAIL",
        ),
        pt=p.name(),
        pt2=phi(p.full(), "NAME"),
        age=p.age_mark(),
        when=phi(v.day(rng, 2026, 2026).long(), "DATE"),
        hosp=_hospital(rng),
        snf=phi("Maplecroft Skilled Nursing Facility", "HOSPITAL"),
        prof=phi(rng.choice(pools.PROFESSIONS), "PROFESSION"),
        org=phi(rng.choice(pools.ORGANIZATIONS), "ORGANIZATION"),
        phone=phi(v.intl_phone(rng) if rng.random() < 0.4 else v.us_phone(rng), "PHONE"),
        fax=phi(v.us_phone(rng), "FAX"),
        dur=people.duration(rng),
        sig=phi(sender, "NAME"),
        dept=people.one_of(rng, pools.DEPARTMENTS, "department"),
        hosp2=_hospital(rng),
        direct=phi(v.us_phone(rng), "PHONE"),
        mail=phi(f"{rng.choice(pools.GIVEN).lower()}@ashburygeneral.org", "EMAIL"),
    )
    _tempting(b, rng)
    return b.document("care_email")


def home_health_note(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    system, code = people.code(rng)
    b.fill(
        "HOME HEALTH SKILLED NURSING VISIT\nPatient: {name}    Visit: {date} {time}\n"
        "Address: {street}, {city}, {st} {zip}\nGate code given by daughter {dau}. "
        "Pt is a {age} y/o retired {prof}, lives alone. {v1}, {v2}. Wound to L heel "
        "measured 2.1 x 1.4 cm, dressed per {dept} orders. Dx {system} {code}. "
        "Next visit {day} ({shift}). Oxygen concentrator serial {dev}.\nClinician: {rn}, RN\n",
        name=p.name(),
        date=phi(v.day(rng, 2026, 2026).us(), "DATE"),
        time=v.clock(rng),
        street=phi(p.street, "ADDRESS"),
        city=phi(p.city, "CITY"),
        st=decoy(p.state[0], "state"),
        zip=phi(p.zip, "ZIP"),
        dau=phi(rng.choice(pools.GIVEN), "NAME"),
        age=p.age_mark(),
        prof=phi(rng.choice(pools.PROFESSIONS), "PROFESSION"),
        v1=people.vital(rng),
        v2=people.vital(rng),
        dept=people.one_of(rng, pools.DEPARTMENTS, "department"),
        system=system,
        code=code,
        day=people.one_of(rng, pools.WEEKDAYS, "weekday"),
        shift=people.one_of(rng, pools.SHIFTS, "shift"),
        dev=phi(v.device(rng), "DEVICE"),
        rn=phi(people.clinician(rng), "NAME"),
    )
    _tempting(b, rng)
    return b.document("home_health_note")


def ems_run_report(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    b.fill(
        "eRecord.01 PCR#: {pcr}\neTimes.03 Unit notified: {ts}\neVehicle.01 Unit: Medic 7, "
        "plate {plate}\nePatient.02-03 Name: {fam}, {giv}\nePatient.13 Gender: {sex}\n"
        "ePatient.15 Age: {age} Years\nePatient.17 DOB: {dob}\neScene.15 Location: {street}, "
        "{city}, {state} {zip}\neSituation.11 Impression: {epo}\neVitals: {v1} {v2} {v3}\n"
        "eMedications.03: {drug} {dose}\neDisposition.01 Destination: {hosp}\n"
        "eNarrative: called by neighbor {nb} ({ph}). Pt found on floor, DL {dl} in wallet.\n",
        pcr=phi(f"{v.digits(rng, 4)}-{v.digits(rng, 6)}", "ID"),
        ts=phi(v.day(rng, 2026, 2026).iso() + " " + v.clock(rng), "DATE"),
        plate=phi(v.plate(rng), "VEHICLE"),
        fam=phi(p.family, "NAME"),
        giv=phi(p.given, "NAME"),
        sex=p.sex.title(),
        age=p.age_mark(),
        dob=phi(p.dob.us(), "DATE"),
        street=phi(p.street, "ADDRESS"),
        city=phi(p.city, "CITY"),
        state=decoy(p.state[1], "state"),
        zip=phi(p.zip, "ZIP"),
        epo=people.one_of(rng, pools.EPONYMS, "eponym"),
        v1=people.vital(rng),
        v2=people.vital(rng),
        v3=people.vital(rng),
        drug=people.drug(rng)[0],
        dose=people.drug(rng)[1],
        hosp=_hospital(rng),
        nb=phi(people.clinician(rng), "NAME"),
        ph=phi(v.us_phone(rng), "PHONE"),
        dl=phi(v.license_number(rng), "LICENSE"),
    )
    return b.document("ems_run_report")


def claim_letter(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    system, code = people.code(rng)
    b.fill(
        "{hosp}\nPatient Financial Services\n\n{today}\n\n{name}\n{street}\n{city}, {st} {zip}"
        "\n\nRE: Appeal of denied claim {claim}\nMember ID: {member}   Group: {plan}\n"
        "Account: {acct}\nDate of service: {dos}\n\nDear {payer} Appeals Unit,\n\n"
        "We appeal the denial (CARC 50) of {code_sys} {code} billed at {amount}. "
        "The patient, a {age}-year-old, required {dur} of inpatient care in a {room}. "
        "Please direct questions to {contact} at {phone}.\n\nSincerely,\n{signer}\n",
        hosp=_hospital(rng),
        today=phi(v.day(rng, 2026, 2026).long(), "DATE"),
        name=p.name(),
        street=phi(p.street, "ADDRESS"),
        city=phi(p.city, "CITY"),
        st=decoy(p.state[0], "state"),
        zip=phi(p.zip, "ZIP"),
        claim=phi(f"CLM{v.digits(rng, 11)}", "ID"),
        member=phi(v.health_plan(rng), "HEALTH_PLAN"),
        plan=decoy(rng.choice(pools.PLANS), "plan"),
        acct=phi(v.account(rng), "ACCOUNT"),
        dos=phi(v.day(rng, 2025, 2026).us(), "DATE"),
        payer=rng.choice(("Aetna", "Humana", "Cigna", "Molina")),
        code_sys=system,
        code=code,
        amount=people.money(rng),
        age=p.age_mark(),
        dur=people.duration(rng),
        room=people.one_of(rng, pools.ROOMS, "room"),
        contact=phi(people.clinician(rng), "NAME"),
        phone=phi(v.us_phone(rng), "PHONE"),
        signer=phi(people.clinician(rng), "NAME"),
    )
    return b.document("claim_letter")


def immunization_record(rng: random.Random) -> Document:
    p = people.person(rng, old=0.15)
    b = Builder()
    b.fill(
        "STATE IMMUNIZATION INFORMATION SYSTEM - CONSOLIDATED RECORD\nClient: {name}  "
        "DOB: {dob}  Registry ID: {rid}\nMother's maiden name: {maiden}\n\n"
        "Vaccine        Date         Lot      Site   Provider\n",
        name=p.name(),
        dob=phi(p.dob.us(), "DATE"),
        rid=phi(f"IIS{v.digits(rng, 9)}", "ID"),
        maiden=phi(rng.choice(pools.FAMILY), "NAME"),
    )
    for vaccine in rng.sample(
        ("Tdap", "MMR", "Influenza", "COVID-19 2025-26", "Hep B", "PCV20", "RZV"), 3
    ):
        b.fill(
            "{vac:<14} {date}   {lot}  {site}     {clinic}\n",
            vac=vaccine,
            date=phi(v.day(rng, 2019, 2026).us(), "DATE"),
            lot=decoy(f"{v.letters(rng, 2)}{v.digits(rng, 4)}", "lot_number"),
            site=rng.choice(("LD", "RD", "LT")),
            clinic=_hospital(rng),
        )
    _tempting(b, rng)
    return b.document("immunization_record")


def lab_requisition(rng: random.Random) -> Document:
    p = people.person(rng)
    b = Builder()
    name, _, _ = people.lab(rng)
    system, code = people.code(rng)
    b.fill(
        "LABORATORY REQUISITION\nOrdering: {doc}  NPI {npi}\nPatient: {fam}, {giv} {mid}.  "
        "Sex: {sex}  DOB: {dob}\nSSN: {ssn}   Ins: {plan_name} / {member}\nPhone: {phone}  "
        "Email: {email}\nTests: {lab} (LOINC {code})  Fasting: {dur}\nDx: {system} {dx}\n"
        "Collect: {when}  Specimen ID {spec}\n",
        doc=phi(people.clinician(rng), "NAME"),
        npi=phi(v.digits(rng, 10), "ID"),
        fam=phi(p.family.upper(), "NAME"),
        giv=phi(p.given.upper(), "NAME"),
        mid=phi(p.middle, "NAME"),
        sex=p.sex[0].upper(),
        dob=phi(p.dob.dmy(), "DATE"),
        ssn=phi(v.ssn(rng), "SSN"),
        plan_name=decoy(rng.choice(pools.PLANS), "plan"),
        member=phi(v.health_plan(rng), "HEALTH_PLAN"),
        phone=phi(p.phone, "PHONE"),
        email=phi(p.email, "EMAIL"),
        lab=name,
        code=people.code(rng)[1],
        dur=people.duration(rng),
        system=system,
        dx=code,
        when=phi(v.day(rng, 2026, 2026).upper(), "DATE"),
        spec=phi(f"S{v.digits(rng, 9)}", "ID"),
    )
    return b.document("lab_requisition")


KINDS = (
    portal_message,
    care_email,
    home_health_note,
    ems_run_report,
    claim_letter,
    immunization_record,
    lab_requisition,
)
