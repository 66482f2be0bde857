"""What a database server says back, with the data it quotes taken out.

PostgreSQL quotes values in its messages: `invalid input syntax for type
integer: "<the value>"`, `Key (ssn)=(<the value>) already exists`, `Failing
row contains (<every column>)`. A cast that fails on `string_agg(…)` of a whole
table would hand the table out inside one error. Detection alone cannot be
trusted with text shaped by the caller (reversed, joined, encoded), so messages
are scrubbed by their structure first:

* the fields that quote rows, keys and the statements of functions (DETAIL,
  CONTEXT/WHERE, INTERNAL QUERY) are dropped, whatever they say;
* in the message and hint, a double-quoted span is kept only when the caller's
  own statement holds it verbatim (an identifier or a literal they wrote);
  from the first span that is not, to the last quote, the text is replaced;
* byte sequences (`0xe9 0x41`) are replaced by `[BYTES]`, and numbers of three
  digits or more the caller did not write by `[VALUE]`;

then the detectors mask what remains. SQLSTATE, severity, position and the
message skeleton are kept, so the caller still learns what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

import re2

from phigate.masking.engine import Masker

REPLACEMENT = '"[VALUE]"'
# ErrorResponse/NoticeResponse field codes (PostgreSQL protocol, "Error and Notice
# Message Fields"): D detail, W where/context, q internal query.
DROPPED_FIELDS = frozenset("DWq")
SCRUBBED_FIELDS = frozenset("MH")
_BYTES = re2.compile(r"0x[0-9a-fA-F]{2}(?:\s+0x[0-9a-fA-F]{2})*")
# Three digits or more, with the separators of dates, times and numbers between them.
_NUMBER = re2.compile(r"[0-9](?:[0-9:.\-/]*[0-9]){2,}")


def scrub_message(text: str, statement: str, masker: Masker) -> str:
    """One message or hint, with quoted data and byte sequences replaced, then masked."""
    text = _BYTES.sub("[BYTES]", _quoted_data(text, statement))
    return masker.mask_text(_bare_numbers(text, statement)).text


def _bare_numbers(text: str, statement: str) -> str:
    """Numbers the server prints unquoted (`requested character too large for
    encoding: 706567705`, `2000-13-31732`): kept only when the caller wrote them."""
    out, pos = [], 0
    for match in _NUMBER.finditer(text):
        if match.group(0) not in statement:
            out += [text[pos : match.start()], "[VALUE]"]
            pos = match.end()
    return "".join(out) + text[pos:]


def scrub_fields(
    fields: Iterable[tuple[str, str]], statement: str, masker: Masker
) -> list[tuple[str, str]]:
    """Error or notice fields as the caller may see them (codes kept, data removed)."""
    out = []
    for code, value in fields:
        if code in DROPPED_FIELDS:
            continue
        if code in SCRUBBED_FIELDS:
            value = scrub_message(value, statement, masker)
        out.append((code, value))
    return out


def _quoted_data(text: str, statement: str) -> str:
    """The text with its double-quoted region replaced unless every span in it is the
    caller's own and the spans are plainly separate (`column "a" of relation "b"`).

    Quotes inside quotes (`at or near "'"<value>"'"`) or an odd number of them make
    the spans ambiguous: then the whole region, first quote to last, is replaced.
    """
    first, last = text.find('"'), text.rfind('"')
    if first == -1:
        return text
    if first == last:
        return text[:first] + REPLACEMENT
    pieces = text[first + 1 : last].split('"')
    if len(pieces) % 2 == 0 or not all(
        _plain(i, piece, statement) for i, piece in enumerate(pieces)
    ):
        return text[:first] + REPLACEMENT + text[last + 1 :]
    return text


def _plain(index: int, piece: str, statement: str) -> bool:
    if index % 2 == 0:  # inside quotes: an identifier or literal the caller wrote
        return bool(piece) and piece in statement
    # between two quoted spans: PostgreSQL's own words, set off by spaces
    return piece[:1].isspace() and piece[-1:].isspace()
