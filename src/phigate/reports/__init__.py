"""Compliance evidence reports: counts, controls and charts for a period, from the audit log.

    build_evidence(audit, start, end) -> Evidence   (evidence.py: one pass over the chain)
    Evidence.to_json() / render_html / render_pdf    (the same evidence, three shapes)

`phigate report` (`phigate.cli.reports`) and the console's auditor page are thin layers over these.
"""

from __future__ import annotations

from phigate.reports.evidence import build_evidence
from phigate.reports.html import STYLESHEET, render_fragment, render_html
from phigate.reports.model import SCHEMA, Evidence
from phigate.reports.pdf import render_pdf

__all__ = [
    "SCHEMA",
    "STYLESHEET",
    "Evidence",
    "build_evidence",
    "render_fragment",
    "render_html",
    "render_pdf",
]
