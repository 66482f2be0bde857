"""The atlas corpus: labelled documents from pharmacy, dental, vision, lab, imaging, genomics,
transplant, occupational, school, correctional, military, telehealth, device, revenue-cycle,
legal and engineering sources, and notes in ten languages.

Written independently of the detector, from the Safe Harbor list and real-world formats.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from random import Random

from phigate.masking.eval.atlas import _business, _care, _digital, _pharmacy, _world
from phigate.masking.eval.atlas._builder import PHI_TYPES
from phigate.masking.eval.atlas._kit import Kit
from phigate.masking.eval.corpus import Document

Writer = Callable[[Kit], Document]

WRITERS: tuple[Writer, ...] = (
    _pharmacy.dispensing_log, _pharmacy.pbm_fax, _pharmacy.refill_voicemail, _pharmacy.dental_chart,
    _pharmacy.optometry, _pharmacy.lis_log, _pharmacy.dicom_dump, _pharmacy.pacs_worklist,
    _care.genetic_report, _care.biobank_manifest, _care.transplant_referral, _care.occupational,
    _care.school_nurse, _care.correctional_intake, _care.va_note, _care.telehealth,
    _digital.rpm_stream, _digital.wearable_csv, _digital.contact_chat, _digital.portal_message,
    _digital.jira_ticket, _digital.k8s_log, _digital.markdown_sheet, _digital.ocr_fax,
    _business.collections_letter, _business.payment_plan, _business.subpoena,
    _business.court_eval, _business.bereavement,
    _world.vietnamese, _world.tagalog, _world.portuguese, _world.japanese, _world.hindi,
    _world.arabic, _world.hebrew, _world.greek, _world.thai, _world.german,
)  # fmt: skip

__all__ = ["PHI_TYPES", "WRITERS", "generate", "to_jsonl"]


def generate(seed: int, n: int) -> list[Document]:
    """n documents; every kind once per round, in an order shuffled by the seed."""
    r = Random(seed)
    kit = Kit(r)
    docs: list[Document] = []
    order: list[Writer] = []
    for _ in range(n):
        if not order:
            order = list(WRITERS)
            r.shuffle(order)
        docs.append(order.pop()(kit))
    return docs


def to_jsonl(docs: list[Document]) -> str:
    lines = [
        json.dumps(
            {
                "kind": d.kind,
                "text": d.text,
                "phi": [list(s) for s in d.phi],
                "decoys": [list(s) for s in d.decoys],
            },
            ensure_ascii=False,
        )
        for d in docs
    ]
    return "".join(line + "\n" for line in lines)
