"""Form and chat styles: claims, prior authorisations, prescriptions, pharmacy
labels, intake and consent forms, pasted tables and key: value dumps, staff SMS."""

from __future__ import annotations

from collections.abc import Callable

from . import _decoys as dc
from ._common import REGIONS, address_lines
from ._values import Address, Name, Values
from ._writer import Writer


def claim_form(w: Writer, v: Values) -> None:
    """CMS-1500 or UB-04 boxes as text: numbered labels, values after them."""
    if v.chance(0.4):
        ub04_claim(w, v)
        return
    pt, ins, doc = v.person(), v.person(), v.person()
    home = v.address("us")
    w.t("HEALTH INSURANCE CLAIM FORM  (CMS-1500 ").decoy("02/12", "FORM_VERSION").t(")\n")
    w.t("1a. INSURED'S I.D. NUMBER: ").phi(v.member_id(), "HEALTH_PLAN").t("\n2. PATIENT'S NAME: ")
    w.phi(v.name_as(pt, "caps"), "NAME").t("\n3. PATIENT'S BIRTH DATE: ").phi(
        v.date(v.pick(["us", "nodash", "us_dash"])), "DATE"
    )
    w.t("  SEX: ").t(v.pick(["F", "M"])).t("\n5. PATIENT'S ADDRESS: ")
    address_lines(w, home, sep=", ")
    w.t("  TEL: ").phi(v.phone(), "PHONE").t("\n4. INSURED'S NAME: ").phi(
        v.name_as(ins, "caps"), "NAME"
    )
    w.t("\n11. INSURED'S POLICY GROUP OR FECA NUMBER: ").phi(v.group_no(), "HEALTH_PLAN")
    w.t("\n11b. EMPLOYER'S NAME: ").phi(v.organization(), "ORGANIZATION")
    w.t("\n21. DIAGNOSIS: A. ").decoy(v.pick(["E11.9", "I10", "M54.5", "J45.909"]), "ICD10").t(
        "  B. "
    ).decoy(v.pick(["Z79.4", "N18.3"]), "ICD10")
    w.t("\n24A. DATES OF SERVICE From ").phi(v.date("short_us"), "DATE").t(" To ").phi(
        v.date("short_us"), "DATE"
    )
    w.t("  24D. CPT/HCPCS ").decoy(v.pick(["99214", "93000", "J1885"]), "CPT").t(
        "  24G. UNITS "
    ).decoy(str(v.rng.randint(1, 4)), "QUANTITY")
    w.t("\n24J. RENDERING PROVIDER ID # ").phi(v.npi(), "ID").t(
        "\n25. FEDERAL TAX I.D. NUMBER: "
    ).phi(v.tax_id(), "ID")
    w.t("  EIN\n26. PATIENT'S ACCOUNT NO.: ").phi(v.account(), "ACCOUNT").t(
        "\n31. SIGNATURE OF PHYSICIAN: "
    )
    w.phi(v.name_as(doc, "full"), "NAME").t(" MD   DATE ").phi(v.date(), "DATE")
    w.t("\n33. BILLING PROVIDER: ").phi(v.hospital(home.city), "HOSPITAL").t(
        "\nPayer claim #: "
    ).phi(v.claim_no(), "ID").t("\n")


def ub04_claim(w: Writer, v: Values) -> None:
    """An institutional claim keyed by UB-04 form locator (FL) numbers."""
    pt, doc = v.person(), v.person()
    site, home = v.address("us"), v.address(v.pick(["us", "us", "pr"]))
    w.t("UB-04 CMS-1450\nFL1 ").phi(v.hospital(site.city), "HOSPITAL").t(" / ")
    address_lines(w, site, sep=" / ")
    w.t(" / ").phi(v.phone(), "PHONE").t("\nFL3a PAT CNTL #: ").phi(v.account(), "ACCOUNT")
    w.t("   FL3b MED REC #: ").phi(v.mrn(), "MRN").t("\nFL4 TYPE OF BILL: ").decoy(
        "0111", "BILL_TYPE"
    )
    w.t("   FL5 FED TAX NO: ").phi(v.tax_id(), "ID").t("\nFL6 STATEMENT COVERS PERIOD FROM ")
    w.phi(v.date("nodash"), "DATE").t(" THROUGH ").phi(v.date("nodash"), "DATE")
    w.t("\nFL8 PATIENT NAME: ").phi(v.name_as(pt, "caps"), "NAME").t("\nFL9 PATIENT ADDRESS: ")
    address_lines(w, home, sep=" ")
    w.t("\nFL10 BIRTHDATE: ").phi(v.date("us"), "DATE").t("   FL12 ADMISSION DATE: ").phi(
        v.date(), "DATE"
    )
    kind, value = dc.code(v)
    w.t("\nFL42 REV CD ").decoy(v.pick(["0450", "0250", "0301"]), "REV_CODE").t("  FL44 ").decoy(
        value, kind
    )
    w.t("  FL46 UNITS ").decoy(str(v.rng.randint(1, 9)), "QUANTITY").t("\nFL50 PAYER: ").phi(
        v.payer(), "ORGANIZATION"
    )
    w.t("   FL56 NPI: ").phi(v.npi(), "ID").t("\nFL58 INSURED'S NAME: ").phi(
        v.name_as(pt, "caps"), "NAME"
    )
    w.t("\nFL60 INSURED'S UNIQUE ID: ").phi(v.member_id(), "HEALTH_PLAN")
    w.t("   FL62 INSURANCE GROUP NO: ").phi(v.group_no(), "HEALTH_PLAN")
    w.t("\nFL67 PRIN DX: ").decoy(v.pick(["I50.9", "J18.9", "N39.0", "A41.9"]), "ICD10")
    w.t("\nFL76 ATTENDING NPI ").phi(v.npi(), "ID").t(" LAST ").phi(doc.last.upper(), "NAME")
    w.t(" FIRST ").phi(doc.first.upper(), "NAME").t("\n")


def prior_auth(w: Writer, v: Values) -> None:
    pt, doc = v.person(), v.person()
    w.t("PRIOR AUTHORIZATION REQUEST — ").phi(v.payer(), "ORGANIZATION").t(
        " Health Plan\nFax completed form to "
    )
    w.phi(v.phone(), "FAX").t("\n\nMember name: ").phi(v.name_as(pt, "inverted"), "NAME").t(
        "\nMember ID: "
    ).phi(v.member_id(), "HEALTH_PLAN")
    w.t("   Group #: ").phi(v.group_no(), "HEALTH_PLAN").t("\nDOB: ").phi(v.date(), "DATE").t(
        "\nMedicare Beneficiary ID: "
    )
    w.phi(v.mbi(), "HEALTH_PLAN")
    w.t("\nPrescriber: ").phi(v.name_as(doc, "full"), "NAME").t(", MD   NPI: ").phi(
        v.npi(), "ID"
    ).t("   DEA: ").phi(v.dea(doc.last), "LICENSE")
    w.t("\nOffice phone: ").phi(v.phone(), "PHONE").t("   Office fax: ").phi(v.phone(), "FAX")
    w.t("\nRequested: ").decoy(dc.brand(v), "DRUG").t(" ").decoy(dc.dose(v), "DOSE").t(", ").decoy(
        dc.quantity(v), "QUANTITY"
    )
    w.t("  NDC ").decoy(v.pick(["0093-7146-56", "50090-2875-0", "0173-0682-20"]), "NDC")
    w.t("\nDx: ").decoy(dc.eponym(v), "EPONYM").t(" (").decoy(
        v.pick(["G20", "C81.90", "K50.90"]), "ICD10"
    ).t(")")
    w.t("\nTried and failed since ").decoy(v.year(), "YEAR").t(". Requested start ").phi(
        v.date(), "DATE"
    ).t(" through ").phi(v.date(), "DATE").t("\n")


def prescription(w: Writer, v: Values) -> None:
    """A written prescription, or a pharmacy's faxed refill request."""
    if v.chance(0.35):
        _refill_fax(w, v)
        return
    doc, pt = v.person(), v.person()
    site = v.address("us")
    w.phi(v.name_as(doc, "full"), "NAME").t(", ").t(v.pick(["MD", "DO", "NP"])).t("\n")
    address_lines(w, site)
    w.t("\nPh ").phi(v.phone(), "PHONE").t("   DEA# ").phi(v.dea(doc.last), "LICENSE").t(
        "   NPI "
    ).phi(v.npi(), "ID")
    w.t("\nState lic. ").phi(v.license_no(), "LICENSE").t("\n\nName: ").phi(
        v.name_as(pt, "full"), "NAME"
    ).t("   Age: ")
    if v.chance(0.3):
        w.phi(v.old_age(), "AGE")
    else:
        w.decoy(v.young_age(), "AGE")
    w.t("\nAddress: ").phi(v.address("us").street, "ADDRESS").t("   Date: ").phi(v.date(), "DATE")
    w.t("\n\nRx  ").decoy(dc.brand(v), "DRUG").t(" ").decoy(dc.dose(v), "DOSE").t(
        "\nSig: 1 tab PO BID\nDisp: "
    )
    w.decoy(dc.quantity(v), "QUANTITY").t("   Refills: ").decoy(
        str(v.rng.randint(0, 5)), "QUANTITY"
    )
    w.t(
        "\n"
        + v.pick(["[x] Dispense as written", "[ ] Dispense as written  [x] Substitution permitted"])
        + "\n"
    )


def _refill_fax(w: Writer, v: Values) -> None:
    pt, doc = v.person(), v.person()
    w.t("REFILL AUTHORIZATION REQUEST\nFrom: ").phi(v.pharmacy(), "ORGANIZATION").t("  Ph ")
    w.phi(v.phone(), "PHONE").t("  Fax ").phi(v.phone(), "FAX").t("\nTo: Dr. ").phi(
        doc.full(), "NAME"
    )
    w.t("  Fax ").phi(v.phone(), "FAX").t("\nPatient: ").phi(v.name_as(pt, "caps"), "NAME").t(
        "  DOB "
    )
    w.phi(v.date("us"), "DATE").t("\nRx# ").phi(v.digits(7), "ID").t("  Last filled ")
    w.phi(v.date("short_us"), "DATE").t("\n").decoy(dc.brand(v), "DRUG").t(" ").decoy(
        dc.dose(v), "DOSE"
    )
    w.t("  Qty ").decoy(dc.quantity(v), "QUANTITY").t("  NDC ").decoy(dc.ndc(v), "NDC")
    w.t(
        "\n[ ] Approved  refills ____   [ ] Denied   DAW: "
        + v.pick(["Y", "N"])
        + "\nSignature: ______\n"
    )


def pharmacy_label(w: Writer, v: Values) -> None:
    pt, doc = v.person(), v.person()
    store = v.address(v.pick(["us", "us", "ca"]))
    w.phi(v.pharmacy(), "ORGANIZATION").t(" #").phi(v.digits(4), "ID").t("  ")
    address_lines(w, store, sep=" ")
    w.t("  ").phi(v.phone(), "PHONE").t("\nRx# ").phi(v.digits(7), "ID").t("   Filled: ").phi(
        v.date("short_us"), "DATE"
    )
    w.t("\n").phi(v.name_as(pt, "caps"), "NAME").t("\n").decoy(dc.brand(v).upper(), "DRUG").t(
        " "
    ).decoy(dc.dose(v), "DOSE")
    w.t("  QTY: ").decoy(dc.quantity(v), "QUANTITY").t("\nTAKE 1 TABLET BY MOUTH DAILY\nDR. ").phi(
        v.name_as(doc, "last").upper(), "NAME"
    )
    w.t("   REFILLS: ").decoy(str(v.rng.randint(0, 5)), "QUANTITY").t("  Refill after ").phi(
        v.date("short_us"), "DATE"
    )
    w.t("\nDiscard after ").phi(v.date("us"), "DATE").t("   NDC ").decoy(
        v.pick(["0378-1805-10", "68180-0513-03"]), "NDC"
    ).t("\n")


def intake_form(w: Writer, v: Values) -> None:
    """A filled-in intake and consent form: fields with varying labels, some left blank."""
    region = v.pick(REGIONS)
    pt, kin, home = v.person(), v.person(), v.address(region)
    w.t(
        v.pick(
            ["NEW PATIENT INTAKE & CONSENT", "Patient Registration Form", "ADMISSION FACE SHEET"]
        )
    )
    w.t("\n\n" + v.pick(["Last name: ", "Surname: ", "Apellido(s): "])).phi(pt.last, "NAME")
    w.t("   " + v.pick(["First: ", "Given name: ", "Nombre: "])).phi(pt.first, "NAME")
    for labels, kind, value in _intake_fields(v, region, home, pt, kin):
        w.t("\n" + v.pick(labels))
        if v.chance(0.08):
            w.t(v.pick(["N/A", "____", "declined", "see chart"]))
        else:
            w.phi(value, kind)
    w.t("\nState/Province: ").decoy(home.state, "STATE").t("   Country: ").decoy(
        home.country, "COUNTRY"
    )
    w.t("\nRelationship: " + v.pick(["Spouse", "Daughter", "Neighbor", "Esposo", "Son-in-law"]))
    w.t("\nVehicle (parking permit): ").decoy(
        v.pick(["2016 Honda Civic", "2021 Ford F-150", "2019 Toyota RAV4"]), "PRODUCT"
    )
    w.t(" plate ").phi(v.plate(), "VEHICLE").t(" VIN ").phi(v.vin(), "VEHICLE")
    w.t("\nAllergies: ").decoy(dc.brand(v), "DRUG").t("; hx ").decoy(dc.eponym(v), "EPONYM")
    w.t("\n\nI consent to treatment. Signature: ").phi(
        v.name_as(pt, v.pick(["lower", "full"])), "NAME"
    )
    w.t("  Date: ").phi(v.date(), "DATE").t("\n")


def _intake_fields(
    v: Values, region: str, home: Address, pt: Name, kin: Name
) -> list[tuple[list[str], str, str]]:
    """(label choices, PHI type, value) for each intake field, in form order."""
    return [
        (["Date of birth: ", "DOB: ", "Birthdate: ", "Fecha de nac.: "], "DATE", v.date()),
        (["SSN: ", "Social Security #: ", "SS#: "], "SSN", v.ssn()),
        (["Home address: ", "Street: ", "Address line 1: "], "ADDRESS", home.street),
        (["City: ", "Town: ", "Ciudad: "], "CITY", home.city),
        (["ZIP: ", "Postcode: ", "Postal code: ", "C.P.: "], "ZIP", home.postcode),
        (["Cell: ", "Mobile: ", "Best # to reach: ", "Tel. móvil: "], "PHONE", v.phone(region)),
        (["Email: ", "E-mail: ", "Correo: "], "EMAIL", v.email(pt)),
        (["Occupation: ", "Job title: ", "Ocupación: "], "PROFESSION", v.profession()),
        (["Employer: ", "Company: ", "Works at: "], "ORGANIZATION", v.organization()),
        (["Driver's license #: ", "DL#: ", "Photo ID no.: "], "LICENSE", v.license_no()),
        (
            ["Emergency contact: ", "Next of kin: ", "In case of emergency call: "],
            "NAME",
            v.name_as(kin, "full"),
        ),
        (["Their phone: ", "NOK phone: ", "Contact #: "], "PHONE", v.phone(region)),
        (["Preferred pharmacy: ", "Pharmacy: ", "Farmacia: "], "ORGANIZATION", v.pharmacy()),
        (["Insurance: ", "Primary insurance: ", "Carrier: "], "ORGANIZATION", v.payer()),
        (["Member ID: ", "Subscriber #: ", "Policy no.: "], "HEALTH_PLAN", v.member_id()),
        (["Portal username: ", "MyChart login: ", "Login: "], "USERNAME", v.username(pt)),
        (["Fingerprint enrolment ref: ", "Biometric check-in: "], "BIOMETRIC", v.biometric()),
    ]


def table_dump(w: Writer, v: Values) -> None:
    """A pipe table pasted from a spreadsheet or admin UI: a census or an on-call roster."""
    if v.chance(0.35):
        _roster_table(w, v)
        return
    w.t(v.pick(["Census export ", "Bed board ", "Worklist "])).decoy(dc.version(v), "VERSION")
    w.t("\n\n| Name | MRN | DOB | Age | Room | Unit | Phone |\n")
    w.t("|------|-----|-----|-----|------|------|-------|\n")
    for _ in range(v.rng.randint(2, 5)):
        w.t("| ").phi(v.name_as(v.person(), v.pick(["inverted", "caps", "full"])), "NAME")
        w.t(" | ").phi(v.mrn(), "MRN").t(" | ").phi(v.date("us"), "DATE").t(" | ")
        if v.chance(0.3):
            w.phi(v.old_age(), "AGE")
        else:
            w.decoy(v.young_age(), "AGE")
        room = f"{v.rng.randint(2, 9)}{v.pick(['N', 'S', 'E'])}{v.rng.randint(10, 40)}"
        w.t(" | ").phi(room, "ID").t(" | ").decoy(dc.department(v), "DEPARTMENT")
        w.t(" | ").phi(v.phone(), "PHONE").t(" |\n")


def _roster_table(w: Writer, v: Values) -> None:
    """Staff on call: names, professions, pagers and e-mail, one row each."""
    w.t("On-call roster, week of ").phi(v.date("long"), "DATE").t(
        "\n\nName\tRole\tPager\tEmail\tShift\n"
    )
    for _ in range(v.rng.randint(2, 5)):
        person = v.person()
        w.phi(v.name_as(person, v.pick(["full", "inverted"])), "NAME").t("\t")
        w.phi(
            v.pick(["Hospitalist", "Charge Nurse", "Respiratory Therapist", "Chaplain"]),
            "PROFESSION",
        )
        w.t("\t").phi(v.phone(), "PHONE").t("\t").phi(v.email(person), "EMAIL").t("\t")
        w.decoy(f"{v.clock()}-{v.clock()}", "TIME").t("\n")


def kv_dump(w: Writer, v: Values) -> None:
    """key: value lines copied out of an admin console, or a spreadsheet row pasted as pairs."""
    if v.chance(0.5):
        _record_pairs(w, v)
        return
    pt = v.person()
    w.t("user_id: ").phi(v.username(pt), "USERNAME").t("\ndisplay_name: ").phi(
        v.name_as(pt, "full"), "NAME"
    )
    w.t("\nemail: ").phi(v.email(pt), "EMAIL").t("\nlast_login_ip: ").phi(v.ip(), "IP").t(
        "\nlast_login: "
    ).phi(v.date("iso"), "DATE")
    w.t("T").decoy(f"{v.clock()[:2]}:{v.clock()[2:]}:00Z", "TIME").t("\nrole: ").t(
        v.pick(["clinician", "front_desk", "billing"])
    )
    w.t("\nprofile_url: ").phi(v.url(), "URL").t("\nguarantor_account: ").phi(
        v.account(), "ACCOUNT"
    )
    w.t("\ndevice_paired: ").phi(v.device_serial(), "DEVICE").t("\nbadge_biometric: ").phi(
        v.biometric(), "BIOMETRIC"
    )
    w.t("\nclient_version: ").decoy(dc.version(v), "VERSION").t("\nresource_type: ").decoy(
        v.pick(["Patient", "Encounter", "Observation"]), "FHIR"
    )
    w.t("\nhl7_segment: ").decoy(v.pick(["PID|", "PV1|", "OBX|", "MSH|^~\\&|"]), "HL7").t(
        "\nbuild_ts: "
    )
    w.decoy(f"{v.year()}{v.digits(4)}.{v.digits(3)}", "BUILD").t("\n")


def _record_pairs(w: Writer, v: Values) -> None:
    """A demographics record copied from a registration screen, one 'Key: value' per line."""
    region = v.pick(REGIONS)
    pt, guarantor, home = v.person(), v.person(), v.address(region)
    sep = v.pick([": ", " = ", "\t", ":  "])
    rows: list[tuple[str, str, str]] = [
        ("Patient Name", "NAME", v.name_as(pt, v.pick(["caps", "inverted"]))),
        ("Birth Date", "DATE", v.date()),
        ("Address", "ADDRESS", home.street),
        ("City", "CITY", home.city),
        ("Postal", "ZIP", home.postcode),
        ("Home Phone", "PHONE", v.phone(region)),
        ("Guarantor", "NAME", v.name_as(guarantor, "full")),
        ("Guarantor SSN", "SSN", v.ssn()),
        ("Guarantor Acct", "ACCOUNT", v.account()),
        ("Subscriber ID", "HEALTH_PLAN", v.member_id()),
        ("Last Visit", "DATE", v.date("iso")),
    ]
    w.t(v.pick(["Registration snapshot", "PATIENT DEMOGRAPHICS", "Copied from ADT screen"]) + "\n")
    for key, kind, value in rows:
        w.t(key + sep).phi(value, kind).t("\n")
    w.t("State" + sep).decoy(home.state, "STATE").t("\nLanguage" + sep)
    w.t(v.pick(["Vietnamese", "Spanish", "Arabic", "Cantonese", "English"]) + "\nPCP Dept" + sep)
    w.decoy(dc.department(v), "DEPARTMENT").t("\nAge" + sep)
    if v.chance(0.3):
        w.phi(v.old_age(), "AGE")
    else:
        w.decoy(v.young_age(), "AGE")
    w.t("\nScreen version" + sep).decoy(dc.version(v), "VERSION").t("\n")


# A chat message is plain text and labelled slots; a slot's maker sees the
# values and the colleague being addressed.
Slot = tuple[str, str, Callable[[Values, Name], str]]
_CHAT: list[list[str | Slot]] = [
    ["hey ", ("phi", "NAME", lambda v, to: to.first.lower()), " can u see ",
     ("phi", "NAME", lambda v, to: v.name_as(v.person(), "lower")), " in ",
     ("phi", "ID", lambda v, to: f"{v.rng.randint(2, 9)}{v.rng.randint(10, 40)}"), " 🙏"],
    ["pt is ", ("phi", "AGE", lambda v, to: v.old_age()), " and confused again daughter ",
     ("phi", "NAME", lambda v, to: v.person().first), " on her way"],
    ["call back ", ("phi", "PHONE", lambda v, to: v.phone()), " x",
     ("decoy", "EXTENSION", lambda v, to: v.digits(4))],
    ["give ", ("decoy", "DRUG", lambda v, to: dc.brand(v).lower()), " ",
     ("decoy", "DOSE", lambda v, to: dc.dose(v)), " ok?? ",
     ("decoy", "LAB", lambda v, to: dc.lab(v))],
    [("decoy", "PHRASE", lambda v, to: v.pick(["room service", "Room Service"])),
     " tray came w/ wrong diet lol 😅"],
    ["mrn ", ("phi", "MRN", lambda v, to: v.mrn()), " dc'd ",
     ("decoy", "TIME", lambda v, to: v.clock()),
     " ride w/ ", ("phi", "NAME", lambda v, to: v.person().first)],
    ["she was at ", ("phi", "HOSPITAL", lambda v, to: v.hospital()), " until ",
     ("phi", "DATE", lambda v, to: v.date("month_day"))],
    ["ok ty ", ("phi", "NAME", lambda v, to: to.first.lower()), " 👍"],
    ["family says she's ", ("decoy", "AGE", lambda v, to: v.young_age()), " per her id card"],
    ["can u sign ", ("phi", "NAME", lambda v, to: v.person().last.lower()),
     " orders, pw reset for ",
     ("phi", "USERNAME", lambda v, to: v.username(to))],
]  # fmt: skip


def staff_chat(w: Writer, v: Values) -> None:
    """Secure chat between staff: lower case, no punctuation, first names, callbacks."""
    people = (v.person(), v.person())
    for turn, index in enumerate(v.rng.sample(range(len(_CHAT)), v.rng.randint(3, 6))):
        sender, other = people[turn % 2], people[(turn + 1) % 2]
        w.t("[").decoy(f"{v.clock()[:2]}:{v.clock()[2:]}", "TIME").t("] ")
        w.phi(sender.first.lower() if v.chance(0.5) else sender.first, "NAME").t(": ")
        for part in _CHAT[index]:
            if isinstance(part, str):
                w.t(part)
            elif part[0] == "phi":
                w.phi(part[2](v, other), part[1])
            else:
                w.decoy(part[2](v, other), part[1])
        w.t("\n")


STYLES = {
    "claim_form": claim_form,
    "prior_auth": prior_auth,
    "prescription": prescription,
    "pharmacy_label": pharmacy_label,
    "intake_form": intake_form,
    "table_dump": table_dump,
    "kv_dump": kv_dump,
    "staff_chat": staff_chat,
}
