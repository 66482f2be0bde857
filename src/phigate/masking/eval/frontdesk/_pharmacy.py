"""Pharmacy, lab and claims traffic: NCPDP claims, prior-auth faxes, LIS messages, manifests."""

from __future__ import annotations

from phigate.masking.eval.frontdesk import _person as h
from phigate.masking.eval.frontdesk import _pools as pools
from phigate.masking.eval.frontdesk import _values as v
from phigate.masking.eval.frontdesk._builder import Builder, D, P


def ncpdp_claim(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line(
        "B1 BILLING REQUEST  D.0   BIN ",
        D(v.digits(r, 6), "payer_code"),
        "  PCN ",
        D(r.choice(("ADV", "MEDDPRIME", "9999", "CTRXPHARM")), "payer_code"),
    )
    b.line("AM04 INSURANCE   302-C2 CARDHOLDER ID: ", P(who.member, "HEALTH_PLAN"))
    b.line("                 301-C1 GROUP ID: ", D(f"RX{v.digits(r, 4)}", "payer_code"))
    b.line(
        "                 312-CC FIRST NAME: ",
        P(who.first.upper(), "NAME"),
        "   313-CD LAST NAME: ",
        P(who.last.upper(), "NAME"),
    )
    b.line(
        "AM01 PATIENT     304-C4 DOB: ",
        P(who.born.strftime("%Y%m%d"), "DATE"),
        "  305-C5 GENDER: ",
        r.choice("12"),
        "  322-CM ADDR: ",
        P(who.street, "ADDRESS"),
    )
    b.line(
        "                 323-CN CITY: ",
        P(who.town, "CITY"),
        "  324-CO STATE: ",
        h.state(r),
        "  325-CP ZIP: ",
        P(who.zip.replace("-", ""), "ZIP"),
    )
    b.line("AM07 CLAIM       402-D2 RX NO: ", P(v.digits(r, 7), "ID"), "  407-D7 NDC: ", h.code(r))
    b.line(
        "                 442-E7 QTY: ",
        h.quantity(r),
        "  405-D5 DAYS SUPPLY: ",
        D(str(r.choice((30, 90, 28))), "quantity"),
    )
    b.line(
        "AM03 PRESCRIBER  411-DB NPI: ",
        P(v.npi(r), "ID"),
        "  427-DR LAST: ",
        P(v.family(r).upper(), "NAME"),
    )
    b.line("AM11 PRICING     409-D9 ING COST: ", h.money(r), "  433-DX PAT PAID: ", h.money(r))
    b.line(
        "RESPONSE: ",
        D(r.choice(("PAID", "REJECT 75 PA REQUIRED", "REJECT 79 REFILL TOO SOON")), "payer_code"),
        "  auth ",
        P(v.claim_id(r), "ID"),
    )


def prior_auth_fax_ocr(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    doc = (v.given(r), v.family(r))
    b.line(
        "FROM: ",
        P(v.us_phone(r), "FAX"),
        "   ",
        h.date(r),
        " ",
        h.time_of_day(r),
        "   P. 1/",
        str(r.randint(2, 6)),
    )
    b.line(
        "PRIOR AUTHORIZAT1ON REQUEST - ", h.payer(r), "  |  Fax back to: ", P(v.us_phone(r), "FAX")
    )
    b.line("Patlent Name: ", who.last_first, "   D0B: ", h.born(r, who))
    b.line("Member lD: ", P(who.member, "HEALTH_PLAN"), "   Phone: ", P(who.phone, "PHONE"))
    b.line("Medication requested: ", h.drug(r), "  Qty: ", h.quantity(r))
    b.line("Diagnosis: ", h.eponym(r), " (", h.icd(r), ")")
    b.line(
        "Prescriber: ",
        P(f"{doc[0]} {doc[1]}", "NAME"),
        ", MD   NPI: ",
        P(v.npi(r), "ID"),
        "   DEA: ",
        P(v.dea(r, doc[1]), "LICENSE"),
    )
    b.line("Clinic: ", P(v.hospital(r), "HOSPITAL"), "   Office fax: ", P(v.us_phone(r), "FAX"))
    if r.random() < 0.5:
        b.line(
            "Tried/failed: ", h.drug(r), " x ", h.duration(r), "; ", h.drug(r), ". Labs: ", h.lab(r)
        )
    b.line("Criteria per ", h.guideline(r))
    b.line("CONFIDENTIALITY N0TICE: this fax may contain protected health information.")


def specialty_pharmacy_intake(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line(
        "SPECIALTY PHARMACY INTAKE  |  Referral ",
        P(f"SP-{v.digits(r, 6)}", "ID"),
        "  |  received ",
        h.date(r),
    )
    b.line("Patient: ", who.name, "  DOB ", h.born(r, who), "  MRN ", P(who.mrn, "MRN"))
    b.line(
        "Ship to: ",
        P(who.street, "ADDRESS"),
        ", ",
        P(who.town, "CITY"),
        ", ",
        h.state(r),
        " ",
        P(who.zip, "ZIP"),
        "   Mobile ",
        P(who.phone, "PHONE"),
    )
    b.line("Therapy: ", h.drug(r), " for ", h.eponym(r), "   Start ", h.weekday(r))
    b.line(
        "Insurance: ",
        h.payer(r),
        " ",
        P(who.member, "HEALTH_PLAN"),
        "  Copay card ",
        P(f"{v.digits(r, 4)} {v.digits(r, 4)} {v.digits(r, 3)}", "ACCOUNT"),
    )
    b.line(
        "Employer: ",
        P(v.pick(r, pools.EMPLOYERS), "ORGANIZATION"),
        "  Occupation: ",
        P(v.pick(r, pools.PROFESSIONS), "PROFESSION"),
    )
    if r.random() < 0.5:
        b.line("Baseline labs: ", h.lab(r), "; ", h.lab(r), ". TB test neg ", h.year(r), ".")
    if r.random() < 0.5:
        b.line(
            "Pump/injector on file: SN ",
            P(v.device_serial(r), "DEVICE"),
            ", firmware ",
            D(v.version(r), "version"),
        )
    b.line("Cold chain: ", h.quantity(r), " 2-8 C, signature required, deliver ", h.weekday(r))
    b.line("Intake RPh: ", h.name(r), "  ext ", str(r.randint(200, 799)))


def lis_result_message(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    sent = v.a_date(r)
    b.line(
        "MSH|^~\\&|LIS|",
        P(v.hospital(r), "HOSPITAL"),
        "|EHR|MAIN|",
        P(sent.strftime("%Y%m%d"), "DATE"),
        f"{r.randint(0, 23):02d}{r.randint(0, 59):02d}",
        "||ORU^R01|",
        D(f"MSG{v.digits(r, 9)}", "request_id"),
        "|P|2.5.1",
    )
    b.line(
        "PID|1||",
        P(who.mrn, "MRN"),
        "^^^MRN||",
        P(who.last.upper(), "NAME"),
        "^",
        P(who.first.upper(), "NAME"),
        "||",
        P(who.born.strftime("%Y%m%d"), "DATE"),
        "|",
        r.choice("MFU"),
        "|||",
        P(who.street, "ADDRESS"),
        "^^",
        P(who.town, "CITY"),
        "^",
        h.state(r),
        "^",
        P(who.zip, "ZIP"),
        "||",
        P(who.phone, "PHONE"),
    )
    b.line(
        "OBR|1||",
        P(f"{v.letters(r, 2)}{v.digits(r, 8)}", "ID"),
        "|",
        h.code(r),
        "^Panel|||",
        P(sent.strftime("%Y%m%d"), "DATE"),
    )
    for i in range(r.randint(2, 4)):
        b.line(f"OBX|{i + 1}|NM|", h.code(r), "||", h.lab(r), "||||F")
    b.line(
        "NTE|1||Critical value called to ",
        h.name(r),
        ", RN by tech ",
        P(v.username(r, v.given(r), v.family(r)), "USERNAME"),
    )


def courier_manifest(b: Builder) -> None:
    r = b.rng
    b.line(
        "COURIER MANIFEST  route ",
        D(f"R{r.randint(1, 40)}", "quantity"),
        "  ",
        h.weekday(r),
        " ",
        D("day shift", "shift"),
        "  driver ",
        P(v.given(r), "NAME"),
        "  van plate ",
        P(v.plate(r), "VEHICLE"),
    )
    b.line(
        "PICKUP: ",
        P(v.hospital(r), "HOSPITAL"),
        " -> ",
        P("Northgate Reference Laboratory", "ORGANIZATION"),
    )
    b.line("ACCESSION     PATIENT                 DOB          SPECIMEN    TEMP")
    for _ in range(r.randint(3, 6)):
        b.line(
            P(f"{v.letters(r, 1)}{v.digits(r, 9)}", "ID"),
            "  ",
            P(f"{v.family(r)}, {v.given(r)[0]}", "NAME"),
            "  ",
            P(v.us_date(r, v.dob(r)), "DATE"),
            "  ",
            r.choice(("SST x1", "Lav x2", "Urine", "Swab", "Blue top")),
            "  ",
            r.choice(("Ambient", "Refrig", "Frozen")),
        )
    b.line("Total containers: ", h.quantity(r), "   Scanner fw ", D(v.version(r), "version"))
    b.line("Chain of custody signed at ", h.time_of_day(r))


def transport_dispatch_log(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line(
        "DISPATCH LOG  unit ",
        D(f"Medic {r.randint(1, 60)}", "quantity"),
        "  ",
        D(r.choice(("night shift", "day shift")), "shift"),
    )
    b.line(
        h.time_of_day(r),
        " CALL RCVD from ",
        P(v.hospital(r), "HOSPITAL"),
        " discharge planner ",
        h.name(r),
        " ",
        P(v.us_phone(r), "PHONE"),
    )
    b.line(
        h.time_of_day(r),
        " PT ",
        who.last_first,
        " age ",
        P(v.old_age(r), "AGE"),
        " wheelchair, O2 2L, ",
        h.vital(r),
    )
    b.line(
        h.time_of_day(r),
        " DEST ",
        P(who.street, "ADDRESS"),
        " ",
        P(who.town, "CITY"),
        "  gate code ",
        D(v.digits(r, 4), "quantity"),
        "  contact daughter ",
        h.name(r),
    )
    b.line(
        h.time_of_day(r),
        " ENRT  mileage ",
        D(f"{r.randint(2, 60)}.{r.randint(0, 9)} mi", "quantity"),
    )
    b.line(
        h.time_of_day(r),
        " ARRV  handoff complete, trip ",
        P(f"T{v.digits(r, 8)}", "ID"),
        "  Medicaid ",
        P(who.member, "HEALTH_PLAN"),
    )


def genetic_report(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line("HEREDITARY CANCER PANEL - FINAL REPORT")
    b.line("Patient: ", who.name, "   DOB: ", h.born(r, who), "   Sex: ", r.choice(("F", "M")))
    b.line(
        "Sample ID: ",
        P(f"GX-{v.digits(r, 7)}-{v.letters(r, 2)}", "ID"),
        "   Collected: ",
        h.date(r),
        "   Received: ",
        h.date(r),
    )
    b.line("Ordering: ", h.name(r), ", MS, CGC at ", P(v.hospital(r), "HOSPITAL"))
    b.line("Result: pathogenic variant BRCA2 c.5946delT (p.Ser1982fs), heterozygous.")
    b.line("Family history (pedigree):")
    b.line(
        "  I-1  ",
        P(f"{v.given(r)} {who.last}", "NAME"),
        " paternal grandfather, prostate ca, d. ",
        h.year(r),
        " aged ",
        h.young_age(r),
    )
    b.line(
        "  I-2  ",
        P(f"{v.given(r)} {who.last}", "NAME"),
        " paternal grandmother, alive at ",
        P(v.old_age(r), "AGE"),
    )
    b.line(
        "  II-3 ",
        P(f"{v.given(r)} {v.family(r)}", "NAME"),
        " aunt, breast ca dx age ",
        h.young_age(r),
    )
    b.line(
        "Methods: NGS, reference GRCh38, pipeline ",
        D(v.version(r), "version"),
        " build ",
        D(v.commit_hash(r), "commit"),
    )
    b.line("See ", h.guideline(r), " for management.")


def dental_claim(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line("ADA DENTAL CLAIM FORM (text export)")
    b.line("3. Company: ", D("Delta Dental", "plan_name"), "  12. Policyholder: ", who.last_first)
    b.line("13. DOB: ", h.born(r, who), "  15. Policyholder ID: ", P(who.member, "HEALTH_PLAN"))
    b.line(
        "16. Employer: ",
        P(v.pick(r, pools.EMPLOYERS), "ORGANIZATION"),
        "  Group: ",
        D(v.digits(r, 7), "payer_code"),
    )
    b.line(
        "20. Patient: ",
        P(f"{v.given(r)} {who.last}", "NAME"),
        "  relationship: child  age ",
        h.young_age(r),
    )
    for _ in range(r.randint(1, 3)):
        b.line(
            "24. ",
            h.date(r),
            "  tooth ",
            str(r.randint(1, 32)),
            "  ",
            D(r.choice(("D1110", "D0120", "D2391", "D0274", "D1206")), "code_cdt"),
            "  ",
            h.money(r),
        )
    b.line(
        "48. Billing dentist: ",
        h.name(r),
        ", DDS  lic ",
        P(v.licence(r), "LICENSE"),
        "  NPI ",
        P(v.npi(r), "ID"),
    )


def vision_claim(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line("VISION CLAIM ", P(v.claim_id(r), "ID"), "  plan ", D("Vision Plus 130", "plan_name"))
    b.line("Member: ", who.name, "  ", P(who.member, "HEALTH_PLAN"), "  DOB ", h.born(r, who))
    b.line(
        "Exam ", h.date(r), " ", D("92014", "code_cpt"), " comprehensive, Rx OD -2.25 -0.50 x 180"
    )
    b.line("Frame allowance ", h.money(r), "; lenses ", h.quantity(r), "; tint declined")
    b.line("Provider: ", P(v.hospital(r), "HOSPITAL"), "  tel ", P(v.us_phone(r), "PHONE"))
