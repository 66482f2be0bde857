"""Which statements read only catalog structure (and so pass unmasked): the queries
drivers send, and every way to slip data into such a statement."""

from __future__ import annotations

import pytest
from asyncpg import introspection

from phigate.sql import classify
from phigate.sql.describe import describe_sql
from phigate.sql.system_catalog import reads_only_structure

STRUCTURE = {
    "asyncpg type lookup": introspection.INTRO_LOOKUP_TYPES_13,
    "asyncpg type by name": introspection.TYPE_BY_NAME,
    "types": "SELECT t.oid, t.typname, pg_catalog.format_type(t.oid, NULL) "
    "FROM pg_catalog.pg_type t WHERE t.typname = 'int4'",
    "unqualified catalog": "SELECT oid, typname FROM pg_type",
    "columns": "SELECT a.attname, a.atttypid, a.attnotnull FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'patients'",
}

NOT_STRUCTURE = {
    "a stored default value": "SELECT attname, attmissingval FROM pg_catalog.pg_attribute",
    "every column of pg_type": "SELECT t.* FROM pg_catalog.pg_type t",
    "statistics": "SELECT most_common_vals FROM pg_catalog.pg_stats",
    "function bodies": "SELECT prosrc FROM pg_catalog.pg_proc",
    "comments": "SELECT description FROM pg_catalog.pg_description",
    "activity": "SELECT query FROM pg_catalog.pg_stat_activity",
    "settings": "SELECT setting FROM pg_catalog.pg_settings",
    "a user table joined": "SELECT t.typname, p.last_name FROM pg_catalog.pg_type t "
    "JOIN patients p ON p.id = t.oid::int",
    "a user table in a subquery": "SELECT typname FROM pg_catalog.pg_type "
    "WHERE typname = (SELECT last_name FROM patients LIMIT 1)",
    "a scalar subquery": "SELECT (SELECT ssn FROM patients LIMIT 1) FROM pg_catalog.pg_type",
    "a user function": "SELECT public.lookup(t.oid) FROM pg_catalog.pg_type t",
    "dynamic SQL": "SELECT query_to_xml('select ssn from patients', true, false, '') "
    "FROM pg_catalog.pg_type LIMIT 1",
    "a setting": "SELECT current_setting('app.secret') FROM pg_catalog.pg_type LIMIT 1",
    "no catalog at all": "SELECT 1",
    "a user table": "SELECT id FROM patients",
    "a write": "UPDATE pg_catalog.pg_type SET typname = 'x' WHERE false",
}


@pytest.mark.parametrize("sql", STRUCTURE.values(), ids=STRUCTURE.keys())
def test_catalog_structure_is_recognised(sql: str) -> None:
    assert reads_only_structure(classify(sql))
    assert describe_sql(sql).detail["catalog_only"] is True


@pytest.mark.parametrize("sql", NOT_STRUCTURE.values(), ids=NOT_STRUCTURE.keys())
def test_anything_that_may_carry_data_is_not(sql: str) -> None:
    assert not reads_only_structure(classify(sql))
    assert describe_sql(sql).detail["catalog_only"] is False
