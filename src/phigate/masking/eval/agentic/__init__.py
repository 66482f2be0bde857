"""A labelled PHI corpus of the text an AI agent reads and writes in a healthcare company.

Written independently of the detector: rows from databases (psql tables,
``key=value``, Python reprs), JSON API responses and webhooks, audit logs, stack
traces, scheduling exports, support tickets, clinician–assistant chats, SOAP
notes, portal messages, after-visit summaries, reminders, billing disputes and
care-coordination e-mails. Each document lists its PHI spans (types named after
HIPAA Safe Harbor identifiers, see docs/masking.md) and its decoys: values that
look like identifiers but must stay readable. One seed gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from . import _prose, _records
from ._decoys import Decoys
from ._doc import Doc
from ._values import Values

Style = Callable[[Values, Decoys, Doc], None]

STYLES: dict[str, Style] = {
    "psql_table": _records.psql_table,
    "kv_row": _records.kv_row,
    "python_repr": _records.python_repr,
    "json_api": _records.json_api,
    "webhook": _records.webhook,
    "audit_log": _records.audit_log,
    "stack_trace": _records.stack_trace,
    "schedule_csv": _records.schedule_csv,
    "hl7_message": _records.hl7_message,
    "support_ticket": _prose.support_ticket,
    "chat": _prose.chat,
    "soap_note": _prose.soap_note,
    "portal_message": _prose.portal_message,
    "after_visit": _prose.after_visit,
    "reminder": _prose.reminder,
    "billing_dispute": _prose.billing_dispute,
    "care_email": _prose.care_email,
}

#: Each PHI type and the HIPAA Safe Harbor item (45 CFR 164.514(b)(2)(i)) it falls under.
#: HOSPITAL, ORGANIZATION and PROFESSION follow the i2b2/n2c2 2014 categories and are not
#: among the 18; they are labelled because they narrow a person down in small places.
SAFE_HARBOR: dict[str, str] = {
    "NAME": "A names",
    "ADDRESS": "B street address",
    "CITY": "B geographic subdivision smaller than a state",
    "ZIP": "B ZIP code / postcode",
    "DATE": "C dates (except year) related to the individual",
    "AGE": "C ages over 89",
    "PHONE": "D telephone numbers",
    "FAX": "E fax numbers",
    "EMAIL": "F e-mail addresses",
    "SSN": "G social security numbers",
    "MRN": "H medical record numbers",
    "HEALTH_PLAN": "I health plan beneficiary numbers",
    "ACCOUNT": "J account numbers",
    "LICENSE": "K certificate/license numbers",
    "VEHICLE": "L vehicle identifiers and serial numbers, licence plates",
    "DEVICE": "M device identifiers and serial numbers",
    "URL": "N web URLs",
    "IP": "O IP addresses",
    "BIOMETRIC": "P biometric identifiers",
    "ID": "R any other unique identifying number or code",
    "USERNAME": "R any other unique identifying code",
    "HOSPITAL": "i2b2 LOCATION (hospital); B when it names the town",
    "ORGANIZATION": "i2b2 LOCATION (organization)",
    "PROFESSION": "i2b2 PROFESSION; R as an identifying characteristic",
}

PHI_TYPES = tuple(SAFE_HARBOR)


def documents(seed: int, n: int) -> Iterator[dict[str, object]]:
    """``n`` documents, styles taken in turn so every style appears once ``n`` ≥ len(STYLES)."""
    values = Values(seed)
    decoys = Decoys(values.rng)
    names = list(STYLES)
    for i in range(n):
        kind = names[i % len(names)]
        doc = Doc(kind)
        STYLES[kind](values, decoys, doc)
        yield doc.record()


def to_jsonl(seed: int, n: int) -> str:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents(seed, n))
