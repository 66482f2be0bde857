"""Human-shaped styles: radiology and pathology reports, call transcripts, e-mail, OCR'd forms."""

from __future__ import annotations

import random
from datetime import date

from phigate.masking.eval.styles.pieces import Builder, Decoy, Phi, Piece, Transform
from phigate.masking.eval.styles.values import Person, Values

P, D = Phi, Decoy

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]


def _words(n: int) -> str:
    """0..99 in words."""
    if n < 10:
        return _ONES[n]
    if n < 20:
        return _TEENS[n - 10]
    return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])


def _age_words(n: int) -> str:
    return (
        "one hundred" + ("" if n == 100 else " and " + _words(n - 100)) if n >= 100 else _words(n)
    )


def _ordinal(day: int) -> str:
    if day <= 20:
        return _ORDINALS[day - 1]
    tens = "twenty" if day < 30 else "thirty"
    return (
        tens + "th" if day % 10 == 0 and tens == "thirty" else f"{tens}-{_ORDINALS[day % 10 - 1]}"
    )


def spoken_date(day: date, rng: random.Random) -> str:
    """A date as a caller says it: 'March third, nineteen forty-two'."""
    century, rest = divmod(day.year, 100)
    year = f"{_words(century)} {_words(rest) if rest >= 10 else 'oh ' + _words(rest)}"
    if day.year >= 2000:
        year = f"two thousand {_words(rest)}" if rest else "two thousand"
    month = day.strftime("%B")
    return (
        f"the {_ordinal(day.day)} of {month}, {year}"
        if rng.random() < 0.3
        else f"{month} {_ordinal(day.day)}, {year}"
    )


def spoken_digits(number: str) -> str:
    """Digits read one by one, groups separated by commas: 'six one seven, five five five'."""
    groups = [
        g
        for g in number.replace("(", " ")
        .replace(")", " ")
        .replace("-", " ")
        .replace(".", " ")
        .split()
        if g
    ]
    return ", ".join(
        " ".join(_ONES[int(c)] if c.isdigit() else c for c in group) for group in groups
    )


def spelled(name: str) -> str:
    return "-".join(c.upper() for c in name if c.isalpha())


def _signature(v: Values, doctor: Person) -> list[Piece]:
    return [
        "Electronically signed by: ",
        P(f"{doctor.full}", "NAME"),
        ", MD on ",
        P(v.written_date(v.recent_date()), "DATE"),
        f" {v.rng.randrange(0, 24):02d}:{v.rng.randrange(60):02d}\n",
    ]


def _age(v: Values) -> Piece:
    return P(str(v.old_age()), "AGE") if v.chance(0.3) else D(str(v.young_age()), "AGE")


def radiology(v: Values, b: Builder) -> None:
    patient, doctor, reader = v.person(), v.doctor(), v.doctor()
    b.add(
        P(v.hospital().upper(), "HOSPITAL"),
        " - DEPARTMENT OF ",
        D("RADIOLOGY", "DEPARTMENT"),
        "\n",
        "Fax: ",
        P(v.us_phone(), "FAX"),
        "\n\n",
        "Patient: ",
        P(f"{patient.family.upper()}, {patient.given.upper()}", "NAME"),
        "    MRN: ",
        P(v.mrn(), "MRN"),
        "    DOB: ",
        P(v.written_date(v.birth_date()), "DATE"),
        "\n",
        "Accession #: ",
        P(v.other_id(), "ID"),
        "    Exam date: ",
        P(v.written_date(v.recent_date()), "DATE"),
        "\n",
        "Ordering physician: Dr. ",
        P(doctor.full, "NAME"),
        "\n\n",
        "EXAM: ",
        v.pick(["CT CHEST WITH CONTRAST", "MRI BRAIN WITHOUT CONTRAST", "XR CHEST 2 VIEWS"]),
        " (CPT ",
        D(v.decoy("CPT"), "CPT"),
        ")\n",
        "CLINICAL HISTORY: ",
        _age(v),
        "-year-old with ",
        D(v.decoy("EPONYM"), "EPONYM"),
        ", on ",
        D(v.decoy("DRUG"), "DRUG"),
        " ",
        D(v.decoy("DOSE"), "DOSE"),
        ".\n",
        "COMPARISON: CT dated ",
        P(v.written_date(v.recent_date()), "DATE"),
        ".\n",
        "TECHNIQUE: Contrast given per protocol; pacemaker (serial ",
        P(v.device(), "DEVICE"),
        ") confirmed MR-conditional.\n",
        "FINDINGS: No focal consolidation. Creatinine ",
        D(v.decoy("LAB_VALUE"), "LAB_VALUE"),
        " prior to contrast.\n",
        "IMPRESSION: No acute process. Findings discussed with Dr. ",
        P(doctor.family, "NAME"),
        " by telephone at ",
        P(v.us_phone(), "PHONE"),
        ".\n\n",
        *_signature(v, reader),
    )


def pathology(v: Values, b: Builder) -> None:
    patient, doctor, pathologist = v.person(), v.doctor(), v.doctor()
    b.add(
        "SURGICAL PATHOLOGY REPORT\n",
        P(v.hospital(), "HOSPITAL"),
        ", ",
        D(v.pick(["Pathology", "Laboratory Medicine"]), "DEPARTMENT"),
        "\n\nCase: ",
        P(v.other_id(), "ID"),
        "    Received: ",
        P(v.written_date(v.recent_date()), "DATE"),
        "\n",
        "Patient: ",
        P(patient.full, "NAME"),
        "    Age: ",
        _age(v),
        "    MRN: ",
        P(v.mrn(), "MRN"),
        "\n",
        "Submitting physician: ",
        P(doctor.full, "NAME"),
        ", MD\n\n",
        "SPECIMEN: Lymph node, left cervical, excision.\n",
        "GROSS: Received in formalin labeled with the patient's name \"",
        P(patient.family, "NAME"),
        '" and medical record number, a tan nodule measuring 2.1 x 1.4 x 1.0 cm.\n',
        "DIAGNOSIS: Classic ",
        D("Hodgkin lymphoma", "EPONYM"),
        ", nodular sclerosis type. ",
        "Reed-Sternberg cells present.\n",
        "CODES: ICD-10 ",
        D(v.decoy("ICD10"), "ICD10"),
        "; CPT ",
        D("88305", "CPT"),
        "\n\n",
        *_signature(v, pathologist),
        "Pathologist license: ",
        P(v.license(), "LICENSE"),
        "\n",
    )


def transcript(v: Values, b: Builder) -> None:
    """A nurse-line or telehealth call: speaker turns, spoken numbers, spelled names."""
    agent, patient, caller = v.person(), v.person(), v.person()
    phone, birth = v.us_phone(), v.birth_date()
    second = [0]

    def turn(speaker: str, *pieces: Piece) -> None:
        second[0] += v.rng.randrange(2, 15)
        b.add(f"[{second[0] // 60:02d}:{second[0] % 60:02d}] {speaker}: ", *pieces, "\n")

    turn(
        "AGENT",
        "Thank you for calling ",
        P(v.hospital(), "HOSPITAL"),
        " nurse line, this is ",
        P(agent.given, "NAME"),
        ".",
    )
    turn("CALLER", "Hi, yeah, I'm calling about my mother, ", P(patient.full, "NAME"), ".")
    turn("AGENT", "Can you spell the last name for me?")
    turn("CALLER", P(spelled(patient.family), "NAME"), ".")
    turn("AGENT", "And her date of birth?")
    turn("CALLER", P(spoken_date(birth, v.rng), "DATE"), ".")
    turn("AGENT", "Best number to reach you?")
    turn("CALLER", "It's ", P(spoken_digits(phone), "PHONE"), ".")
    if v.chance(0.6):
        member = v.health_plan()
        turn(
            "CALLER",
            "Her member ID is ",
            P(
                " ".join(
                    spelled(c) if c.isalpha() else _ONES[int(c)] if c.isdigit() else c
                    for c in member
                ),
                "HEALTH_PLAN",
            ),
            ".",
        )
    age = v.old_age() if v.chance(0.5) else v.young_age()
    turn(
        "CALLER",
        "She's ",
        P(_age_words(age), "AGE") if age > 89 else D(_age_words(age), "AGE"),
        ", she takes ",
        D(v.decoy("DRUG"), "DRUG"),
        " ",
        D(v.decoy("DOSE"), "DOSE"),
        " and she has ",
        D(v.decoy("EPONYM"), "EPONYM"),
        ".",
    )
    if v.chance(0.5):
        job = v.profession()
        turn(
            "CALLER",
            "She worked as an " if job[0] in "aeiou" else "She worked as a ",
            P(job, "PROFESSION"),
            " at ",
            P(v.organization(), "ORGANIZATION"),
            " until ",
            D(str(v.rng.randrange(1990, 2020)), "YEAR"),
            ".",
        )
    turn(
        "AGENT",
        "Thanks, ",
        P(caller.given, "NAME"),
        ". I'll page ",
        D(v.decoy("DEPARTMENT"), "DEPARTMENT"),
        " and call you back. ",
        D("Room service", "PHRASE"),
        " has her lunch order.",
    )


def email(v: Values, b: Builder) -> None:
    """A reply in a thread: headers, a quoted message, a signature and a disclaimer."""
    sender, recipient, patient, copied = v.doctor(), v.person(), v.person(), v.person()
    sent = v.moment()
    b.add(
        'From: "Dr. ',
        P(sender.full, "NAME"),
        '" <',
        P(v.email(sender), "EMAIL"),
        ">\n",
        "To: ",
        P(recipient.full, "NAME"),
        " <",
        P(v.email(recipient), "EMAIL"),
        ">\n",
        "Cc: ",
        P(v.email(copied), "EMAIL"),
        "\n",
        "Date: ",
        P(sent.strftime("%a, %d %b %Y %H:%M:%S -0500"), "DATE"),
        "\n",
        "Subject: RE: follow-up for ",
        P(patient.full, "NAME"),
        " (MRN ",
        P(v.mrn(), "MRN"),
        ")\n\n",
        "Hi ",
        P(recipient.given, "NAME"),
        ",\n\n",
        "Her ",
        D(v.decoy("LOINC"), "LOINC"),
        " came back at ",
        D(v.decoy("LAB_VALUE"), "LAB_VALUE"),
        "; please continue ",
        D(v.decoy("DRUG"), "DRUG"),
        " ",
        D(v.decoy("DOSE"), "DOSE"),
        ". Results are in the portal: ",
        P(
            f"https://mychart.{v.pick(['mercyhealth.org', 'lakeside-rmc.com'])}"
            f"/results/{v.digits(7)}",
            "URL",
        ),
        "\n\n",
    )
    place = v.place()
    b.add(
        "> On ",
        P(v.moment().strftime("%a, %b %d, %Y at %I:%M %p"), "DATE"),
        ", ",
        P(recipient.full, "NAME"),
        " <",
        P(v.email(recipient), "EMAIL"),
        "> wrote:\n",
        "> Her new address is ",
        P(place.street, "ADDRESS"),
        ", ",
        P(place.city, "CITY"),
        " ",
        D(place.region, "STATE"),
        " ",
        P(place.postcode, "ZIP"),
        " (",
        D(place.country, "COUNTRY"),
        ").\n",
        "> Billing account ",
        P(v.account(), "ACCOUNT"),
        " still shows the old one. She is ",
        _age(v),
        " and diabetic (",
        D(v.decoy("ICD10"), "ICD10"),
        ") since ",
        D(str(v.rng.randrange(1980, 2023)), "YEAR"),
        ".\n>\n\n",
        "-- \n",
        P(sender.full, "NAME"),
        ", MD | ",
        D(v.decoy("DEPARTMENT"), "DEPARTMENT"),
        "\n",
        P(v.hospital(), "HOSPITAL"),
        "\n",
        "Tel: ",
        P(place.phone if v.chance(0.3) else v.us_phone(), "PHONE"),
        " | Fax: ",
        P(v.us_phone(), "FAX"),
        "\n\n",
        "CONFIDENTIALITY NOTICE: This e-mail may contain protected health information. ",
        "If you are not the intended recipient, delete it and notify the sender.\n",
    )


_OCR_SWAPS = {"0": "O", "O": "0", "1": "l", "l": "1", "5": "S", "S": "5", "8": "B", "rn": "m"}


def ocr_noise(rng: random.Random) -> Transform:
    """A transform that garbles text the way scanning does; kept per document."""

    def transform(text: str, literal: bool) -> str:
        out: list[str] = []
        for index, char in enumerate(text):
            swap = _OCR_SWAPS.get(char)
            if swap is not None and rng.random() < 0.12:
                out.append(swap)
            elif char.isdigit() and 0 < index < len(text) - 1 and rng.random() < 0.08:
                out.append(char + " ")
            elif char == " " and literal and rng.random() < 0.04:
                out.append("\n")
            elif (
                char.isalpha()
                and literal
                and index > 3
                and text[index - 1].isalpha()
                and rng.random() < 0.01
            ):
                out.append("-\n" + char)
            else:
                out.append(char)
        return "".join(out)

    return transform


def ocr(v: Values, b: Builder) -> None:
    """A scanned registration form: labels, blanks, garbled characters, broken lines."""
    patient, contact, place = v.person(), v.person(), v.place()
    blank = "_" * v.rng.randrange(2, 8)
    b.add(
        P(v.hospital().upper(), "HOSPITAL"),
        "\nPATIENT  REGISTRATION  FORM   page 1 of 2\n\n",
        "Pt Name: ",
        blank,
        P(patient.full, "NAME"),
        blank,
        "   DOB: ",
        P(v.written_date(v.birth_date()), "DATE"),
        "   Age: ",
        _age(v),
        "\n",
        "Address: ",
        P(place.street, "ADDRESS"),
        "\nCity: ",
        P(place.city, "CITY"),
        "  State/Prov: ",
        D(place.region, "STATE"),
        "  Zip/Postcode: ",
        P(place.postcode, "ZIP"),
        "  Country: ",
        D(place.country, "COUNTRY"),
        "\n",
        "SSN: ",
        P(v.ssn(), "SSN"),
        "   Home Phone: ",
        P(place.phone, "PHONE"),
        "\n",
        "Employer: ",
        P(v.organization(), "ORGANIZATION"),
        "   Occupation: ",
        P(v.profession(), "PROFESSION"),
        "\n",
        "Insurance ID: ",
        P(v.health_plan(), "HEALTH_PLAN"),
        "   Group #: ",
        blank,
        "\n",
        "Driver's Lic #: ",
        P(v.license(), "LICENSE"),
        "   Parking permit plate: ",
        P(v.vehicle(), "VEHICLE"),
        "\n",
        "Emergency contact: ",
        P(contact.full, "NAME"),
        "  Ph: ",
        P(v.us_phone(), "PHONE"),
        "\n",
        "Allergies: ",
        D(v.decoy("DRUG"), "DRUG"),
        "   Current meds: ",
        D(v.decoy("DOSE"), "DOSE"),
        " daily, ",
        D(v.decoy("QUANTITY"), "QUANTITY"),
        "\n",
        "History: ",
        D(v.decoy("EPONYM"), "EPONYM"),
        " dx ",
        D(str(v.rng.randrange(1985, 2023)), "YEAR"),
        "\n",
        "Palm-vein scan ref: ",
        P(v.biometric(), "BIOMETRIC"),
        "\n",
        "Signature: ",
        blank,
        "   Date: ",
        P(v.written_date(v.recent_date()), "DATE"),
        "\n",
    )
