"""Clinical styles: discharge summaries, referral letters, nursing handoffs,
behavioural health notes, lab requisitions and Spanish-language letters."""

from __future__ import annotations

from . import _decoys as dc
from ._common import REGIONS, address_lines, clinical_sentence, signature
from ._values import Values
from ._writer import Writer


def discharge_summary(w: Writer, v: Values) -> None:
    region = v.pick(REGIONS)
    site = v.address(region)
    pt, doc, pcp = v.person(), v.person(), v.person()
    w.phi(v.hospital(site.city), "HOSPITAL").t("\n")
    address_lines(w, site)
    w.t("\nTel ").phi(v.phone(region), "PHONE").t("  Fax ").phi(v.phone("us"), "FAX")
    w.t("\n\nDISCHARGE SUMMARY\nPatient: ").phi(
        v.name_as(pt, v.pick(["caps", "inverted", "full"])), "NAME"
    )
    w.t("    MRN: ").phi(v.mrn(), "MRN").t("    DOB: ").phi(v.date(), "DATE")
    w.t("\nAdmitted: ").phi(v.date(), "DATE").t("   Discharged: ").phi(v.date(), "DATE")
    w.t("\nAttending: Dr. ").phi(v.name_as(doc, "full"), "NAME").t("   Unit: ").decoy(
        dc.department(v), "DEPARTMENT"
    )
    w.t("\n\nHospital course: ")
    if v.chance(0.5):
        w.t("This ").phi(v.old_age(), "AGE").t("-year-old ")
    else:
        w.t("This ").decoy(v.young_age(), "AGE").t(" y/o ")
    w.t(v.pick(["woman", "man", "patient"]) + " was admitted with ").decoy(
        dc.eponym(v), "EPONYM"
    ).t(" exacerbation.\n")
    for _ in range(v.rng.randint(1, 3)):
        clinical_sentence(w, v)
    _disposition(w, v)
    w.t("Follow up with PCP Dr. ").phi(v.name_as(pcp, "last"), "NAME").t(" on ").phi(
        v.date("long"), "DATE"
    ).t(".\n")
    w.t("cc: ").phi(v.name_as(pcp, "initial"), "NAME").t(", MD; ").phi(
        v.name_as(v.person(), "full"), "NAME"
    ).t(", RN case manager\n")
    signature(w, v, doc)


def _disposition(w: Writer, v: Values) -> None:
    """Where the patient goes and who takes over: names, a facility, a town, a device."""
    shape = v.rng.randrange(4)
    if shape == 0:
        w.t("Discharged home to the care of her son ").phi(v.person().full(), "NAME").t(" in ")
        w.phi(v.address("us").city, "CITY").t(".\n")
    elif shape == 1:
        w.t("Transferred to ").phi(v.hospital(), "HOSPITAL").t(" (SNF), accepting Dr ")
        w.phi(v.person().last, "NAME").t(", report called to ").phi(v.phone(), "PHONE").t(".\n")
    elif shape == 2:
        w.t("Home with CPAP s/n ").phi(v.device_serial(), "DEVICE").t(", ").decoy(
            dc.quantity(v), "QUANTITY"
        )
        w.t(" supplies; DME vendor ").phi(v.organization(), "ORGANIZATION").t(".\n")
    else:
        w.t("Pending results will be e-mailed to ").phi(v.email(v.person()), "EMAIL")
        w.t("; ").decoy(dc.eponym(v), "EPONYM").t(" follow-up in ").decoy(
            dc.department(v), "DEPARTMENT"
        ).t(".\n")


def referral_letter(w: Writer, v: Values) -> None:
    region = v.pick(["us", "us", "uk", "ca", "au"])
    clinic = v.address(region)
    pt, to, frm = v.person(), v.person(), v.person()
    if v.chance(0.4):
        w.phi(v.organization(), "ORGANIZATION").t(" Specialty Clinic\n")
    else:
        w.phi(v.hospital(clinic.city), "HOSPITAL").t("\n")
    address_lines(w, clinic, country=v.chance(0.4))
    w.t("\n").phi(v.phone(region), "PHONE").t(" | ").phi(v.url(), "URL").t("\n\n").phi(
        v.date(v.pick(["long", "uk", "dmy_text"])), "DATE"
    )
    w.t("\n\nDr ").phi(v.name_as(to, "full"), "NAME").t("\n").decoy(
        dc.department(v), "DEPARTMENT"
    ).t("\n")
    w.t("\nRe: ").phi(v.name_as(pt, v.pick(["full", "caps"])), "NAME").t(", DOB ").phi(
        v.date(), "DATE"
    )
    if region == "uk":
        w.t(", NHS No. ").phi(v.nhs_number(), "MRN")
    else:
        w.t(", " + v.pick(["MRN ", "Hosp. no. ", "Chart # "])).phi(v.mrn(), "MRN")
    w.t("\n\nDear Dr ").phi(v.name_as(to, "last"), "NAME").t(",\n\nThank you for seeing this ")
    w.t("pleasant ").decoy(v.young_age(), "AGE").t("-year-old ").phi(
        v.profession(), "PROFESSION"
    ).t(" ")
    w.t("with ").decoy(dc.eponym(v), "EPONYM").t(". ")
    w.t("She lives with her daughter ").phi(v.name_as(v.person(), "first"), "NAME").t(" in ").phi(
        clinic.city, "CITY"
    ).t(".\n")
    clinical_sentence(w, v)
    w.t("\n")
    signature(w, v, frm)
    w.t("cc: ").phi(v.name_as(pt, "full"), "NAME").t(" (patient); GP surgery, ").phi(
        v.address(region).street, "ADDRESS"
    ).t("\n")


def nursing_handoff(w: Writer, v: Values) -> None:
    """A shift handoff in nurses' shorthand, one block per patient."""
    w.t(v.pick(["SBAR handoff ", "I-PASS ", "night -> day report ", "HANDOFF "]))
    w.decoy(v.clock(), "TIME").t(" ").phi(v.date(v.pick(["month_day", "short_us"])), "DATE").t("\n")
    for _ in range(v.rng.randint(1, 3)):
        _handoff_patient(w, v)
    w.t("-- ").phi(v.name_as(v.person(), v.pick(["initial", "first"])), "NAME").t(" RN\n")


def _handoff_patient(w: Writer, v: Values) -> None:
    room = f"{v.rng.randint(1, 9)}{v.pick(['A', 'B', 'W'])}-{v.rng.randint(1, 40)}"
    w.t("\n" + v.pick(["Rm ", "rm ", "Bed ", ""])).phi(room, "ID").t(" ")
    w.phi(v.name_as(v.person(), v.pick(["last", "caps", "lower", "full"])), "NAME").t(" ")
    if v.chance(0.6):
        w.phi(v.old_age(), "AGE").t(v.pick(["F", "M", "yo F", " y/o M"]))
    else:
        w.decoy(v.young_age(), "AGE").t(v.pick(["F", "M", "yo"]))
    w.t(v.pick([" MRN#", " mrn ", " #"])).phi(v.mrn(), "MRN")
    w.t("\nS: pt c/o " + v.pick(["SOB", "CP", "n/v", "pain 7/10"]) + " since ").decoy(
        v.clock(), "TIME"
    )
    w.t("\nB: hx ").decoy(dc.eponym(v), "EPONYM").t(", ").decoy(dc.code(v)[1], "CODE")
    w.t(v.pick(["; lives w/ son ", "; dtr ", "; wife "])).phi(v.person().first, "NAME")
    w.t(v.pick([" ph ", " cell ", " @ "])).phi(v.phone(), "PHONE")
    w.t("\nA: ").decoy(dc.lab(v), "LAB").t(", ").decoy(dc.brand(v), "DRUG").t(" d/c'd ")
    w.decoy(v.clock(), "TIME").t(", foley in. " + v.pick(["IV R FA", "tele box ", "pump "]))
    w.phi(v.device_serial(), "DEVICE").t("\nR: f/u w/ Dr ").phi(v.person().last, "NAME")
    w.t(" in am, fam aware.\n")


def behavioral_health(w: Writer, v: Values) -> None:
    """A therapy progress note, or a social work assessment after a home visit."""
    if v.chance(0.4):
        _social_work(w, v)
        return
    region = v.pick(["us", "us", "ca", "uk"])
    pt, mom, sib = v.person(), v.person(), v.person()
    home = v.address(region)
    w.t("Behavioral Health Progress Note — Case #").phi(v.generic_id("BH-"), "ID").t(
        "\nClient: "
    ).phi(v.name_as(pt, "full"), "NAME")
    w.t("   Session date: ").phi(v.date(), "DATE").t("\n\nClient is a ").decoy(v.young_age(), "AGE")
    w.t("-year-old who attends ").phi(v.organization(), "ORGANIZATION").t(
        " and works part-time as a "
    ).phi(v.profession(), "PROFESSION")
    w.t(". Lives with mother ").phi(v.name_as(mom, "full"), "NAME").t(" (").phi(
        v.phone(region), "PHONE"
    ).t(") in ")
    w.phi(home.city, "CITY").t(", ").decoy(home.state, "STATE").t("; brother ").phi(
        v.name_as(sib, "first"), "NAME"
    )
    w.t(" was incarcerated in ").decoy(v.year(), "YEAR").t(". Grandmother, ").phi(
        v.old_age(), "AGE"
    ).t(", recently moved in.\n")
    w.t("Screening: PHQ-9 ").decoy(str(v.rng.randint(3, 26)), "SCORE").t(", GAD-7 ").decoy(
        str(v.rng.randint(2, 21)), "SCORE"
    ).t(". ")
    w.t("DCFS caseworker ").phi(v.name_as(v.person(), "full"), "NAME").t(", case no. ").phi(
        v.generic_id("CASE-"), "ID"
    ).t(".\n")
    clinical_sentence(w, v)
    w.t("Plan: safety plan reviewed; next session ").phi(v.date("month_day"), "DATE").t(".\n")
    signature(w, v, v.person(), role=False)


def _social_work(w: Writer, v: Values) -> None:
    region = v.pick(["us", "us", "pr", "ca", "au"])
    home, pt, partner = v.address(region), v.person(), v.person()
    w.t("SOCIAL WORK ASSESSMENT\nReferral #").phi(
        v.generic_id(v.pick(["SW", "CPS-", "APS "])), "ID"
    )
    w.t("  Date of visit: ").phi(v.date(), "DATE").t("\nClient ").phi(v.name_as(pt, "full"), "NAME")
    w.t(", ").phi(v.old_age(), "AGE").t(", widowed, retired ").phi(v.profession(), "PROFESSION")
    w.t(".\nHome visit at ").phi(home.street, "ADDRESS").t(", ").phi(home.city, "CITY").t(" ")
    w.phi(home.postcode, "ZIP").t(". Lives alone since ").decoy(v.year(), "YEAR").t("; neighbour ")
    w.phi(partner.first, "NAME").t(" checks daily. Grandson ").phi(
        v.name_as(v.person(), "first"), "NAME"
    )
    w.t(" (").decoy(v.young_age(), "AGE").t(") attends ").phi(v.organization(), "ORGANIZATION")
    w.t(" and drives her to church. Medicaid ID ").phi(v.member_id(), "HEALTH_PLAN")
    w.t(".\nBank: ").phi(v.organization(), "ORGANIZATION").t(" acct ending ").phi(
        v.digits(4), "ACCOUNT"
    )
    w.t(" shows unusual withdrawals; APS notified, worker ").phi(v.person().full(), "NAME").t(" ")
    w.phi(v.phone(region), "PHONE").t(".\nScreening: MoCA ").decoy(
        str(v.rng.randint(12, 30)), "SCORE"
    )
    w.t("/30; ").decoy(dc.eponym(v), "EPONYM").t(" per chart.\n")
    signature(w, v, v.person(), role=False)


def lab_requisition(w: Writer, v: Values) -> None:
    pt = v.person()
    w.t("LAB REQUISITION / RESULT\nAccession: ").phi(
        v.generic_id(v.pick(["A", "ACC", "24-"])), "ID"
    )
    w.t("   Specimen ID: ").phi(v.generic_id("S"), "ID").t("\nPatient: ").phi(
        v.name_as(pt, "caps"), "NAME"
    )
    w.t("   DOB: ").phi(v.date(), "DATE").t("   MRN: ").phi(v.mrn(), "MRN").t("\nCollected: ").phi(
        v.date("iso"), "DATE"
    )
    w.t(" ").decoy(f"{v.clock()[:2]}:{v.clock()[2:]}", "TIME").t("   Ordering: ").phi(
        v.name_as(v.person(), "inverted"), "NAME"
    )
    w.t("\nAnalyzer: ").decoy(
        v.pick(["cobas 8000", "Alinity ci", "Atellica", "DxH 900"]), "PRODUCT"
    ).t(" s/n ").phi(v.device_serial(), "DEVICE")
    w.t(" sw ").decoy(dc.version(v), "VERSION").t("\n\n| Test | LOINC | Result |\n|---|---|---|\n")
    for _ in range(v.rng.randint(2, 4)):
        w.t("| ").decoy(dc.lab(v), "LAB").t(" | ").decoy(
            v.pick(["2345-7", "718-7", "2160-0", "6690-2"]), "LOINC"
        ).t(" | ")
        w.t(v.pick(["H", "L", "N"])).t(" |\n")
    w.t("\nPerformed at ").phi(v.hospital(), "HOSPITAL").t(" Laboratory, CLIA ").phi(
        f"{v.digits(2)}D{v.digits(7)}", "ID"
    ).t("\n")


def spanish_letter(w: Writer, v: Values) -> None:
    region = v.pick(["mx", "es", "pr", "us"])
    locale = {"mx": "es_MX", "es": "es_ES", "pr": "es_MX", "us": "es_MX"}[region]
    pt, dra = v.person(locale), v.person(locale)
    home = v.address(region)
    w.phi(v.hospital(home.city, spanish=True), "HOSPITAL").t("\n")
    address_lines(w, home, country=v.chance(0.5))
    w.t("\nTel. ").phi(v.phone(region if region != "us" else "pr"), "PHONE").t("\n\n")
    w.phi(home.city, "CITY").t(", a ").phi(v.date("es"), "DATE").t("\n\n")
    w.t(v.pick(["Sr. ", "Sra. ", "Estimada Sra. ", "Paciente: "])).phi(
        v.name_as(pt, v.pick(["full", "caps"])), "NAME"
    )
    w.t("\nNo. de expediente: ").phi(v.mrn(), "MRN").t("   Fecha de nacimiento: ").phi(
        v.date("es_slash"), "DATE"
    )
    if region == "mx":
        w.t("\nCURP: ").phi(f"{v.letters(4)}{v.digits(6)}{v.letters(6)}{v.digits(2)}", "ID")
    else:
        w.t("\nDNI: ").phi(f"{v.digits(8)}{v.letters(1)}", "ID")
    w.t("\n\nPaciente de ")
    if v.chance(0.5):
        w.phi(v.old_age(), "AGE")
    else:
        w.decoy(v.young_age(), "AGE")
    w.t(" años, acompañada por su hija ").phi(v.name_as(v.person(locale), "first"), "NAME")
    w.t(". Antecedente de ").decoy(dc.eponym(v), "EPONYM").t(" desde ").decoy(v.year(), "YEAR").t(
        ". Tratamiento: "
    )
    w.decoy(dc.brand(v), "DRUG").t(" ").decoy(dc.dose(v), "DOSE").t(
        " cada 12 horas. Cita de control el "
    )
    w.phi(v.date("es"), "DATE").t(" en ").decoy(dc.department(v), "DEPARTMENT").t(
        ".\n\nAtentamente,\nDra. "
    )
    w.phi(v.name_as(dra, "full"), "NAME").t("\nCédula profesional ").phi(v.digits(8), "LICENSE").t(
        "\n"
    )


def bilingual_note(w: Writer, v: Values) -> None:
    """A clinic note switching between English and Spanish, as interpreters' notes do."""
    pt = v.person(v.pick(["es_MX", "es_ES", ""]))
    son = v.person()
    w.t("Clinic note / Nota clínica — ").phi(v.date(v.pick(["es", "long", "us"])), "DATE").t(
        "\nPt: "
    )
    w.phi(v.name_as(pt, v.pick(["full", "caps", "lower"])), "NAME").t(", ")
    if v.chance(0.5):
        w.phi(v.old_age(), "AGE").t(" años")
    else:
        w.decoy(v.young_age(), "AGE").t(" y/o")
    w.t(", MRN ").phi(v.mrn(), "MRN").t("\nInterpreter: ").phi(
        v.name_as(v.person(), "full"), "NAME"
    )
    w.t(" (ID ").phi(v.generic_id("INT"), "ID").t(")\n\nPaciente refiere dolor desde el ").phi(
        v.date("es"), "DATE"
    )
    w.t(". Vive con su hijo ").phi(son.first, "NAME").t(" en ").phi(v.address("pr").city, "CITY")
    w.t(", trabaja como ").phi(v.profession(), "PROFESSION").t(". Son's cell / celular del hijo: ")
    w.phi(v.phone(v.pick(["us", "pr", "mx"])), "PHONE").t("\nMeds: ").decoy(dc.brand(v), "DRUG").t(
        " "
    )
    w.decoy(dc.dose(v), "DOSE").t(" c/12h; ").decoy(dc.lab(v), "LAB").t(".\n")
    clinical_sentence(w, v)
    w.t("Regresa el ").phi(v.date("es_slash"), "DATE").t(" con Dr. ").phi(
        v.name_as(v.person(), "last"), "NAME"
    ).t(".\n")


STYLES = {
    "discharge_summary": discharge_summary,
    "referral_letter": referral_letter,
    "nursing_handoff": nursing_handoff,
    "behavioral_health": behavioral_health,
    "lab_requisition": lab_requisition,
    "spanish_letter": spanish_letter,
    "bilingual_note": bilingual_note,
}
