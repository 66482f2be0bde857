"""Revenue cycle, legal and bereavement documents."""

from __future__ import annotations

from phigate.masking.eval.atlas import _ids
from phigate.masking.eval.atlas._builder import D, Doc, P
from phigate.masking.eval.atlas._kit import Kit
from phigate.masking.eval.atlas._people import HOSPITALS, ORGS, PROFESSIONS
from phigate.masking.eval.corpus import Document


def collections_letter(k: Kit) -> Document:
    r, doc = k.r, Doc("collections_letter")
    pt = k.person()
    city, state, zip_ = k.p.city()
    doc.line(
        P(r.choice(("Summit Recovery Services", "Apex Medical Collections LLC")), "ORGANIZATION"),
        " · PO Box ",
        str(r.randint(100, 9999)),
    )
    doc.line("")
    doc.line(P(pt.full.upper(), "NAME"))
    doc.line(P(k.p.street(), "ADDRESS"))
    doc.line(P(city, "CITY"), ", ", D(state, "state"), " ", P(zip_, "ZIP"))
    doc.line("")
    doc.line(
        "Re: balance owed to ",
        P(r.choice(HOSPITALS), "HOSPITAL"),
        " — account ",
        P(f"{r.randint(10**8, 10**9 - 1)}", "ACCOUNT"),
    )
    doc.line(
        "Date of service ",
        P(k.p.date(2023, 2026), "DATE"),
        " (",
        k.d.pick("cpt"),
        ", ",
        k.d.pick("department"),
        "). Amount due: ",
        k.d.money(),
        ".",
    )
    doc.line(
        "This is an attempt to collect a debt. Pay within ",
        D("30 days", "duration"),
        " at https://pay.summitrecovery.com or call ",
        P(k.p.phone(), "PHONE"),
        ".",
    )
    doc.line(
        "Reference code ",
        P(f"SR-{_ids.alnum(r, 8)}", "ACCOUNT"),
        " — see ",
        k.d.pick("form"),
        " itemization.",
    )
    return doc.build()


def payment_plan(k: Kit) -> Document:
    r, doc = k.r, Doc("payment_plan_note")
    pt, rep = k.person(), k.person()
    doc.line("PFS note ", k.d.timestamp(), " by ", P(k.p.username(rep.first, rep.last), "USERNAME"))
    doc.line(
        "Guarantor ",
        P(pt.full, "NAME"),
        " agreed to ",
        D(f"{r.randint(3, 24)} monthly payments", "quantity"),
        " of ",
        k.d.money(),
        " on the ",
        str(r.randint(1, 28)),
        "th.",
    )
    doc.line(
        "Autopay from checking: routing ",
        P(_ids.aba(r), "ACCOUNT"),
        " acct ",
        P(f"{r.randint(10**7, 10**11)}", "ACCOUNT"),
        ".",
    )
    if k.chance(0.5):
        doc.line(
            "Backup card ",
            P(_ids.card(r), "ACCOUNT"),
            " exp ",
            D(f"{r.randint(1, 12):02d}/{r.randint(27, 31)}", "quantity"),
            ".",
        )
    else:
        doc.line("Backup IBAN (German bank) ", P(_ids.iban_de(r), "ACCOUNT"), ".")
    doc.line(
        "Plan type ",
        k.d.pick("plan"),
        "; financial assistance screen ",
        k.pick("denied", "pending"),
        "; ",
        k.d.pick("weekday"),
        " callback.",
    )
    return doc.build()


def subpoena(k: Kit) -> Document:
    r, doc = k.r, Doc("records_subpoena")
    pt, atty = k.person(), k.person()
    doc.line("SUBPOENA DUCES TECUM — ", D(k.d.pick("state").value, "state"), " District Court")
    doc.line(
        "Case No. ",
        P(f"{r.randint(20, 26)}-CV-{r.randint(10000, 99999)}", "ID"),
        "   ",
        P(pt.last, "NAME"),
        " v. ",
        P(r.choice(ORGS), "ORGANIZATION"),
    )
    doc.line(
        "To: Custodian of Records, ",
        P(r.choice(HOSPITALS), "HOSPITAL"),
        ", ",
        k.d.pick("department"),
    )
    doc.line(
        "Produce all records of ",
        P(pt.full, "NAME"),
        ", DOB ",
        P(k.p.date(1940, 2010), "DATE"),
        ", SSN ",
        P(_ids.ssn(r), "SSN"),
        ", from ",
        k.d.year(),
        " to present.",
    )
    doc.line(
        "Issued by ",
        P(atty.full, "NAME"),
        ", Esq., Bar No. ",
        P(f"{r.randint(100000, 999999)}", "LICENSE"),
        ", ",
        P(r.choice(("Gideon & Marsh LLP", "Okafor Injury Law")), "ORGANIZATION"),
    )
    doc.line(
        "Tel ",
        P(k.p.phone(), "PHONE"),
        "  ",
        P(k.p.email(atty.first, atty.last).split("@")[0] + "@gideonmarsh.law", "EMAIL"),
        "  return in ",
        D("14 days", "duration"),
    )
    return doc.build()


def court_eval(k: Kit) -> Document:
    r, doc = k.r, Doc("court_ordered_evaluation")
    pt, psy = k.person(), k.person()
    doc.line("COURT-ORDERED COMPETENCY EVALUATION (", k.d.pick("form"), ")")
    doc.line(
        "Defendant: ",
        P(pt.full, "NAME"),
        "   Docket ",
        P(f"CR-{r.randint(2020, 2026)}-{r.randint(1000, 9999)}", "ID"),
    )
    doc.line(
        "Ordered by Judge ",
        P(k.p.last(), "NAME"),
        " on ",
        P(k.p.date(2025, 2026), "DATE"),
        "; evaluated at ",
        P(r.choice(HOSPITALS), "HOSPITAL"),
    )
    doc.line(
        "The defendant, formerly the ",
        P(r.choice(PROFESSIONS), "PROFESSION"),
        ", has ",
        k.d.pick("eponym"),
        " and takes ",
        *k.d.dosed(),
        ".",
    )
    doc.line(
        "MMSE ",
        D(f"{r.randint(14, 30)}/30", "quantity"),
        "; ",
        k.d.pick("vital"),
        "; interview lasted ",
        k.d.duration(),
        ".",
    )
    doc.line(
        "Evaluator: ",
        P(psy.full, "NAME"),
        ", PsyD, license ",
        P(f"PSY{r.randint(10000, 99999)}", "LICENSE"),
    )
    return doc.build()


def bereavement(k: Kit) -> Document:
    r, doc = k.r, Doc("bereavement_note")
    pt = k.person()
    city = k.p.city()[0]
    age = k.p.old_age()[1] if k.chance(0.6) else None
    doc.add(P(pt.full, "NAME"), ", ")
    doc.add(
        P(age, "AGE") if age else k.d.age(),
        ", of ",
        P(city, "CITY"),
        ", passed peacefully on ",
        P(k.p.date(2025, 2026), "DATE"),
    )
    doc.line(
        " at ",
        P(r.choice(HOSPITALS), "HOSPITAL"),
        " after a long journey with ",
        k.d.pick("eponym"),
        ".",
    )
    doc.add("Born ", P(k.p.date(1924, 1960), "DATE"), ", ")
    doc.line(
        "a ",
        P(r.choice(PROFESSIONS), "PROFESSION"),
        " for ",
        D(f"{r.randint(20, 45)} years", "duration"),
        ", survived by ",
        P(k.p.full(), "NAME"),
        ".",
    )
    doc.line(
        "Hospice chaplain visit logged ",
        k.d.pick("weekday"),
        " ",
        k.d.pick("shift"),
        "; condolence card to ",
        P(k.p.street(), "ADDRESS"),
        ".",
    )
    doc.line(
        "Bereavement follow-up call ",
        D("13 months", "duration"),
        " per ",
        k.d.pick("org_type"),
        " policy.",
    )
    return doc.build()
