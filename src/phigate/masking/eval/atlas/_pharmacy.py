"""Pharmacy, dental, vision, lab and imaging documents."""

from __future__ import annotations

from phigate.masking.eval.atlas import _ids
from phigate.masking.eval.atlas._builder import D, Doc, P
from phigate.masking.eval.atlas._kit import Kit
from phigate.masking.eval.atlas._people import a_date
from phigate.masking.eval.corpus import Document


def dispensing_log(k: Kit) -> Document:
    r, doc = k.r, Doc("pharmacy_dispensing_log")
    doc.line(
        "# dispense queue export ",
        k.d.timestamp(),
        " store ",
        str(r.randint(100, 9999)),
        " (",
        k.d.pick("form"),
        ")",
    )
    doc.line("fill_id|rx_no|patient|dob|drug|qty|days|prescriber|dea|npi|copay")
    for _ in range(r.randint(2, 5)):
        pt, doc_ = k.person(), k.person()
        drug, dose = k.d.drug()
        doc.line(
            str(r.randint(10000, 99999)),
            "|",
            P(f"RX{r.randint(1000000, 9999999)}", "ID"),
            "|",
            P(f"{pt.last.upper()},{pt.first.upper()}", "NAME"),
            "|",
            P(k.p.date(1930, 2015), "DATE"),
            "|",
            drug,
            " ",
            dose,
            "|",
            k.d.quantity(),
            "|",
            D(str(r.choice([30, 90, 7])), "quantity"),
            "|",
            P(f"{doc_.last}, {doc_.first[0]}", "NAME"),
            "|",
            P(_ids.dea(r, doc_.last), "LICENSE"),
            "|",
            P(_ids.npi(r), "ID"),
            "|",
            k.d.money(),
        )
    doc.line(
        "-- ",
        D(str(r.randint(3, 400)), "quantity"),
        " rows; NDC crosswalk ",
        k.d.pick("ndc"),
        " flagged for review",
    )
    return doc.build()


def pbm_fax(k: Kit) -> Document:
    r, doc = k.r, Doc("pbm_prior_auth_fax")
    pt, md = k.person(), k.person()
    city, state, zip_ = k.p.city()
    drug, dose = k.d.drug()
    doc.line(
        "PRIOR AUTHORIZATION REQUEST — fax to ",
        P(k.p.phone(), "FAX"),
        "   Page 1 of ",
        D(str(r.randint(2, 6)), "quantity"),
    )
    doc.line(
        "Transaction: ",
        k.d.pick("form"),
        "  BIN 610014  PCN ",
        k.pick("MEDDPRIME", "ADV", "9999"),
        "  Group ",
        k.pick("RX1234", "PDPIND"),
    )
    doc.line(
        "Member name: ",
        P(pt.full, "NAME"),
        "    Member ID: ",
        P(k.p.member_id(), "HEALTH_PLAN"),
        "    Plan: ",
        k.d.pick("plan"),
    )
    doc.line(
        "DOB: ",
        P(k.p.date(1935, 2012), "DATE"),
        "   Address: ",
        P(k.p.street(), "ADDRESS"),
        ", ",
        P(city, "CITY"),
        ", ",
        D(state, "state"),
        " ",
        P(zip_, "ZIP"),
    )
    doc.line(
        "Medication: ",
        drug,
        " ",
        dose,
        "  NDC ",
        k.d.pick("ndc"),
        "  ",
        k.d.pick("rxnorm"),
        "  Qty ",
        k.d.quantity(),
    )
    doc.line(
        "Diagnosis: ",
        k.d.pick("icd10"),
        " — failed step therapy on ",
        k.d.drug()[0],
        " for ",
        k.d.duration(),
    )
    doc.line(
        "Prescriber: Dr. ",
        P(md.full, "NAME"),
        "  NPI ",
        P(_ids.npi(r), "ID"),
        "  DEA ",
        P(_ids.dea(r, md.last), "LICENSE"),
    )
    doc.line("Office phone ", P(k.p.phone(), "PHONE"), "   Office fax ", P(k.p.phone(), "FAX"))
    doc.line(
        "Clinic: ",
        P(
            k.r.choice(
                (
                    "Lakeshore Family Medicine",
                    "Ridgecrest Pediatrics",
                    "Harbor Endocrine Associates",
                )
            ),
            "ORGANIZATION",
        ),
    )
    doc.line("Urgency: standard (", D("72 hours", "duration"), ").  Reply via ", k.d.pick("url"))
    return doc.build()


_SPOKEN = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _spoken_phone(k: Kit) -> str:
    """A number as a caller says it; speech-to-text writes the words, not the digits."""
    groups = (k.r.randint(201, 989), k.r.randint(200, 989), k.r.randint(0, 9999))
    widths = (3, 3, 4)
    return ", ".join(
        " ".join(_SPOKEN[int(c)] for c in f"{n:0{w}d}") for n, w in zip(groups, widths, strict=True)
    )


def refill_voicemail(k: Kit) -> Document:
    r, doc = k.r, Doc("refill_voicemail")
    pt = k.person()
    drug, dose = k.d.drug()
    doc.line(
        "[voicemail transcript, ", D(f"{r.randint(12, 140)} s", "duration"), ", confidence 0.81]"
    )
    doc.add(
        "hi um this is ", P(pt.full, "NAME"), " calling about my refill, the ", drug, " ", dose, " "
    )
    doc.add(
        "uh my birthday is ", P(k.p.date(1930, 2000), "DATE"), " and the prescription number is "
    )
    doc.add(P(f"{r.randint(100, 999)}-{r.randint(1000, 9999)}", "ID"), " ")
    if k.chance(0.4):
        _, said = k.p.old_age()
        doc.add("it's for my mother she's ", P(said, "AGE"), " and can't get to the phone ")
    else:
        doc.add("I'm ", k.d.age(), " and I've been on it since ", k.d.year(), " ")
    callback = _spoken_phone(k) if k.chance(0.4) else k.p.phone()
    doc.add("you can call me back at ", P(callback, "PHONE"), " after ", k.d.pick("weekday"), " ")
    doc.line(
        "or I'm at work at ",
        P(
            r.choice(("Northgate Packaging", "Tri-County Sheriff's Office", "Bluewater Marine")),
            "ORGANIZATION",
        ),
        " okay thanks bye",
    )
    return doc.build()


def dental_chart(k: Kit) -> Document:
    r, doc = k.r, Doc("dental_perio_chart")
    pt, dds = k.person(), k.person()
    doc.line("PERIODONTAL CHARTING  ", k.d.pick("room"), "  ", k.d.pick("cpt"))
    doc.line(
        "Pt: ",
        P(pt.full, "NAME"),
        "  Chart #",
        P(k.p.mrn(), "MRN"),
        "  DOB ",
        P(k.p.date(1940, 2015), "DATE"),
        "  Age ",
        k.d.age(),
    )
    doc.line("Dental ins: ", P(k.p.member_id(), "HEALTH_PLAN"), " (", k.d.pick("plan"), ")")
    for _ in range(r.randint(3, 6)):
        depths = "-".join(str(r.randint(2, 8)) for _ in range(3))
        doc.line(
            "  tooth ",
            k.d.tooth(),
            "  PD ",
            D(depths, "quantity"),
            " mm  BOP ",
            k.pick("+", "-"),
            "  mobility ",
            str(r.randint(0, 2)),
        )
    drug, dose = k.d.drug()
    doc.line("Dx ", k.d.pick("icd10"), " generalized stage III perio. Rx ", drug, " ", dose, ".")
    doc.line(
        "Hygienist: ",
        P(f"{dds.first[0]}. {dds.last}", "NAME"),
        ", RDH  lic ",
        P(f"DH{r.randint(10000, 99999)}", "LICENSE"),
    )
    doc.line(
        "Recall ",
        D("3 months", "duration"),
        "; SRP ",
        k.d.pick("cpt"),
        " quad UR/LR next ",
        k.d.pick("weekday"),
        ".",
    )
    return doc.build()


def optometry(k: Kit) -> Document:
    r, doc = k.r, Doc("optometry_exam")
    pt, od = k.person(), k.person()
    doc.line("COMPREHENSIVE EYE EXAM ", k.d.pick("cpt"), "  ", k.d.pick("department"))
    doc.line(
        "Patient ",
        P(pt.full, "NAME"),
        "   DOB ",
        P(k.p.date(1930, 2018), "DATE"),
        "   Acct ",
        P(f"{r.randint(100000, 999999)}", "ACCOUNT"),
    )
    doc.line("Vision plan ", P(f"VSP-{r.randint(10000000, 99999999)}", "HEALTH_PLAN"))
    doc.line(
        "MRx OD ",
        k.d.diopter(),
        " ",
        k.d.diopter(),
        " x ",
        D(str(r.randint(1, 180)).zfill(3), "quantity"),
        "   OS ",
        k.d.diopter(),
        " ",
        k.d.diopter(),
        " x ",
        D(str(r.randint(1, 180)).zfill(3), "quantity"),
    )
    doc.line(
        "VA cc 20/",
        str(r.choice([20, 25, 30, 40])),
        " OU; IOP ",
        D(f"{r.randint(10, 28)} mmHg", "vital"),
        " OD, ",
        D(f"{r.randint(10, 28)} mmHg", "vital"),
        " OS",
    )
    drug, dose = k.d.drug()
    doc.line(
        "A/P: ",
        k.d.pick("icd10"),
        " myopia w/ astigmatism; r/o glaucoma suspect. ",
        drug,
        " ",
        dose,
        " qhs.",
    )
    doc.line(
        "Driver's license restriction noted, DL ",
        P(f"{k.pick('WDL', 'D', 'S')}{_ids.alnum(r, 9)}", "LICENSE"),
        " ",
        D(k.d.pick("state").value, "state"),
    )
    doc.line(
        "Dr. ",
        P(od.full, "NAME"),
        ", OD — ",
        P(r.choice(("ClearView Optical #12", "Bright Eyes Vision Center")), "ORGANIZATION"),
    )
    return doc.build()


def lis_log(k: Kit) -> Document:
    r, doc = k.r, Doc("lis_accession_log")
    doc.line("LIS accession log  instrument ", k.d.version(), "  ", k.d.timestamp())
    for _ in range(r.randint(3, 6)):
        pt = k.person()
        doc.line(
            P(f"{r.choice(['C', 'H', 'M'])}{r.randint(24, 26)}-{r.randint(100000, 999999)}", "ID"),
            "  ",
            P(f"{pt.last.upper()}, {pt.first.upper()}", "NAME"),
            "  MRN ",
            P(k.p.mrn(), "MRN"),
            "  ",
            k.d.pick("loinc"),
            "  ",
            k.d.pick("lab"),
            "  tube SST barcode ",
            P(f"*{r.randint(10**9, 10**10 - 1)}*", "ID"),
        )
    doc.line(
        "QC lot ",
        D(f"LOT{r.randint(1000, 9999)}", "build"),
        " passed; ",
        k.d.pick("shift"),
        " tech ",
        P(k.p.username("lab", k.p.last()), "USERNAME"),
    )
    return doc.build()


def dicom_dump(k: Kit) -> Document:
    r, doc = k.r, Doc("dicom_header_dump")
    pt = k.person()
    dob8 = a_date(r, 1930, 2020).strftime("%Y%m%d")
    doc.line("# dcmdump ", k.d.version(), " ", k.d.commit())
    doc.line(
        "(0008,0020) DA [",
        P(f"2026{r.randint(1, 12):02d}{r.randint(1, 28):02d}", "DATE"),
        "]  # StudyDate",
    )
    doc.line(k.d.dicom_tag(), " CS [", k.pick("CT", "MR", "US", "CR"), "]")
    doc.line(
        "(0008,0080) LO [",
        P(
            k.r.choice(("MERCY LAKESHORE HOSP", "CASCADIA VALLEY MED CTR", "BLUE HILLS MEMORIAL")),
            "HOSPITAL",
        ),
        "]  # InstitutionName",
    )
    doc.line(
        "(0008,0090) PN [",
        P(f"{k.p.last().upper()}^{k.p.first().upper()}", "NAME"),
        "]  # ReferringPhysicianName",
    )
    doc.line(
        "(0010,0010) PN [", P(f"{pt.last.upper()}^{pt.first.upper()}", "NAME"), "]  # PatientName"
    )
    doc.line("(0010,0020) LO [", P(k.p.mrn(), "MRN"), "]  # PatientID")
    doc.line("(0010,0030) DA [", P(dob8, "DATE"), "]  # PatientBirthDate")
    if k.chance(0.5):
        age = k.p.old_age()[0]
        doc.line("(0010,1010) AS [", P(f"{age:03d}Y", "AGE"), "]  # PatientAge")
    else:
        doc.line("(0010,1010) AS [", D(f"{r.randint(1, 89):03d}Y", "age"), "]  # PatientAge")
    doc.line(
        "(0018,1000) LO [", P(f"SN{r.randint(10000, 99999)}", "DEVICE"), "]  # DeviceSerialNumber"
    )
    doc.line("(0020,000D) UI [", k.d.software_uid(), "]  # StudyInstanceUID")
    doc.line("(0020,000E) UI [", k.d.software_uid(), "]  # SeriesInstanceUID")
    doc.line(
        "(0008,0050) SH [", P(f"A{r.randint(10000000, 99999999)}", "ID"), "]  # AccessionNumber"
    )
    doc.line(
        "(0018,0050) DS [",
        D(f"{r.choice([0.625, 1.25, 2.5, 5.0])}", "quantity"),
        "]  # SliceThickness",
    )
    return doc.build()


def pacs_worklist(k: Kit) -> Document:
    r, doc = k.r, Doc("pacs_worklist")
    doc.line("| Time | Patient | MRN | Exam | Modality | Room | Accession | Status |")
    doc.line("|---|---|---|---|---|---|---|---|")
    for _ in range(r.randint(3, 6)):
        pt = k.person()
        doc.line(
            "| ",
            f"{r.randint(7, 19):02d}:{r.choice(['00', '15', '30', '45'])}",
            " | ",
            P(f"{pt.last}, {pt.first}", "NAME"),
            " | ",
            P(k.p.mrn(), "MRN"),
            " | ",
            k.pick("MRI brain w/wo", "CT chest PE", "US RUQ", "XR knee 3v"),
            " (",
            k.d.pick("cpt"),
            ") | ",
            k.pick("MR", "CT", "US", "CR"),
            " | ",
            k.d.pick("room"),
            " | ",
            P(f"{r.randint(24, 26)}RA{r.randint(10000, 99999)}", "ID"),
            " | ",
            k.pick("SCHEDULED", "ARRIVED", "IN PROGRESS"),
            " |",
        )
    doc.line(
        "AE title PACS01 port ",
        k.d.port(),
        "; C-FIND answered ",
        k.d.http(),
        " in ",
        D(f"{r.randint(20, 900)} ms", "duration"),
    )
    return doc.build()
