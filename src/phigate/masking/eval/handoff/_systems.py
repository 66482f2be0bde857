"""What engineers' systems hold: tickets, commits, configs, tables, CSV, SQL, psql, logs."""

from __future__ import annotations

from phigate.masking.eval.handoff import _clinical
from phigate.masking.eval.handoff import _values as v
from phigate.masking.eval.handoff._builder import Builder, D, P
from phigate.masking.eval.handoff._case import Case


def ticket(c: Case, b: Builder) -> None:
    r = c.r
    if r.random() < 0.5:
        b.add("[{key}] Portal login loop for patient account\n", key=f"EHR-{r.randint(1000, 9999)}")
        b.add(
            "Reporter: {me}   Assignee: {you}   Priority: P2\n",
            me=c.username(c.staff),
            you=c.username(c.clinician),
        )
    else:
        b.add(
            "INC{n} | Category: Access | State: In Progress\n",
            n=f"{r.randint(10**6, 10**7 - 1):07d}",
        )
        b.add("Caller: {me} ({dept})\n", me=c.person_name(c.staff), dept=c.decoy("department"))
    b.add(
        "Environment: prod, app {ver}, {build}\n\n", ver=c.decoy("version"), build=c.decoy("build")
    )
    b.add("Pt {name} (MRN {mrn}) can't get past MFA. ", name=c.name(), mrn=c.mrn())
    b.add("Her portal user is {u}, last login from {ip}. ", u=c.username(), ip=c.ip())
    b.add("She called from {ph} and verified DOB {dob}.\n", ph=c.phone(), dob=c.dob())
    b.add("Steps: reset factor, resend enrolment link to {em}.\n", em=c.email())
    if c.tempt:
        b.add(
            "Side note: formulary entry for {x} shows the wrong NDC ({ndc}).\n",
            x=D(c.r.choice(_clinical.DRUGS_NAMELIKE), "drug"),
            ndc=c.decoy("ndc"),
        )
    if r.random() < 0.3:
        b.add(
            "Also: face-ID enrolment failed, template hash {bio} needs purge.\n", bio=c.biometric()
        )
    b.add("Deployed hotfix at {ts}.\n", ts=c.decoy("timestamp"))


def git_commit(c: Case, b: Builder) -> None:
    r = c.r
    p, h = c.patient, c.home
    b.add("commit {sha}\n", sha=D(f"{r.getrandbits(160):040x}", "build"))
    b.add("Author: {a} <{ea}>\n", a=c.person_name(c.staff), ea=c.staff_email(c.staff))
    b.add("Date:   {ts}\n\n", ts=c.decoy("timestamp"))
    b.add("    fixtures: add readmission case for HL7 ADT parser ({ver})\n", ver=c.decoy("version"))
    if c.tempt:
        b.add(
            "    also map brand {x} to RxNorm {rx}\n",
            x=D(r.choice(_clinical.DRUGS_NAMELIKE), "drug"),
            rx=c.decoy("rxnorm"),
        )
    b.add("\n")
    b.add("diff --git a/tests/fixtures/adt_a08.hl7 b/tests/fixtures/adt_a08.hl7\n")
    b.add("--- a/tests/fixtures/adt_a08.hl7\n+++ b/tests/fixtures/adt_a08.hl7\n@@ -1,3 +1,4 @@\n")
    b.add(
        " MSH|^~\\&|ADT|{fac}|||{ts}||ADT^A08|{ctl}|P|2.5.1\n",
        fac=D("MAIN", "department"),
        ts=D(f"{r.randint(2021, 2025)}0101120000", "timestamp"),
        ctl=str(r.randint(10**5, 10**6)),
    )
    b.add("-PID|1||000000^^^MRN||TEST^PATIENT\n")
    b.add(
        "+PID|1||{mrn}^^^MRN||{fam}^{giv}||{dob}|{sex}|||",
        mrn=c.mrn(),
        fam=P(p.family.upper(), "NAME"),
        giv=P(p.given.upper(), "NAME"),
        dob=c.dob("compact"),
        sex=p.sex,
    )
    b.add(
        "{street}^^{city}^{st}^{zip}||{ph}|||||{acct}|{ssn}\n",
        street=P(h.street, "ADDRESS"),
        city=P(h.city, "CITY"),
        st=D(h.state_abbr, h.region_kind),
        zip=P(h.zip, "ZIP"),
        ph=c.phone("paren"),
        acct=c.account(),
        ssn=c.ssn(""),
    )
    b.add("+PV1|1|I|{dept}^{bed}\n", dept=D("4W", "department"), bed=c.bed("hl7"))


def yaml_config(c: Case, b: Builder) -> None:
    r = c.r
    b.add("# seed data for the staging environment -- DO NOT use real patients\n")
    b.add(
        "service:\n  name: intake-api\n  version: {ver}\n  listen: 0.0.0.0:8443\n",
        ver=c.decoy("version"),
    )
    b.add("test_patients:\n")
    for i in range(r.randint(1, 3)):
        who = c.patient if i == 0 else v.person(r)
        quote = "'" if r.random() < 0.3 else ""
        b.add("  - name: {q}{n}{q}\n", q=quote, n=P(who.name, "NAME"))
        b.add("    dob: {dob}\n", dob=P(who.dob.isoformat(), "DATE"))
        b.add('    mrn: "{mrn}"\n', mrn=c.mrn())
        b.add('    phone: "{ph}"\n', ph=c.phone())
    b.add(
        "plan_default: {plan}\nretry_after: {dur}\n",
        plan=c.decoy("plan_name"),
        dur=D(f"{r.randint(5, 90)}s", "duration"),
    )
    if c.tempt:
        _watchlist(c, b)


def _watchlist(c: Case, b: Builder) -> None:
    b.add("formulary_watch: [")
    for i, drug in enumerate(c.r.sample(_clinical.DRUGS_NAMELIKE, 3)):
        b.add("{sep}{d}", sep=", " if i else "", d=D(drug, "drug"))
    b.add("]\n")


def toml_config(c: Case, b: Builder) -> None:
    b.add(
        '[fax_gateway]\nendpoint = "https://fax.internal/api"\nretries = 3\nbuild = "{build}"\n\n',
        build=c.decoy("build"),
    )
    b.add(
        '[fax_gateway.test_recipient]\nname = "{name}"\nfax = "{fx}"\n',
        name=c.name("plain"),
        fx=c.fax(),
    )
    b.add('clinic = "{hosp}"\n\n', hosp=c.hospital())
    b.add(
        '[kiosk]\nallowed_ip = "{ip}"\nbadge_reader_owner = "{u}"\n',
        ip=c.ip(),
        u=c.username(c.staff),
    )
    b.add('fleet_vehicle_vin = "{vin}"  # mobile clinic van\n', vin=c.vin())


def markdown_table(c: Case, b: Builder) -> None:
    r = c.r
    b.add("## Discharges needing follow-up calls ({wd})\n\n", wd=c.decoy("weekday"))
    b.add("| Patient | DOB | Phone | Dx | Notes |\n|---|---|---|---|---|\n")
    for i in range(r.randint(2, 4)):
        who = c.patient if i == 0 else v.person(r)
        b.add(
            "| {n} | {dob} | {ph} | {icd} | ",
            n=P(who.name, "NAME"),
            dob=P(v.date_text(r, who.dob, "us"), "DATE"),
            ph=c.phone(),
            icd=c.decoy("icd10"),
        )
        if r.random() < 0.3:
            b.add("age {age}; lives alone |\n", age=c.old_age())
        else:
            b.add("{drug} teaching |\n", drug=c.decoy("drug"))
    b.add("\n_Owner: {me}_\n", me=c.person_name(c.staff))


def csv_export(c: Case, b: Builder) -> None:
    r = c.r
    b.add("patient_id,last_name,first_name,dob,sex,street,city,state,zip,member_id,pcp\n")
    for i in range(r.randint(2, 5)):
        who = c.patient if i == 0 else v.person(r)
        home = c.home if i == 0 else v.address(r)
        b.add("{mrn},", mrn=c.mrn())
        fam = P(who.family, "NAME")
        b.add('"{f}",' if " " in who.family or r.random() < 0.3 else "{f},", f=fam)
        b.add(
            "{g},{dob},{sex},",
            g=P(who.given, "NAME"),
            dob=P(v.date_text(r, who.dob, r.choice(("iso", "us"))), "DATE"),
            sex=who.sex,
        )
        b.add(
            '"{s}",{city},{st},{zip},',
            s=P(home.street, "ADDRESS"),
            city=P(home.city, "CITY"),
            st=D(home.state_abbr, home.region_kind),
            zip=P(home.zip, "ZIP"),
        )
        b.add('{pid},"Dr. {doc}"\n', pid=c.plan_id(), doc=c.doctor())


def sql_insert(c: Case, b: Builder) -> None:
    p = c.patient
    fam = p.family.replace("'", "''")
    b.add("-- migration 0042: backfill test patient for billing QA\n")
    b.add(
        "INSERT INTO patients (mrn, family_name, given_name, birth_date, ssn, phone, email,"
        " employer)\n"
    )
    b.add(
        "VALUES ('{mrn}', '{f}', '{g}', '{dob}', '{ssn}', '{ph}', '{em}', '{emp}');\n",
        mrn=c.mrn(),
        f=P(fam, "NAME"),
        g=P(p.given, "NAME"),
        dob=c.dob("iso"),
        ssn=c.ssn(),
        ph=c.phone(),
        em=c.email(),
        emp=P(c.employer().value.replace("'", "''"), "ORGANIZATION"),
    )
    b.add(
        "INSERT INTO vehicles (patient_mrn, plate, vin) VALUES ('{mrn}', '{pl}', '{vin}');\n",
        mrn=c.mrn(),
        pl=c.plate(),
        vin=c.vin(),
    )
    b.add(
        "UPDATE claims SET status = 'paid', amount = {amt} WHERE account_no = '{acct}';\n",
        amt=D(f"{c.r.randint(20, 9000)}.00", "money"),
        acct=c.account(),
    )


def psql_expanded(c: Case, b: Builder) -> None:
    p = c.patient
    b.add(
        "ehr=> \\x\nExpanded display is on.\n"
        "ehr=> SELECT * FROM encounter_v WHERE mrn = '{mrn}';\n",
        mrn=c.mrn(),
    )
    b.add("-[ RECORD 1 ]----+------------------------------\n")
    b.add("encounter_id     | {eid}\n", eid=c.other_id())
    b.add("patient_name     | {n}\n", n=P(p.last_first, "NAME"))
    b.add("birth_date       | {dob}\n", dob=c.dob("iso"))
    b.add("admit_ts         | {d} 22:14:00+00\n", d=c.date("iso"))
    b.add("facility         | {hosp}\n", hosp=c.hospital())
    b.add("department       | {dept}\n", dept=c.decoy("department"))
    b.add("primary_dx       | {icd}\n", icd=c.decoy("icd10"))
    b.add("implant_serial   | {dev}\n", dev=c.device())
    b.add("guarantor_acct   | {acct}\n", acct=c.account())
    b.add("occupation       | {job}\n", job=c.profession())
    if c.r.random() < 0.5:
        b.add("palm_vein_tmpl   | {bio}\n", bio=c.biometric())
    if c.tempt:
        b.add(
            "home_meds        | {x} {dose}\n",
            x=D(c.r.choice(_clinical.DRUGS_NAMELIKE), "drug"),
            dose=c.decoy("dose"),
        )
    b.add("los_days         | 4\n\n")


def app_log(c: Case, b: Builder) -> None:
    r = c.r
    b.add(
        "{ts} INFO  uvicorn: Application startup complete ({ver})\n",
        ts=c.decoy("timestamp"),
        ver=c.decoy("version"),
    )
    b.add("{ts} INFO  intake.checkin: ", ts=c.timestamp())
    b.add(
        "{{'event': 'checkin', 'patient': {{'name': '{n}', 'dob': '{dob}', 'mrn': '{mrn}'}}, ",
        n=c.name("plain"),
        dob=c.dob("iso"),
        mrn=c.mrn(),
    )
    b.add("'client_ip': '{ip}', 'user': '{u}'}}\n", ip=c.ip(), u=c.username(c.staff))
    b.add(
        '{ts} WARN  eligibility: payer timeout after {dur}; member_id={pid} plan="{plan}"\n',
        ts=c.timestamp(),
        dur=D(f"{r.randint(5, 30)}s", "duration"),
        pid=c.plan_id(),
        plan=c.decoy("plan_name"),
    )
    b.add(
        '[{ts}] {{"level":"error","msg":"sms send failed","to":"{ph}","retry":2}}\n',
        ts=c.timestamp(),
        ph=c.phone("plus1"),
    )
    if c.tempt:
        b.add(
            "{ts} DEBUG formulary: lookup rxcui={rx} name={drug} ndc={ndc}\n",
            ts=c.decoy("timestamp"),
            rx=c.decoy("rxnorm"),
            drug=c.decoy("drug"),
            ndc=c.decoy("ndc"),
        )
    b.add(
        "{ts} INFO  healthcheck ok build={build}\n", ts=c.decoy("timestamp"), build=c.decoy("build")
    )
    if r.random() < 0.5:
        _node_log(c, b)


def _node_log(c: Case, b: Builder) -> None:
    """A Node service's structured line: camelCase keys, epoch-free ISO time, nested patient."""
    p = c.patient
    b.add(
        '{{"level":30,"time":"{ts}","pid":{pid},"hostname":"sched-7f9c",',
        ts=c.timestamp(),
        pid=str(c.r.randint(100, 9999)),
    )
    b.add(
        '"msg":"appointment booked","patient":{{"firstName":"{g}","lastName":"{f}",',
        g=P(p.given, "NAME"),
        f=P(p.family, "NAME"),
    )
    b.add(
        '"birthDate":"{dob}","zip":"{zip}"}},"slot":"{wd} 10:40"}}\n',
        dob=c.dob("iso"),
        zip=c.zip(),
        wd=c.decoy("weekday"),
    )
