"""Messages and interchange formats: vCard, iCalendar, chat, SMS, voicemail, e-mail,
DICOM headers and C-CDA fragments."""

from __future__ import annotations

from phigate.masking.eval.handoff import _clinical, _prose
from phigate.masking.eval.handoff import _values as v
from phigate.masking.eval.handoff._builder import Builder, D, P
from phigate.masking.eval.handoff._case import Case


def vcard(c: Case, b: Builder) -> None:
    p, h = c.patient, c.home
    b.add("BEGIN:VCARD\nVERSION:3.0\n")
    b.add("N:{fam};{giv};;;\n", fam=P(p.family, "NAME"), giv=P(p.given, "NAME"))
    b.add("FN:{name}\n", name=c.name("plain"))
    b.add("ORG:{emp}\nTITLE:{job}\n", emp=c.employer(), job=c.profession())
    b.add("TEL;TYPE=CELL:{ph}\nTEL;TYPE=WORK,FAX:{fx}\n", ph=c.phone(), fx=c.fax())
    b.add("EMAIL;TYPE=INTERNET:{em}\n", em=c.email())
    b.add(
        "ADR;TYPE=HOME:;;{street};{city};{st};{zip};USA\n",
        street=P(h.street, "ADDRESS"),
        city=P(h.city, "CITY"),
        st=D(h.state_abbr, h.region_kind),
        zip=P(h.zip, "ZIP"),
    )
    b.add("BDAY:{dob}\n", dob=c.dob("iso"))
    b.add("URL:{url}\n", url=c.url())
    b.add("NOTE:caregiver contact; prefers {wd} calls", wd=c.decoy("weekday"))
    if c.tempt:
        b.add("; manages her mother's {x}", x=c.namelike())
    b.add("\nEND:VCARD\n")


def ical_invite(c: Case, b: Builder) -> None:
    r = c.r
    b.add(
        "BEGIN:VCALENDAR\nPRODID:-//Scheduling//{ver}//EN\nBEGIN:VEVENT\n", ver=c.decoy("version")
    )
    b.add("UID:{uid}@sched\n", uid=D(f"{r.getrandbits(40):010x}", "build"))
    b.add("DTSTAMP:{ts}\n", ts=c.decoy("timestamp"))
    b.add("DTSTART;TZID=America/Chicago:{d}T093000\n", d=c.date("compact"))
    b.add(
        "SUMMARY:Follow-up {name} -- {dept}\n",
        name=c.name(r.choice(("plain", "initial"))),
        dept=c.decoy("department"),
    )
    b.add("LOCATION:{hosp}\\, {room}\n", hosp=c.hospital(), room=c.decoy("room_type"))
    b.add(
        "ORGANIZER;CN={doc}:mailto:{em}\n",
        doc=c.person_name(c.clinician),
        em=c.staff_email(c.clinician),
    )
    b.add("ATTENDEE;CN={name}:mailto:{em}\n", name=c.name("plain"), em=c.email())
    b.add(
        "DESCRIPTION:MRN {mrn}. Bring {drug} bottles. Interpreter (Tagalog) booked.\n",
        mrn=c.mrn(),
        drug=c.decoy("drug"),
    )
    b.add("END:VEVENT\nEND:VCALENDAR\n")


def chat_thread(c: Case, b: Builder) -> None:
    r = c.r
    a, z = c.staff, c.clinician
    teams = r.random() < 0.4
    c.last_first_display = r.random() < 0.5
    if teams:
        b.add("Teams > {dept} > General\n", dept=c.decoy("department"))
    else:
        b.add(
            "#{chan}\n", chan=r.choice(("4west-charge", "ed-flow", "pharmacy-help", "care-coord"))
        )
    _speaker(c, b, a, teams, "9:14 AM")
    b.add(
        "hey is {name} still in {room}? fam ({rel}) keeps calling the desk {ph}\n",
        name=c.name(r.choice(("family", "plain", "given", "lower"))),
        room=c.decoy("room_type"),
        rel=c.person_name(c.relative, "given"),
        ph=c.phone(),
    )
    _speaker(c, b, z, teams, "9:16 AM")
    b.add(
        "yes. mrn {mrn}. dc planned {wd} if {lab} improves\n",
        mrn=c.mrn(),
        wd=c.decoy("weekday"),
        lab=c.decoy("lab_value"),
    )
    if c.tempt:
        b.add(
            "also pls hold the {drug} tonight, pt got {drug2} in ED\n",
            drug=c.decoy("drug"),
            drug2=c.decoy("drug"),
        )
    _speaker(c, b, a, teams, "9:17 AM")
    b.add(
        "ok thx. fyi {pron}'s {age}, hx {cond}, PT wants a fall-risk screen\n",
        pron="she" if c.patient.sex == "F" else "he",
        age=c.old_age() if r.random() < 0.5 else c.decoy("age"),
        cond=c.condition(),
    )
    if r.random() < 0.3:
        b.add("son posted on {url} asking for updates, pls don't reply there\n", url=c.url())
    _speaker(c, b, z, teams, "9:21 AM")
    b.add("{chat}\n", chat=c.chatter())
    if not teams:
        b.add(":thumbsup: 1\n")


def _speaker(c: Case, b: Builder, who: v.Person, teams: bool, time: str) -> None:
    """Slack shows a handle; Teams shows the display name, surname first in many orgs."""
    if teams:
        name = P(who.last_first if c.last_first_display else who.name, "NAME")
        b.add("{n}  {t}\n", n=name, t=time)
    else:
        b.add("{u}  {t}\n", u=c.username(who), t=time)


def sms_reminder(c: Case, b: Builder) -> None:
    r = c.r
    b.add("To: {ph}\n", ph=c.phone(r.choice(("plus1", "bare", "dash"))))
    b.add(
        "Hi {given}, this is {hosp}. Reminder: appt w/ Dr. {doc} on {d} at 10:40am. ",
        given=c.name("given"),
        hosp=c.hospital(),
        doc=c.doctor(),
        d=c.date(r.choice(("month_day", "slash_md", "us_short"))),
    )
    b.add("Reply C to confirm, R to reschedule. Msg&data rates may apply.\n")
    if c.tempt:
        b.add(
            "Your {x} refill is ready for pickup.\n",
            x=D(r.choice(_clinical.DRUGS_NAMELIKE), "drug"),
        )
    if r.random() < 0.5:
        b.add(
            "From {ph}: C. also can my daughter {rel} come w me\n",
            ph=c.phone("plus1"),
            rel=c.person_name(c.relative, "given"),
        )
    elif r.random() < 0.4:
        b.add("Pre-visit forms: {url}\n", url=c.url())


def voicemail_transcript(c: Case, b: Builder) -> None:
    r = c.r
    digits = f"{r.randint(200, 989)}{r.randint(200, 999)}{r.randint(0, 9999):04d}"
    b.add(
        "Voicemail (transcribed, confidence 0.82) -- {dept} line, {wd} {t}\n\n",
        dept=c.decoy("department"),
        wd=c.decoy("weekday"),
        t=r.choice(("8:02 AM", "4:51 PM", "11:30 AM")),
    )
    b.add('"Hi, um, this is {name}, ', name=c.name(r.choice(("plain", "given"))))
    b.add(
        "date of birth {dob}, ",
        dob=P(
            v.date_text(r, c.patient.dob, "spoken") + ", " + words_year(c.patient.dob.year), "DATE"
        ),
    )
    b.add("calling about my refill of the {drug}. ", drug=c.decoy("drug"))
    b.add("You can reach me at {ph}. ", ph=P(v.spoken_digits(r, digits), "PHONE"))
    if r.random() < 0.4:
        b.add(
            "My husband turns {age} next month so we need the morning slot. ",
            age=P(v.words(r.randint(90, 101)), "AGE"),
        )
    b.add('The appointment was, uh, {d}. Okay, thanks, bye."\n', d=c.date("spoken"))


def words_year(year: int) -> str:
    """A year as people say it: 'nineteen forty-two', 'two thousand five'."""
    century, rest = divmod(year, 100)
    if century == 20 and rest < 10:
        return "two thousand" + (f" {v.words(rest)}" if rest else "")
    tail = v.words(rest) if rest >= 10 else ("hundred" if rest == 0 else f"oh {v.words(rest)}")
    return f"{v.words(century)} {tail}"


def email_message(c: Case, b: Builder) -> None:
    r = c.r
    b.add("From: {a} <{ea}>\n", a=c.person_name(c.staff), ea=c.staff_email(c.staff))
    b.add("To: {z} <{ez}>\n", z=c.person_name(c.clinician), ez=c.staff_email(c.clinician))
    b.add("Subject: RE: {name} - records request\n", name=c.name(r.choice(("plain", "last_first"))))
    b.add("Date: {wd}, ", wd=D(c.decoy("weekday").value[:3], "weekday"))
    b.add("{d} 14:03:11 -0500\n", d=c.date("dmy_abbr"))
    b.add("X-Originating-IP: [{ip}]\n\n", ip=c.ip())
    b.add(
        "Patient's attorney asked for the full chart. Her SSN on the release is {ssn} and "
        "the driver's license copy shows {dl}. Can you confirm the address ({street}, {city}) "
        "before we mail it? {p}\n",
        p=_prose.sentences(r, _prose.EMAIL, 1),
        ssn=c.ssn(),
        dl=c.license(),
        street=c.street(),
        city=c.city(),
    )
    if c.tempt:
        b.add("PS her {x} prior auth is still pending.\n", x=c.namelike())
    b.add(
        "Thanks,\n{me}\n{dept} | {hosp}\n",
        me=c.person_name(c.staff, "given"),
        dept=c.decoy("department"),
        hosp=c.hospital(),
    )


def dicom_dump(c: Case, b: Builder) -> None:
    r = c.r
    p = c.patient
    b.add("# Dicom-File-Format\n# Used TransferSyntax: Little Endian Explicit\n")
    b.add(
        "(0008,0020) DA [{d}]                                 #   8, 1 StudyDate\n",
        d=c.date("compact"),
    )
    b.add(
        "(0008,0060) CS [{mod}]                                   #   2, 1 Modality\n",
        mod=r.choice(("CT", "MR", "CR", "US")),
    )
    b.add(
        "(0008,0080) LO [{hosp}]  # InstitutionName\n", hosp=P(c.hospital_name.upper(), "HOSPITAL")
    )
    b.add("(0008,0090) PN [{ref}]  # ReferringPhysicianName\n", ref=P(c.clinician.dicom, "NAME"))
    b.add("(0008,1030) LO [CHEST PA AND LATERAL]  # StudyDescription\n")
    b.add("(0010,0010) PN [{name}]  # PatientName\n", name=P(p.dicom, "NAME"))
    b.add("(0010,0020) LO [{mrn}]  # PatientID\n", mrn=c.mrn())
    b.add("(0010,0030) DA [{dob}]  # PatientBirthDate\n", dob=c.dob("compact"))
    b.add("(0010,0040) CS [{sex}]  # PatientSex\n", sex=p.sex)
    if r.random() < 0.4:
        b.add("(0010,1010) AS [{age}Y]  # PatientAge\n", age=P(f"{r.randint(90, 104):03d}", "AGE"))
    else:
        b.add("(0010,1010) AS [{age}Y]  # PatientAge\n", age=D(f"{r.randint(18, 89):03d}", "age"))
    b.add("(0018,1000) LO [{dev}]  # DeviceSerialNumber\n", dev=c.device())
    b.add("(0018,1020) LO [{ver}]  # SoftwareVersions\n", ver=c.decoy("version"))
    b.add(
        "(0020,000d) UI [1.2.840.{uid}]  # StudyInstanceUID\n",
        uid=P(f"{r.randint(10**6, 10**7)}.{r.randint(1, 9)}.{r.randint(10**9, 10**10)}", "ID"),
    )


def ccda_xml(c: Case, b: Builder) -> None:
    p, h = c.patient, c.home
    b.add(
        "<recordTarget>\n  <patientRole>\n"
        '    <id root="2.16.840.1.113883.4.1" extension="{ssn}"/>\n',
        ssn=c.ssn("-"),
    )
    b.add('    <id root="2.16.840.1.113883.19.5" extension="{mrn}"/>\n', mrn=c.mrn())
    b.add(
        '    <addr use="HP"><streetAddressLine>{street}</streetAddressLine>',
        street=P(h.street, "ADDRESS"),
    )
    b.add(
        "<city>{city}</city><state>{st}</state><postalCode>{zip}</postalCode></addr>\n",
        city=P(h.city, "CITY"),
        st=D(h.state_abbr, h.region_kind),
        zip=P(h.zip, "ZIP"),
    )
    b.add('    <telecom use="MC" value="tel:{ph}"/>\n', ph=c.phone("plus1"))
    b.add('    <telecom value="mailto:{em}"/>\n', em=c.email())
    b.add(
        "    <patient>\n      <name><given>{g}</given><family>{f}</family></name>\n",
        g=P(p.given, "NAME"),
        f=P(p.family, "NAME"),
    )
    b.add(
        '      <administrativeGenderCode code="{sex}"/>\n      <birthTime value="{dob}"/>\n',
        sex=p.sex,
        dob=c.dob("compact"),
    )
    b.add("    </patient>\n  </patientRole>\n</recordTarget>\n")
    b.add(
        '<entry><substanceAdministration><consumable><manufacturedMaterial><code code="{rx}" ',
        rx=c.decoy("rxnorm"),
    )
    b.add(
        'codeSystem="2.16.840.1.113883.6.88" displayName="{drug} {dose}"/>',
        drug=c.decoy("drug"),
        dose=c.decoy("dose"),
    )
    b.add("</manufacturedMaterial></consumable></substanceAdministration></entry>\n")
    if c.tempt:
        b.add(
            '<observation><code code="{loinc}" codeSystem="2.16.840.1.113883.6.1"/>',
            loinc=c.decoy("loinc"),
        )
        b.add('<value xsi:type="PQ">{lab}</value></observation>\n', lab=c.decoy("lab_value"))
