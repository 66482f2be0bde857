"""Leaks found by family in round 20d: names in a pager's and a secure chat's
shorthand ("spoke w/ maria", "dtr linda", "rn maria"), the member's name columns of a
quality measure's export under their abbreviations ("MBR_LAST", "PAT_FIRST_NM",
"Patient Last"), a Slack mention's shown name, and where a vaccine was given in
HL7 (RXA-11, ORC-13 and ORC-21).
Clinical shorthand beside them ("w/ pain", "d/c w/ home health"), a column's visit or
date, and a verb after a name stay visible."""

from __future__ import annotations

import pytest

from phigate.masking._hints import hint
from phigate.masking.engine import Masker

_VXU = (
    "MSH|^~\\&|EHR|CLINIC|IIS|STATE|20260314||VXU^V04^VXU_V04|88|P|2.5.1\n"
    "PID|1||A100234^^^CLINIC^MR||OKAFOR^ADA||20190102|F\n"
    "ORC|RE||197023^CMC|||||||||1234567890^Lee^Ann^^^^^^^^^^^NPI|^^^CEDAR KNOLL FP"
    "||||||||Cedar Knoll FP\n"
    "RXA|0|1|20260314|20260314|08^HepB^CVX|0.5|mL^mL^UCUM||00^New^NIP001"
    "|1234567890^Lee^Ann^^^^^^^^^^^NPI|^^^MEADOWLARK PEDS^^^^^12 Elm St^^Springfield^IL^62701"
    "||||LT0331|20271231|MSD^Merck^MVX|||CP|A\n"
)

MASKED = [
    # a pager's and a secure chat's shorthand before a name
    ("spoke w/ maria re: dc plan", "maria"),
    ("spoke w/maria re: dc", "maria"),
    ("s/w linda at bedside, agrees w/ plan", "linda"),
    ("d/w ahmed, will hold heparin", "ahmed"),
    ("spoke w/ pt's dtr linda, she will pick up", "linda"),
    ("sis maria at bedside", "maria"),
    ("covering np patel ok'd the order", "patel"),
    ("rn maria says bp stable", "maria"),
    # a tele-visit's, a portal's or an upload page's link, also on a .org site
    ("Join: telehealth.valleybh.org/r/8f3k2q9x", "telehealth.valleybh.org/r/8f3k2q9x"),
    ("Link: https://www.valleybh.org/join/okafor0314", "valleybh.org/join/okafor0314"),
    ("Upload at https://www.bluecrest.org/appeals/upload/ruiz", "bluecrest.org/appeals/upload"),
    # a provider's name column by the provider's role
    ("member_key,rendering_name,measure\n1,Quarles,CBP\n2,Lindqvist,BCS", "Quarles"),
    # a Slack mention as the API writes it: the member's id, then the name shown
    ("<@U02ABCDEF|ingrid.solberg> please review", "ingrid.solberg"),
    ("cc <@W0123ABCD|Tom Hale> on the fall", "Tom Hale"),
    # the member's name columns of a quality measure's or a claim's export
    ("MBR_ID|MBR_LAST|MBR_FIRST|MEASURE\nA1234|Lindqvist|Maren|CBP\nB2234|Ode|Ada|BCS",
     "Lindqvist"),
    ("MBR_ID|MBR_LAST|MBR_FIRST|MEASURE\nA1234|Lindqvist|Maren|CBP\nB2234|Ode|Ada|BCS",
     "A1234"),
    ("Patient Last,Patient First,Measure\nQuarles,Tove,BCS\nOde,Ada,COL", "Quarles"),
    ("PAT_FIRST_NM,PAT_LAST_NM,NUMER\nTove,Quarles,1", "Quarles"),
    # where a vaccine was given, and the order's facility
    (_VXU, "MEADOWLARK PEDS"),
    (_VXU, "12 Elm St"),
    (_VXU, "62701"),
    (_VXU, "CEDAR KNOLL FP"),
    (_VXU, "Cedar Knoll FP"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"


KEPT = [
    ("pt w/ pain, w/ fever, w/ nausea", "pain"),
    ("d/c w/ home health", "home health"),
    ("s/w pharmacy re: dose", "pharmacy"),
    ("rn at bedside", "bedside"),
    ("rn maria says bp stable", "says"),
    ("covering np patel ok'd the order", "ok'd"),
    ("spoke w/ maria re: dc plan", "re"),
    ("<#C024BE7LR|general> and <!here>", "general"),
    ("See www.cdc.gov/mmwr/volumes/72/wr/mm7201a1.htm", "cdc.gov"),
    ("See https://www.cancer.org/cancer/types/breast-cancer.html", "cancer.org"),
    (_VXU, "HepB"),
    (_VXU, "Merck"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    touched = [t for s, e, t in safe_harbor.spans(text) if s < start + len(value) and e > start]
    assert not touched, f"{value!r} masked"


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("MBR_LAST", "PERSON"),
        ("MBR_FIRST", "PERSON"),
        ("MBR_NAME", "PERSON"),
        ("Patient Last", "PERSON"),
        ("PatientFirst", "PERSON"),
        ("MEMBER_LAST_NM", "PERSON"),
        ("SUB_LNAME", "PERSON"),
        ("Enrollee Name", "PERSON"),
        ("MBR_ID", "HEALTH_PLAN_ID"),
        ("rendering_name", "PERSON"),
        ("PCP_NM", "PERSON"),
        ("patient_first_visit", None),
        ("last_login", None),
        ("patient_mi", None),
        ("sub_name", None),
    ],
)
def test_name_columns(column: str, kind: str | None) -> None:
    assert hint(column) == kind
