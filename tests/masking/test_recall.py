"""Recall on shapes the independent corpora showed leaking (issue 16), from examples
written here: a paper form's blanks around a value, an age after "age is" or "age
at <event>", a hospital's name in capitals, numbers known by where they stand
(a caller's turn of digits, a pager, a list's parentheses, an HL7 field the
standard does not name), lower-case names after more cues and in the answer to
a question asking for one."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

FOUND = [
    ("PATIENT NAME:____Kwame Mensah-Boateng____  DOB:____03/04/1951____", "Mensah-Boateng"),
    ("PATIENT NAME:____Kwame Mensah-Boateng____  DOB:____03/04/1951____", "Kwame"),
    ("SIGNATURE: _____Adaeze Okafor_____", "Adaeze"),
    ("Last Name: Nguyen___ First: Thi Lan_____", "Thi Lan"),
    ('{"valueString": "Patient age is 93"}', "93"),
    ("Age at visit 94", "94"),
    ("age at time of death: 96", "96"),
    ("ST. JOSEPH'S INFIRMARY\nREGISTRATION FORM", "ST. JOSEPH'S INFIRMARY"),
    ("RIVERSIDE REGIONAL MEDICAL GROUP - Department of Radiology", "RIVERSIDE"),
    ("[00:01:12] AGENT: last four of your social?\n[00:01:15] CALLER: 4 5 6 7", "4 5 6 7"),
    ("call pager 12345, or beeper #44556", "12345"),
    ("call pager 12345, or beeper #44556", "44556"),
    ("transfer to extension 412", "412"),
    ("Smith, John (123 45 67) bed 4", "123 45 67"),
    ('specimen labelled "12-345-678" received', "12-345-678"),
    ("see u 3/18@10", "3/18"),
    ("PV1|1|I|ICU^12^1|||||||||||||||||V7788123|", "V7788123"),
    ('{\n  "given": [\n    "Thabo",\n    "Zwelake"\n  ]\n}', "Thabo"),
    ('{"line": [\n    "Flat 3",\n    "12 Zzyzx Row"\n  ]}', "Flat 3"),
    ("my zip code on file is 02139 (home)", "02139"),
    ("CALLER: Yes March 1st, nineteen fifty-two. ok", "nineteen fifty-two"),
    ("CALLER: the 3rd of june, two thousand and five", "two thousand and five"),
    ("Rm 5  T. Zwelake  COPD\nRm 6  Zwelake, Thabiso", "T. Zwelake"),
    ("CALLER: W seven two four five six one nine.", "W seven two four five six one nine"),
    ("CALLER: it's x Y Z dash four four one dash two two nine oh", "x Y Z dash four"),
    ("Dictated by: Dr. Omar al-Rashid", "al-Rashid"),
    ("seen by Omar al-Rashid today with Amal el-Sayed", "el-Sayed"),
    ("From: yusuf al-hashimi", "al-hashimi"),
    ("A: yeah my name's maria okafor", "maria okafor"),
    ("A: i'm calling on behalf of maria okafor", "maria okafor"),
    ("[00:12] AGENT: and who am i speaking with?\n[00:14] CALLER: uh thabo mbeki", "thabo mbeki"),
    ("Agent: can I have the patient's last name?\nCaller: yes it's Wanjiru, W-A-N", "Wanjiru"),
]


@pytest.mark.parametrize(("text", "value"), FOUND)
def test_found(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    spans = safe_harbor.spans(text)
    assert any(s <= start and e >= start + len(value) for s, e, _ in spans), spans


def test_a_blank_ends_the_value(safe_harbor: Masker) -> None:
    text = "NAME:____Kwame Mensah____ Seen for cough"
    assert safe_harbor.mask_text(text).text == "NAME:____[PERSON]____ Seen for cough"


@pytest.mark.parametrize(
    "text",
    [
        "age of onset 45; age at 12 months 93 cm",
        "GENERAL HOSPITAL and CARDIOLOGY CLINIC stay",
        "Age at visit 84",
        "[00:01:18] AGENT: BP was 120 over 80, HR 72.",
        "see page 12 of 30; ICD (2021 03 14) (1 2); seen since 2019-2021",
        "OBX|1|NM|2345-7^Glucose^LN||1234567|mg/dL",
        "A: looking for grace and will, for mark up, about bill pay",
        "the al-Qaeda news; an el-Niño year; tested for d-Dimer",
        "we have 2 may, twenty patients",
        "i have a one or two day history, a mike and a delta",
        "AGENT: what is your name?\nCALLER: it's for my appointment tomorrow",
    ],
)
def test_kept(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text
