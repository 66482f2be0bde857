"""How a result column is classified, once, before any value is seen: by
`masking.columns` in the configuration, its source-column lineage, its name and its
SQL type (`classify`); what is left is sampled (`PROBE`) by the row masker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from phigate.masking._definitions import (
    DEFINITION_COLUMNS,
    NODE_TREE_COLUMNS,
    NODE_TREE_TYPE,
    STORED_VALUE_COLUMNS,
)
from phigate.masking._hints import KEEP, TEXT, hint, type_hint
from phigate.masking.entities import rank
from phigate.sql.system_catalog import all_structure, describes_schema

# Integers are otherwise sampled (an MRN or SSN may be stored as a number); other
# numbers and booleans are kept by their type alone (phigate.masking._hints).
_INTEGERS = frozenset(("int2", "int4", "int8", "smallint", "integer", "bigint", "oid"))
_SUBJECT_SOURCES = ("patients.id", "patient_id", "patients.mrn", "mrn", "ssn", "member_id")
PROBE = "PROBE"
WITHHELD = "WITHHELD"
DEFINITION = "DEFINITION"  # SQL text from the catalogs (phigate.masking._definitions)
# Catalog types that hold names, keys, flags and numbers, never written text: a catalog
# column of another type (text, or a type unknown here) is read as a definition.
_NAME_TYPES = frozenset(
    ("name", '"char"', "oid", "int2", "int4", "int8", "bool", "float4", "float8", "numeric",
     "int2vector", "oidvector", "aclitem", "regclass", "regtype", "regproc", "regprocedure",
     "regnamespace", "regrole", "regoper", "regoperator", "regconfig", "regcollation", "xid",
     "cid", "tid", "pg_lsn")
)  # fmt: skip
# A column its name keeps (`status`, `*_id`, `*_code`) whose SQL type holds text (or is
# not known) is CHECKED: its values pass as they are unless one is not a code
# (`RowMasker._checked`).
CHECKED = "CHECKED"
_TEXTUAL = frozenset(
    ("text", "varchar", "character varying", "bpchar", "character", "char", "name", "citext")
)


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """A result column: its output name, SQL type name, and where its values come from."""

    name: str
    type_name: str | None = None
    sources: tuple[str, ...] = ()
    # Catalog structure, not data (phigate.sql.system_catalog): kept as it is.
    catalog: bool = False
    # From the catalogs (or no table) in a statement that renders a definition: its
    # text is read as SQL (phigate.masking._definitions), names and keys are kept.
    definition: bool = False
    # Computed from literals and built-in functions alone, no table behind it.
    literal: bool = False
    # Its sources could not be proven (phigate.masking.result_columns): withheld whole.
    unresolved: bool = False
    # Computed from its sources by more than a cut of text: if they are free text
    # (scanned, not masked whole), detectors cannot be trusted with it: withheld.
    transformed: bool = False
    # Not exactly one source's value as stored (a function of it, or several mixed):
    # an operator that shows part of a value would show what the computation put
    # there, so the column is redacted whole (phigate.sql._marks.COMPUTED).
    computed: bool = False


def classify(info: ColumnInfo, overrides: dict[str, str]) -> str:
    """KEEP, TEXT, an entity type, PROBE (decide from sampled values) or WITHHELD."""
    if info.unresolved:
        return WITHHELD  # before overrides: its name is whatever the caller chose
    kind = _classify(info, overrides)
    if info.transformed and info.sources and kind in (TEXT, PROBE, DEFINITION):
        return WITHHELD  # scanning reversed or encoded text would find nothing
    return kind


def _classify(info: ColumnInfo, overrides: dict[str, str]) -> str:
    for ref in (*info.sources, info.name):
        found = _override(ref, overrides)
        if found is not None:
            return found
    sources = {s.lower() for s in info.sources}
    if (info.type_name or "").lower() == NODE_TREE_TYPE:
        return WITHHELD  # a parse tree, wherever it comes from
    if sources & (NODE_TREE_COLUMNS | STORED_VALUE_COLUMNS):
        return WITHHELD  # parse trees, bare constants: nothing a detector can read
    if sources & DEFINITION_COLUMNS:
        return DEFINITION
    if info.definition and (info.type_name or "").lower() not in _NAME_TYPES:
        return DEFINITION  # rendered from the catalogs: the owners' constants may be in it
    if info.catalog:
        return KEEP
    if info.literal and (info.type_name or "").lower() in _INTEGERS:
        return KEEP  # an integer no table stands behind is one the caller wrote
    if info.sources:
        kinds = [kind_by_name(s.rsplit(".", 1)[-1], info.type_name) for s in info.sources]
        return _most_sensitive(kinds)
    return kind_by_name(info.name, info.type_name)


def shown_in_part(info: ColumnInfo, kind: str, overrides: dict[str, str]) -> bool:
    """Whether an operator may show part of this column's values (a ZIP's first three
    digits, a date's year, the last characters of an identifier): only when each value
    is exactly the value of a source of that one type. A ZIP's operator keeps the first
    three digits of whatever it is given, so `concat(substr(dob::text, 6, 2), zip)`
    would show the month of birth; a mix of sources, or one through a computation, is
    redacted whole with its strongest type's marker."""
    if info.computed:
        return False
    return all(_source_kind(s, info.type_name, overrides) == kind for s in info.sources)


def _source_kind(ref: str, type_name: str | None, overrides: dict[str, str]) -> str:
    return _override(ref, overrides) or kind_by_name(ref.rsplit(".", 1)[-1], type_name)


def shown_as_stored(source: str, overrides: dict[str, str]) -> bool:
    """Whether a caller sees the values of source column `schema.table.column` as they
    are stored: the one classification above says KEEP (by `masking.columns`, as
    catalog structure, or by its own name; a catalog column that describes the schema
    counts as structure, `phigate.sql.system_catalog.describes_schema`).
    Anything else is masked, scanned or sampled, and so is a whole row
    (`schema.table.*`, every column) and a name nothing classifies: a condition on
    such a column can read back what the rows do not show."""
    if source.endswith(".*"):
        return False
    schema = describes_schema(source)
    catalog = all_structure((source,)) or schema
    kind = classify(
        ColumnInfo(source.rsplit(".", 1)[-1], None, (source,), catalog=catalog), overrides
    )
    # A definition in the catalogs (a default, a partition bound, a policy) is schema:
    # outputs mask its constants, but psql's `\d` sorts and renders on it. A column
    # kept by its name (`id`, `*_code`, `status`) is CHECKED here, where its type is not
    # known: its codes are shown as stored, and a condition on it is an ordinary read
    # (docs/security.md, known limits: an identifier stored in such a column is masked
    # in rows, but a condition on it is not held).
    return kind in (KEEP, CHECKED) or (schema and kind in (DEFINITION, WITHHELD))


def _override(ref: str, overrides: dict[str, str]) -> str | None:
    parts = ref.lower().split(".")
    for i in range(len(parts)):
        found = overrides.get(".".join(parts[i:]))
        if found is not None:
            return found
    return None


def kind_by_name(name: str, type_name: str | None) -> str:
    by_name = hint(name)
    by_type = type_hint(type_name)
    if by_name == KEEP and (type_name is None or type_name.lower() in _TEXTUAL):
        return CHECKED
    if by_name is not None and by_name != TEXT:
        return by_name
    if by_type is not None and by_type != TEXT:
        return by_type
    return PROBE if by_name is None else TEXT


def _most_sensitive(kinds: list[str]) -> str:
    entities = [k for k in kinds if k not in (KEEP, TEXT, PROBE, CHECKED)]
    if entities:
        return max(entities, key=rank)
    if PROBE in kinds:
        return PROBE
    if TEXT in kinds:
        return TEXT
    return CHECKED if CHECKED in kinds else KEEP


def subject_index(columns: Sequence[ColumnInfo]) -> int | None:
    for wanted in _SUBJECT_SOURCES:
        for i, info in enumerate(columns):
            refs = [s.lower() for s in info.sources] or [info.name.lower()]
            if any(r == wanted or r.endswith("." + wanted) for r in refs):
                return i
    return None
