"""Styles people write: tickets, chats, notes, portal messages, reminders, e-mails.

Sentences are the author's own; each style picks among several openings, label
spellings and orders so the surrounding words differ from document to document.
"""

from __future__ import annotations

from ._decoys import Decoys
from ._doc import D, Doc, P, Piece, Tag
from ._values import Values


def support_ticket(v: Values, x: Decoys, doc: Doc) -> None:
    person = v.person()
    doc.add(
        f"[{v.rng.choice(['JIRA', 'Zendesk', 'ServiceNow'])}] ",
        v.other_id(),
        " — ",
        v.rng.choice(
            [
                "Portal login loop",
                "Duplicate chart",
                "Wrong insurance on file",
                "Can't see lab results",
            ]
        ),
        "\n",
    )
    doc.add(
        "Reporter: ", v.username(), " (", x.department(), ")\nApp version: ", x.version(), "\n\n"
    )
    they, their = v.rng.choice([("she", "her"), ("he", "his"), ("they", "their")])
    s = "" if they == "they" else "s"
    doc.add("Patient ", P(person.written(v.rng), "NAME"), *_around(v, v.date(1925, 2008)))
    doc.add(
        f" says {they} ",
        v.rng.choice(
            [f"get{s} logged out on ", "cannot load ", f"see{s} someone else's chart at "]
        ),
        v.url(),
        f". {they.capitalize()} called from ",
        v.phone(),
        f" and {their} login e-mail is ",
        v.email(person),
        ".\n",
    )
    if v.rng.random() < 0.5:
        doc.add(
            f"Note: {they} drive{s} in for infusions; the parking permit is tied to plate ",
            v.vehicle(),
            "; the garage system rejected it.\n",
        )
    doc.add(
        "Possibly merged with MRN ",
        v.mrn(),
        " — please check before ",
        x.fhir(),
        " sync. Last seen from IP ",
        v.ip(),
        ".\n",
    )
    doc.add(
        "\n-- comment by ",
        v.username(),
        ": reproduced on build ",
        x.build_time(),
        "; not related to the ",
        x.eponym(),
        " banner bug.\n",
    )


def chat(v: Values, x: Decoys, doc: Doc) -> None:
    """A clinician and an assistant; speaker labels, turn order and phrasing vary."""
    who = v.clinician()
    speakers: list[list[Piece]] = [["Clinician"], ["Dr. ", who], ["user"], ["You"], ["RN ", who]]
    human = v.rng.choice(speakers)
    bot = v.rng.choice(["Assistant", "AI", "assistant", "Copilot"])
    colon = v.rng.choice([": ", " > ", ":\n"])
    turns = [_chat_vitals, _chat_social, _chat_contact, _chat_referral, _chat_coverage]
    v.rng.shuffle(turns)
    doc.add(*human, colon, v.rng.choice(["can you pull up ", "open chart for ", "pull "]), v.name())
    before, after = v.rng.choice([("? MRN ", ""), (" mrn ", "?"), (" (", ")"), (" / ", "")])
    doc.add(before, v.mrn(), after, "\n")
    doc.add(bot, colon, "Found them. Born ", v.date(1925, 2010), ".\n")
    for turn in turns[: v.rng.randint(2, 5)]:
        question, answer = turn(v, x)
        doc.add(*human, colon, *question, "\n", bot, colon, *answer, "\n")


def _chat_vitals(v: Values, x: Decoys) -> tuple[list[Piece], list[Piece]]:
    drug, dose = x.drug_dose()
    lab, code, value = x.lab()
    age = v.age() if v.rng.random() < 0.6 else v.old_age()
    q: list[Piece] = [v.rng.choice(["meds and latest labs?", "what are they on", "summarise"])]
    a: list[Piece] = ["Age ", age, ", on ", drug, " ", dose, " daily. Latest ", lab]
    return q, [*a, " (LOINC ", code, ") was ", value, "."]


def _chat_social(v: Values, x: Decoys) -> tuple[list[Piece], list[Piece]]:
    q: list[Piece] = ["any occupational exposure?"]
    a: list[Piece] = ["Works as a ", v.profession(), " at ", v.organization(), ". History of "]
    return q, [*a, x.eponym(), " in the family."]


def _chat_contact(v: Values, x: Decoys) -> tuple[list[Piece], list[Piece]]:
    q: list[Piece] = [v.rng.choice(["who's the emergency contact", "next of kin?"])]
    a: list[Piece] = ["Emergency contact: ", v.name(), ", ", v.phone(), " (", v.email(), ")."]
    return q, a


def _chat_referral(v: Values, x: Decoys) -> tuple[list[Piece], list[Piece]]:
    q: list[Piece] = [
        "draft a referral to ",
        v.hospital(),
        " ",
        x.department(),
        ", fax ",
        v.phone("FAX"),
    ]
    return q, ["Drafted. Diagnosis ", x.icd()[0], ", attached ", x.fhir(), " bundle."]


def _chat_coverage(v: Values, x: Decoys) -> tuple[list[Piece], list[Piece]]:
    q: list[Piece] = ["is the ", x.brand(), " covered?"]
    return q, ["Plan ID ", v.health_plan(), " covers it with prior auth; CPT ", x.cpt(), "."]


def soap_note(v: Values, x: Decoys, doc: Doc) -> None:
    place = v.place()
    drug, dose = x.drug_dose()
    code, text = x.icd()
    age = v.old_age() if v.rng.random() < 0.5 else v.age()
    doc.add(
        v.rng.choice(["PROGRESS NOTE", "Clinic note", "SOAP —"]),
        " ",
        v.date(2025, 2026),
        "\nPt: ",
        v.name(),
        "  MRN: ",
        v.mrn(),
        "\n\n",
    )
    doc.add(
        "S: ",
        age,
        v.rng.choice([" yo ", "-year-old ", " y/o ", "yo ", " years old, "]),
        v.profession(),
        " from ",
        P(place.city, "CITY"),
        " seen for f/u of ",
        text,
        " (",
        code,
        "). ",
    )
    doc.add(
        "Reports adherence to ",
        drug,
        " ",
        dose,
        " ",
        x.quantity(),
        ". Daughter ",
        v.name(),
        " present.\n",
    )
    lab, _, value = x.lab()
    doc.add(
        "O: BP 138/84, HR 72. ",
        lab,
        " ",
        value,
        ". ",
        v.rng.choice(["ICD pocket clean; device ", "Pump serial "]),
        v.device(),
        " interrogated.\n",
    )
    doc.add(
        "A/P:\n 1. ",
        text,
        " — continue ",
        x.brand(),
        ".\n 2. r/o ",
        x.eponym(),
        "; ",
        x.department(),
        " consult.\n",
    )
    doc.add(
        " 3. Admit date for elective procedure ",
        v.date(2026, 2027),
        " at ",
        v.hospital(place.city),
        ", bill CPT ",
        x.cpt(),
        ".\n",
    )
    doc.add(
        "Med rec: ",
        x.brand(),
        " stopped ",
        v.year(),
        "; NDC ",
        x.ndc(),
        " dispensed.\n— ",
        v.clinician(),
        ", MD\n",
    )


def portal_message(v: Values, x: Decoys, doc: Doc) -> None:
    person = v.person()
    doc.add(
        "From: ",
        P(person.written(v.rng), "NAME"),
        " <",
        v.email(person),
        ">\nSubject: ",
        v.rng.choice(["question about my bill", "refill please", "new address", "test results??"]),
        "\n\n",
    )
    doc.add(v.rng.choice(["Hi Dr. ", "Hello ", "dear doctor "]), v.clinician(), ",\n")
    place = v.place()
    doc.add(
        "I moved to ",
        P(place.street, "ADDRESS"),
        ", ",
        P(place.city, "CITY"),
        " ",
        P(place.postcode, "ZIP"),
        ", ",
        D(place.country, "COUNTRY") if v.rng.random() < 0.5 else D(place.region, "STATE"),
        ". ",
    )
    doc.add(
        "My new number is ", v.phone(), ". Can you send my ", x.brand(), " to the pharmacy there? "
    )
    doc.add(
        "I turned ",
        v.old_age() if v.rng.random() < 0.5 else v.age(),
        " this year and my insurance card says ",
        v.health_plan(),
        ".\n",
    )
    doc.add("Thanks, ", P(person.first, "NAME"), "\n")


def after_visit(v: Values, x: Decoys, doc: Doc) -> None:
    drug, dose = x.drug_dose()
    code, text = x.icd()
    doc.add(
        "AFTER VISIT SUMMARY\n",
        v.hospital(),
        " · ",
        x.department(),
        "\n",
        v.name(),
        " | DOB ",
        v.date(1925, 2010),
        " | Visit ",
        v.date(2026, 2026),
        "\n\n",
    )
    doc.add("Today you were seen by ", v.clinician(), " for ", text, " (", code, ").\n")
    doc.add("Medications: ", drug, " ", dose, " by mouth twice daily ", x.quantity(), "\n")
    doc.add(
        "Next appointment: ",
        v.date(2026, 2027),
        " — questions? call ",
        v.phone(),
        " or visit ",
        v.url(),
        "\n",
    )
    doc.add(
        "Staying overnight? ", D("Room service", "PHRASE"), " runs until 9 pm on every floor.\n"
    )


def reminder(v: Values, x: Decoys, doc: Doc) -> None:
    if v.rng.random() < 0.5:
        doc.add(
            v.rng.choice(["Reminder: ", "REMINDER ", "Hi "]),
            v.name(),
            v.rng.choice([", you have an appt on ", " - appointment "]),
            v.date(2026, 2027),
        )
        doc.add(
            " w/ ",
            v.clinician(),
            " at ",
            v.hospital(),
            ". Reply C to confirm. Txt STOP to ",
            v.phone(),
            "\n",
        )
        return
    doc.add(
        "To: ",
        v.email(),
        "\nSubject: Your upcoming ",
        x.department(),
        " visit\n\nDear ",
        v.name(),
        ",\n",
    )
    doc.add(
        "This is a reminder of your visit on ",
        v.date(2026, 2027),
        ". Please bring your ID and plan card (",
        v.health_plan(),
        ").\n",
    )
    doc.add("Check in online: ", v.url(), "\n")


def billing_dispute(v: Values, x: Decoys, doc: Doc) -> None:
    place = v.place()
    doc.add(
        "Billing dispute ",
        v.other_id(),
        "\nGuarantor: ",
        v.name(),
        "  Account: ",
        v.account(),
        "\n",
    )
    doc.add(
        "Address on file: ",
        P(place.street, "ADDRESS"),
        ", ",
        P(place.city, "CITY"),
        ", ",
        x.state() if v.rng.random() < 0.3 else P(place.postcode, "ZIP"),
        "\n",
    )
    doc.add(
        "Caller disputes CPT ",
        x.cpt(),
        " billed for ",
        v.date(2025, 2026),
        "; says the ",
        x.eponym(),
        " screening was covered in ",
        v.year(),
        ".\n",
    )
    doc.add(
        "Verified identity with SSN ",
        v.ssn(),
        " and driver's licence ",
        v.license(),
        ". Callback ",
        v.phone(),
        ", fax ",
        v.phone("FAX"),
        ".\n",
    )
    doc.add("Employer plan via ", v.organization(), ", member ", v.health_plan(), ".\n")


def care_email(v: Values, x: Decoys, doc: Doc) -> None:
    doc.add(
        "From: ",
        v.email(),
        "\nTo: ",
        v.email(),
        "\nSubject: transition of care — ",
        v.name(),
        "\n\n",
    )
    doc.add(v.rng.choice(["Hi team,", "Morning all,", "Hello,"]), "\n")
    doc.add(
        "Discharging ",
        v.name(),
        " (",
        v.mrn(),
        ", ",
        v.old_age(),
        "yo) from ",
        v.hospital(),
        " on ",
        v.date(2026, 2027),
        " to ",
        v.organization(),
        ".\n",
    )
    doc.add(
        "Hx ",
        x.eponym(),
        ", on ",
        x.brand(),
        ". Home O2 concentrator serial ",
        v.device(),
        ". Son drives a van, plate ",
        v.vehicle(),
        ", for transport.\n",
    )
    doc.add(
        "Fax the discharge packet to ",
        v.phone("FAX"),
        ".\n— ",
        v.clinician(),
        ", ",
        x.department(),
        "\n",
    )


def _around(v: Values, dob: Tag) -> list[Piece]:
    """A date of birth with one of the ways people set it off."""
    return v.rng.choice(
        [[", DOB ", dob, ","], [" born ", dob, ","], [" (dob ", dob, ")"], [" [", dob, "]"]]
    )
