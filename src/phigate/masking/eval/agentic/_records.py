"""Styles of machine-made text: rows, reprs, JSON, logs, traces and exports.

Each style varies its labels, order and layout so no single layout can be learnt.
"""

from __future__ import annotations

from collections.abc import Callable

from ._decoys import Decoys
from ._doc import D, Doc, Json, Piece, Tag, add_json, quoted
from ._values import Place, Values


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w.capitalize() for w in rest)


def _columns(v: Values, x: Decoys) -> list[str]:
    """A shuffled choice of columns, so tables and rows differ in what they show and where."""
    keys = list(_CELLS)
    v.rng.shuffle(keys)
    return keys[: v.rng.randint(5, 9)]


def _row(v: Values, x: Decoys, keys: list[str] | None = None) -> list[tuple[str, Piece]]:
    """One patient row over ``keys``: identifiers and codes mixed."""
    place = v.place()
    return [(key, _CELLS[key](v, x, place)) for key in keys or _columns(v, x)]


_CELLS: dict[str, Callable[[Values, Decoys, Place], Piece]] = {
    "mrn": lambda v, x, p: v.mrn(),
    "full_name": lambda v, x, p: v.name(),
    "dob": lambda v, x, p: v.date(1925, 2008),
    "phone": lambda v, x, p: v.phone(),
    "city": lambda v, x, p: P_(p.city, "CITY"),
    "state": lambda v, x, p: D(p.region, "STATE"),
    "zip": lambda v, x, p: P_(p.postcode, "ZIP"),
    "dx_code": lambda v, x, p: x.icd()[0],
    "last_cpt": lambda v, x, p: x.cpt(),
    "member_id": lambda v, x, p: v.health_plan(),
    "email": lambda v, x, p: v.email(),
    "age": lambda v, x, p: v.age() if v.rng.random() < 0.7 else v.old_age(),
    "ssn": lambda v, x, p: v.ssn(),
    "dept": lambda v, x, p: x.department(),
}


def P_(text: str, label: str) -> Tag:
    return Tag(text, label, True)


def psql_table(v: Values, x: Decoys, doc: Doc) -> None:
    columns = _columns(v, x)
    rows = [_row(v, x, columns) for _ in range(v.rng.randint(2, 4))]
    table = [[cell for _, cell in row] for row in rows]
    width = [max(len(k), *(len(_txt(row[i])) for row in table)) for i, k in enumerate(columns)]
    clinic = v.rng.randint(2, 40)
    doc.add(f"phigate=> SELECT {', '.join(columns)} FROM patients WHERE clinic_id = {clinic}")
    doc.add(f" LIMIT {len(rows)};\n")
    if v.rng.random() < 0.3:
        _expanded(doc, columns, table)
        return
    doc.add(" " + " | ".join(k.center(w) for k, w in zip(columns, width, strict=True)) + "\n")
    doc.add("-" + "-+-".join("-" * w for w in width) + "-\n")
    for cells in table:
        for i, (cell, w) in enumerate(zip(cells, width, strict=True)):
            doc.add(" " if i == 0 else " | ", cell, " " * (w - len(_txt(cell))))
        doc.add("\n")
    doc.add(f"({len(rows)} rows)\n")


def _expanded(doc: Doc, columns: list[str], table: list[list[Piece]]) -> None:
    """psql's ``\\x`` display: one ``-[ RECORD n ]-`` block per row, a column per line."""
    width = max(len(k) for k in columns)
    for n, cells in enumerate(table, 1):
        doc.add(f"-[ RECORD {n} ]" + "-" * (width + 8) + "\n")
        for key, cell in zip(columns, cells, strict=True):
            doc.add(key.ljust(width), " | ", cell, "\n")


def _txt(piece: Piece) -> str:
    return piece.text if isinstance(piece, Tag) else piece


def kv_row(v: Values, x: Decoys, doc: Doc) -> None:
    sep, joiner = v.rng.choice([("=", " "), (": ", ", "), ("=", "\t"), (" => ", "; ")])
    doc.add(v.rng.choice(["DEBUG repo.patient loaded ", "row ", "[sync] upsert ", "", "record: "]))
    for i, (key, value) in enumerate(_row(v, x)):
        key = _camel(key) if v.rng.random() < 0.3 else key
        doc.add(joiner if i else "", key, sep, value)
    doc.add("\n")


def python_repr(v: Values, x: Decoys, doc: Doc) -> None:
    if v.rng.random() < 0.5:
        doc.add(">>> row\n{")
        for i, (key, value) in enumerate(_row(v, x)):
            doc.add(", " if i else "", f"'{key}': ", *quoted(value, "'"))
        doc.add("}\n")
        return
    y, m, d = v.rng.randint(1920, 2005), v.rng.randint(1, 12), v.rng.randint(1, 28)
    doc.add(
        "Patient(id=",
        str(v.rng.randint(1, 99999)),
        ", name=",
        *quoted(v.name(), "'"),
        ", mrn=",
        *quoted(v.mrn(), "'"),
    )
    doc.add(
        ", birth_date=datetime.date(",
        P_(f"{y}, {m}, {d}", "DATE"),
        "), phone=",
        *quoted(v.phone(), "'"),
    )
    doc.add(
        ", last_seen=",
        *quoted(v.date(2020, 2026), "'"),
        ", dx=['",
        x.icd()[0],
        "', '",
        x.icd()[0],
        "'])\n",
    )


def json_api(v: Values, x: Decoys, doc: Doc) -> None:
    camel = v.rng.random() < 0.5
    k = _camel if camel else (lambda s: s)
    patients: list[Json] = []
    for _ in range(v.rng.randint(1, 3)):
        place = v.place()
        entry: dict[str, Json] = {
            k("resource_type"): x.fhir(),
            k("patient_id"): v.mrn(),
            k("name"): {k("text"): v.name(), k("use"): "official"},
            k("birth_date"): v.date(1925, 2010),
            k("telecom"): [
                {"system": "phone", "value": v.phone()},
                {"system": "email", "value": v.email()},
            ],
            k("address"): {
                "line": [P_(place.street, "ADDRESS")],
                "city": P_(place.city, "CITY"),
                k("postal_code"): P_(place.postcode, "ZIP"),
                "country": D(place.country, "COUNTRY"),
            },
            k("coverage"): {k("member_id"): v.health_plan(), k("payer"): v.organization()},
        }
        if v.rng.random() < 0.5:
            entry[k("primary_care")] = {
                "display": v.clinician(),
                "organization": v.hospital(place.city),
            }
        patients.append(entry)
    body: dict[str, Json] = {
        "status": "ok",
        k("api_version"): x.version(),
        k("total_count"): len(patients),
        "data": patients,
    }
    add_json(doc, body, v.rng.choice([None, 2, 4]))
    doc.add("\n")


def webhook(v: Values, x: Decoys, doc: Doc) -> None:
    lab = x.lab()
    event: dict[str, Json] = {
        "event": v.rng.choice(
            [
                "device.reading.created",
                "patient.checked_in",
                "identity.verified",
                "appointment.no_show",
            ]
        ),
        "delivered_at": x.build_time(),
        "source_ip": v.ip(),
        "payload": {
            "subject": {"mrn": v.mrn(), "displayName": v.name(), "dob": v.date(1925, 2010)},
            "device": {
                "serial": v.device(),
                "firmware": x.version(),
                "model": v.rng.choice(["Dexcom G7", "Omnipod 5", "Azure XT DR"]),
            },
            "verification": {
                "method": "biometric",
                "templateRef": v.biometric(),
                "driversLicense": v.license(),
            },
            "reading": {"value": lab[2], "loinc": lab[1]},
        },
    }
    doc.add(
        f"POST /hooks/{v.rng.choice(['ehr', 'rpm', 'idv'])} HTTP/1.1\n",
        "Content-Type: application/json\n\n",
    )
    add_json(doc, event, v.rng.choice([None, 2]))
    doc.add("\n")


def audit_log(v: Values, x: Decoys, doc: Doc) -> None:
    for _ in range(v.rng.randint(3, 6)):
        # Event times are left unlabelled: when a record was read is not a date of the patient's.
        r = v.rng.randint
        ts = f"2026-11-{r(1, 30):02d}T{r(0, 23):02d}:{r(0, 59):02d}:{r(0, 59):02d}Z"
        action = v.rng.choice(["VIEW", "PRINT", "EXPORT", "BREAK_GLASS", "LOGIN"])
        doc.add(ts, " ", action, " user=", v.username(), " src=", v.ip())
        what = v.rng.random()
        if what < 0.3:
            doc.add(" patient=", v.mrn(), ' name="', v.name(), '"')
        elif what < 0.5:
            doc.add(" auth=biometric template=", v.biometric())
        elif what < 0.7:
            doc.add(" resource=", x.fhir(), "/", v.other_id(), " dept=", x.department())
        else:
            doc.add(" workstation=", v.device(), " url=", v.url())
        doc.add("\n")


def stack_trace(v: Values, x: Decoys, doc: Doc) -> None:
    name, mrn, phone = v.name(), v.mrn(), v.phone()
    doc.add(
        f"ERROR {x.build_time().text[:10]} worker-3 ",
        x.version(),
        " unhandled exception\nTraceback (most recent call last):\n",
    )
    doc.add(
        '  File "/srv/app/billing/claims.py", line ',
        str(v.rng.randint(40, 900)),
        ", in submit_claim\n    resp = payer.post(claim)\n",
    )
    kind = v.rng.random()
    if kind < 0.35:
        doc.add(
            "psycopg.errors.UniqueViolation: duplicate key value violates unique constraint",
            ' "patients_mrn_key"\nDETAIL:  Key (mrn)=(',
            mrn,
            ") already exists.\n",
        )
    elif kind < 0.7:
        doc.add(
            "ValueError: invalid phone '",
            phone,
            "'",
            " for patient ",
            name,
            " (account ",
            v.account(),
            ")\n",
        )
    else:
        doc.add(
            "requests.exceptions.HTTPError: ", x.http(), " Server Error for url: ", v.url(), "\n"
        )
    doc.add("  context: ssn=", v.ssn(), " cpt=", x.cpt(), "\n")


def schedule_csv(v: Values, x: Decoys, doc: Doc) -> None:
    sep = v.rng.choice([",", ";", "\t", "|"])
    header = ["appt_date", "patient", "mrn", "provider", "dept", "cpt", "phone", "age"]
    if v.rng.random() < 0.5:
        header = [
            "Date",
            "Patient Name",
            "MRN",
            "Provider",
            "Department",
            "Visit CPT",
            "Mobile",
            "Age",
        ]
    doc.add(sep.join(header) + "\n")
    for _ in range(v.rng.randint(2, 5)):
        cells: list[Piece] = [
            v.date(2026, 2027),
            v.name(),
            v.mrn(),
            v.clinician(),
            x.department(),
            x.cpt(),
            v.phone(),
            v.age() if v.rng.random() < 0.8 else v.old_age(),
        ]
        for i, cell in enumerate(cells):
            wrap = '"' if sep in _txt(cell) else ""
            doc.add(sep if i else "", wrap, cell, wrap)
        doc.add("\n")


def hl7_message(v: Values, x: Decoys, doc: Doc) -> None:
    # Segments end in CR on the wire; logs and tickets usually show them one per line.
    eol = v.rng.choice(["\r", "\n", "\r\n"])
    person, place = v.person(), v.place()
    y, m, d = v.rng.randint(1925, 2010), v.rng.randint(1, 12), v.rng.randint(1, 28)
    r = v.rng.randint
    sent = f"2026{r(1, 11):02d}{r(1, 28):02d}{r(0, 23):02d}{r(0, 59):02d}"
    event = v.rng.choice(["ADT^A04", "ADT^A08", "ORU^R01"])
    doc.add(
        D("MSH", "HL7_SEGMENT"),
        D("|^~\\&", "HL7_ENCODING"),
        f"|EPIC|{v.rng.choice(['MAIN', 'ED', 'LAB'])}|RCV||{sent}||{event}|{v.digits(6)}|P|",
        D("2.5.1", "VERSION"),
        eol,
    )
    doc.add(
        D("PID", "HL7_SEGMENT"),
        "|1||",
        v.mrn(),
        "^^^H^MR||",
        P_(_ascii_upper(person.last), "NAME"),
        "^",
        P_(_ascii_upper(person.first), "NAME"),
    )
    doc.add(
        "||",
        P_(f"{y}{m:02d}{d:02d}", "DATE"),
        f"|{v.rng.choice('MFU')}|||",
        P_(place.street, "ADDRESS"),
        "^^",
        P_(place.city, "CITY"),
        "^",
        D(place.region, "STATE"),
        "^",
        P_(place.postcode, "ZIP"),
    )
    doc.add("||", v.phone(), "|||||", v.account(), "|", v.ssn(), eol)
    doc.add(
        D("PV1", "HL7_SEGMENT"),
        "|1|O|",
        x.department(),
        "^^^^^",
        v.hospital(),
        "||||",
        v.clinician(),
        eol,
    )
    name, code, value = x.lab()
    doc.add(D("OBX", "HL7_SEGMENT"), "|1|NM|", code, f"^{name}^LN||", value, "\n")


def _ascii_upper(text: str) -> str:
    """Interface engines often upper-case names; accents survive in UTF-8 feeds."""
    return text.upper()
