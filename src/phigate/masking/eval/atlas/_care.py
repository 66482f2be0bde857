"""Genomics, transplant, occupational, school, correctional, military and telehealth documents."""

from __future__ import annotations

from phigate.masking.eval.atlas import _ids
from phigate.masking.eval.atlas._builder import D, Doc, P
from phigate.masking.eval.atlas._kit import Kit
from phigate.masking.eval.atlas._people import HOSPITALS, ORGS, PROFESSIONS, a_date
from phigate.masking.eval.corpus import Document


def genetic_report(k: Kit) -> Document:
    r, doc = k.r, Doc("genetic_test_report")
    pt, gc = k.person(), k.person()
    doc.line("MOLECULAR GENETICS REPORT — ", k.d.pick("department"), " — assay ", k.d.version())
    doc.line(
        "Proband: ",
        P(pt.full, "NAME"),
        "  DOB: ",
        P(k.p.date(1950, 2024), "DATE"),
        "  MRN: ",
        P(k.p.mrn(), "MRN"),
    )
    doc.line(
        "Specimen: ",
        P(f"GX-{r.randint(100000, 999999)}-{k.pick('B', 'S')}", "ID"),
        " (buccal swab), received ",
        P(k.p.date(2024, 2026), "DATE"),
    )
    doc.line(
        "Test: hereditary cancer panel ",
        k.d.pick("cpt"),
        "; indication ",
        k.d.pick("eponym"),
        " family history",
    )
    doc.line(
        "Result: ",
        k.pick("BRCA2", "MLH1", "PMS2", "MSH6"),
        " c.",
        str(r.randint(100, 9999)),
        k.pick("del", "C>T", "G>A"),
        " — likely pathogenic (",
        D("ClinVar VCV000" + str(r.randint(10000, 99999)), "snomed"),
        ")",
    )
    doc.line(
        "Pedigree: mother ",
        P(f"{k.p.first()} {pt.last}", "NAME"),
        " dx at ",
        k.d.age(),
        "; maternal grandmother alive at ",
        P(k.p.old_age()[1], "AGE"),
        "; see ",
        k.d.pick("url"),
    )
    doc.line(
        "Genetic counselor: ",
        P(gc.full, "NAME"),
        ", MS, CGC  ",
        P(k.p.phone(), "PHONE"),
        "  ",
        P(k.p.email(gc.first, gc.last).replace("gmail.com", "genetics-lab.org"), "EMAIL"),
    )
    return doc.build()


def biobank_manifest(k: Kit) -> Document:
    r, doc = k.r, Doc("biobank_manifest")
    doc.line("sample_id,subject_id,collected,aliquot,volume_ul,freezer,consent_version,family_note")
    fam = k.p.last()
    for _ in range(r.randint(3, 6)):
        member = k.pick("proband", "sister", "father", "unaffected brother", "twin")
        doc.line(
            P(f"BB{r.randint(24, 26)}-{_ids.alnum(r, 6)}", "ID"),
            ",",
            P(f"SUBJ-{r.randint(1000, 9999)}", "ID"),
            ",",
            P(a_date(r, 2023, 2026).isoformat(), "DATE"),
            ",",
            str(r.randint(1, 6)),
            ",",
            D(str(r.choice([250, 500, 1000])), "quantity"),
            ",",
            D(f"-80C rack {r.randint(1, 20)}", "room"),
            ",",
            k.d.version(),
            ",",
            member,
            " of ",
            P(f"{k.p.first()} {fam}", "NAME"),
        )
    doc.line(
        "# manifest ",
        k.d.uuid(),
        " exported by ",
        P(k.p.username(k.p.first(), k.p.last()), "USERNAME"),
    )
    return doc.build()


def transplant_referral(k: Kit) -> Document:
    r, doc = k.r, Doc("transplant_referral")
    pt, coord = k.person(), k.person()
    doc.line(
        "OPO REFERRAL — ",
        D(k.d.pick("org_type").value, "org_type"),
        " call center — ",
        k.d.pick("shift"),
    )
    doc.line(
        "Referral # ",
        P(f"REF{r.randint(1000000, 9999999)}", "ID"),
        "   UNOS ID ",
        P(f"{_ids.alnum(r, 3, 'ABCDEFGHJKLMNPQRSTUVWXYZ')}{r.randint(1000, 9999)}", "ID"),
    )
    doc.line(
        "Donor: ",
        P(pt.full, "NAME"),
        ", ",
        k.d.age(),
        " y/o, at ",
        P(r.choice(HOSPITALS), "HOSPITAL"),
        " ICU bed ",
        str(r.randint(1, 30)),
    )
    doc.line(
        "Admit ",
        P(k.p.date(2025, 2026), "DATE"),
        "; cause of death anoxia; ",
        k.d.pick("lab"),
        "; ",
        k.d.pick("vital"),
    )
    doc.line(
        "Candidate match run: ",
        k.d.pick("icd10"),
        " recipient list ",
        k.d.uuid(),
        ", policy ",
        k.d.pick("url"),
    )
    doc.line("Next of kin: ", P(k.p.full(), "NAME"), " (spouse) ", P(k.p.phone(), "PHONE"))
    doc.line(
        "Coordinator ",
        P(coord.full, "NAME"),
        " paged via ",
        k.d.pick("department"),
        "; family meeting ",
        k.d.pick("weekday"),
    )
    return doc.build()


def occupational(k: Kit) -> Document:
    r, doc = k.r, Doc("occupational_surveillance")
    pt = k.person()
    doc.line(k.d.pick("form"), " — respirator / audiogram surveillance")
    doc.line(
        "Employer: ",
        P(r.choice(ORGS), "ORGANIZATION"),
        "   Employee #",
        P(f"E{r.randint(10000, 99999)}", "ID"),
    )
    doc.line(
        "Worker: ",
        P(pt.full, "NAME"),
        "   SSN (last 4 only on file): ",
        P(f"{r.randint(1000, 9999)}", "SSN"),
    )
    doc.line(
        "Job: ",
        P(
            r.choice(("forklift operator", "night-shift welder", "crane operator", "sandblaster")),
            "PROFESSION",
        ),
        ", ",
        k.d.pick("shift"),
        ", exposure ",
        D("85 dBA TWA", "lab"),
    )
    doc.line(
        "Audiogram ",
        P(k.p.date(2024, 2026), "DATE"),
        ": STS left ",
        D("4 kHz", "quantity"),
        "; baseline ",
        k.d.year(),
        "; ",
        k.d.pick("vital"),
    )
    doc.line(
        "Cleared for N95 fit test; ",
        k.d.pick("lab"),
        ". Badge ",
        P(f"{r.randint(100000, 999999)}", "ID"),
        " fingerprint template ",
        P(f"FPT-{_ids.hex_string(r, 16)}", "BIOMETRIC"),
    )
    return doc.build()


def school_nurse(k: Kit) -> Document:
    r, doc = k.r, Doc("school_nurse_log")
    doc.line(
        "Health office log — ",
        P(
            r.choice(("Pemberton Middle School", "Quarry Hill Elementary", "Sacred Heart Academy")),
            "ORGANIZATION",
        ),
        " — ",
        k.d.pick("weekday"),
    )
    for _ in range(r.randint(2, 4)):
        kid, parent = k.person(), k.person()
        drug, dose = k.d.drug()
        doc.line(
            f"{r.randint(8, 14)}:{r.randint(10, 59)} ",
            P(f"{kid.first} {kid.last[0]}.", "NAME"),
            " gr ",
            str(r.randint(1, 8)),
            " (student ID ",
            P(f"{r.randint(200000, 999999)}", "ID"),
            ") — ",
            k.pick("asthma", "headache", "nosebleed", "glucose check"),
            "; gave ",
            drug,
            " ",
            dose,
            "; ",
            k.d.pick("vital"),
            "; called mom ",
            P(f"{parent.first} {kid.last}", "NAME"),
            " at ",
            P(k.p.phone(), "PHONE"),
        )
    doc.line(
        "Bus driver ",
        P(k.p.full(), "NAME"),
        " reported the incident; IEP meeting ",
        k.d.pick("weekday"),
        ".",
    )
    return doc.build()


def correctional_intake(k: Kit) -> Document:
    r, doc = k.r, Doc("correctional_intake")
    pt = k.person()
    doc.line(
        "INTAKE HEALTH SCREENING — ",
        P(
            r.choice(("Tri-County Detention Center", "Riverbend Correctional Facility")),
            "ORGANIZATION",
        ),
        " — ",
        k.d.pick("shift"),
    )
    doc.line(
        "Booking #: ",
        P(f"{r.randint(24, 26)}-{r.randint(100000, 999999)}", "ID"),
        "   Inmate ID: ",
        P(f"{k.pick('SO', 'DOC')}{r.randint(100000, 999999)}", "ID"),
    )
    doc.line(
        "Name: ",
        P(f"{pt.last.upper()}, {pt.first.upper()}", "NAME"),
        "  DOB: ",
        P(k.p.date(1950, 2007), "DATE"),
        "  SSN: ",
        P(_ids.ssn(r), "SSN"),
    )
    doc.line(
        "Vehicle impounded: plate ",
        P(f"{_ids.alnum(r, 3, 'ABCDEFGHJKLMNPRSTUVWXYZ')}-{r.randint(1000, 9999)}", "VEHICLE"),
        " VIN ",
        P(_ids.vin(r), "VEHICLE"),
    )
    drug, dose = k.d.drug()
    doc.line(
        "Meds reported: ",
        drug,
        " ",
        dose,
        "; withdrawal risk (COWS ",
        D(str(r.randint(0, 20)), "quantity"),
        "); ",
        k.d.pick("vital"),
    )
    doc.line(
        "Prior ",
        k.d.pick("eponym"),
        "; last seen at ",
        P(r.choice(HOSPITALS), "HOSPITAL"),
        ". Housing: ",
        k.d.pick("room"),
    )
    doc.line(
        "Livescan print ref ",
        P(f"LS{r.randint(10**9, 10**10 - 1)}", "BIOMETRIC"),
        "; screened by deputy ",
        P(k.p.last(), "NAME"),
    )
    return doc.build()


def va_note(k: Kit) -> Document:
    r, doc = k.r, Doc("va_military_note")
    pt = k.person()
    city, state, zip_ = k.p.city()
    doc.line(
        "PRIMARY CARE NOTE — ",
        P(k.pick("VA Puget Sound HCS", "Tomah VA Medical Center", "Walter Reed NMMC"), "HOSPITAL"),
    )
    doc.line(
        "Veteran: ",
        P(pt.full, "NAME"),
        "   EDIPI ",
        P(_ids.edipi(r), "ID"),
        "   SSN ",
        P(_ids.ssn(r, dashed=k.chance(0.5)), "SSN"),
    )
    doc.line(
        "Branch: ",
        k.pick("USMC", "US Army", "USN", "USAF"),
        ", ",
        k.pick("OEF/OIF", "Vietnam era", "Gulf War"),
        "; service connection ",
        D(f"{r.choice([10, 30, 50, 70, 100])}%", "quantity"),
    )
    if k.chance(0.5):
        doc.line(
            "Age ", P(k.p.old_age()[1], "AGE"), ". WWII/Korea-era combat veteran, Purple Heart."
        )
    else:
        doc.line("Age ", k.d.age(), ". Deployed ", k.d.year(), " to ", k.d.pick("country"), ".")
    doc.line(
        "Lives at ",
        P(k.p.street(), "ADDRESS"),
        ", ",
        P(city, "CITY"),
        " ",
        D(state, "state"),
        " ",
        P(zip_, "ZIP"),
    )
    drug, dose = k.d.drug()
    doc.line(
        "PTSD (PCL-5 ",
        D(str(r.randint(10, 70)), "quantity"),
        "), ",
        k.d.pick("icd10"),
        "; ",
        drug,
        " ",
        dose,
        ". ",
        k.d.pick("form"),
        " on file.",
    )
    doc.line("Former ", P(r.choice(PROFESSIONS), "PROFESSION"), " after discharge.")
    return doc.build()


def telehealth(k: Kit) -> Document:
    r, doc = k.r, Doc("telehealth_transcript")
    pt, md = k.person(), k.person()
    drug, dose = k.d.drug()
    doc.line("[session ", k.d.uuid(), " | ", k.d.timestamp(), " | platform ", k.d.version(), "]")
    doc.line(
        "DR. ", P(md.last.upper(), "NAME"), ": Can you confirm your full name and date of birth?"
    )
    doc.line("PATIENT: ", P(pt.full, "NAME"), ", ", P(k.p.date(1935, 2005), "DATE"), ".")
    doc.line("DR. ", P(md.last.upper(), "NAME"), ": And where are you right now, for the record?")
    doc.line(
        "PATIENT: At home, ",
        P(k.p.street(), "ADDRESS"),
        ". My daughter ",
        P(k.p.first(), "NAME"),
        " is here too.",
    )
    doc.line(
        "DR. ",
        P(md.last.upper(), "NAME"),
        ": Your ",
        k.d.pick("lab"),
        " came back. Let's go up on ",
        drug,
        " to ",
        dose,
        ".",
    )
    doc.line(
        "PATIENT: ok. I work as a ",
        P(r.choice(PROFESSIONS), "PROFESSION"),
        " so ",
        k.d.pick("weekday"),
        "s are hard.",
    )
    doc.line(
        "[connection from ",
        P(_ids.ipv4(r), "IP"),
        " dropped: ",
        k.d.http(),
        "; rejoined after ",
        k.d.duration(),
        "]",
    )
    return doc.build()
