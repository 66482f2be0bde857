"""vCards (RFC 6350; versions 2.1 to 4.0): a contact's job, employer and address by
the property that holds them.

`TITLE` and `ROLE` are what the person does, `ORG` where they work, `ADR` their
address in components (post box; extended; street; locality; region; postal code;
country), `BDAY` their birth date. The region and the country stay, as they do in
an address written out. Other properties (FN, N, TEL, EMAIL) are read by the label
and shape detectors. Only names in capitals, as cards write them, in a text that
holds a card: a message's "Title: Re: results" is no card's.
"""

from __future__ import annotations

from collections.abc import Iterator

from phigate.masking import entities as e
from phigate.masking._fastre import Regex

Found = tuple[int, int, str]

TRIGGER = r"(?m:^(?:TITLE|ROLE|ORG|ADR|BDAY)[;:])"
# A property line: its name, parameters after semicolons, and its value after a colon.
_PROPERTY = Regex(rb"(?m:^(TITLE|ROLE|ORG|ADR|BDAY)(?:;[^:\r\n]{0,200})?:([^\r\n]{1,400}))")
_BEGIN = Regex(rb"(?i:BEGIN:VCARD)")
_WHOLE = {b"TITLE": e.PROFESSION, b"ROLE": e.PROFESSION, b"BDAY": e.DATE}
# ADR's components by index, and ORG's (the organisation, then its units)
_ADR = {0: e.STREET_ADDRESS, 1: e.STREET_ADDRESS, 2: e.STREET_ADDRESS, 3: e.LOCATION, 5: e.ZIP}


def vcard_values(data: bytes) -> Iterator[Found]:
    if _BEGIN.search(data, 0) is None:
        return  # "Title:" or "Role:" in a message is no card's
    for found in _PROPERTY.spans(data):
        name = data[found[1][0] : found[1][1]].upper()
        start, end = found[2]
        if name in _WHOLE:
            yield start, end, _WHOLE[name]
        elif name == b"ORG":
            yield start, end, e.LOCATION
        else:
            yield from _components(data, start, end)


def _components(data: bytes, start: int, end: int) -> Iterator[Found]:
    pos = start
    for index, part in enumerate(data[start:end].split(b";")):
        entity = _ADR.get(index)
        if entity is not None and part.strip():
            yield pos, pos + len(part), entity
        pos += len(part) + 1
