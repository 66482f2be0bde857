"""ASC X12 claims and remittances (837, 835): identifiers by the element that holds
them, as HL7 v2 fields are read in `_hl7`.

A segment is a tag and elements joined by `*`, ended by `~` or a line end
(`N4*FRESNO*CA*937041234~`). The implementation guides define the elements that
hold a person's name (NM1-03 to 05), address (N3, N4-01, N4-03), birth date (DMG-02),
the patient's account with the provider (CLM-01, CLP-01), member and reference
numbers (NM1-09, REF-02), a contact (PER) and the employer group (SBR-03, SBR-04).
Codes, amounts, qualifiers and states stay. A payer's name (NM1*PR) stays: plan
and payer names are no one's.
"""

from __future__ import annotations

from collections.abc import Iterator

from phigate.masking import entities as e
from phigate.masking._fastre import Regex

Found = tuple[int, int, str]

_TAGS = r"(?:NM1|N3|N4|DMG|CLM|CLP|REF|PER|SBR|DTP)"
TRIGGER = rf"(?m:(?:^|~)[ \t]*{_TAGS}\*)"
_SEGMENT = Regex(rf"(?m:(?:^|~)[ \t]*({_TAGS})\*([^~\r\n]*))".encode())

# Element number -> entity, per segment.
_ELEMENTS: dict[bytes, dict[int, str]] = {
    b"NM1": {3: e.PERSON, 4: e.PERSON, 5: e.PERSON, 9: e.ID},
    b"N3": {1: e.STREET_ADDRESS, 2: e.STREET_ADDRESS},
    b"N4": {1: e.LOCATION, 3: e.ZIP},
    b"DMG": {2: e.DATE},
    b"CLM": {1: e.ACCOUNT_NUMBER},
    b"CLP": {1: e.ACCOUNT_NUMBER, 7: e.ID},
    b"REF": {2: e.ID},
    b"PER": {2: e.PERSON, 4: e.PHONE, 6: e.PHONE, 8: e.PHONE},
    b"SBR": {3: e.HEALTH_PLAN_ID, 4: e.LOCATION},
    b"DTP": {3: e.DATE},
}
# Parties whose names are no one's: the payer, the receiver and the submitter (a
# clearinghouse) of the transaction.
_NO_ONES = frozenset((b"PR", b"40", b"41"))
_PHONE_QUALIFIERS = frozenset((b"EM",))  # PER's "EM" is an e-mail address


def x12_values(data: bytes) -> Iterator[Found]:
    for found in _SEGMENT.spans(data):
        tag = data[found[1][0] : found[1][1]]
        start, end = found[2]
        elements = data[start:end].split(b"*")
        if tag == b"NM1" and elements[0] in _NO_ONES:
            continue
        pos = start
        for number, element in enumerate(elements, start=1):
            entity = _ELEMENTS[tag].get(number)
            if entity is not None and element.strip():
                if tag == b"NM1" and number == 3 and elements[1] == b"2":
                    entity = e.LOCATION  # a name of an organisation: a provider's
                elif entity == e.PHONE and elements[number - 2] in _PHONE_QUALIFIERS:
                    entity = e.EMAIL
                yield pos, pos + len(element), entity
            pos += len(element) + 1
