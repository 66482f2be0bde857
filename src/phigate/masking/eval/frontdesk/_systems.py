"""Text from software that holds patients: bot logs, tickets, configs, dumps, exports, calendars."""

from __future__ import annotations

from phigate.masking.eval.frontdesk import _person as h
from phigate.masking.eval.frontdesk import _values as v
from phigate.masking.eval.frontdesk._builder import Builder, D, P


def chatbot_tool_log(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line(
        h.stamp(r),
        " INFO bot=",
        D(f"scheduler-assistant {v.version(r)}", "version"),
        " conv=",
        h.uuid(r),
        " client_ip=",
        P(v.ip_address(r), "IP"),
    )
    b.line("user> hi its ", who.name, ", need to move my MRI, my dob is ", h.born(r, who))
    b.line("assistant> tool_call lookup_patient")
    b.add('{"name": "lookup_patient", "arguments": {"family": "', P(who.last, "NAME"), '"')
    b.add(', "birth_date": "', P(who.born.isoformat(), "DATE"), '", "phone": "')
    b.line(P(who.phone, "PHONE"), '"}}')
    b.add('tool> {"status": ', D("200", "http_status"), ', "patient": {"mrn": "')
    b.add(
        P(who.mrn, "MRN"), '", "portal_user": "', P(v.username(r, who.first, who.last), "USERNAME")
    )
    b.line('", "next_appt": "', P(v.a_date(r).isoformat(), "DATE"), "T", h.time_of_day(r), ':00"}}')
    b.line(
        "assistant> I found your appointment. Our ",
        h.dept(r),
        " has openings ",
        h.weekday(r),
        " and ",
        h.weekday(r),
        ".",
    )
    if r.random() < 0.4:
        b.line("user> also my ", h.drug(r), " refill? last ", h.lab(r))
        b.line(
            'tool> {"error": "upstream timeout", "status": ',
            D("504", "http_status"),
            ', "request_id": "',
            D(f"req_{v.letters(r, 20, '0123456789ABCDEFGHJKMNPQRSTVWXYZ')}", "request_id"),
            '"}',
        )
    b.line("assistant> Done, you're booked. Anything else?")


def helpdesk_ticket(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    reporter = (v.given(r), v.family(r))
    b.line(
        "[",
        D(f"PORTAL-{r.randint(100, 9999)}", "build_id"),
        "] Statement PDF shows wrong guarantor",
    )
    b.line(
        "Reporter: ",
        P(f"{reporter[0]} {reporter[1]}", "NAME"),
        " (",
        P(v.username(r, *reporter), "USERNAME"),
        ")   Component: billing-pdf ",
        D(v.version(r), "version"),
    )
    b.line(
        "Environment: prod, build ",
        D(f"2026.{r.randint(1, 12)}.{r.randint(0, 9)}-rc{r.randint(1, 4)}", "build_id"),
        ", commit ",
        D(v.commit_hash(r), "commit"),
        ", pod port ",
        D(str(r.choice((8443, 5432, 9090))), "port"),
    )
    b.line()
    b.add("Steps: open statement for acct ", P(who.account, "ACCOUNT"), " (patient ")
    b.line(who.last_first, ", MRN ", P(who.mrn, "MRN"), "). Renders guarantor as spouse.")
    b.line("Server returned ", D(str(r.choice((500, 502, 422))), "http_status"), " at ", h.stamp(r))
    b.line("Attachments:")
    b.line(
        "  - statement_",
        P(who.account, "ACCOUNT"),
        ".pdf (",
        D(f"{r.randint(40, 900)} KB", "quantity"),
        ")",
    )
    b.line("  - screenshot ", h.uuid(r), ".png")
    b.line(
        "Comment by ",
        P(v.username(r, v.given(r), v.family(r)), "USERNAME"),
        ": reproduced, object id ",
        h.uuid(r),
        ", see ",
        h.guideline(r),
    )


def infra_config_yaml(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line("# ansible/group_vars/staging.yml - test fixtures for the scheduling API")
    b.line("app_version: ", D(v.version(r), "version"))
    b.line("db_port: ", D("5432", "port"))
    b.line("listen_port: ", D(str(r.choice((8080, 8443, 3000))), "port"))
    b.line("build_sha: ", D(v.commit_hash(r), "commit"))
    b.line("smoke_test_patients:")
    for _ in range(r.randint(2, 3)):
        one = h.person(r)
        b.line('  - name: "', P(f"{one.first} {one.last}", "NAME"), '"')
        b.line("    dob: ", P(one.born.isoformat(), "DATE"))
        b.line('    mrn: "', P(one.mrn, "MRN"), '"')
        b.line('    phone: "', P(one.phone, "PHONE"), '"')
    b.line("notify_email: ", h.email(r, who))
    b.line('allowed_cidrs: ["', P(v.ip_address(r), "IP"), '/32"]')
    b.line("retry_on: [", D("502", "http_status"), ", ", D("503", "http_status"), "]")


def sql_dump(b: Builder) -> None:
    r = b.rng
    b.line("-- pg_dump ", D(v.version(r), "version"), " of billing.guarantor, taken ", h.stamp(r))
    b.line(
        "COPY billing.guarantor (id, account_no, full_name, birth_date, ssn, phone, zip)"
        " FROM stdin;"
    )
    for i in range(r.randint(3, 5)):
        who = h.person(r)
        b.line(
            str(1000 + i),
            "\t",
            P(who.account, "ACCOUNT"),
            "\t",
            P(f"{who.first} {who.last}", "NAME"),
            "\t",
            P(who.born.isoformat(), "DATE"),
            "\t",
            P(v.ssn(r), "SSN"),
            "\t",
            P(who.phone, "PHONE"),
            "\t",
            P(who.zip[:5], "ZIP"),
        )
    b.line("\\.")
    who = h.person(r)
    b.line(
        "INSERT INTO billing.payment (account_no, amount, method, note) VALUES ('",
        P(who.account, "ACCOUNT"),
        "', 125.00, 'card', 'paid by ",
        P(f"{who.first} {who.last}", "NAME"),
        " over phone');",
    )
    b.line(
        "SELECT pg_catalog.setval('billing.payment_id_seq', ",
        str(r.randint(5000, 90000)),
        ", true);",
    )


def spreadsheet_tsv(b: Builder) -> None:
    r = b.rng
    b.line("Worklist\tPatient\tDOB\tMRN\tPayer\tMember ID\tBalance\tDenial\tOwner")
    for _ in range(r.randint(3, 6)):
        who = h.person(r)
        b.line(
            D(f"WQ{r.randint(100, 999)}", "build_id"),
            "\t",
            who.last_first,
            "\t",
            P(f"{who.born.month}/{who.born.day}/{who.born.year}", "DATE"),
            "\t",
            P(who.mrn, "MRN"),
            "\t",
            h.payer(r),
            "\t",
            P(who.member, "HEALTH_PLAN"),
            "\t",
            h.money(r),
            "\t",
            D(r.choice(("CO-16", "CO-197", "PR-204", "N/A")), "payer_code"),
            "\t",
            P(v.username(r, v.given(r), v.family(r)), "USERNAME"),
        )
    b.line("\t\t\t\t\tTotal\t", h.money(r))


def schedule_ical(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    day = v.a_date(r)
    b.line("BEGIN:VCALENDAR")
    b.line("PRODID:-//Quillford Scheduling//", D(v.version(r), "version"), "//EN")
    b.line("BEGIN:VEVENT")
    b.line("UID:", h.uuid(r), "@sched.internal")
    b.line("DTSTAMP:", D(v.software_timestamp(r).replace("-", "").replace(":", ""), "timestamp"))
    b.line("DTSTART:", P(day.strftime("%Y%m%d"), "DATE"), f"T{r.randint(7, 17):02d}3000")
    b.line("SUMMARY:Infusion - ", who.last_first, " - ", h.drug(r))
    b.line("LOCATION:", P(v.hospital(r), "HOSPITAL"), " ", D("infusion chair", "room_type"), " 4")
    b.line(
        "DESCRIPTION:MRN ",
        P(who.mrn, "MRN"),
        " / cell ",
        P(who.phone, "PHONE"),
        " / ",
        h.duration(r),
    )
    b.line("ATTENDEE;CN=", h.name(r), ":mailto:", P(v.email(r, v.given(r), v.family(r)), "EMAIL"))
    b.line("END:VEVENT")
    b.line("END:VCALENDAR")


def schedule_csv(b: Builder) -> None:
    r = b.rng
    b.line("appt_date,start,duration_min,provider,patient,dob,phone,visit_type,room")
    for _ in range(r.randint(3, 6)):
        who = h.person(r)
        b.line(
            P(v.a_date(r).strftime("%m/%d/%Y"), "DATE"),
            ",",
            h.time_of_day(r),
            ",",
            str(r.choice((15, 20, 30, 40))),
            ',"Dr. ',
            P(v.family(r), "NAME"),
            '","',
            who.last_first,
            '",',
            P(who.born.strftime("%m/%d/%Y"), "DATE"),
            ",",
            P(who.phone, "PHONE"),
            ",",
            r.choice(("NEW", "F/U", "TELE", "PROC")),
            ",",
            D(r.choice(("semi-private room", "step-down bed", "Exam 3")), "room_type"),
        )


def forwarded_email_chain(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    staff = [(v.given(r), v.family(r)) for _ in range(2)]
    b.line(
        "From: ",
        P(f"{staff[0][0]} {staff[0][1]}", "NAME"),
        " <",
        P(v.email(r, *staff[0]).split("@")[0] + "@kestrelvalleyhealth.org", "EMAIL"),
        ">",
    )
    b.line("Sent: ", h.weekday(r), ", ", h.date(r), " ", h.time_of_day(r))
    b.line("Subject: FW: refund for ", P(who.last, "NAME"))
    b.line()
    b.line("Can you look at this one? Overpayment of ", h.money(r), ".")
    b.line()
    b.line("-----Original Message-----")
    b.line("> From: ", P(f"{staff[1][0]} {staff[1][1]}", "NAME"))
    b.line("> Patient ", who.name, ", acct ", P(who.account, "ACCOUNT"), ", DOS ", h.date(r))
    b.line("> Refund check should go to ", P(who.street, "ADDRESS"), ", ", P(who.town, "CITY"))
    b.line("> ")
    b.line(">> From: ", who.name, " <", h.email(r, who), ">")
    b.line(
        ">> I was charged twice for my ",
        h.cpt(r),
        " visit. My daughter ",
        P(v.given(r), "NAME"),
        " paid one. Call ",
        P(who.phone, "PHONE"),
        ".",
    )
    b.line(">> Sent from my iPhone")


def paged_letter(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    clinic = v.hospital(r)
    sent = v.us_date(r, v.a_date(r))
    pages = r.randint(2, 3)
    for page in range(1, pages + 1):
        b.line(
            P(clinic, "HOSPITAL"),
            " | ",
            P(v.street(r), "ADDRESS"),
            " | Fax ",
            P(v.us_phone(r), "FAX"),
        )
        b.line("Re: ", who.name, "   DOB ", h.born(r, who), "   ", P(sent, "DATE"))
        b.line()
        if page == 1:
            b.line("To whom it may concern,")
            b.add("I am writing on behalf of my patient regarding the denial of ")
            b.line(h.drug(r), ". The patient has ", h.eponym(r), " (", h.icd(r), ").")
        else:
            b.add("Previous therapy included ", h.drug(r), " for ", h.duration(r), " with ")
            b.line("inadequate response; most recent ", h.lab(r), ".")
        b.line()
        b.line("Page ", str(page), " of ", str(pages), "   CONFIDENTIAL")
        b.line("\f")
    b.line("Sincerely, ", h.name(r), ", MD")
