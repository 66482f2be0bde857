"""Contact-centre and revenue-cycle text: CRM notes, chats, voicemail, SMS, letters, statements."""

from __future__ import annotations

from phigate.masking.eval.frontdesk import _person as h
from phigate.masking.eval.frontdesk import _values as v
from phigate.masking.eval.frontdesk._builder import Builder, D, P


def crm_case_note(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    agent = v.given(r)
    b.line("Case ", P(f"CS-{v.digits(r, 7)}", "ID"), " | Queue: ", h.dept(r), " | Priority: P3")
    b.line("Contact: ", who.last_first, " (DOB ", h.born(r, who), ") cb# ", P(who.phone, "PHONE"))
    b.line("Owner: ", P(v.username(r, agent, v.family(r)), "USERNAME"), "  SLA: ", h.duration(r))
    b.line("---")
    b.add("Caller states the statement she got for the visit on ", h.date(r))
    b.add(" shows ", h.money(r), " patient responsibility but her plan (", h.plan(r))
    b.line(") should cover it. Verified member ID ", P(who.member, "HEALTH_PLAN"), ".")
    if r.random() < 0.4:
        b.add("She mentioned she was seen for ", h.eponym(r), " and takes ", h.drug(r))
        b.line("; told her billing cannot advise on meds.")
    b.add("Advised reprocess w/ payer. Callback promised ", h.weekday(r), " after ")
    b.line(
        h.time_of_day(r),
        ". Mailing addr confirmed: ",
        P(who.street, "ADDRESS"),
        ", ",
        P(who.town, "CITY"),
        ", ",
        h.state(r),
        " ",
        P(who.zip, "ZIP"),
        ".",
    )
    b.line("Acct ", P(who.account, "ACCOUNT"), " placed on 30-day billing hold.")


def chat_transcript(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    agent = v.given(r)
    b.line("[Chat transcript - Member Services web chat - session ", h.uuid(r), "]")
    b.line(
        agent, " (agent): Thanks for contacting us! May I have your full name and date of birth?"
    )
    b.line("Visitor: ", who.name, " ", h.born(r, who))
    b.line(agent, " (agent): Thank you. And the best number in case we get disconnected?")
    b.line("Visitor: ", P(who.phone, "PHONE"), " or email me at ", h.email(r, who))
    b.add("Visitor: my mom ", P(f"{v.given(r)} {who.last}", "NAME"), " is ")
    b.line(P(v.old_age(r), "AGE"), " and lives with me, can I add her as a dependent?")
    b.line(agent, " (agent): Dependents over 26 can't be added to a ", h.plan(r), " plan, sorry.")
    if r.random() < 0.4:
        b.line("Visitor: ok also is ", h.drug(r), " covered? the pharmacy said ", h.money(r))
        b.line(agent, " (agent): It is tier 2 with a ", h.quantity(r), " limit per fill.")
    b.line(
        agent, " (agent): I've opened ticket ", P(f"MS{v.digits(r, 8)}", "ID"), ". Anything else?"
    )
    b.line("Visitor: no thanks")
    b.line("[Visitor left the chat after ", h.duration(r), "]")


def voicemail_transcript(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line(
        "Voicemail to text | mailbox ",
        str(r.randint(4100, 4999)),
        " (",
        h.dept(r),
        ") | length 0:",
        str(r.randint(10, 59)),
    )
    b.add('"Hi, this is ', P(who.first, "NAME"), " uh ", P(who.last, "NAME"), " calling about ")
    b.add("my account ending, um, the whole number is ", P(who.account, "ACCOUNT"), ". I got a ")
    b.add("letter dated ", h.date(r), " saying I owe ", h.money(r), " but I paid on the phone. ")
    b.add("Please call me back at ", P(who.phone, "PHONE"), ", I'm home after five, not on ")
    b.line(h.weekday(r), "s. My birthday is ", h.born(r, who), ' if you need it. Thanks, bye."')
    b.line("Transcription confidence: 0.", v.digits(r, 2))


def sms_thread(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    clinic = v.hospital(r)
    b.line("SMS thread with ", P(who.phone, "PHONE"), " (opt-in: yes)")
    b.line(
        "> ",
        P(clinic, "HOSPITAL"),
        ": Reminder: appt ",
        h.date(r),
        " ",
        h.time_of_day(r),
        " with Dr. ",
        P(v.family(r), "NAME"),
        ". Reply C to confirm, R to reschedule.",
    )
    b.line("< R")
    b.line("> Sure. What day works? We have ", h.weekday(r), " or ", h.weekday(r), " mornings.")
    b.add("< ", h.weekday(r), " pls. also this is ", P(who.first.lower(), "NAME"))
    b.line(" not my husband, he changed numbers")
    if r.random() < 0.4:
        b.line("< do i need to stop my ", h.drug(r), " before the blood test?")
        b.line("> Fasting ", h.duration(r), " is enough. Keep taking your meds.")
    b.line("> Booked. Pay your copay ahead: ", P(v.url_for(r, who.first.lower()), "URL"))
    b.line("< thx")


def collection_letter(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    agency = r.choice(
        ("Tamber Recovery Services", "Calder Credit Partners", "Fenwick Accounts LLC")
    )
    b.line(P(agency, "ORGANIZATION"))
    b.line("PO Box ", str(r.randint(100, 9999)), ", ", P(v.town(r), "CITY"), ", ", h.state(r))
    b.line()
    b.line(h.date(r))
    b.line()
    b.line(P(f"{who.first.upper()} {who.last.upper()}", "NAME"))
    b.line(P(who.street.upper(), "ADDRESS"))
    b.line(P(who.town.upper(), "CITY"), " ", h.state(r), " ", P(who.zip, "ZIP"))
    b.line()
    b.line("Re: ", P(v.hospital(r), "HOSPITAL"), "   Our file no. ", P(v.account(r), "ACCOUNT"))
    b.line("Balance due: ", h.money(r))
    b.line()
    b.add("This communication is from a debt collector. Unless you dispute the validity of this ")
    b.add("debt within ", D("30 days", "duration"), ", we will assume it is valid. Payment plans ")
    b.line(
        "start at ",
        h.money(r),
        " per month. Call ",
        P(v.us_phone(r), "PHONE"),
        " ",
        h.weekday(r),
        " to ",
        h.weekday(r),
        ".",
    )
    b.line()
    b.line("Sincerely,")
    b.line("Account Representative")


def patient_statement(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line(P(v.hospital(r), "HOSPITAL"), " - PATIENT STATEMENT")
    b.line("Guarantor: ", who.last_first, "    Account #: ", P(who.account, "ACCOUNT"))
    b.line("Statement date: ", h.date(r), "    Due: ", h.date(r))
    b.line(
        "Service address: ",
        P(who.street, "ADDRESS"),
        ", ",
        P(who.town, "CITY"),
        " ",
        P(who.zip, "ZIP"),
    )
    b.line()
    b.line("DATE        CODE    DESCRIPTION                      CHARGES")
    for _ in range(r.randint(2, 5)):
        b.line(
            h.date(r),
            "  ",
            h.cpt(r),
            "  ",
            r.choice(("Office visit", "Venipuncture", "CBC w/ diff", "Metabolic panel", "EKG")),
            "   ",
            h.money(r),
        )
    b.line("Insurance paid (", h.payer(r), "): ", h.money(r))
    b.line("YOU OWE: ", h.money(r))
    b.line(
        "Pay online: ",
        P(v.url_for(r, who.first.lower()), "URL"),
        " or call ",
        P(v.us_phone(r), "PHONE"),
    )
    b.line(
        "Billing hours: ", h.weekday(r), "-", h.weekday(r), " 8-5. HTTP errors? Try again later."
    )


def remittance_advice(b: Builder) -> None:
    r = b.rng
    b.line(
        "ELECTRONIC REMITTANCE ADVICE  payer: ",
        h.payer(r),
        "  check/EFT ",
        D(f"EFT{v.digits(r, 10)}", "payer_code"),
        "  ",
        h.date(r),
    )
    b.line("PAYEE: ", P(v.hospital(r), "HOSPITAL"), "  NPI ", P(v.npi(r), "ID"))
    for _ in range(r.randint(2, 4)):
        b.line("-" * 60)
        b.line(
            "PATIENT: ",
            P(f"{v.family(r).upper()}, {v.given(r).upper()}", "NAME"),
            "   HIC/ID: ",
            P(v.member_id(r), "HEALTH_PLAN"),
            "   ICN: ",
            P(v.claim_id(r), "ID"),
        )
        b.line(
            "  PATIENT ACCT: ",
            P(v.account(r), "ACCOUNT"),
            "  FROM ",
            h.date(r),
            "  THRU ",
            h.date(r),
        )
        b.line(
            "  ",
            h.cpt(r),
            "  BILLED ",
            h.money(r),
            "  ALLOWED ",
            h.money(r),
            "  PAID ",
            h.money(r),
            "  CARC ",
            D(r.choice(("CO-45", "PR-1", "PR-2", "CO-97")), "payer_code"),
        )
    b.line("TOTAL PAID ", h.money(r))


def payer_portal_scrape(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line("Eligibility & Benefits        [Print] [Export]        ", h.payer(r))
    b.line(
        "Member Name:        ",
        P(f"{who.first.upper()} {who.last.upper()}", "NAME"),
        "        Plan:          ",
        h.plan(r),
    )
    b.line(
        "Member ID:          ",
        P(who.member, "HEALTH_PLAN"),
        "        Group #:       ",
        D(f"{v.digits(r, 6)}", "payer_code"),
    )
    b.line("Date of Birth:      ", h.born(r, who), "        Coverage Start:  ", h.date(r))
    b.line("Subscriber:         ", h.name(r), "        Relationship:  ", "Spouse")
    b.line(
        "Address:            ",
        P(who.street, "ADDRESS"),
        ", ",
        P(who.town, "CITY"),
        " ",
        h.state(r),
        " ",
        P(who.zip, "ZIP"),
    )
    b.line("PCP:                Dr. ", h.name(r), "        PCP Phone: ", P(v.us_phone(r), "PHONE"))
    b.line("Deductible:         ", h.money(r), " / met ", h.money(r))
    b.line("Office Visit Copay: ", h.money(r), "        Specialist: ", h.money(r))
    b.line("Session ", h.uuid(r), "  last refreshed ", h.stamp(r))
