"""Tables written as JSON: the column types of a columnar object (`{"columns": …,
"rows": …}`) or of a list of lists' header row, and lists of `[name, value]` pairs."""

from __future__ import annotations

from phigate.masking._hints import KEEP, TEXT, hint
from phigate.masking._json_keys import (
    COLUMNS,
    is_field_name,
    key_role,
    maybe_a_name,
)


def _column_type(name: object) -> str | None:
    """The entity type a column name says its cells are; KEEP and TEXT say nothing
    here (a cell is scanned as any value is)."""
    if isinstance(name, dict):  # `{"name": …}`, Google DataTable's `{"id": "A", "label": …}`
        for key in ("name", "Name", "label", "field", "key", "title", "id"):
            found = _column_type(name.get(key)) if isinstance(name.get(key), str) else None
            if found is not None:
                return found
        return None
    if not isinstance(name, str) or len(name) > 128:
        return None
    found = hint(name)
    return None if found in (KEEP, TEXT) else found


def table_columns(value: dict[object, object]) -> list[str | None] | None:
    """The types of a columnar table's columns (`columns`/`fields`/`meta`/`header`, or
    nested: `schema.fields`, Snowflake's `resultSetMetaData.rowType`, Databricks'
    `manifest.schema.columns`), None when no column name names a type."""
    for key, item in value.items():
        if isinstance(key, str) and key_role(key) & COLUMNS:
            types = _column_list(item, 3)
            if types is not None:
                return types
    return None


def _column_list(item: object, levels: int) -> list[str | None] | None:
    if isinstance(item, dict) and levels > 0:
        for key in ("fields", "columns", "rowType", "schema"):
            types = _column_list(item.get(key), levels - 1)
            if types is not None:
                return types
        return None
    if isinstance(item, list) and item:
        types = [_column_type(name) for name in item]
        if any(types):
            return types
    return None


def table_header(value: list[object] | tuple[object, ...]) -> tuple[int, list[str | None] | None]:
    """Where the header of a table written as a list of lists sits, with its column
    types (CSV as JSON, spreadsheet APIs): the first of its first rows whose cells all
    read as column names (`_column_name`) and one names a type, a title above it
    included. None when it is no table or no column name names a type."""
    if len(value) < 2 or not isinstance(value[1], list | tuple):
        return 0, None
    for at, row in enumerate(value[:_TITLE_ROWS]):
        if not isinstance(row, list | tuple) or len(row) > 4096:
            return 0, None
        if row and at + 1 < len(value) and all(_column_name(name) for name in row):
            types = [_column_type(name) for name in row]
            if any(types):  # else a one-word title (`Export`), or a header naming no type
                return at, types
    return 0, None


# How many rows a table's header may sit below (a title, a blank row, a subtitle).
_TITLE_ROWS = 4


def _column_name(name: object) -> bool:
    """A cell that reads as a column name: a field name (`ssn`, `dateOfBirth`) or a
    short label a hint reads (`Date of Birth`); values (`536228471`) and titles
    (`Patient export`) do not."""
    if not isinstance(name, str) or not name or len(name) > 128:
        return False
    return is_field_name(name) or hint(name) is not None


# What `pairs_reading` reads a list of two-cell lists as.
_NO_PAIRS, PAIRS, EITHER = 0, 1, 2


def pairs_reading(value: list[object] | tuple[object, ...]) -> int:
    """Whether a list is `[name, value]` pairs (`Object.entries`, `dict.items()`,
    keyword lists): at least two rows of two cells, every first cell a label
    (`_pair_label`), the first row's second cell naming no type (`["name", "ssn"]`
    heads a table). When every label is also a hint (`ssn`, `status`) or the first
    row is no header naming a type, they are pairs; otherwise (`[["first_name",
    "ada"], ["visits", 3]]` is pairs, `[["name", "visits"], ["okonkwo", 3]]` a table)
    either reading may be the true one, and both mask (`EITHER`)."""
    if len(value) < 2:
        return _NO_PAIRS
    hinted = True
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or not _pair_label(pair[0]):
            return _NO_PAIRS
        hinted = hinted and hint(str(pair[0])) is not None
    label, first = value[0][0], value[0][1]  # type: ignore[index]
    if _column_type(first) is not None:
        return _NO_PAIRS
    if hinted or not (_column_name(first) and _column_type(label) is not None):
        return PAIRS
    return EITHER


def _pair_label(label: object) -> bool:
    """A field name or a label a hint reads (`ssn`, `visits`, `Date of Birth`), not a
    capitalised word that may be a person's name (`Okonkwo`)."""
    if not isinstance(label, str) or not label or len(label) > 128:
        return False
    if hint(label) is not None:
        return True
    return is_field_name(label) and not maybe_a_name(label)
