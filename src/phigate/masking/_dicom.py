"""A DICOM dump's elements that hold who and where: a person's name (value
representation PN, "(0010,0010) PN [DOE^JANE^M]") and the institution's name
("(0008,0080) LO [RIVERSIDE CLINIC]"). A PN value is a name by the standard, whatever
its words, so it is masked whole, carets and all, and not read word by word (an
unseen surname in capitals reads as any capitalised word there).
"""

from __future__ import annotations

from phigate.masking._shapes import PatternSpec
from phigate.masking.entities import LOCATION, PERSON

# "(0010,0010)" as dcmdump and pydicom print a tag: group and element in hex
_TAG = r"\((?:[0-9A-Fa-f]{4}),(?:[0-9A-Fa-f]{4})\)"
# The value in brackets, one line, as long as the standard lets a PN be (64 a group,
# three groups) plus room; an empty value has nothing to mask.
_VALUE = r"\[(?P<v>[^\]\n]{1,200})\]"

DICOM_PATTERNS: tuple[PatternSpec, ...] = (
    PatternSpec(PERSON, _TAG + r" ?PN ?" + _VALUE, groups=(("v", PERSON),)),
    # InstitutionName: whatever the words, also those no institution pattern ends with
    # ("Halvorsen Eye Associates")
    PatternSpec(LOCATION, r"\((?:0008),(?:0080)\) ?LO ?" + _VALUE, groups=(("v", LOCATION),)),
)
