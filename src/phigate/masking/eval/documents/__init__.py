"""A third independent labelled PHI corpus: paperwork, forms and shorthand.

Written from public descriptions only (the HIPAA Safe Harbor list, the
i2b2/n2c2 2014 de-identification categories, CMS-1500/UB-04 box labels, and
real-world formats), without reading any detector. Styles: discharge
summaries, referral letters, CMS-1500 and UB-04 claims, prior authorisations,
prescriptions, pharmacy labels, nursing handoffs, staff chat, intake forms,
pipe tables, key: value dumps, Spanish-language letters, English/Spanish
interpreter notes, behavioural health notes and lab requisitions.

PHI types and the Safe Harbor item (45 CFR 164.514(b)(2)(i)) each stands for:

=============  ==========================================================
NAME           (A) names — patients, relatives, clinicians, staff
ADDRESS        (B) street line
CITY           (B) city or town
ZIP            (B) ZIP / postcode (any country)
DATE           (C) dates more precise than a year (birth, admission, service)
AGE            (C) ages over 89
PHONE          (D) telephone numbers
FAX            (E) fax numbers
EMAIL          (F) e-mail addresses
SSN            (G) Social Security numbers
MRN            (H) medical record numbers
HEALTH_PLAN    (I) member, group and beneficiary numbers
ACCOUNT        (J) account numbers
LICENSE        (K) certificate/licence numbers (DEA, state, driver's)
VEHICLE        (L) plates and VINs
DEVICE         (M) device serial numbers and UDIs
URL            (N) web addresses
IP             (O) IP addresses
BIOMETRIC      (P) biometric identifier references
ID             (R) any other unique number: NPI, tax id, claim, accession,
               specimen, case, Rx and store numbers, rooms, national ids
USERNAME       (R) login names
HOSPITAL       (B/R) i2b2 LOCATION; a named facility places the patient
ORGANIZATION   (R) employers, schools, payers, pharmacies (i2b2)
PROFESSION     (R) occupation (i2b2 PROFESSION)
=============  ==========================================================

Not PHI, so labelled among the decoys: a state or province (``STATE``) and a
country (``COUNTRY``) alone, a year alone (``YEAR``), ages up to 89
(``AGE``), clock times without a date (``TIME``), and doses, lab values,
ICD-10/CPT/LOINC/NDC codes, versions, departments, eponyms and brand names.
Titles (``Dr.``, ``Sra.``) and credentials are outside name spans.

Usage: ``python -m phigate.masking.eval.documents --seed 7 --n 600 --out F.jsonl``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from . import _clinical, _forms
from ._values import Values
from ._writer import Document, Writer

Style = Callable[[Writer, Values], None]
STYLES: dict[str, Style] = {**_clinical.STYLES, **_forms.STYLES}

__all__ = ["STYLES", "Document", "documents_corpus", "to_json"]


def documents_corpus(seed: int, n: int) -> list[Document]:
    """`n` documents, styles taken in turn so every style appears once `n` reaches their count."""
    values = Values(seed)
    names = sorted(STYLES)
    docs: list[Document] = []
    for index in range(n):
        kind = names[index % len(names)] if index < len(names) else values.pick(names)
        writer = Writer(kind)
        STYLES[kind](writer, values)
        docs.append(writer.document())
    return docs


def to_json(doc: Document) -> str:
    """One JSON line in the shape `bench/mask_vs_presidio.py`'s `load_jsonl` reads."""

    def spans(items: list[tuple[int, int, str]]) -> list[dict[str, object]]:
        return [{"start": s, "end": e, "type": t} for s, e, t in sorted(items)]

    record = {
        "kind": doc.kind,
        "text": doc.text,
        "phi": spans(doc.phi),
        "decoys": spans(doc.decoys),
    }
    return json.dumps(record, ensure_ascii=False)
