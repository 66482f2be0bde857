"""Device streams, exports, chats, portal messages and tickets that carry PHI by accident."""

from __future__ import annotations

from phigate.masking.eval.atlas import _ids
from phigate.masking.eval.atlas._builder import D, Doc, P
from phigate.masking.eval.atlas._kit import Kit
from phigate.masking.eval.atlas._people import HOSPITALS, a_date
from phigate.masking.eval.corpus import Document


def rpm_stream(k: Kit) -> Document:
    r, doc = k.r, Doc("rpm_device_stream")
    serial, mac, pid = f"BPM-{_ids.alnum(r, 10)}", _ids.mac(r), k.p.mrn()
    for _ in range(r.randint(3, 6)):
        doc.line(
            '{"ts":"',
            k.d.timestamp(),
            '","device_sn":"',
            P(serial, "DEVICE"),
            '","mac":"',
            P(mac, "DEVICE"),
            '","patient_ref":"',
            P(pid, "MRN"),
            '","sys":',
            D(str(r.randint(100, 180)), "vital"),
            ',"dia":',
            D(str(r.randint(60, 110)), "vital"),
            ',"pulse":',
            D(str(r.randint(50, 120)), "vital"),
            ',"fw":"',
            k.d.version(),
            '"}',
        )
    doc.line(
        '{"event":"gateway_sync","gw_ip":"',
        P(_ids.ipv6(r), "IP"),
        '","status":',
        k.d.http(),
        ',"imei":"',
        P(_ids.imei(r), "DEVICE"),
        '"}',
    )
    return doc.build()


def wearable_csv(k: Kit) -> Document:
    r, doc = k.r, Doc("wearable_export_csv")
    pt = k.person()
    doc.line(
        "# export for ",
        P(k.p.email(pt.first, pt.last), "EMAIL"),
        " device UDI ",
        P(f"(01)00{r.randint(10**11, 10**12 - 1)}(21){_ids.alnum(r, 8)}", "DEVICE"),
    )
    doc.line("date,steps,resting_hr,sleep_min,spo2_avg,hrv_ms")
    for _ in range(r.randint(3, 7)):
        doc.line(
            P(a_date(r, 2025, 2026).isoformat(), "DATE"),
            ",",
            D(str(r.randint(800, 19000)), "quantity"),
            ",",
            D(str(r.randint(48, 90)), "vital"),
            ",",
            D(str(r.randint(200, 560)), "duration"),
            ",",
            D(f"{r.randint(90, 99)}", "vital"),
            ",",
            str(r.randint(15, 120)),
        )
    doc.line("# app ", k.d.version(), " build ", k.d.build())
    return doc.build()


def contact_chat(k: Kit) -> Document:
    if k.chance(0.5):
        return _pharmacy_chat(k)
    r, doc = k.r, Doc("contact_centre_chat")
    pt, agent = k.person(), k.person()
    doc.line("[chat ", k.d.request_id(), " queue=", k.d.pick("department"), "]")
    doc.line(
        "Agent ",
        P(agent.first, "NAME"),
        ": Hi! thanks for contacting us 😊 can I get ur name + DOB to verify?",
    )
    doc.line(
        "Guest: ",
        P(pt.full.lower(), "NAME"),
        " dob ",
        P(k.p.date(1940, 2005), "DATE"),
        " lol sorry typing on my phone",
    )
    doc.line(
        "Guest: my bill says ",
        k.d.money(),
        " but i already paid w/ card ending ",
        P(f"{r.randint(1000, 9999)}", "ACCOUNT"),
        " 🙄",
    )
    doc.line(
        "Agent ",
        P(agent.first, "NAME"),
        ": I see acct ",
        P(f"{r.randint(10000000, 99999999)}", "ACCOUNT"),
        ", one moment... ",
        k.d.pick("cpt"),
        " was billed ",
        k.d.pick("weekday"),
    )
    doc.line(
        "Guest: also can u send to my new email ",
        P(k.p.email(pt.first, pt.last), "EMAIL"),
        " and mail to ",
        P(k.p.street(), "ADDRESS"),
    )
    doc.line(
        "Agent ",
        P(agent.first, "NAME"),
        ": Done ✅ status ",
        k.d.http(),
        ". Anything else? Survey: ",
        k.d.pick("url"),
    )
    return doc.build()


def _pharmacy_chat(k: Kit) -> Document:
    r, doc = k.r, Doc("contact_centre_chat")
    kid, parent, agent = k.person(), k.person(), k.person()
    handle = k.p.username(agent.first, agent.last)
    doc.line(
        "[", k.d.timestamp(), "] bot: Hi 👋 I'm the pharmacy assistant. Type AGENT for a person."
    )
    doc.line("[", k.d.timestamp(), "] customer: AGENT")
    doc.line(
        "[",
        k.d.timestamp(),
        "] ",
        P(handle, "USERNAME"),
        ": hi im ",
        P(agent.first, "NAME"),
        ", how can i help",
    )
    doc.line(
        "[",
        k.d.timestamp(),
        "] customer: my sons refil for ",
        *k.d.dosed(),
        " isnt ready?? hes ",
        P(f"{kid.first} {parent.last}", "NAME"),
        " bday ",
        P(k.p.date(2008, 2020), "DATE"),
        " 😤😤",
    )
    doc.line(
        "[",
        k.d.timestamp(),
        "] ",
        P(handle, "USERNAME"),
        ": sorry!! insurance rejected w/ code 75 (prior auth). plan ",
        k.d.pick("plan"),
        ", member ",
        P(k.p.member_id(), "HEALTH_PLAN"),
        " right?",
    )
    doc.line(
        "[",
        k.d.timestamp(),
        "] customer: ya. can u txt me at ",
        P(k.p.phone(), "PHONE"),
        " when its done. im ",
        P(parent.full, "NAME"),
        " btw, pickup ",
        k.d.pick("weekday"),
    )
    doc.line(
        "[",
        k.d.timestamp(),
        "] bot: chat closed (",
        k.d.http(),
        "), ",
        D(f"{r.randint(2, 40)} min", "duration"),
    )
    return doc.build()


def portal_message(k: Kit) -> Document:
    r, doc = k.r, Doc("portal_message_relative")
    pt, me = k.person(), k.person()
    drug, dose = k.d.drug()
    doc.line("Subject: question about my dad's meds")
    doc.line("")
    doc.add(
        "Hello, this is ",
        P(me.first, "NAME"),
        ", ",
        P(pt.first, "NAME"),
        " ",
        P(pt.last, "NAME"),
        "'s son. ",
    )
    doc.add(
        "Dad is ",
        P(k.p.old_age()[1], "AGE"),
        " now and since his fall on ",
        P(k.p.date(2025, 2026), "DATE"),
        " at ",
    )
    doc.add(
        P(r.choice(HOSPITALS), "HOSPITAL"), " he gets confused about the ", drug, " ", dose, ". "
    )
    doc.line(
        "The pharmacy (", k.d.pick("org_type"), ") says the ", k.d.quantity(), " ran out early."
    )
    doc.line(
        "His portal login is ",
        P(k.p.username(pt.first, pt.last), "USERNAME"),
        " but I can't reset it. Please call ",
        P(k.p.phone(), "PHONE"),
        ".",
    )
    doc.line("Thanks, ", P(me.full, "NAME"))
    return doc.build()


def jira_ticket(k: Kit) -> Document:
    if k.chance(0.4):
        return _servicenow_incident(k)
    r, doc = k.r, Doc("ehr_jira_ticket")
    pt, eng = k.person(), k.person()
    doc.line(
        "EHRINT-",
        str(r.randint(1000, 9999)),
        ": HL7 ADT^A08 rejected for one patient after ",
        k.d.version(),
    )
    doc.line(
        "Reporter: ",
        P(k.p.username(eng.first, eng.last), "USERNAME"),
        "   Priority: P2   Sprint ",
        D(str(r.randint(40, 90)), "quantity"),
    )
    doc.line("")
    doc.line(
        "Interface engine returned ",
        k.d.http(),
        " on ",
        k.d.timestamp(),
        " (",
        k.d.request_id(),
        ", commit ",
        k.d.commit(),
        ").",
    )
    doc.line("Pasted segment (sorry, should have scrubbed):")
    doc.line(
        "PID|1||",
        P(k.p.mrn(), "MRN"),
        "^^^MRN||",
        P(pt.last.upper(), "NAME"),
        "^",
        P(pt.first.upper(), "NAME"),
        "||",
        P(_ids.a_date_compact(r), "DATE"),
        "|F|||",
        P(k.p.street(), "ADDRESS"),
        "^^",
        P(k.p.city()[0], "CITY"),
    )
    doc.line(
        "Portal link in the error: ",
        P(
            f"https://mychart.{k.pick('mercylakeshore', 'cascadiavalley')}.org"
            f"/patient/{r.randint(10**7, 10**8)}/visits",
            "URL",
        ),
    )
    doc.line(
        "Spec: ",
        D("https://www.hl7.org/fhir/R4/patient.html", "url"),
        " — also saw ",
        k.d.uuid(),
        " in logs.",
    )
    return doc.build()


def _servicenow_incident(k: Kit) -> Document:
    r, doc = k.r, Doc("ehr_jira_ticket")
    pt, tech = k.person(), k.person()
    token = _ids.alnum(r, 24, "abcdefghijkmnpqrstuvwxyz23456789")
    doc.line(
        "INC",
        f"{r.randint(10**6, 10**7 - 1):07d}",
        " | Patient portal password reset loop | ",
        k.d.pick("department"),
    )
    doc.line("Caller: ", P(pt.full, "NAME"), " (patient), callback ", P(k.p.phone(), "PHONE"))
    doc.line(
        "Assigned to: ",
        P(tech.full, "NAME"),
        " (",
        P(k.p.username(tech.first, tech.last), "USERNAME"),
        ")",
    )
    doc.line("Work notes: patient forwarded the reset mail; link was")
    host = f"portal.{k.pick('bluehills', 'pinecrest')}-health.org"
    user = k.p.username(pt.first, pt.last)
    doc.line("  ", P(f"https://{host}/reset?user={user}&t={token}", "URL"))
    doc.line(
        "IdP answered ",
        k.d.http(),
        " (",
        k.d.request_id(),
        "); Okta app ",
        k.d.version(),
        ", object ",
        k.d.uuid(),
        ".",
    )
    doc.line(
        "Workaround KB0010342 applied; resolved ", k.d.pick("weekday"), " ", k.d.pick("shift"), "."
    )
    return doc.build()


def k8s_log(k: Kit) -> Document:
    r, doc = k.r, Doc("k8s_terraform_log")
    pt = k.person()
    doc.line("module.ehr_api.aws_ecs_service.api: Modifying... [id=", k.d.uuid(), "]")
    doc.line(k.d.timestamp(), " INFO  pod ehr-api-", k.d.commit(), " listening on :", k.d.port())
    doc.line(
        k.d.timestamp(),
        " WARN  slow query ",
        D(f"{r.randint(900, 9000)} ms", "duration"),
        " ",
        k.d.request_id(),
    )
    doc.line(
        k.d.timestamp(),
        ' ERROR validation failed: {"name":"',
        P(pt.full, "NAME"),
        '","ssn":"',
        P(_ids.ssn(r), "SSN"),
        '","email":"',
        P(k.p.email(pt.first, pt.last), "EMAIL"),
        '"} client=',
        P(_ids.ipv4(r), "IP"),
    )
    doc.line(k.d.timestamp(), " INFO  GET /healthz ", k.d.http(), " ", k.d.build())
    doc.line("Apply complete! Resources: 0 added, ", str(r.randint(1, 9)), " changed, 0 destroyed.")
    return doc.build()


def markdown_sheet(k: Kit) -> Document:
    r, doc = k.r, Doc("markdown_sheet")
    doc.line("Outreach list for ", k.d.pick("department"), " (pasted from Excel):")
    doc.line("")
    doc.line("| Patient | DOB | Phone | Plan ID | Balance | Last visit |")
    doc.line("|---|---|---|---|---:|---|")
    for _ in range(r.randint(3, 6)):
        pt = k.person()
        doc.line(
            "| ",
            P(pt.full, "NAME"),
            " | ",
            P(k.p.date(1930, 2010), "DATE"),
            " | ",
            P(k.p.phone(), "PHONE"),
            " | ",
            P(k.p.member_id(), "HEALTH_PLAN"),
            " | ",
            k.d.money(),
            " | ",
            P(k.p.date(2025, 2026), "DATE"),
            " |",
        )
    doc.line("")
    doc.line(
        "Totals as of ",
        k.d.pick("weekday"),
        ": ",
        k.d.money(),
        " across ",
        D(f"{r.randint(10, 300)} accounts", "quantity"),
    )
    return doc.build()


def _spaced(text: str) -> str:
    return " ".join(text)


def _ocr(text: str) -> str:
    return text.replace("O", "0").replace("l", "1").replace("S", "5")


def ocr_fax(k: Kit) -> Document:
    r, doc = k.r, Doc("ocr_fax")
    pt = k.person()
    city, state, zip_ = k.p.city()
    doc.line("F R O M :  ", P(k.p.phone(), "FAX"), "   ", D("Pg 1/3", "quantity"))
    doc.line("REC0RDS REQUEST  ", k.d.pick("form"))
    shown = (
        _spaced(pt.first.upper()) + "   " + _spaced(pt.last.upper())
        if k.chance(0.5)
        else _ocr(f"{pt.last.upper()} , {pt.first}")
    )
    doc.line("Pat ient  Name:  ", P(shown, "NAME"))
    doc.line(
        "D0B :  ",
        P(k.p.date(1935, 2010), "DATE"),
        "    5SN :  ",
        P(_ocr(_ids.ssn(r)).replace("-", " - "), "SSN"),
    )
    doc.line(
        "Addr ess:  ",
        P(_ocr(k.p.street()), "ADDRESS"),
        " ,  ",
        P(_ocr(city), "CITY"),
        "  ",
        D(state, "state"),
        "  ",
        P(zip_, "ZIP"),
    )
    doc.line("Dx :  ", k.d.pick("icd10"), "   Med s:  ", _ocr(k.d.drug()[0].value))
    doc.line(
        "Please fax to  ",
        P(k.p.phone(), "FAX"),
        "  within  ",
        k.d.duration(),
        "  -  ",
        P(r.choice(HOSPITALS), "HOSPITAL"),
    )
    return doc.build()
