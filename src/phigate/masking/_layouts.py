"""Labels in the layouts text takes besides "Label: value": markup (an XML element
named for its value, an HTML table's header cells over its data cells), YAML (a list
or a block under its key), pipes (`mrn|40123456`), a label after its value
(`536228471 (SSN)`, `40123456 - MRN`) and a JSON record escaped inside a log line
(`{\\"mrn\\": \\"40123456\\"}`).

Each reads its label with `classify_label`, like every other structure, and checks
the value with `value_ok`. Every trigger is an RE2 pattern in the one set pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import re2

from phigate.masking import _aligned
from phigate.masking._fastre import Regex
from phigate.masking._shapes import has_digit
from phigate.masking._structure import (
    _NUMBER_WORDS,
    _RECORD_LABELS,
    _SUBJECTS,
    _WORDED_TYPES,
    Found,
    Structure,
    classify_label,
    value_ok,
)

# Types a label only vouches for when the value holds a digit: a pipe or a label
# after its value does not say where a name or a place ends.
_WORDED = _WORDED_TYPES


def _numbered(entity: str | None, value: bytes) -> bool:
    return (
        entity is not None
        and entity not in _WORDED
        and has_digit(value)
        and value_ok(entity, value)
    )


# --- markup: <mrn>40123456</mrn>, <ns:ssn>…</ns:ssn>, and HTML tables

_TAG_NAME = r"([A-Za-z_][A-Za-z0-9_.:-]{0,40})"
_ELEMENT_RE = rf"<{_TAG_NAME}(?:\s[^<>]{{0,200}})?>([^<>]{{1,300}})</{_TAG_NAME}>"
_ELEMENT = Regex(_ELEMENT_RE.encode())


def elements(data: bytes) -> Iterator[Found]:
    """The text of an element whose tag names its type (`<mrn>40123456</mrn>`); an
    element's name is a label like a JSON key."""
    for found in _ELEMENT.spans(data):
        tag = data[found[1][0] : found[1][1]]
        if tag != data[found[3][0] : found[3][1]] or tag.lower() in (b"td", b"th"):
            continue
        entity = classify_label(tag.rsplit(b":", 1)[-1].decode())
        start, end = found[2]
        value = data[start:end].strip()
        if entity is not None and value and value_ok(entity, value, strict=True):
            start += data[start:end].find(value)
            yield start, start + len(value), entity


_TABLE_RE = r"(?i:<t[hd][\s>])"
_ROW = re2.compile(rb"(?is)<tr[\s>](.*?)(?:</tr\s*>|<tr[\s>]|</table|$)")
_CELL = re2.compile(rb"(?is)<(t[hd])(?:\s[^<>]{0,200})?>(.{0,400}?)(?:</t[hd]\s*>|<t[hd][\s>]|$)")
_TAG = re2.compile(rb"<[^<>]{0,200}>")


def html_tables(data: bytes) -> Iterator[Found]:
    """Data cells under the header cells of an HTML table: a row of `<th>` names the
    columns of the rows after it, as the header line of a CSV does. In a table of
    two columns, a cell naming a type labels the cell after it (`<td>MRN</td><td>…`)."""
    columns: list[str | None] = []
    rows = [row.span(1) for row in _ROW.finditer(data)] or [(0, len(data))]  # cells alone
    for row_start, row_end in rows:
        cells = list(_CELL.finditer(data, row_start, row_end))
        labels = [classify_label(_text(c.group(2)).decode("utf-8", "replace")) for c in cells]
        if cells and all(c.group(1).lower() == b"th" for c in cells):
            columns = labels
            continue
        for cell, entity in zip(cells, columns, strict=False):
            yield from _cell_value(data, cell, entity, lambda k, v: value_ok(k, v))
        for cell, entity in zip(cells[1:], labels, strict=False):
            yield from _cell_value(data, cell, entity, _numbered)


def _cell_value(
    data: bytes, cell: re2._Match[bytes], entity: str | None, ok: Callable[[str, bytes], bool]
) -> Iterator[Found]:
    start, end = cell.span(2)
    value = data[start:end].strip()
    if entity is not None and value and b"<" not in value and ok(entity, value):
        start += data[start:end].find(value)
        yield start, start + len(value), entity


def _text(markup: bytes) -> bytes:
    return bytes(_TAG.sub(b" ", markup)).strip()


# --- YAML: a list or a block scalar under its key

_YAML_KEY_RE = (
    r"(?m:^([ \t]*)(?:- )?([A-Za-z_][A-Za-z0-9_ .#-]{0,40}):[ \t]*(?:[|>][+-]?[0-9]?)?[ \t]*\r?\n"
    r"(?:[ \t]*- |[ \t]+[^\s]))"
)
_YAML_KEY = Regex(_YAML_KEY_RE.encode())
_YAML_LINE = re2.compile(rb"([ \t]*)(- +)?([^\r\n]*)")


def yaml_values(data: bytes) -> Iterator[Found]:
    """`mrn:` then `- 40123456` lines, or `mrn: |` then indented lines: each line of the
    list or the block is a value of the key, while the lines stay under it (a list at
    the key's indentation or deeper, a block deeper)."""
    found = _YAML_KEY.search(data)
    while found is not None:
        pos = data.find(b"\n", found[2][1]) + 1
        # the match ends inside the next line, which may be a key itself: read on from it
        yield from _yaml_items(data, found, pos)
        found = _YAML_KEY.search(data, pos)


def _yaml_items(data: bytes, found: list[tuple[int, int]], pos: int) -> Iterator[Found]:
    indent = found[1][1] - found[1][0]
    entity = classify_label(data[found[2][0] : found[2][1]].decode())
    if entity is not None:
        while 0 < pos < len(data):
            line = _YAML_LINE.match(data, pos)
            assert line is not None  # every part is optional
            deeper = len(line.group(1)) > indent
            item = line.group(2) is not None and len(line.group(1)) >= indent
            if not (deeper or item) or not line.group(3).strip():
                break
            start, end = line.span(3)
            value = data[start:end].rstrip()
            if b": " in value or value.endswith(b":"):
                break  # the next key of a mapping: it is read from its own line
            if value_ok(entity, value, strict=True):
                yield start, start + len(value), entity
            pos = line.end() + 1


# --- pipes: mrn|40123456|ssn|536228471

_PIPE_RE = r"[A-Za-z#.][ \t]*\|[ \t]*[A-Za-z]{0,4}[-#]?\d"
_PIPE = Regex(_PIPE_RE.encode())


def pipe_pairs(data: bytes) -> Iterator[Found]:
    """A cell naming a type before a cell with a digit, on a pipe-separated line
    (`psql -A`, exports): the label and its value as separate fields."""
    done = 0
    for found in _PIPE.spans(data):
        if found[0][0] < done:
            continue  # a line is read once, however many pairs it holds
        line = data.rfind(b"\n", 0, found[0][0]) + 1
        line_end = data.find(b"\n", line)
        line_end = len(data) if line_end < 0 else line_end
        done = line_end
        cells = data[line:line_end].split(b"|")
        pos = line
        for i, cell in enumerate(cells[:-1]):
            label = cell.strip()
            value = cells[i + 1].strip()
            # a cell before one without a digit is no label of a number: not classified
            # (most cells of a table; each new one misses classify_label's cache)
            numbered = label and has_digit(value)
            entity = classify_label(label.decode("utf-8", "replace")) if numbered else None
            if _numbered(entity, value) and entity is not None:
                start = pos + len(cell) + 1
                start += cells[i + 1].find(value)
                yield start, start + len(value), entity
            pos += len(cell) + 1


# --- a label after its value: "536228471 (SSN)", "40123456 - MRN"

_AFTER_RE = (
    r"(?:^|[\s(#:=;/\[])([A-Za-z]{0,4}[-#]?\d[A-Za-z0-9-]{2,24})[ \t]*"
    # after a dash, the label ends its clause: "40123456 - MRN", not "… - Visit note"
    r"(?:\([ \t]*([A-Za-z][A-Za-z #.]{0,30}?)[ \t]*\)"
    r"|[-–—][ \t]*([A-Za-z][A-Za-z#.]{0,20})[ \t]*(?:[,;)\]]|(?m:$)))"
)
_AFTER = Regex(_AFTER_RE.encode())


def labels_after(data: bytes) -> Iterator[Found]:
    """A value followed by the name of its type, in parentheses or after a dash."""
    for found in _AFTER.spans(data):
        label = found[2] if found[2][0] >= 0 else found[3]
        text = data[label[0] : label[1]].decode("utf-8", "replace")
        if _service(text):
            continue
        entity = classify_label(text)
        start, end = found[1]
        if _numbered(entity, data[start:end]) and entity is not None:
            yield start, end, entity


def _service(label: str) -> bool:
    """A record word after words that say what was done ("99213 (office visit)",
    "80053 - lab order"): a billing code and the service it bills, not a number and
    whose record it is ("(patient visit #)", "(Medical Record)")."""
    words = label.lower().replace("#", " #").split()
    if len(words) < 2 or words[-1] not in _RECORD_LABELS:
        return False
    return not all(w in _SUBJECTS or w.encode() in _NUMBER_WORDS for w in words[:-1])


# --- a JSON record escaped in a string: {\"mrn\": \"40123456\"}

_ESCAPED_RE = (
    r'\\"([A-Za-z_][A-Za-z0-9_]{0,40})\\"\s*:\s*(?:\\"((?:[^"\\\n]|\\[^"]){1,300})\\"|(\d{2,20})\b)'
)
_ESCAPED = Regex(_ESCAPED_RE.encode())


def escaped_members(data: bytes) -> Iterator[Found]:
    """Members of a JSON record quoted inside a log line or a JSON string: the key
    names the value as it would unescaped."""
    for found in _ESCAPED.spans(data):
        entity = classify_label(data[found[1][0] : found[1][1]].decode())
        start, end = found[2] if found[2][0] >= 0 else found[3]
        if entity is not None and value_ok(entity, data[start:end]):
            yield start, end, entity


LAYOUTS: tuple[Structure, ...] = (
    Structure(_ELEMENT_RE, elements),
    Structure(_TABLE_RE, html_tables),
    Structure(_YAML_KEY_RE, yaml_values),
    Structure(_PIPE_RE, pipe_pairs),
    Structure(_AFTER_RE, labels_after, wide=True),  # a code at any space: as STRUCTURES'
    Structure(_ESCAPED_RE, escaped_members),
    Structure(_aligned.TRIGGER, _aligned.aligned_values, wide=True),  # a line's cells
)
