"""Forms and notes: telehealth, school nurse, occupational health, credentialing, foreign notes."""

from __future__ import annotations

from phigate.masking.eval.frontdesk import _person as h
from phigate.masking.eval.frontdesk import _pools as pools
from phigate.masking.eval.frontdesk import _values as v
from phigate.masking.eval.frontdesk._builder import Builder, D, P


def telehealth_summary(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line("TELEHEALTH VISIT SUMMARY   ", P(v.hospital(r), "HOSPITAL"))
    b.line("Patient: ", who.name, "   DOB ", h.born(r, who), "   MRN ", P(who.mrn, "MRN"))
    b.line(
        "Visit: ",
        h.date(r),
        "  platform ",
        D(f"VidLink {v.version(r)}", "version"),
        "  patient IP ",
        P(v.ip_address(r), "IP"),
        "  duration ",
        h.duration(r),
    )
    b.line(
        "Patient located at home: ",
        P(who.street, "ADDRESS"),
        ", ",
        P(who.town, "CITY"),
        ", ",
        h.state(r),
    )
    b.add("Subjective: ", h.young_age(r), " y/o reports flare of ", h.eponym(r), ". Works as a ")
    b.line(P(v.pick(r, pools.PROFESSIONS), "PROFESSION"), ", missed ", h.duration(r), " of work.")
    b.line(
        "Home readings: ",
        h.vital(r),
        ", ",
        h.vital(r),
        "; remote monitor serial ",
        P(v.device_serial(r), "DEVICE"),
        " synced.",
    )
    b.line("Plan: continue ", h.drug(r), "; labs ", h.code(r), " at ", h.dept(r), ".")
    b.line("Identity verified with photo ID; consent recorded ", h.stamp(r), ".")
    b.line("Clinician: ", h.name(r), ", NP")


def school_nurse_form(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    school = (
        f"{v.pick(r, pools.TOWN_HEADS)} {r.choice(('Elementary', 'Middle School', 'High School'))}"
    )
    b.line(P(school, "ORGANIZATION"), " - HEALTH OFFICE VISIT")
    b.line(
        "Student: ",
        who.name,
        "  Grade ",
        str(r.randint(1, 12)),
        "  DOB ",
        h.born(r, who),
        "  Student ID ",
        P(v.digits(r, 7), "ID"),
    )
    b.line("Time in: ", h.time_of_day(r), "  Complaint: wheezing at recess (", h.weekday(r), ")")
    b.line("Assessment: ", h.vital(r), ", ", h.vital(r), ". Hx asthma, action plan on file.")
    b.line("Given: ", D("albuterol 90 mcg/actuation", "drug"), " 2 puffs per plan.")
    b.line(
        "Parent/guardian: ",
        P(f"{v.given(r)} {who.last}", "NAME"),
        " notified at ",
        P(who.phone, "PHONE"),
        ", works at ",
        P(v.pick(r, pools.EMPLOYERS), "ORGANIZATION"),
    )
    b.line("Returned to class after ", h.duration(r), ". Nurse: ", h.name(r), ", RN")


def occupational_health_form(b: Builder) -> None:
    r, who = b.rng, h.person(b.rng)
    b.line("OCCUPATIONAL HEALTH - WORK STATUS REPORT   ", h.dept(r))
    b.line(
        "Employee: ",
        who.last_first,
        "   Employee #: ",
        P(f"E{v.digits(r, 6)}", "ID"),
        "   SSN (last 4): ",
        P(v.digits(r, 4), "SSN"),
    )
    b.line(
        "Employer: ",
        P(v.pick(r, pools.EMPLOYERS), "ORGANIZATION"),
        "   Job title: ",
        P(v.pick(r, pools.PROFESSIONS), "PROFESSION"),
        "   ",
        D(v.pick(r, pools.SHIFTS), "shift"),
    )
    b.line("Date of injury: ", h.date(r), "   Claim #: ", P(v.claim_id(r), "ID"))
    b.line(
        "MVA on the job in own car: VIN ",
        P(v.vin(r), "VEHICLE"),
        ", plate ",
        P(v.plate(r), "VEHICLE"),
    )
    b.line("Driver licence: ", P(v.licence(r), "LICENSE"), " (", h.state(r), ")")
    b.line("Findings: ", h.vital(r), "; lumbar strain (", h.icd(r), "); no ", h.eponym(r), ".")
    b.line(
        "Restrictions: no lifting > ",
        D(f"{r.choice((10, 20, 25))} lb", "quantity"),
        " for ",
        h.duration(r),
        ". Badge biometric re-enrolled: ",
        P(v.biometric(r), "BIOMETRIC"),
    )


def credentialing_record(b: Builder) -> None:
    r = b.rng
    first, last = v.given(r), v.family(r)
    b.line("CREDENTIALING FILE  -  ", h.dept(r), "  -  re-appointment cycle ", h.year(r))
    b.line(
        "Practitioner: ",
        P(f"{first} {last}", "NAME"),
        ", MD   Home: ",
        P(v.street(r), "ADDRESS"),
        ", ",
        P(v.town(r), "CITY"),
        " ",
        P(v.us_zip(r), "ZIP"),
    )
    b.line(
        "DOB: ",
        h.date(r, 1950, 1995),
        "   SSN: ",
        P(v.ssn(r), "SSN"),
        "   Personal cell: ",
        P(v.us_phone(r), "PHONE"),
    )
    b.line(
        "NPI: ",
        P(v.npi(r), "ID"),
        "   DEA: ",
        P(v.dea(r, last), "LICENSE"),
        "   State licence: ",
        P(v.licence(r), "LICENSE"),
        " exp ",
        h.date(r, 2026, 2028),
    )
    b.line("Board certification: Internal Medicine (ABIM), recertified ", h.year(r))
    b.line(
        "Privileges at: ",
        P(v.hospital(r), "HOSPITAL"),
        "; ",
        D(v.pick(r, pools.SHIFTS), "shift"),
        " coverage",
    )
    b.line("Badge photo / fingerprint on file: ", P(v.biometric(r), "BIOMETRIC"))
    b.line(
        "Malpractice carrier: ",
        P("Corran Mutual Indemnity", "ORGANIZATION"),
        " policy ",
        P(f"CMI-{v.digits(r, 8)}", "ACCOUNT"),
    )
    b.line("Primary source verified via ", D("https://www.npiregistry.cms.hhs.gov", "public_url"))


def _local_person(b: Builder, lang: str) -> tuple[P, P, P, P, P]:
    r = b.rng
    streets = {
        "de": pools.DE_STREETS,
        "fr": pools.FR_STREETS,
        "pt": pools.BR_STREETS,
        "tl": pools.PH_STREETS,
        "vi": pools.VN_STREETS,
    }[lang]
    towns = {
        "de": pools.DE_TOWNS,
        "fr": pools.FR_TOWNS,
        "pt": pools.BR_TOWNS,
        "tl": pools.PH_TOWNS,
        "vi": pools.VN_TOWNS,
    }[lang]
    street = f"{v.pick(r, streets)} {r.randint(1, 140)}"
    if lang in ("fr", "vi", "tl"):
        street = f"{r.randint(1, 140)} {v.pick(r, streets)}"
    zips = {
        "de": v.digits(r, 5),
        "fr": f"{r.randint(10, 95)}{v.digits(r, 3)}",
        "pt": f"{v.digits(r, 5)}-{v.digits(r, 3)}",
        "tl": v.digits(r, 4),
        "vi": v.digits(r, 6),
    }
    return (
        P(f"{v.given(r)} {v.family(r)}", "NAME"),
        P(street, "ADDRESS"),
        P(v.pick(r, towns), "CITY"),
        P(zips[lang], "ZIP"),
        P(v.intl_phone(r, lang), "PHONE"),
    )


def _ld(b: Builder, lang: str, born: bool = False) -> P:
    day = v.dob(b.rng) if born else v.a_date(b.rng)
    return P(v.local_date(b.rng, day, lang), "DATE")


def note_de(b: Builder) -> None:
    r, (name, street, town, plz, tel) = b.rng, _local_person(b, "de")
    b.line(
        "Arztbrief - ", P(f"Klinikum {v.pick(r, pools.DE_TOWNS)}", "HOSPITAL"), ", Innere Medizin"
    )
    b.line("Patient: ", name, ", geb. ", _ld(b, "de", True), ", ", street, ", ", plz, " ", town)
    b.line(
        "Versichertennr.: ",
        P(v.kvnr(r), "HEALTH_PLAN"),
        " (",
        D("AOK", "plan_name"),
        "), Tel. ",
        tel,
    )
    b.line("Aufnahme am ", _ld(b, "de"), ", Entlassung am ", _ld(b, "de"), ".")
    b.add("Diagnosen: ", h.eponym(r), " (", h.icd(r), "). Labor: ", h.lab(r), ". ")
    b.line("Medikation: ", h.drug(r), " 1-0-1.")
    b.line("Die Patientin ist ", P(v.old_age(r), "AGE"), " Jahre alt und lebt allein.")
    b.line(
        "Überweisung Zuzahlung an IBAN ",
        P(v.iban_de(r), "ACCOUNT"),
        ", BIC ",
        D("COBADEFFXXX", "bank_code"),
        ".",
    )
    b.line("Mit freundlichen Grüßen, Dr. med. ", h.name(r))


def note_fr(b: Builder) -> None:
    r, (name, street, town, cp, tel) = b.rng, _local_person(b, "fr")
    b.line(
        "Compte rendu de consultation - ",
        P(f"Centre hospitalier de {v.pick(r, pools.FR_TOWNS)}", "HOSPITAL"),
    )
    b.line("Patient(e) : ", name, ", né(e) le ", _ld(b, "fr", True), ", NIR ", P(v.nir(r), "ID"))
    b.line("Adresse : ", street, ", ", cp, " ", town, " - Tél. : ", tel)
    b.line("Consultation du ", _ld(b, "fr"), " pour suivi de ", h.eponym(r), ".")
    b.line("Constantes : ", h.vital(r), ", ", h.vital(r), ". Biologie : ", h.lab(r), ".")
    b.line("Traitement : ", h.drug(r), ", renouvelé pour ", D("3 mois", "duration"), ".")
    b.line("Mutuelle : ", D("MGEN", "plan_name"), ", adhérent ", P(v.digits(r, 10), "HEALTH_PLAN"))
    b.line("Prochain rendez-vous le ", _ld(b, "fr"), ". Dr ", h.name(r))


def note_pt(b: Builder) -> None:
    r, (name, street, town, cep, tel) = b.rng, _local_person(b, "pt")
    b.line(
        "Ficha de atendimento - ",
        P(f"Hospital Municipal de {v.pick(r, pools.BR_TOWNS)}", "HOSPITAL"),
    )
    b.line(
        "Paciente: ",
        name,
        "  CPF: ",
        P(v.cpf(r), "ID"),
        "  Cartão SUS: ",
        P(f"{v.digits(r, 3)} {v.digits(r, 4)} {v.digits(r, 4)} {v.digits(r, 4)}", "HEALTH_PLAN"),
    )
    b.line("Nascimento: ", _ld(b, "pt", True), "  Endereço: ", street, ", ", town, ", CEP ", cep)
    b.line(
        "Telefone: ",
        tel,
        "  Profissão: ",
        P(r.choice(("costureira", "pedreiro", "motorista de aplicativo")), "PROFESSION"),
    )
    b.line(
        "Atendido em ", _ld(b, "pt"), ". Queixa: dor lombar há ", D("2 semanas", "duration"), "."
    )
    b.line("Sinais: ", h.vital(r), ". Conduta: ", h.drug(r), ". Retorno em ", h.weekday(r), ".")
    b.line("Valor da consulta particular: ", D(f"R$ {r.randint(80, 400)},00", "money"))


def note_tl(b: Builder) -> None:
    r, (name, street, town, zip4, tel) = b.rng, _local_person(b, "tl")
    b.line("Talaan ng Konsulta - ", P(f"{v.pick(r, pools.PH_TOWNS)} Rural Health Unit", "HOSPITAL"))
    b.line(
        "Pangalan: ",
        name,
        "   Kaarawan: ",
        _ld(b, "tl", True),
        "   PhilHealth PIN: ",
        P(v.philhealth(r), "HEALTH_PLAN"),
    )
    b.line("Tirahan: ", street, ", ", town, " ", zip4, "   Cellphone: ", tel)
    b.line(
        "Petsa ng konsulta: ",
        _ld(b, "tl"),
        ". Lola niya ay ",
        P(v.old_age(r), "AGE"),
        " taong gulang na, kasama sa bahay.",
    )
    b.line(
        "Reklamo: ubo at lagnat ng ", D("3 araw", "duration"), ". ", h.vital(r), ", ", h.vital(r)
    )
    b.line("Gamot: ", h.drug(r), ". Bumalik sa ", h.weekday(r), ". - ", h.name(r), ", RN")


def note_vi(b: Builder) -> None:
    r, (name, street, town, zip6, tel) = b.rng, _local_person(b, "vi")
    b.line("PHIẾU KHÁM BỆNH - ", P(f"Bệnh viện Đa khoa {v.pick(r, pools.VN_TOWNS)}", "HOSPITAL"))
    b.line("Họ tên: ", name, "   Ngày sinh: ", _ld(b, "vi", True), "   CCCD: ", P(v.cccd(r), "ID"))
    b.line("Địa chỉ: ", street, ", ", town, " ", zip6, "   ĐT: ", tel)
    b.line("Mã thẻ BHYT: ", P(f"{v.letters(r, 2)}{v.digits(r, 13)}", "HEALTH_PLAN"))
    b.line("Ngày khám: ", _ld(b, "vi"), ". Chẩn đoán: ", h.eponym(r), " (", h.icd(r), ").")
    b.line(
        "Xét nghiệm: ", h.lab(r), ". Thuốc: ", h.drug(r), " trong ", D("7 ngày", "duration"), "."
    )
    b.line("Bác sĩ: ", h.name(r))
