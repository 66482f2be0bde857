"""Shapes written from public descriptions (round 11, part A): who acted in a ticket
("comment by", "closed by", "assigned to"), chat speakers named by a handle with no time
before them, an IBAN after its label whatever its check digits, workstation ids, bed and
room numbers, prescription and CLIA numbers, DICOM instance UIDs, a ZIP+4 opening an
address line, an occupation after an age, and the columns of a pharmacy fill log. Each
value must be masked whole; the words around it stay."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

_CHAT = "rkapoor: bed 14 needs a repeat K\nmlopez_rn: on it now\n<t.okafor> thanks\n"
_DCM = (
    "(0008,0016) UI [1.2.840.10008.5.1.4.1.1.2]   #  26, 1 SOPClassUID\n"
    "(0020,000d) UI [1.2.826.0.1.3680043.8.498.4471]   #  32, 1 StudyInstanceUID\n"
)
_FILLS = "rx_no,fill_date,patient,prescriber\n7781230,2026-03-02,Delia Marsh,Ravi Okafor\n"

WHOLE = [
    ("-- comment by hnakamura3: cannot reproduce", "hnakamura3"),
    ("Ticket closed by wbrennan after the reset.", "wbrennan"),
    ("Reassigned to dkeller_it for follow-up.", "dkeller_it"),
    (_CHAT, "rkapoor"),
    (_CHAT, "mlopez_rn"),
    (_CHAT, "t.okafor"),
    ("sgarcia 9:14 AM\ncan someone cover 4 West?", "sgarcia"),
    ("Guarantor account: GB11 ABCD 1020 3040 5060 70", "GB11 ABCD 1020 3040 5060 70"),
    ("EXPORT user=x src=10.0.0.1 workstation=77K40912B url=/x", "77K40912B"),
    ("Bed 7C-12: pt resting, Rm 418B next door", "7C-12"),
    ("Refill requested, Rx# 88123, patient aware", "88123"),
    ("prescription no. 5521093 was transferred", "5521093"),
    ("Performed at Lakeside Lab, CLIA 45D0981234", "45D0981234"),
    ("Study Instance UID: 1.2.840.113619.2.55.3.6048812", "1.2.840.113619.2.55.3.6048812"),
    (_DCM, "1.2.826.0.1.3680043.8.498.4471"),
    ("Avenida del Sol 12\n44123-0456 San Pedro Garza, Nuevo Leon", "44123-0456"),
    ("Avenida del Sol 12\n44123-0456 San Pedro Garza, Nuevo Leon", "San Pedro Garza"),
    ("S: 58 years old, airline pilot from Dover, here for f/u", "airline pilot"),
    ("this pleasant 70-year-old long-haul truck driver with COPD", "long-haul truck driver"),
    (_FILLS, "7781230"),
    ("| Rx No | Patient |\n|---|---|\n| 5512093 | Delia Marsh |", "5512093"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), WHOLE)
def test_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    inside = range(start, start + len(value))
    leaked = [text[i] for i in inside if text[i].isalnum() and not covered[i]]
    assert not leaked, f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    # a lower-case heading is no speaker; a dash joins words, not a handle
    ("plan: repeat labs in am\nvitals: stable\n", "plan:"),
    ("follow-up: two weeks\n", "follow-up"),
    # a key of a config file is no speaker, indented or not
    ("max_pool_size: 20\nlog_level: info\nspec:\n  replicas: 3\n", "max_pool_size"),
    ("max_pool_size: 20\nlog_level: info\nspec:\n  replicas: 3\n", "replicas"),
    # a UID the DICOM standard defines (a SOP class) names no one
    (_DCM, "1.2.840.10008."),
    # bed rest has no number; a drug and its dose after "Rx" are no prescription number
    ("advised bed rest for two days", "rest"),
    ("Bed 7C-12: pt resting, Rm 418B next door", "418B"),
    ("Rx: ASA 325 mg daily", "325 mg"),
    # an NDC (5-4-2) is no ZIP+4
    ("00071-0155-23 Lipitor 10 mg", "00071-0155-23"),
    # reviewed by a department, assigned to a service: no handle
    ("Reviewed by pharmacy, assigned to cardiology", "pharmacy"),
    ("Reviewed by pharmacy, assigned to cardiology", "cardiology"),
    # an age and a sex is no occupation
    ("a 45 year old male with chest pain", "male"),
]


@pytest.mark.parametrize(("text", "kept"), KEPT)
def test_kept(safe_harbor: Masker, text: str, kept: str) -> None:
    assert kept in safe_harbor.mask_text(text).text


@pytest.mark.parametrize(
    "line",
    [
        "connection: Field required; sql: Input should be a valid string",
        "error: connection refused by host",
        "warning: disk almost full now",
        "timeout: the upstream did not answer",
    ],
)
def test_a_word_opening_a_log_line_is_no_speaker(safe_harbor: Masker, line: str) -> None:
    """A handle with letters alone is made of a name ("jdoe", "maria"); a word of the
    language before a colon opens a log or error line (it reached the audit log's
    reasons as `[ID]: Field required`)."""
    assert safe_harbor.mask_text(line).text == line
