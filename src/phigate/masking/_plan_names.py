"""A health plan's product name and its payer's public codes.

A plan's product name read as a person's: "Medicare Advantage HMO", "Silver
Plus EPO". A plan's name names a product many members
share, not a member; what identifies the member is the member id beside it, which
stays masked. A found name is a plan's when a plan type's acronym (written in
capitals, as no one's name is) stands in it or as the word right after it.

A payer's id (the number a clearinghouse routes claims by) and a pharmacy benefit's
BIN and PCN are published for every member of the plan alike; under their label they
stay visible. A group number, a claim number and a member's id are not among them.
"""

from __future__ import annotations

import re2

# A plan type: health maintenance, preferred or exclusive provider, point of service,
# high-deductible, private fee-for-service, special needs. "Plan" is not one: a payer
# named for its founder ("Woods Mutual Health Plan") is a firm the corpora count as PHI.
_PLAN_TYPE = re2.compile(rb"(?:^|[^A-Za-z])(?:HMO|PPO|EPO|POS|HDHP|PFFS|[CDI]-?SNP)(?:$|[^A-Za-z])")
_PLAN_AFTER = re2.compile(rb"^ (?:HMO|PPO|EPO|POS|HDHP|PFFS|[CDI]-?SNP)(?:$|[^A-Za-z])")


# A plan's own label right before the name ("Plan:", "Vision plan:", "Company/Plan
# Name:", "plan" run into the text); "Insurance:", "Carrier:" and "Payer:" name a
# firm, which the corpora count as PHI, and are not here.
_PLAN_LABEL = re2.compile(
    rb"(?:^|[^A-Za-z/])(?i:(?:vision|dental|medical|health|pharmacy|benefit|company/)[ \t]?)?"
    rb"(?i:plan)(?:[ \t](?i:name))?[ \t]*:?[ \t]*$"
)
# A product's tier or line as its last word ("EyeMed Insight", "Tricare Prime"), or a
# benefit's kind inside it ("Davis Vision Basic"): no one's name ends so under "Plan:".
_PLAN_WORD = re2.compile(
    rb"(?:^|[ \t])(?:Basic|Choice|Select|Signature|Insight|Advantage|Premier|Plus|Prime"
    rb"|Gold|Silver|Bronze|Platinum|Essentials?|Core|Value|Standard|Classic|Access"
    rb"|Preferred|Elite|Enhanced|Complete|Vision|Dental)$"
    rb"|(?:^|[ \t])(?:Vision|Dental)[ \t]"
)


def plan_name(data: bytes, start: int, end: int) -> bool:
    """Whether the name found at data[start:end] is a health plan's product name."""
    if _PLAN_TYPE.search(data[start:end]) is not None:
        return True
    if _PLAN_AFTER.search(data[end : end + 8]) is not None:
        return True
    before = data[max(0, start - 40) : start]
    if b"lan" not in before and b"LAN" not in before:
        return False  # no plan's label near: most names found are people's
    if _PLAN_WORD.search(data[start:end]) is None:
        return False
    line_start = before.rfind(b"\n") + 1
    return _PLAN_LABEL.search(before[line_start:]) is not None


# The label of a payer's public code, just before it on its line.
_PAYER_CODE_KEY = re2.compile(
    rb"(?:^|[^A-Za-z])(?i:payer|payor)[-_ ]?(?i:id|code|identifier|number|no\.?|#)"
    # an X12 qualifier after the label: payer id (PI), CMS plan id (XV)
    rb"(?:[ \t]*\((?:PI|XV)\))?[\"']?[ \t]*[:=#]?[ \t]*[\"']?$"
    # a remittance's reassociation trace: the payment's number, the payer's id (TRN)
    rb"|(?:^|[^A-Za-z])TRN[ \t]*[:#]?[ \t]*$"
)
_PAYER_CODE = re2.compile(rb"^[A-Z0-9]{3,10}$")


def payer_code(data: bytes, start: int, end: int) -> bool:
    """Whether the id found at data[start:end] is a payer's public id under its label."""
    if _PAYER_CODE.search(data[start:end]) is None:
        return False
    back = max(0, start - 40)
    line_start = data.rfind(b"\n", back, start) + 1 or back
    return _PAYER_CODE_KEY.search(data[line_start:start]) is not None


# A table's column of plans, by its header's cell: "Plan", "Health Plan", "Plan Name".
# "Payer", "Insurance" and "Carrier" name a firm, which the corpora count as PHI.
_PLAN_HEADER = (
    rb"[ \x22]*(?i:(?:health|medical|dental|vision|pharmacy|benefit)[ ])?(?i:plan)"
    rb"(?:[ ](?i:name))?[ \x22]*"
)
_PLAN_CELL = re2.compile(rb"(?:^|[,\t])" + _PLAN_HEADER + rb"(?:[,\t\r]|$)")
_PLAN_HEADER_CELL = re2.compile(_PLAN_HEADER)
_HEADER_REACH = 4096  # the header of a sheet an agent reads is within its first rows
_HEADER_TRIES = 24


def plan_column(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] is a whole cell of a delimited table's "Plan" column."""
    if not (_cell_edge(data, start - 1, -1) and _cell_edge(data, end, 1)):
        return False  # most names found are not a whole cell
    line_start = data.rfind(b"\n", 0, start) + 1
    back = max(0, line_start - _HEADER_REACH)
    at = data.rfind(b"lan", back, line_start)  # "Plan", "PLAN": no header without one
    if at < 0:
        return False
    line = data[line_start : _line_end(data, end)]
    delimiter = b"\t" if b"\t" in line else b","
    column = len(_cells(line[: start - line_start], delimiter)) - 1
    for _ in range(_HEADER_TRIES):
        row_start = data.rfind(b"\n", 0, at) + 1
        row = data[row_start : _line_end(data, at)]
        if _PLAN_CELL.search(row) is not None:
            cells = _cells(row, delimiter)
            header = cells[column] if column < len(cells) else b""
            return _PLAN_HEADER_CELL.fullmatch(header) is not None
        at = data.rfind(b"lan", back, row_start)
        if at < 0:
            return False
    return False


def _cell_edge(data: bytes, at: int, step: int) -> bool:
    """Whether a cell ends at `at` (a quote may stand before the delimiter)."""
    if 0 <= at < len(data) and data[at] == 0x22:
        at += step
    return at < 0 or at >= len(data) or data[at] in b",\t\r\n"


def _line_end(data: bytes, at: int) -> int:
    end = data.find(b"\n", at)
    return len(data) if end < 0 else end


def _cells(line: bytes, delimiter: bytes) -> list[bytes]:
    """A row's cells; a delimiter inside double quotes is the cell's own."""
    if b"\x22" not in line:
        return line.split(delimiter)
    cells: list[bytes] = []
    quoted, begin = False, 0
    for index, byte in enumerate(line):
        if byte == 0x22:
            quoted = not quoted
        elif byte == delimiter[0] and not quoted:
            cells.append(line[begin:index])
            begin = index + 1
    cells.append(line[begin:])
    return cells
