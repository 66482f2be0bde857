"""A fifth labelled PHI corpus: the hand-offs, feeds and exports that reach an AI agent.

Written independently of the detector and of the earlier corpora, from the HIPAA
Safe Harbor identifiers (45 CFR 164.514(b)(2)), the i2b2/n2c2 2014 categories and
real-world formats. `generate(seed, n)` is deterministic: one seed, one corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.handoff import _billing, _messages, _notes, _systems
from phigate.masking.eval.handoff._builder import PHI_TYPES, Builder
from phigate.masking.eval.handoff._case import Case

Kind = Callable[[Case, Builder], None]

KINDS: dict[str, Kind] = {
    "referral_letter": _notes.referral_letter,
    "discharge_summary": _notes.discharge_summary,
    "behavioral_health_note": _notes.behavioral_health_note,
    "dental_note": _notes.dental_note,
    "sbar_handoff": _notes.sbar_handoff,
    "ed_triage": _notes.ed_triage,
    "incident_report": _notes.incident_report,
    "research_screening_log": _notes.research_screening_log,
    "prior_auth": _billing.prior_auth,
    "pharmacy_fill_log": _billing.pharmacy_fill_log,
    "lab_report": _billing.lab_report,
    "eob": _billing.eob,
    "x12_837": _billing.x12_837,
    "x12_835": _billing.x12_835,
    "fax_cover": _billing.fax_cover,
    "vcard": _messages.vcard,
    "ical_invite": _messages.ical_invite,
    "chat_thread": _messages.chat_thread,
    "sms_reminder": _messages.sms_reminder,
    "voicemail_transcript": _messages.voicemail_transcript,
    "email_message": _messages.email_message,
    "dicom_dump": _messages.dicom_dump,
    "ccda_xml": _messages.ccda_xml,
    "ticket": _systems.ticket,
    "git_commit": _systems.git_commit,
    "yaml_config": _systems.yaml_config,
    "toml_config": _systems.toml_config,
    "markdown_table": _systems.markdown_table,
    "csv_export": _systems.csv_export,
    "sql_insert": _systems.sql_insert,
    "psql_expanded": _systems.psql_expanded,
    "app_log": _systems.app_log,
}

__all__ = ["KINDS", "PHI_TYPES", "generate"]


def generate(seed: int, n: int) -> list[Document]:
    """`n` documents; kinds rotate so every kind appears once `n` >= len(KINDS)."""
    rng = Random(seed)
    names = list(KINDS)
    docs = []
    for i in range(n):
        if i % len(names) == 0:
            rng.shuffle(names)
        kind = names[i % len(names)]
        # Each document draws from its own generator so that adding a kind to one
        # document's template does not reshuffle every later document.
        doc_rng = Random(rng.getrandbits(64))
        builder = Builder(kind)
        KINDS[kind](Case(doc_rng), builder)
        docs.append(builder.document())
    return docs
