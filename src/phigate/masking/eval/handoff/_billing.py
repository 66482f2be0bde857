"""Payer and pharmacy documents: prior auth, fills, lab reports, EOBs, X12 837/835, fax covers."""

from __future__ import annotations

from phigate.masking.eval.handoff import _values as v
from phigate.masking.eval.handoff._builder import Builder, D, P
from phigate.masking.eval.handoff._case import Case


def prior_auth(c: Case, b: Builder) -> None:
    b.add("PRIOR AUTHORIZATION REQUEST -- {plan}\n", plan=c.decoy("plan_name"))
    b.add(
        "Member name: {name}\nMember ID: {pid}\nDOB: {dob}\n",
        name=c.name("last_first"),
        pid=c.plan_id(),
        dob=c.dob(),
    )
    b.add(
        "Address: {street}, {city}, {st} {zip}\n",
        street=c.street(),
        city=c.city(),
        st=c.state(),
        zip=c.zip(),
    )
    b.add(
        "Prescriber: {doc}  NPI: {npi}  DEA: {dea}\n",
        doc=c.person_name(c.clinician),
        npi=c.npi(),
        dea=c.dea(),
    )
    b.add("Office phone: {ph}   Office fax: {fx}\n\n", ph=c.phone(), fx=c.fax())
    b.add(
        "Drug requested: {drug} {dose}, {qty}, {dur}\nNDC: {ndc}\nDiagnosis: {icd}\n",
        drug=c.decoy("drug"),
        dose=c.decoy("dose"),
        qty=c.decoy("quantity"),
        dur=c.decoy("duration"),
        ndc=c.decoy("ndc"),
        icd=c.decoy("icd10"),
    )
    b.add(
        "Clinical rationale: failed metformin and {drug2}; most recent {lab}. See criteria at "
        "{url}\n",
        drug2=c.decoy("drug"),
        lab=c.decoy("lab_value"),
        url=c.decoy("guideline_url"),
    )
    b.add("Urgent? N   Submitted {d} by {me}\n", d=c.date("us"), me=c.person_name(c.staff))


def pharmacy_fill_log(c: Case, b: Builder) -> None:
    r = c.r
    b.add("RX FILL LOG  store #{s}  {ver}\n", s=str(r.randint(1000, 9999)), ver=c.decoy("version"))
    b.add(
        "date       rx#       patient                  drug / sig"
        "                       qty   copay\n"
    )
    for i in range(r.randint(2, 5)):
        who = c.patient if i == 0 else v.person(r)
        b.put(c.other_date("us")).add("  {rx}  ", rx=c.rx_number())
        name = who.last_first.upper()
        b.put(P(name, "NAME")).add(" " * max(2, 25 - len(name)))
        b.add(
            "{drug} {dose}  {qty}  {money}\n",
            drug=c.decoy("drug"),
            dose=c.decoy("dose"),
            qty=c.decoy("quantity"),
            money=D(f"${r.randint(0, 75)}.{r.choice(('00', '50', '99', '35'))}", "money"),
        )
    b.add(
        "-- refill request from {ph} (pt cell) for RX {rx}; DOB verified {dob}\n",
        ph=c.phone(),
        rx=c.rx_number(),
        dob=c.dob("slash_md" if r.random() < 0.2 else "us"),
    )


def lab_report(c: Case, b: Builder) -> None:
    r = c.r
    b.add("{hosp} CLINICAL LABORATORY\n", hosp=c.hospital())
    b.add("PATIENT: {name}", name=c.name("caps"))
    b.add(
        "  MRN: {mrn}   SEX: {sex}   DOB: {dob}\n",
        mrn=c.mrn(),
        sex=c.patient.sex,
        dob=c.dob("oracle"),
    )
    b.add(
        "COLLECTED: {d} 07:12   ORDERING: {doc}, {given}\n",
        d=c.date("us"),
        doc=c.person_name(c.clinician, "family"),
        given=c.person_name(c.clinician, "given"),
    )
    b.add("-" * 72 + "\n")
    b.add("TEST                 RESULT     FLAG  UNITS        REF RANGE      LOINC\n")
    rows = (
        ("SODIUM", "138", "", "mmol/L", "135-145"),
        ("POTASSIUM", "5.6", "H", "mmol/L", "3.5-5.1"),
        ("CREATININE", "1.42", "H", "mg/dL", "0.60-1.20"),
        ("HEMOGLOBIN", "9.8", "L", "g/dL", "12.0-16.0"),
        ("GLUCOSE", "212", "H", "mg/dL", "70-99"),
    )
    for test, value, flag, unit, ref in r.sample(rows, r.randint(3, 5)):
        b.add(f"{test:<21}").put(D(value, "lab_value")).add(" " * (11 - len(value)))
        b.add(f"{flag:<6}{unit:<13}{ref:<15}").put(c.decoy("loinc")).add("\n")
    b.add("-" * 72 + "\n")
    if c.tempt:
        b.add("COMMENT: patient on {x}; interpret with caution.\n", x=c.namelike())
    b.add("Verified {d} by {tech}, MLS(ASCP)\n", d=c.other_date("us"), tech=c.person_name(c.staff))


def eob(c: Case, b: Builder) -> None:
    r = c.r
    b.add("EXPLANATION OF BENEFITS -- THIS IS NOT A BILL\n\n")
    b.add(
        "{name}\n{street}\n{city}, {st} {zip}\n\n",
        name=c.name("caps"),
        street=c.street(),
        city=c.city(),
        st=c.state(),
        zip=c.zip(),
    )
    b.add(
        "Member ID: {pid}    Group: {grp}    Plan: {plan}\n",
        pid=c.plan_id(),
        grp=str(r.randint(100000, 999999)),
        plan=c.decoy("plan_name"),
    )
    b.add("Claim number: {clm}    Patient account: {acct}\n", clm=c.other_id(), acct=c.account())
    b.add("Provider: {hosp}\n\n", hosp=c.hospital())
    b.add("Service date   Code    Billed       Allowed      You owe\n")
    for _ in range(r.randint(1, 3)):
        b.put(c.other_date("us")).add("     ").put(c.decoy("cpt")).add("   ")
        b.put(c.decoy("money")).add("    ").put(c.decoy("money")).add("    ").put(
            c.decoy("money")
        ).add("\n")
    b.add(
        "\nQuestions? Call Member Services at 1-800-555-0199 ({wd}-Friday).\n",
        wd=c.decoy("weekday"),
    )


def x12_837(c: Case, b: Builder) -> None:
    r = c.r
    p = c.patient
    ctl = f"{r.randint(1, 999999999):09d}"
    b.add("ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*RECEIVER01     *")
    b.add(
        "{yymmdd}*1253*^*00501*{ctl}*0*P*:~\n",
        yymmdd=D(f"{r.randint(21, 25)}0{r.randint(1, 9)}1{r.randint(0, 9)}", "timestamp"),
        ctl=ctl,
    )
    b.add("ST*837*0001*005010X222A1~\n")
    b.add("NM1*85*2*").put(c.hospital()).add("*****XX*").put(c.npi()).add("~\n")
    b.add("NM1*IL*1*").put(P(p.family.upper(), "NAME")).add("*").put(P(p.given.upper(), "NAME"))
    b.add("****MI*").put(c.plan_id()).add("~\n")
    b.add("N3*").put(P(c.home.street.upper(), "ADDRESS")).add("~\n")
    b.add("N4*").put(P(c.home.city.upper(), "CITY")).add("*").put(c.decoy("state")).add("*")
    b.add("{zip}~\n", zip=P(c.home.zip.replace("-", ""), "ZIP"))
    b.add("DMG*D8*{dob}*{sex}~\n", dob=c.dob("compact"), sex=p.sex)
    b.add(
        "CLM*{acct}*{amt}***11:B:1*Y*A*Y*Y~\n",
        acct=c.account(),
        amt=D(f"{r.randint(80, 4000)}.00", "money"),
    )
    b.add("HI*ABK:{icd}~\n", icd=D(c.decoy("icd10").value.replace(".", ""), "icd10"))
    b.add("DTP*472*D8*{d}~\n", d=c.date("compact"))
    b.add(
        "SV1*HC:{cpt}*{amt}*UN*1***1~\n",
        cpt=c.decoy("cpt"),
        amt=c.decoy("money").value.replace("$", "").replace(",", ""),
    )
    b.add("SE*14*0001~\n")


def x12_835(c: Case, b: Builder) -> None:
    r = c.r
    p = c.patient
    b.add("ST*835*1001~\nBPR*I*{amt}*C*ACH*CCP*01*", amt=str(r.randint(50, 9000)))
    # The BPR account is the provider's bank account, not the patient's: left unlabelled.
    bank = f"{r.randint(10**8, 10**9 - 1)}*DA*{r.randint(10**9, 10**10 - 1)}"
    b.add("{bank}~\n", bank=bank)
    b.add(
        "TRN*1*{trace}*1{tin}~\n",
        trace=str(r.randint(10**9, 10**10 - 1)),
        tin=str(r.randint(10**8, 10**9 - 1)),
    )
    b.add("N1*PE*").put(c.hospital()).add("*XX*").put(c.npi()).add("~\n")
    b.add(
        "CLP*{acct}*1*{a}*{b}**MC*{icn}*11~\n",
        acct=c.account(),
        a=str(r.randint(200, 3000)),
        b=str(r.randint(50, 199)),
        icn=c.other_id(),
    )
    b.add("NM1*QC*1*").put(P(p.family.upper(), "NAME")).add("*").put(P(p.given.upper(), "NAME"))
    b.add("****MI*").put(c.plan_id()).add("~\n")
    b.add("DTM*232*{d}~\n", d=c.date("compact"))
    b.add(
        "SVC*HC:{cpt}*{a}*{b}**1~\nCAS*CO*45*{c}~\n",
        cpt=c.decoy("cpt"),
        a=str(r.randint(100, 900)),
        b=str(r.randint(20, 99)),
        c=str(r.randint(10, 99)),
    )
    b.add("SE*10*1001~\n")


def fax_cover(c: Case, b: Builder) -> None:
    b.add("F A X   C O V E R   S H E E T\n\n")
    b.add(
        "TO: {doc}, MD -- {hosp}\nFAX: {fx}\n",
        doc=c.person_name(c.clinician),
        hosp=c.hospital(),
        fx=c.fax(),
    )
    b.add(
        "FROM: {me}, {dept}\nPHONE: {ph}   FAX: {fx}\n",
        me=c.person_name(c.staff),
        dept=c.decoy("department"),
        ph=c.phone("paren"),
        fx=c.fax(),
    )
    b.add("DATE: {d}     PAGES (incl. cover): {n}\n\n", d=c.date(), n=str(c.r.randint(2, 14)))
    b.add("RE: {name}  DOB {dob}  SSN {ssn}\n", name=c.name(), dob=c.dob(), ssn=c.ssn())
    enclosed = {"cpt": c.decoy("cpt")} if c.tempt else {"cpt": "outside"}
    b.add("Records enclosed: H&P, op note, {cpt} imaging report.\n\n", **enclosed)
    b.add(
        "CONFIDENTIALITY NOTICE: This facsimile contains protected health information. If you "
        "received it in error, call the sender and destroy all copies.\n"
    )
