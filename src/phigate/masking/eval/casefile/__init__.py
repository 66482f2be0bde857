"""Case-file corpus: labelled PHI in the documents that care management, research,
public health, post-acute and behavioural-health operations hand to an AI agent.

Written independently of the detector from the HIPAA Safe Harbor identifiers and
the i2b2/n2c2 2014 categories. `generate(seed, n)` is deterministic: one
`random.Random(seed)` drives every choice.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from phigate.masking.eval.casefile import _abroad, _channels, _community, _exchange, _research
from phigate.masking.eval.casefile._builder import Builder

Maker = Callable[[random.Random], Builder]

MAKERS: tuple[Maker, ...] = (
    _community.outreach_log,
    _community.home_health_visit,
    _community.mds_extract,
    _community.hospice_note,
    _community.bh_dap,
    _community.bh_birp,
    _community.sud_intake,
    _community.ems_run,
    _community.interpreter_request,
    _community.safety_event,
    _exchange.vxu,
    _exchange.eicr,
    _exchange.line_list,
    _exchange.fhir_bundle,
    _exchange.x12_837,
    _exchange.x12_835,
    _exchange.hedis_csv,
    _exchange.ccda,
    _research.crf_export,
    _research.ae_narrative,
    _research.irb_letter,
    _research.tumor_registry,
    _research.death_worksheet,
    _research.risk_adjust,
    _research.ur_letter,
    _research.appeal_letter,
    _channels.pager_chat,
    _channels.slack_thread,
    _channels.git_ci,
    _channels.pdf_text,
    _abroad.spanish,
    _abroad.creole,
    _abroad.chinese,
    _abroad.korean,
    _abroad.russian,
    _abroad.polish,
    _abroad.arabic,
)

PHI_TYPES = (
    "NAME",
    "ADDRESS",
    "CITY",
    "ZIP",
    "DATE",
    "AGE",
    "PHONE",
    "FAX",
    "EMAIL",
    "SSN",
    "MRN",
    "HEALTH_PLAN",
    "ACCOUNT",
    "LICENSE",
    "VEHICLE",
    "DEVICE",
    "URL",
    "IP",
    "BIOMETRIC",
    "ID",
    "USERNAME",
    "HOSPITAL",
    "ORGANIZATION",
    "PROFESSION",
)


def generate(seed: int, n: int) -> list[dict[str, object]]:
    """`n` labelled documents; kinds cycle so every kind appears once n >= len(MAKERS)."""
    rng = random.Random(seed)
    order = list(MAKERS)
    records: list[dict[str, object]] = []
    while len(records) < n:
        rng.shuffle(order)
        records.extend(make(rng).record() for make in order[: n - len(records)])
    return records


def to_jsonl(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
