"""HL7 v2 messages: identifiers by the field that holds them.

PID-5 is the patient's name and PID-11 the address whatever they look like
("DOE^JANE^A", "123 MAIN ST^^BOSTON^MA^02118"), so segments are split into
fields, repetitions and components, and the fields the standard defines as
names, addresses, phones, dates and identifiers are masked component by
component. States, countries and coding systems stay.
"""

from __future__ import annotations

from collections.abc import Iterator

import re2

from phigate.masking import entities as e
from phigate.masking._fastre import Regex

Found = tuple[int, int, str]

# Segments end with a carriage return (the standard) or a line feed (most copies).
TRIGGER = (
    r"(?:^|[\r\n])(?:MSH|EVN|PID|PD1|NK1|GT1|IN1|IN2|PV1|PV2|ORC|OBR|OBX|MRG|DG1|AL1|TXA|SCH"
    r"|NTE|RXA)\|"
)
_SEGMENT = Regex(TRIGGER.encode() + rb"[^\r\n]*")

_NAME, _ADDRESS, _PHONE, _ID, _DATE = "name", "address", "phone", "id", "date"
# Where care was given: a location (PL, LA2: its facility, street, city, ZIP) and an
# organisation by name (XON): an immunisation's clinic, an order's facility
_PLACE, _ORG = "place", "organisation"
# Field number -> kind, per segment (HL7 v2.5 numbering).
_FIELDS: dict[bytes, dict[int, str]] = {
    b"MSH": {7: _DATE},
    b"EVN": {2: _DATE, 3: _DATE, 5: _NAME, 6: _DATE},
    b"PID": {
        2: _ID, 3: _ID, 4: _ID, 5: _NAME, 6: _NAME, 7: _DATE, 9: _NAME, 11: _ADDRESS,
        12: _ADDRESS, 13: _PHONE, 14: _PHONE, 18: _ID, 19: _ID, 20: _ID, 21: _ID, 23: _ADDRESS,
        29: _DATE,
    },
    b"PD1": {4: _NAME},
    b"NK1": {2: _NAME, 4: _ADDRESS, 5: _PHONE, 6: _PHONE, 30: _NAME, 31: _PHONE, 32: _ADDRESS,
             33: _ID, 37: _ID},
    b"GT1": {2: _ID, 3: _NAME, 4: _NAME, 5: _ADDRESS, 6: _PHONE, 7: _PHONE, 8: _DATE, 12: _ID,
             16: _NAME, 17: _ADDRESS, 18: _PHONE, 19: _ID},
    b"IN1": {8: _ID, 16: _NAME, 18: _DATE, 19: _ADDRESS, 36: _ID, 49: _ID},
    b"IN2": {1: _ID, 2: _ID, 6: _ID, 8: _ID},
    b"PV1": {7: _NAME, 8: _NAME, 9: _NAME, 17: _NAME, 19: _ID, 44: _DATE, 45: _DATE, 50: _ID,
             52: _NAME},
    b"PV2": {8: _DATE, 9: _DATE},
    b"ORC": {2: _ID, 3: _ID, 4: _ID, 9: _DATE, 10: _NAME, 11: _NAME, 12: _NAME, 13: _PLACE,
             14: _PHONE, 15: _DATE, 21: _ORG, 22: _ADDRESS, 23: _PHONE, 24: _ADDRESS},
    # a vaccine's administration: when, by whom (RXA-10), at which clinic (RXA-11)
    b"RXA": {3: _DATE, 4: _DATE, 10: _NAME, 11: _PLACE, 16: _DATE},
    b"OBR": {2: _ID, 3: _ID, 6: _DATE, 7: _DATE, 8: _DATE, 14: _DATE, 16: _NAME, 17: _PHONE,
             20: _ID, 22: _DATE, 28: _NAME, 32: _NAME, 33: _NAME, 34: _NAME, 35: _NAME},
    b"OBX": {14: _DATE, 16: _NAME, 19: _DATE},
    b"MRG": {1: _ID, 2: _ID, 3: _ID, 4: _ID, 5: _ID, 6: _ID, 7: _NAME},
    b"DG1": {5: _DATE, 16: _NAME, 19: _DATE},
    b"AL1": {6: _DATE},
    b"TXA": {4: _DATE, 5: _NAME, 6: _DATE, 7: _DATE, 8: _DATE, 9: _NAME, 10: _NAME, 11: _NAME,
             12: _ID, 13: _ID, 14: _ID, 22: _NAME, 23: _NAME},
    b"SCH": {1: _ID, 2: _ID, 12: _NAME, 13: _PHONE, 16: _NAME, 17: _PHONE, 20: _NAME},
    b"NTE": {},
}  # fmt: skip
# Component index -> entity type masked, per kind; other components (state, country,
# assigning authority, identifier type, degree) stay.
_COMPONENTS: dict[str, dict[int, str]] = {
    _NAME: {0: e.PERSON, 1: e.PERSON, 2: e.PERSON, 3: e.PERSON, 4: e.PERSON},
    _ADDRESS: {0: e.STREET_ADDRESS, 1: e.STREET_ADDRESS, 2: e.LOCATION, 4: e.ZIP, 8: e.LOCATION},
    _PHONE: {0: e.PHONE, 3: e.EMAIL, 5: e.PHONE, 6: e.PHONE, 11: e.PHONE},
    _ID: {0: e.MRN},
    _DATE: {0: e.DATE},
    _PLACE: {3: e.LOCATION, 8: e.STREET_ADDRESS, 10: e.LOCATION, 12: e.ZIP},
    _ORG: {0: e.LOCATION},
}


def hl7_values(data: bytes) -> Iterator[Found]:
    for found in _SEGMENT.spans(data):
        start, end = found[0]
        start += data[start : start + 1] in (b"\r", b"\n")
        name = data[start : start + 3]
        fields = _FIELDS.get(name, {})
        first = 2 if name == b"MSH" else 1  # MSH-1 is the field separator itself
        pos = start + 4
        for number, field in enumerate(data[start + 4 : end].split(b"|"), start=first):
            kind = fields.get(number)
            if kind is not None and field:
                yield from _components(field, pos, _COMPONENTS[kind])
            elif field and name not in _VALUE_SEGMENTS:
                yield from _long_number(field, pos)
            pos += len(field) + 1


# Segments whose other fields hold results and control numbers, not identifiers.
_VALUE_SEGMENTS = frozenset((b"MSH", b"OBX", b"NTE", b"EVN", b"AL1", b"DG1"))
_LONG_NUMBER = re2.compile(rb"[A-Z]{0,3}\d{6,20}")


def _long_number(field: bytes, pos: int) -> Iterator[Found]:
    """A field the table above does not name, holding a long number as its first
    component: senders move identifiers between fields (a visit number one field
    late, an account in a local field), and a person's number is masked wherever
    it stands. Codes and quantities are short; dates have their own fields."""
    first = field.split(b"^", 1)[0].split(b"~", 1)[0]
    if _LONG_NUMBER.fullmatch(first) is not None:
        yield pos, pos + len(first), e.MRN


def _components(field: bytes, pos: int, wanted: dict[int, str]) -> Iterator[Found]:
    for repetition in field.split(b"~"):
        at = pos
        for index, component in enumerate(repetition.split(b"^")):
            entity = wanted.get(index)
            if entity is not None and component.strip(b" &"):
                yield at, at + len(component), entity
            at += len(component) + 1
        pos += len(repetition) + 1


# The field that names what was ordered or observed: OBR-4 (universal service id) and
# OBX-3 (observation id), a coded element "code^text^system" (a LOINC, CPT, SNOMED or
# NDC code). It names a test, shared by every patient who had it, never a person;
# a code there reads as a ZIP, a phone or a record number to the patterns.
_CODED_FIELD = {b"OBR": 4, b"OBX": 3}
_CODE = re2.compile(rb"[A-Za-z0-9][A-Za-z0-9.-]{0,19}")
_CODE_END = (b"^", b"|", b"~")
_REACH = 96  # two filler and placer numbers before OBR-4


def coded_field(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] is the code of an OBR-4 or OBX-3 coded element."""
    back = max(0, start - _REACH)
    line_start = max(data.rfind(b"\r", back, start), data.rfind(b"\n", back, start)) + 1
    if line_start == 0 and back > 0:
        return False  # farther from its segment's start than OBR-4 ever stands
    wanted = _CODED_FIELD.get(data[line_start : line_start + 3])
    if wanted is None or data[line_start + 3 : line_start + 4] != b"|":
        return False
    head = data[line_start:start]
    if head.count(b"|") != wanted or not head.endswith(b"|"):
        return False  # not in the field's first component, where the code stands
    code = _CODE.match(data[start : start + 21])
    stop = start + (code.end() if code is not None else 0)
    return stop >= end and data[stop : stop + 1] in _CODE_END
