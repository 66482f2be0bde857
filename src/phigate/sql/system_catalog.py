"""Result columns that carry only the structure of the database, read from its catalogs.

Drivers and tools read the catalogs to learn how to decode what they receive and
what the schema is: asyncpg looks up every type it has no built-in codec for
(arrays, enums, composites, domains) and decodes the answer by type; SQLAlchemy's
reflection matches constraints to tables by OID. Masking those columns, even only
announcing them as `text` while values are probed, breaks the client. Types,
names, keys and definitions are schema, not PHI, so such columns pass unmasked.

A statement qualifies when it reads only the catalog relations below, through the
functions below. Its result columns then count as structure when every source
column is structure; catalog columns that can hold data are never structure, and
a column from them is masked as usual: statistics (`pg_statistic`, `pg_stats`:
most common values) and settings and activity (`pg_settings`, `pg_stat_activity`)
are outside the list altogether; stored values (`attmissingval`, `typdefault`),
comments (`pg_description.description`) and function bodies (`prosrc`) are
excluded columns. Comments and data-reading functions keep a statement out.

A definition (`pg_get_constraintdef`, `pg_get_expr`, `pg_get_indexdef`...) is schema
too, but the constants its owners wrote in it may be data: in a statement that
renders one, its text columns are marked `definition` and masked as SQL text, not
kept. Names, keys and flags beside them keep their types and pass.
"""

from __future__ import annotations

from phigate.core.risk import RiskClass
from phigate.sql.functions import SAFE_FUNCTIONS, words
from phigate.sql.model import SqlAnalysis

_SCHEMA = "pg_catalog"

# Relation → its columns that may hold data (never structure).
_RELATIONS: dict[str, frozenset[str]] = {
    "pg_type": words("typdefault typdefaultbin"),
    "pg_namespace": frozenset(),
    "pg_class": frozenset(),
    "pg_attribute": words("attmissingval attfdwoptions"),
    "pg_attrdef": words("adbin"),
    "pg_range": frozenset(),
    "pg_enum": frozenset(),
    "pg_index": words("indexprs indpred"),
    "pg_am": frozenset(),
    "pg_opclass": frozenset(),
    "pg_opfamily": frozenset(),
    "pg_operator": frozenset(),
    "pg_collation": frozenset(),
    "pg_inherits": frozenset(),
    "pg_depend": frozenset(),
    "pg_extension": words("extcondition"),
    "pg_language": frozenset(),
    "pg_cast": frozenset(),
    "pg_sequence": frozenset(),
    "pg_partitioned_table": words("partexprs"),
    "pg_constraint": words("conbin"),
    "pg_trigger": words("tgargs tgqual"),
    "pg_proc": words("prosrc probin prosqlbody proconfig"),
    "pg_description": words("description"),
}

# Functions that render a definition: SQL text written by the schema's owners, whose
# constants (a CHECK's value, a default, an index predicate) may be data.
_RENDERERS = words(
    "pg_get_constraintdef pg_get_expr pg_get_function_arguments "
    "pg_get_function_identity_arguments pg_get_function_result pg_get_indexdef "
    "pg_get_partkeydef pg_get_statisticsobjdef pg_get_statisticsobjdef_columns "
    "pg_get_statisticsobjdef_expressions pg_get_triggerdef pg_get_viewdef"
)
# Renderers a catalog statement may not use (function bodies, rules, partition
# bounds), but whose text is read as a definition wherever else it comes back.
_OTHER_RENDERERS = words(
    "pg_get_functiondef pg_get_function_sqlbody pg_get_ruledef pg_get_partition_constraintdef"
)
# Functions that combine or describe what they are given, or render a definition;
# none reads table data or comments.
_FUNCTIONS = _RENDERERS | words(
    "array_agg array_length array_lower array_position array_to_string array_upper "
    "bool_and bool_or cardinality coalesce count current_schema current_schemas every "
    "format_type generate_series generate_subscripts has_column_privilege "
    "has_schema_privilege has_table_privilege has_type_privilege max min "
    "pg_function_is_visible pg_get_serial_sequence pg_get_userbyid "
    "pg_partition_ancestors pg_partition_root pg_relation_is_publishable "
    "pg_table_is_visible pg_type_is_visible quote_ident row_number string_agg "
    "to_regclass to_regtype unnest"
)


def structure_columns(analysis: SqlAnalysis) -> list[bool]:
    """Per result column (`analysis.lineage`), whether it carries only structure."""
    if analysis.risk is not RiskClass.READ or not analysis.tables:
        return [False] * len(analysis.lineage)
    # Function names arrive as lookup keys (phigate.sql.functions.function_key): a
    # built-in one bare, `pg_catalog.` already dropped; anybody else's schema-qualified.
    if not all(_is_relation(t) for t in analysis.tables) or not _FUNCTIONS.issuperset(
        analysis.functions
    ):
        return [False] * len(analysis.lineage)
    return [all(_is_structure(s) for s in column.sources) for column in analysis.lineage]


def definition_columns(analysis: SqlAnalysis) -> list[bool]:
    """Per result column, whether its text may be a rendered definition: the statement
    calls a renderer and the column comes from the catalogs or from no table at all
    (`SELECT pg_get_viewdef('v')`). Masking reads such text as SQL with its constants
    withheld (`phigate.masking._definitions`) and keeps only name- and key-typed values."""
    renders = not (_RENDERERS | _OTHER_RENDERERS).isdisjoint(analysis.functions)
    return [renders and all(_in_catalogs(s) for s in column.sources) for column in analysis.lineage]


def literal_columns(analysis: SqlAnalysis) -> list[bool]:
    """Per result column, whether it is computed from literals and built-in functions
    alone: a statement that reads no table at all (`SELECT 1`, `SELECT now()`)."""
    if analysis.risk is not RiskClass.READ or analysis.tables:
        return [False] * len(analysis.lineage)
    if not SAFE_FUNCTIONS.issuperset(analysis.functions):
        return [False] * len(analysis.lineage)
    return [not column.sources and column.output != "*" for column in analysis.lineage]


def all_structure(sources: tuple[str, ...]) -> bool:
    """Whether every source is a catalog column that holds structure, never data."""
    return bool(sources) and all(_is_structure(s) for s in sources)


# More catalog relations that describe the schema, never rows, as psql's `\d`,
# SQLAlchemy's reflection and asyncpg's type lookup filter on them.
_DESCRIBING = frozenset(_RELATIONS) | words(
    """
    pg_policy pg_statistic_ext pg_publication pg_publication_rel pg_publication_namespace
    pg_roles pg_tablespace pg_database pg_rewrite pg_event_trigger pg_foreign_table
    pg_foreign_server pg_foreign_data_wrapper pg_tables pg_views pg_indexes pg_matviews
    pg_sequences pg_auth_members pg_aggregate pg_amop pg_amproc pg_conversion pg_transform
    pg_ts_config pg_ts_dict pg_ts_parser pg_ts_template pg_default_acl pg_init_privs
    pg_subscription pg_policies
    """
)
# Their columns that hold values or free text, not structure: a stored value, a
# domain's default constant, a comment, a function's body or settings.
_VALUES = words(
    "attmissingval attfdwoptions typdefault typdefaultbin description prosrc probin "
    "prosqlbody proconfig tgargs"
)


def describes_schema(source: str) -> bool:
    """Whether a condition on catalog column `source` reads back only the schema: a
    column of a catalog relation that describes it (above), other than stored values
    and free text, or a name column of `information_schema`
    (`information_schema.domains.domain_name`). Statistics (`pg_stats`: most common
    values), activity, large objects and catalog relations not listed are not."""
    parts = _split(source)
    if len(parts) != 3 or parts[2] == "*":
        return False
    if parts[0] == _SCHEMA:
        return parts[1] in _DESCRIBING and parts[2] not in _VALUES
    return parts[0] == "information_schema" and parts[2].endswith(("_name", "_schema", "_catalog"))


def _split(name: str) -> list[str]:
    return name.lower().split(".")


def _is_relation(table: str) -> bool:
    parts = _split(table)
    return len(parts) == 2 and parts[0] == _SCHEMA and parts[1] in _RELATIONS


def _in_catalogs(source: str) -> bool:
    return _split(source)[0] in (_SCHEMA, "information_schema")


def _is_structure(source: str) -> bool:
    parts = _split(source)
    if len(parts) != 3 or parts[0] != _SCHEMA or parts[1] not in _RELATIONS:
        return False
    return parts[2] != "*" and parts[2] not in _RELATIONS[parts[1]]
