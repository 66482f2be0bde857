"""A labelled PHI corpus of front-office traffic: contact centre, revenue cycle, pharmacy, lab.

Written without sight of the detector or earlier corpora; labels follow the Safe Harbor list
and the i2b2/n2c2 2014 categories. `generate(seed, n)` is deterministic in its seed alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.frontdesk import _contact, _forms, _pharmacy, _systems
from phigate.masking.eval.frontdesk._builder import Builder

Kind = Callable[[Builder], None]

KINDS: dict[str, Kind] = {
    "crm_case_note": _contact.crm_case_note,
    "chat_transcript": _contact.chat_transcript,
    "voicemail_transcript": _contact.voicemail_transcript,
    "sms_thread": _contact.sms_thread,
    "collection_letter": _contact.collection_letter,
    "patient_statement": _contact.patient_statement,
    "remittance_advice": _contact.remittance_advice,
    "payer_portal_scrape": _contact.payer_portal_scrape,
    "ncpdp_claim": _pharmacy.ncpdp_claim,
    "prior_auth_fax_ocr": _pharmacy.prior_auth_fax_ocr,
    "specialty_pharmacy_intake": _pharmacy.specialty_pharmacy_intake,
    "lis_result_message": _pharmacy.lis_result_message,
    "courier_manifest": _pharmacy.courier_manifest,
    "transport_dispatch_log": _pharmacy.transport_dispatch_log,
    "genetic_report": _pharmacy.genetic_report,
    "dental_claim": _pharmacy.dental_claim,
    "vision_claim": _pharmacy.vision_claim,
    "chatbot_tool_log": _systems.chatbot_tool_log,
    "helpdesk_ticket": _systems.helpdesk_ticket,
    "infra_config_yaml": _systems.infra_config_yaml,
    "sql_dump": _systems.sql_dump,
    "spreadsheet_tsv": _systems.spreadsheet_tsv,
    "schedule_ical": _systems.schedule_ical,
    "schedule_csv": _systems.schedule_csv,
    "forwarded_email_chain": _systems.forwarded_email_chain,
    "paged_letter": _systems.paged_letter,
    "telehealth_summary": _forms.telehealth_summary,
    "school_nurse_form": _forms.school_nurse_form,
    "occupational_health_form": _forms.occupational_health_form,
    "credentialing_record": _forms.credentialing_record,
    "note_de": _forms.note_de,
    "note_fr": _forms.note_fr,
    "note_pt": _forms.note_pt,
    "note_tl": _forms.note_tl,
    "note_vi": _forms.note_vi,
}


def generate(seed: int, n: int) -> list[Document]:
    """n documents, kinds dealt in shuffled rounds: every kind appears once n >= len(KINDS)."""
    rng = random.Random(seed)
    names = sorted(KINDS)
    order: list[str] = []
    while len(order) < n:
        round_ = list(names)
        rng.shuffle(round_)
        order.extend(round_)
    docs = []
    for kind in order[:n]:
        # Each document gets its own generator so editing one kind does not reshuffle the rest.
        builder = Builder(random.Random(rng.getrandbits(64)))
        KINDS[kind](builder)
        docs.append(builder.document(kind))
    return docs


def to_json(doc: Document) -> str:
    return json.dumps(
        {
            "kind": doc.kind,
            "text": doc.text,
            "phi": [list(span) for span in doc.phi],
            "decoys": [list(span) for span in doc.decoys],
        },
        ensure_ascii=False,
    )
