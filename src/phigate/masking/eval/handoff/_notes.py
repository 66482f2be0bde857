"""Clinical documents: letters, summaries, notes, hand-offs, triage, incidents, screening."""

from __future__ import annotations

from phigate.masking.eval.handoff import _clinical
from phigate.masking.eval.handoff import _values as v
from phigate.masking.eval.handoff._builder import Builder, D
from phigate.masking.eval.handoff._case import Case


def referral_letter(c: Case, b: Builder) -> None:
    r = c.r
    b.add("{hosp}\n{dept}\n", hosp=c.hospital(), dept=c.decoy("department"))
    b.add("Tel {ph}   Fax {fx}\n\n{d}\n\n", ph=c.phone("paren"), fx=c.fax(), d=c.date("long"))
    b.add("Dear Dr. {doc},\n\n", doc=c.doctor())
    b.add(
        "Re: {name}, DOB {dob}, {street}, {city}, {st} {zip}\n\n",
        name=c.name("plain"),
        dob=c.dob(),
        street=c.street(),
        city=c.city(),
        st=c.state(),
        zip=c.zip(),
    )
    age = c.old_age() if r.random() < 0.15 else c.decoy("age")
    b.add(
        "Thank you for seeing this {age}-year-old {sex} whom I have followed since {yr} for "
        "poorly controlled type 2 diabetes",
        age=age,
        sex="woman" if c.patient.sex == "F" else "man",
        yr=c.decoy("year"),
    )
    if c.tempt:
        b.add(" ({icd})", icd=c.decoy("icd10"))
    b.add(". {prose} ", prose=c.prose(2))
    if c.tempt:
        b.add(
            "{she} was started on {drug} {dose} last spring with little effect; {lab} last month. ",
            she="She" if c.patient.sex == "F" else "He",
            drug=c.decoy("drug"),
            dose=c.decoy("dose"),
            lab=c.decoy("lab_value"),
        )
    b.add(
        "{given} works as a {job} at {emp} and finds it hard to attend appointments on a "
        "{wd}. I would be grateful for your opinion regarding insulin initiation.\n\n",
        given=c.name("given"),
        job=c.profession(),
        emp=c.employer(),
        wd=c.decoy("weekday"),
    )
    b.add("Yours sincerely,\n\n{me}\nNPI {npi}\n", me=c.person_name(c.staff), npi=c.npi())
    if r.random() < 0.5:
        b.add(
            "cc: {rel} (daughter), by e-mail {em}\n",
            rel=c.person_name(c.relative),
            em=c.email(c.relative),
        )


def discharge_summary(c: Case, b: Builder) -> None:
    r = c.r
    b.add("DISCHARGE SUMMARY\n{hosp}\n\n", hosp=c.hospital())
    b.add(
        "PATIENT: {name}    MRN: {mrn}    ACCT: {acct}\n",
        name=c.name("caps"),
        mrn=c.mrn(),
        acct=c.account(),
    )
    b.add(
        "ADMIT DATE: {a}    DISCHARGE DATE: {d}\n",
        a=c.date("us"),
        d=c.later(r.randint(1, 12), "us"),
    )
    b.add("ATTENDING: {doc}, MD\n\n", doc=c.person_name(c.clinician))
    b.add("HISTORY: The patient is a ")
    c.add_age(b, r.random() < 0.4)
    b.add(
        " {sex} admitted with community-acquired pneumonia and acute kidney injury. "
        "Treated with IV ceftriaxone and azithromycin; labs notable for {lab}. {prose}\n",
        sex=r.choice(("female", "F", "woman")) if c.patient.sex == "F" else r.choice(("male", "M")),
        lab=c.decoy("lab_value"),
        prose=c.prose(3),
    )
    if c.tempt:
        b.add(
            "PMH: {ep}, {ep2}, atrial fibrillation on {drug}.\n",
            ep=c.condition(),
            ep2=c.condition(),
            drug=c.decoy("drug"),
        )
    b.add(
        "HOSPITAL COURSE: Stayed in a {room} for 2 nights. {vital} on day 3.\n",
        room=c.decoy("room_type"),
        vital=c.decoy("vital"),
    )
    b.add(
        "DISPOSITION: Home with daughter {rel} at {street}, {city}. Home health to call {ph}.\n",
        rel=c.person_name(c.relative, "given"),
        street=c.street(),
        city=c.city(),
        ph=c.phone(),
    )
    b.add(
        "MEDICATIONS: {drug} {dose} {dur}; resume home meds.\nFOLLOW-UP: Dr. {doc} on {d}.\n",
        drug=c.decoy("drug"),
        dose=c.decoy("dose"),
        dur=c.decoy("duration"),
        doc=c.doctor(),
        d=c.other_date("month_day"),
    )


def behavioral_health_note(c: Case, b: Builder) -> None:
    b.add("Behavioral Health Progress Note -- {dept}\n", dept=c.decoy("department"))
    b.add(
        "Client: {name}  (pref. name {given})  DOS {d}\n",
        name=c.name("last_first"),
        given=c.name("given"),
        d=c.date(),
    )
    b.add("CPT {cpt}  Dx {icd}\n\n", cpt=c.decoy("cpt"), icd=c.decoy("icd10"))
    b.add(
        "S: Client reports low mood since losing job at {emp} in {yr}. Lives with partner "
        "{rel} in {city}. Denies SI/HI. Sleep 4-5 h.\n",
        emp=c.employer(),
        yr=c.decoy("year"),
        rel=c.person_name(c.relative, "given"),
        city=c.city(),
    )
    b.add("O: Affect constricted, speech normal rate. PHQ-9 = 17. {p}\n", p=c.prose(1))
    if c.tempt:
        b.add(
            "A/P: MDD, recurrent. Continue {drug} {dose}; titrate {dur}. ",
            drug=c.decoy("drug"),
            dose=c.decoy("dose"),
            dur=c.decoy("duration"),
        )
    else:
        b.add("A/P: MDD, recurrent. Continue CBT weekly. ")
    b.add(
        "Safety plan reviewed; crisis line and partner's cell {ph} on file.\n"
        "Next session {wd} {d}.\n",
        ph=c.phone(),
        wd=c.decoy("weekday"),
        d=c.other_date("slash_md"),
    )
    b.add("-- {me}, LCSW\n", me=c.person_name(c.staff))


def dental_note(c: Case, b: Builder) -> None:
    b.add("{hosp} -- clinical note\n", hosp=c.hospital())
    b.add("pt: {name}   d.o.b. {dob}   chart# {mrn}\n", name=c.name(), dob=c.dob("uk"), mrn=c.mrn())
    b.add("Ins: {plan}, member id {pid}\n", plan=c.decoy("plan_name"), pid=c.plan_id())
    b.add(
        "Tx today: {cpt} crown prep #19, {cpt2} periodic eval. Local: 2% lidocaine w/ 1:100k "
        "epi x2 carpules. Pt tolerated well. {p}\n",
        p=c.prose(1),
        cpt=c.decoy("cpt"),
        cpt2=c.decoy("cpt"),
    )
    if c.tempt:
        b.add(
            "Premed per cardiology: {drug} {dose}. Hx {ep}.\n",
            drug=c.decoy("drug"),
            dose=c.decoy("dose"),
            ep=c.condition(),
        )
    b.add(
        "Next appt {d} in {room}. Reminder text to {ph}.\nDr. {doc} / asst {asst}\n",
        d=c.other_date("dmy_abbr"),
        room=c.decoy("room_type"),
        ph=c.phone(),
        doc=c.doctor(),
        asst=c.person_name(c.staff, "given"),
    )


def sbar_handoff(c: Case, b: Builder) -> None:
    r = c.r
    b.add(
        "SBAR hand-off {shift} -> next  ({dept})\n",
        shift=c.decoy("shift"),
        dept=c.decoy("department"),
    )
    if r.random() < 0.3:
        b.add("S: Bed {bed} -- {t} {name}, ", bed=c.bed(), t=c.title, name=c.name("family"))
    else:
        name = c.name(r.choice(("plain", "family", "initial")))
        b.add("S: Bed {bed} -- {name}, ", bed=c.bed(), name=name)
    c.add_age(b, r.random() < 0.5)
    b.add(", ")
    b.add("post-op day 1 hip ORIF, {vital}, c/o pain.\n", vital=c.decoy("vital"))
    b.add("B: Fall at home {d}. Hx {ep}. ", d=c.date("slash_md"), ep=c.condition())
    b.add("Son {rel} is HCP, cell {ph}.\n", rel=c.person_name(c.relative), ph=c.phone())
    b.add(
        "A: Drowsy after {drug} at 0200; {lab}. {p}\n",
        drug=c.decoy("drug"),
        lab=c.decoy("lab_value"),
        p=c.prose(2),
    )
    b.add(
        "R: Recheck H/H at 0600, PT eval, keep {room}. Call Dr {doc} pager {pg} if SBP < 90.\n",
        room=c.decoy("room_type"),
        doc=c.doctor(),
        pg=c.phone("dash"),
    )
    b.add("-- {nurse} RN\n", nurse=c.person_name(c.staff, "given"))


def ed_triage(c: Case, b: Builder) -> None:
    r = c.r
    b.add("ED TRIAGE  {ts}\n", ts=c.timestamp())
    b.add(
        "Name: {name}   {dl} {dob}   {ml} {mrn}\n",
        dl=c.label("dob"),
        ml=c.label("mrn"),
        name=c.name("last_first"),
        dob=c.dob("us_loose"),
        mrn=c.mrn(),
    )
    b.add(
        "Arrival: EMS, {agency} unit 14. ESI 2.\n",
        agency=c.employer() if r.random() < 0.3 else "county",
    )
    v1, v2 = r.sample(_clinical.VITALS, 2)
    b.add("CC: chest pain x2h. {v1}, {v2}.\n", v1=D(v1, "vital"), v2=D(v2, "vital"))
    if r.random() < 0.4:
        b.add("{pt} is a ", pt=c.label("pt").rstrip(":"))
        c.add_age(b, True)
        b.add(" from assisted living ({fac}).\n", fac=c.employer())
    b.add("Home meds: {drug} {dose}. Allergies: PCN.\n", drug=c.decoy("drug"), dose=c.decoy("dose"))
    b.add(
        "Emergency contact: {rel} {ph}. Vehicle left in lot: plate {pl}.\n",
        rel=c.person_name(c.relative),
        ph=c.phone(),
        pl=c.plate(),
    )
    if c.tempt:
        b.add(
            "Triage order set {cpt}, troponin ({loinc}).\n",
            cpt=c.decoy("cpt"),
            loinc=c.decoy("loinc"),
        )


def incident_report(c: Case, b: Builder) -> None:
    b.add(
        "INCIDENT REPORT #IR-{n}\nFacility: {hosp}   Unit: {dept}\n",
        n=str(c.r.randint(1000, 9999)),
        hosp=c.hospital(),
        dept=c.decoy("department"),
    )
    b.add(
        "Date/time of event: {d} 03:40\nShift: {shift}\n", d=c.date("iso"), shift=c.decoy("shift")
    )
    b.add("Person affected: {name} ({ml} {mrn}), ", name=c.name(), ml=c.label("mrn"), mrn=c.mrn())
    c.add_age(b, c.r.random() < 0.5)
    b.add("\n")
    b.add(
        "Description: Patient found on floor beside bed; bed alarm was off. Insulin pump serial "
        "{dev} found disconnected. {lab} at 03:55. {p}\n",
        p=c.prose(2),
        dev=c.device(),
        lab=c.decoy("lab_value"),
    )
    b.add(
        "Reported by: {me}, RN (badge {badge}); notified Dr. {doc} and family ({rel}, {ph}).\n",
        me=c.person_name(c.staff),
        badge=c.other_id(),
        doc=c.doctor(),
        rel=c.person_name(c.relative),
        ph=c.phone(),
    )
    b.add("Harm level: temporary. Neuro checks q2h continued {dur}.\n", dur=c.decoy("duration"))
    if c.tempt:
        b.add(
            "Contributing factors: sedation after {x}; high-alert medication review.\n",
            x=c.namelike(),
        )


def research_screening_log(c: Case, b: Builder) -> None:
    r = c.r
    b.add(
        "Screening log -- protocol HX-{p} (pragmatic trial of {drug})\n",
        p=str(r.randint(100, 999)),
        drug=c.decoy("drug"),
    )
    b.add("Site: {hosp}\n\n", hosp=c.hospital())
    for i in range(r.randint(2, 4)):
        who = c.patient if i == 0 else v.person(r)
        b.add("{i}. ", i=str(i + 1)).put(c.person_name(who)).add(" | MRN ").put(c.mrn())
        b.add(" | screened {d} | ", d=c.other_date("iso"))
        if r.random() < 0.3:
            b.add("age {age} -> excluded (age cap 85)\n", age=c.old_age())
        else:
            b.add(
                "age {age}, {lab} -> {res}\n",
                age=c.decoy("age"),
                lab=c.decoy("lab_value"),
                res=r.choice(("eligible", "declined", "consented")),
            )
    b.add("\nCoordinator: {me} ({em})\n", me=c.person_name(c.staff), em=c.staff_email(c.staff))
