"""A drug's National Drug Code after its label is the product's, not a person's.

An NDC is ten digits in three dashed groups (4-4-2, 5-3-2, 5-4-1), or eleven (5-4-2)
as billing pads it: shapes a phone number, an MRN or a ZIP+4 also take, so a value
in one of these shapes is a drug code only where its label says so ("NDC 0093-7146-56",
"ndc: 12345-678-90", "drug_ndc=60505-0141-01"). The same digits under a record's label
stay masked.
"""

from __future__ import annotations

import re2

# The label just before the value, on its line: "NDC", "NDC#", "ndc:", "drug_ndc=",
# "NDC code:", a key in quotes, "NDC (" before the code in brackets.
_LABEL_BEFORE = re2.compile(
    rb"(?i:\bndc|_ndc)(?:[ _]?(?:code|no\.?|number))?[\"']?\s{0,3}[#:=(]?\s{0,3}[\"']?$"
)
_NDC = re2.compile(rb"^(?:\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1,2})$")
_BACK = 24


def labelled_drug_code(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] is an NDC right after its label."""
    if end - start > 13 or _NDC.search(data[start:end]) is None:
        return False
    return _LABEL_BEFORE.search(data[max(0, start - _BACK) : start]) is not None
