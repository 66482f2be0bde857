"""Statements that read only the structure of the database from its system catalogs.

Drivers read the catalogs to learn how to decode what they receive: asyncpg looks
up every type it has no built-in codec for (arrays, enums, composites, domains)
and decodes the answer by type. Masking such a result, even only announcing its
columns as `text` while values are probed, breaks the driver. Types, names and
relations are schema, not PHI, so a statement whose every result value comes from
the catalog columns below, through the functions below, passes unmasked.

Catalog columns that can hold data are left out, so a statement reading them is
masked like any other: statistics (`pg_statistic`, `pg_stats`: most common
values), stored defaults and expressions (`pg_attrdef`, `attmissingval`,
`conbin`, `indexprs`, `indpred`, `typdefault`, `partexprs`), function bodies
(`pg_proc`), comments (`pg_description`), settings and activity (`pg_settings`,
`pg_stat_activity`), role secrets (`pg_authid`) and large objects.
"""

from __future__ import annotations

from phigate.risk import RiskClass
from phigate.sql.functions import words
from phigate.sql.model import SqlAnalysis

_SCHEMA = "pg_catalog"

# Relation → the columns that may hold data (excluded); every other column is structure.
_STRUCTURE: dict[str, frozenset[str]] = {
    "pg_type": frozenset({"typdefault", "typdefaultbin"}),
    "pg_namespace": frozenset(),
    "pg_class": frozenset(),
    "pg_attribute": frozenset({"attmissingval", "attfdwoptions"}),
    "pg_range": frozenset(),
    "pg_enum": frozenset(),
    "pg_index": frozenset({"indexprs", "indpred"}),
    "pg_am": frozenset(),
    "pg_opclass": frozenset(),
    "pg_opfamily": frozenset(),
    "pg_operator": frozenset(),
    "pg_collation": frozenset(),
    "pg_inherits": frozenset(),
    "pg_depend": frozenset(),
    "pg_extension": frozenset({"extcondition"}),
    "pg_language": frozenset(),
    "pg_cast": frozenset(),
    "pg_tablespace": frozenset(),
    "pg_sequence": frozenset(),
    "pg_partitioned_table": frozenset({"partexprs"}),
    "pg_constraint": frozenset({"conbin"}),
}

# Functions that only combine or describe what they are given (no lookups of data).
_FUNCTIONS = words(
    "array_agg array_length array_position array_to_string cardinality coalesce count "
    "current_schema current_schemas format_type generate_series generate_subscripts "
    "has_schema_privilege has_table_privilege has_column_privilege has_type_privilege "
    "max min pg_function_is_visible pg_table_is_visible pg_type_is_visible "
    "pg_get_userbyid quote_ident row_number string_agg unnest"
)


def reads_only_structure(analysis: SqlAnalysis) -> bool:
    """True when every value `analysis` returns is catalog structure (see the module)."""
    if analysis.risk is not RiskClass.READ or not analysis.tables or not analysis.lineage:
        return False
    if not all(_is_structure_relation(t) for t in analysis.tables):
        return False
    if not all(_is_structure_function(f) for f in analysis.functions):
        return False
    return all(_is_structure_column(s) for c in analysis.lineage for s in c.sources)


def _split(name: str) -> list[str]:
    return name.lower().split(".")


def _is_structure_relation(table: str) -> bool:
    parts = _split(table)
    return len(parts) == 2 and parts[0] == _SCHEMA and parts[1] in _STRUCTURE


def _is_structure_column(source: str) -> bool:
    parts = _split(source)
    if len(parts) != 3 or parts[0] != _SCHEMA or parts[1] not in _STRUCTURE:
        return False
    return parts[2] != "*" and parts[2] not in _STRUCTURE[parts[1]]


def _is_structure_function(name: str) -> bool:
    parts = _split(name)
    return parts[-1] in _FUNCTIONS and (len(parts) == 1 or parts[:-1] == [_SCHEMA])
