"""ASC X12 claims and remittances (837, 835): identifiers by the element that holds
them, as HL7 v2 fields are read in `_hl7`.

A segment is a tag and elements joined by `*`, ended by `~` or a line end
(`N4*FRESNO*CA*937041234~`). The implementation guides define the elements that
hold a person's name (NM1-03 to 05), address (N3, N4-01, N4-03), birth date (DMG-02),
the patient's account with the provider (CLM-01, CLP-01), member and reference
numbers (NM1-09, REF-02 but a party's own), a contact (PER) and the employer group (SBR-03, SBR-04).
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
# A REF whose qualifier names a party of the transaction, not the patient: the
# receiver's (EV) or the payer's (2U) identification, the payee's (PQ), a provider's
# tax id, NPI, licence, commercial or pharmacy number (TJ, HPI, 0B, G2, D3), the
# payer's NAIC code (NF), a guide's version (F2). A qualifier not here (a group, a
# member, a record, an authorisation) keeps its value masked.
_PARTY_REFERENCES = frozenset(
    (b"EV", b"2U", b"PQ", b"TJ", b"HPI", b"0B", b"G2", b"D3", b"NF", b"F2")
)


def x12_values(data: bytes) -> Iterator[Found]:
    for found in _SEGMENT.spans(data):
        tag = data[found[1][0] : found[1][1]]
        start, end = found[2]
        elements = data[start:end].split(b"*")
        if tag == b"NM1" and elements[0] in _NO_ONES:
            continue
        if tag == b"REF" and elements[0].strip() in _PARTY_REFERENCES:
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


# How far back a REF segment's start is looked for: its tag and qualifier.
_REF_BACK = 16


def party_reference(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] is the whole value of a REF whose qualifier names a party
    of the transaction (`_PARTY_REFERENCES`), however another detector found it."""
    floor = max(0, start - _REF_BACK)
    segment = max(data.rfind(b"~", floor, start), data.rfind(b"\n", floor, start)) + 1
    head = data[segment:start].strip()
    if not head.startswith(b"REF*") or head.count(b"*") != 2 or not head.endswith(b"*"):
        return False
    if data[end : end + 1] not in (b"~", b"*", b"\n", b"\r", b""):
        return False  # a found value inside the element, not all of it
    return head[4:-1] in _PARTY_REFERENCES
