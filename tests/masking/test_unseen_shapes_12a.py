"""Shapes written from public descriptions (round 12, part A): tables aligned with
blanks (a pharmacy's fill log, a roster printed in fixed-width columns), ASC X12
claims and remittances by their elements, and vCards by their properties. Each value
must be masked whole; the words around it stay."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

_FILLS = (
    "FILL DATE   RX#      PATIENT            DRUG              QTY  PRESCRIBER      DEA\n"
    "03/04/2024  7741203  Hollis, Marta      atorvastatin 20   30   K. Abernathy    BA1234563\n"
    "03/04/2024  7741219  Quon, Derek        lisinopril 10     90   R. Patel        FP7654321\n"
)
_ROSTER = (
    "Name           Occupation          Employer                  ZIP\n"
    "-------------  ------------------  ------------------------  -----\n"
    "Maria Lopez    retired teacher     Fresno Unified            93704\n"
    "Tom Becker     welder              Ironside Fabrication      55802\n"
)
_LABS = (
    "TEST              RESULT   FLAG   REF RANGE     UNITS\n"
    "Sodium            139             135-145       mmol/L\n"
    "Potassium         5.4      H      3.5-5.1       mmol/L\n"
)
_CLAIM = (
    "NM1*IL*1*GARCIA*ROSA*M***MI*XJH448812901~\nN3*4521 WILLOW CREEK RD~\n"
    "N4*FRESNO*CA*937041234~\nDMG*D8*19570412*F~\nSBR*P*18*GRP99812*ACME TOOL AND DIE*****CI~\n"
    "NM1*PR*2*BLUE SHIELD OF CALIFORNIA*****PI*94036~\n"
    "PER*IC*ANNA TRUONG*TE*5595550142*EM*ATRUONG@EXAMPLE.ORG~\n"
    "CLM*PT88412307*1250***11:B:1*Y*A*Y*Y~HI*ABK:E119~SV1*HC:99213*125*UN*1***1~\n"
    "CLP*ACCT5512*1*450*300**MC*ICN20240311~\n"
)
_CARD = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Maria Lopez\r\nORG:Harbor Freight Logistics\r\n"
    "TITLE:forklift operator\r\nADR;TYPE=home:;;1420 Elm Street;Springfield;IL;62704;USA\r\n"
    "END:VCARD\r\n"
)

WHOLE = [
    (_FILLS, "7741203"),
    (_FILLS, "Quon, Derek"),
    (_FILLS, "K. Abernathy"),
    (_FILLS, "FP7654321"),
    (_ROSTER, "retired teacher"),
    (_ROSTER, "welder"),
    (_ROSTER, "Ironside Fabrication"),
    (_ROSTER, "93704"),
    (_CLAIM, "FRESNO"),
    (_CLAIM, "937041234"),
    (_CLAIM, "4521 WILLOW CREEK RD"),
    (_CLAIM, "PT88412307"),
    (_CLAIM, "ACCT5512"),
    (_CLAIM, "ACME TOOL AND DIE"),
    (_CLAIM, "GRP99812"),
    (_CLAIM, "ATRUONG@EXAMPLE.ORG"),
    (_CARD, "forklift operator"),
    (_CARD, "Harbor Freight Logistics"),
    (_CARD, "Springfield"),
    (_CARD, "62704"),
]


@pytest.mark.parametrize(("text", "value"), WHOLE)
def test_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    inside = range(start, start + len(value))
    leaked = [text[i] for i in inside if text[i].isalnum() and not covered[i]]
    assert not leaked, f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    # a lab report's columns name no one: results, flags and ranges stay
    (_LABS, "139"),
    (_LABS, "3.5-5.1"),
    (_LABS, "mmol/L"),
    (_FILLS, "atorvastatin 20"),
    # codes, amounts, the state and the payer of a claim stay
    (_CLAIM, "BLUE SHIELD OF CALIFORNIA"),
    (_CLAIM, "E119"),
    (_CLAIM, "99213"),
    (_CLAIM, "*CA*"),
    (_CARD, ";IL;"),
    # a message's title is no card's, even beside a card
    (_CARD + "Title: Re: your lab results\n", "Re: your lab results"),
]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    assert not any(covered[start : start + len(value)]), value


def _covered(masker: Masker, text: str) -> bytearray:
    covered = bytearray(len(text))
    for s, e, _ in masker.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    return covered
