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

#: Every type this corpus labels as PHI (docs/masking.md maps each to its Safe Harbor item).
PHI_TYPES = (
    *("NAME", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "URL", "IP", "SSN", "MRN", "HEALTH_PLAN"),
    *("ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "BIOMETRIC", "ID", "ADDRESS", "CITY", "ZIP"),
    *("HOSPITAL", "ORGANIZATION", "PROFESSION", "USERNAME"),
)


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
