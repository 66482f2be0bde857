"""What a database server says back, with the data it quotes taken out.

PostgreSQL quotes values in its messages: `invalid input syntax for type
integer: "<the value>"`, `Key (ssn)=(<the value>) already exists`, `Failing
row contains (<every column>)`, and prints some unquoted (`improper relation
name (too many dotted names): a.b.<the value>`). A cast that fails on
`string_agg(…)` of a whole table would hand the table out inside one error.
Detection cannot be trusted with text shaped by the caller (reversed, joined,
encoded), and a value may hold quotes of its own, so a message is read as the
server's template plus values, and only the template is trusted:

* the fields that quote rows, keys and the statements of functions (DETAIL,
  CONTEXT/WHERE, INTERNAL QUERY) are dropped, whatever they say;
* a message or hint whose shape, with every double-quoted span as a slot, is one
  of the known templates below keeps its words; a slot keeps its text only when
  that is a name or literal the caller's statement holds as a token, else it
  becomes `"[VALUE]"`;
* any other message keeps only its words before the first value (the first
  quote, or the first `: `), and the rest becomes `"[VALUE]"`, whatever it
  says: nothing after the server's first value is proved to be the server's;
* byte sequences (`0xe9 0x41`) become `[BYTES]`, and numbers of three digits or
  more the caller did not write `[VALUE]`;

then the detectors mask what remains. SQLSTATE, severity and position are kept,
so the caller still learns what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

import pglast.parser
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
_SLOT = '"\x00"'  # a double-quoted span in a message's shape

# PostgreSQL's messages whose every value is double-quoted (`%` a quoted name),
# as the server words them: only these keep their words after the first value.
_TEMPLATES = frozenset(
    t.replace('"%"', _SLOT)
    for t in (
        'column "%" does not exist',
        'column "%" of relation "%" does not exist',
        'column "%" of relation "%" already exists',
        'column "%" specified more than once',
        'column "%" must appear in the GROUP BY clause or be used in an aggregate function',
        'column reference "%" is ambiguous',
        'table reference "%" is ambiguous',
        'missing FROM-clause entry for table "%"',
        'table name "%" specified more than once',
        'relation "%" does not exist',
        'relation "%" already exists',
        'schema "%" does not exist',
        'type "%" does not exist',
        'function "%" does not exist',
        'role "%" does not exist',
        'database "%" does not exist',
        'cursor "%" does not exist',
        'cursor "%" already exists',
        'portal "%" does not exist',
        'prepared statement "%" does not exist',
        'prepared statement "%" already exists',
        'constraint "%" of relation "%" does not exist',
        'syntax error at or near "%"',
        'unrecognized configuration parameter "%"',
        'duplicate key value violates unique constraint "%"',
        'null value in column "%" of relation "%" violates not-null constraint',
        'new row for relation "%" violates check constraint "%"',
        'insert or update on table "%" violates foreign key constraint "%"',
        'update or delete on table "%" violates foreign key constraint "%" on table "%"',
        'invalid byte sequence for encoding "%": [BYTES]',
        'character with byte sequence [BYTES] in encoding "%" has no equivalent in encoding "%"',
        'Perhaps you meant to reference the column "%".',
        'Perhaps you meant to reference the column "%" or the column "%".',
    )
)
# Templates whose unquoted parts are type names the server takes from the parse.
_TYPE = r"[a-z][a-z0-9_ ]{0,40}(?:\([0-9, ]{1,12}\))?(?:\[\])*"
_TYPED_TEMPLATES = re2.compile(
    "(?:"
    + "|".join(
        (
            f"column {_SLOT} is of type {_TYPE} but expression is of type {_TYPE}",
            f"operator does not exist: (?:{_TYPE} )?[-+*/<>=~!@#%^&|`?]{{1,8}} {_TYPE}",
            f"operator is not unique: (?:{_TYPE} )?[-+*/<>=~!@#%^&|`?]{{1,8}} {_TYPE}",
        )
    )
    + ")"
)


def scrub_message(text: str, statement: str, masker: Masker) -> str:
    """One message or hint, with its values replaced unless proved the caller's, then masked."""
    text = _bare_numbers(_template_words(_BYTES.sub("[BYTES]", text), statement), statement)
    return masker.mask_text(text).text


def _bare_numbers(text: str, statement: str) -> str:
    """Numbers the server prints unquoted (`index 706567705 out of valid range`):
    kept only when the caller wrote them."""
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


def _template_words(text: str, statement: str) -> str:
    """The message as a known template with its slots checked, or its words before
    the first value followed by `"[VALUE]"`."""
    pieces = text.split('"')
    if len(pieces) % 2 == 1:  # quotes pair up: a shape to compare with the templates
        shape = _SLOT.join(pieces[::2])
        if shape in _TEMPLATES or _TYPED_TEMPLATES.fullmatch(shape):
            return _checked_slots(pieces, _caller_words(statement))
    cut = min(_first(text, '"'), _first(text, ": ", 2))
    if cut == len(text):
        return text  # no value in it: the server's words (numbers and bytes aside)
    return text[:cut] + REPLACEMENT


def _first(text: str, sep: str, width: int = 0) -> int:
    at = text.find(sep)
    return len(text) if at == -1 else at + width


def _checked_slots(pieces: list[str], words: frozenset[str]) -> str:
    out = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            out.append(piece)
        else:
            out.append(f'"{piece}"' if _callers(piece, words) else REPLACEMENT)
    return "".join(out)


def _callers(span: str, words: frozenset[str]) -> bool:
    """A quoted span the caller wrote: a token of the statement, or a dotted name of
    such tokens (`relation "public.claims"`). A substring is not enough: `"S"` is in
    every `SELECT`."""
    return span in words or all(part in words for part in span.split("."))


def _caller_words(statement: str) -> frozenset[str]:
    """The names, keywords and string literals of a statement, as the server would
    print them (quoted names unquoted, unquoted ones folded too)."""
    try:
        tokens = pglast.parser.scan(statement)
    except pglast.parser.ParseError:
        return frozenset()  # nothing is proved the caller's
    words: set[str] = set()
    for token in tokens:
        raw = statement[token.start : token.end + 1]
        if token.name == "IDENT" and raw.startswith('"'):
            words.add(raw[1:-1].replace('""', '"'))
        elif token.name == "SCONST" and raw.startswith("'"):
            words.add(raw[1:-1].replace("''", "'"))
        elif token.name == "IDENT" or token.kind != "NO_KEYWORD":
            words.update((raw, raw.lower()))
    words.discard("")
    return frozenset(words)
