"""The fieldwork corpus: a labelled PHI corpus written without sight of the detector.

Each document is one of many kinds an agent reads in 2026 (tool output, logs,
letters, transcripts, scans); labels follow the HIPAA Safe Harbor identifiers.
Judgement calls: national identifiers other than the SSN (NHS number, Aadhaar,
CURP, passport, NPI, trial subject numbers) are ID; health cards that pay for
care (Medicare, Ontario, Australian Medicare) are HEALTH_PLAN; software
timestamps and request ids are decoys, dates of care are DATE.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.fieldwork import _human, _machine, _more

Kind = Callable[[random.Random], Document]
KINDS: tuple[Kind, ...] = _machine.KINDS + _human.KINDS + _more.KINDS


def generate(seed: int, n: int) -> list[Document]:
    """n documents, kinds taken in turn from a seeded shuffle so every kind appears."""
    rng = random.Random(seed)
    docs: list[Document] = []
    while len(docs) < n:
        order = list(KINDS)
        rng.shuffle(order)
        docs.extend(kind(rng) for kind in order[: n - len(docs)])
    return docs
