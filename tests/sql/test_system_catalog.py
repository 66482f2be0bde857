"""Which result columns carry only catalog structure (and so pass unmasked): the
queries drivers and tools send, and every way to slip data into such a column."""

from __future__ import annotations

import pytest
from asyncpg import introspection

from phigate.sql import classify
from phigate.sql.describe import describe_sql
from phigate.sql.system_catalog import literal_columns, structure_columns

STRUCTURE = {
    "asyncpg type lookup": introspection.INTRO_LOOKUP_TYPES_13,
    "asyncpg type by name": introspection.TYPE_BY_NAME,
    "types": "SELECT t.oid, t.typname, pg_catalog.format_type(t.oid, NULL) "
    "FROM pg_catalog.pg_type t WHERE t.typname = 'int4'",
    "unqualified catalog": "SELECT oid, typname FROM pg_type",
    "columns": "SELECT a.attname, a.atttypid, a.attnotnull FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'patients'",
    "primary keys": "SELECT con.conrelid, array_agg(a.attname::text) AS cols, con.conname, "
    "bool_and(a.attnotnull) FROM pg_catalog.pg_constraint con "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid "
    "AND a.attnum = ANY(con.conkey) WHERE con.contype = 'p' GROUP BY 1, 3",
    "an index definition": "SELECT i.indexrelid, pg_catalog.pg_get_indexdef(i.indexrelid) "
    "FROM pg_catalog.pg_index i",
}

NOT_STRUCTURE = {
    "statistics": "SELECT most_common_vals FROM pg_catalog.pg_stats",
    "settings": "SELECT setting FROM pg_catalog.pg_settings",
    "activity": "SELECT query FROM pg_catalog.pg_stat_activity",
    "every column of pg_type": "SELECT t.* FROM pg_catalog.pg_type t",
    "a user table joined": "SELECT t.typname, p.last_name FROM pg_catalog.pg_type t "
    "JOIN patients p ON p.id = t.oid::int",
    "a user table in a subquery": "SELECT typname FROM pg_catalog.pg_type "
    "WHERE typname = (SELECT last_name FROM patients LIMIT 1)",
    "a scalar subquery": "SELECT (SELECT ssn FROM patients LIMIT 1) FROM pg_catalog.pg_type",
    "a user function": "SELECT public.lookup(t.oid) FROM pg_catalog.pg_type t",
    "dynamic SQL": "SELECT query_to_xml('select ssn from patients', true, false, '') "
    "FROM pg_catalog.pg_type LIMIT 1",
    "a setting": "SELECT current_setting('app.secret') FROM pg_catalog.pg_type LIMIT 1",
    "a comment by function": "SELECT c.oid, obj_description(c.oid) FROM pg_catalog.pg_class c",
    "no catalog at all": "SELECT 1",
    "a user table": "SELECT id FROM patients",
    "a write": "UPDATE pg_catalog.pg_type SET typname = 'x' WHERE false",
}

# Structure and data side by side: only the structure is kept.
MIXED = {
    "a stored value": (
        "SELECT attname, attmissingval FROM pg_catalog.pg_attribute",
        [True, False],
    ),
    "a comment": (
        "SELECT c.relname, d.description FROM pg_catalog.pg_class c "
        "LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid",
        [True, False],
    ),
    "a function body": ("SELECT proname, prosrc FROM pg_catalog.pg_proc", [True, False]),
    "a default expression": (
        "SELECT adnum, pg_catalog.pg_get_expr(adbin, adrelid) FROM pg_catalog.pg_attrdef",
        [True, False],
    ),
}


@pytest.mark.parametrize("sql", STRUCTURE.values(), ids=STRUCTURE.keys())
def test_catalog_structure_is_recognised(sql: str) -> None:
    assert all(structure_columns(classify(sql)))
    description = describe_sql(sql)
    assert description.detail["catalog_only"] is True
    assert all(entry["catalog"] for entry in description.detail["lineage"])


@pytest.mark.parametrize("sql", NOT_STRUCTURE.values(), ids=NOT_STRUCTURE.keys())
def test_anything_that_may_carry_data_is_not(sql: str) -> None:
    assert not any(structure_columns(classify(sql)))
    description = describe_sql(sql)
    assert description.detail["catalog_only"] is False
    assert not any(entry.get("catalog") for entry in description.detail["lineage"])


@pytest.mark.parametrize(("sql", "expected"), MIXED.values(), ids=MIXED.keys())
def test_data_columns_beside_structure_stay_masked(sql: str, expected: list[bool]) -> None:
    assert structure_columns(classify(sql)) == expected
    assert describe_sql(sql).detail["catalog_only"] is False


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1", [True]),
        ("SELECT 1 AS ok, now(), version()", [True, True, True]),
        ("SELECT g FROM generate_series(1, 3) AS g", [True]),
        ("SELECT x FROM (VALUES (1), (2)) AS v(x)", [True]),
        ("SELECT count(*) FROM patients", [False]),  # a table stands behind it
        ("SELECT (SELECT count(*) FROM patients)", [False]),
        ("SELECT length(current_setting('x')) FROM patients", [False]),
    ],
)
def test_literal_columns_have_no_table_behind_them(sql: str, expected: list[bool]) -> None:
    assert literal_columns(classify(sql)) == expected


def test_a_configured_function_is_no_literal() -> None:
    """An operator may allow a function of theirs as a read; it can return anything."""
    analysis = classify(
        "SELECT public.visit_count(7)", extra_functions={"public.visit_count": "read"}
    )
    assert analysis.risk.value == "read"
    assert literal_columns(analysis) == [False]


@pytest.mark.parametrize(
    ("sql", "definition"),
    [
        (STRUCTURE["an index definition"], True),
        ("SELECT pg_get_constraintdef(oid) FROM pg_constraint", True),
        ("SELECT conname, pg_get_expr(conbin, conrelid) FROM pg_catalog.pg_constraint", True),
        (STRUCTURE["primary keys"], False),
        (STRUCTURE["types"], False),
    ],
)
def test_text_beside_a_rendered_definition_is_marked_a_definition(
    sql: str, definition: bool
) -> None:
    """A definition holds its owners' constants: a statement that renders one has its
    catalog columns marked `definition` (masking reads their text as SQL and keeps
    names and keys); one that renders none keeps them plain structure."""
    entries = describe_sql(sql).detail["lineage"]
    catalog = [e for e in entries if e.get("catalog")]
    assert catalog and all(bool(e.get("definition")) is definition for e in catalog)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT pg_get_viewdef('public.v'::regclass)", [True]),
        ("SELECT pg_get_functiondef(oid), proname FROM pg_proc", [True, True]),
        ("SELECT pg_get_ruledef(oid) FROM pg_rewrite", [True]),
        ("SELECT pg_get_viewdef('v'::regclass), last_name FROM patients", [True, False]),
        ("SELECT last_name FROM patients", [False]),
    ],
)
def test_a_definition_rendered_outside_the_catalog_path_is_marked_too(
    sql: str, expected: list[bool]
) -> None:
    """Outside the catalog path (no table, or a renderer a catalog statement may not
    use) a rendered definition is still one; a user table's column is not."""
    entries = describe_sql(sql).detail["lineage"]
    assert [bool(e.get("definition")) for e in entries] == expected
