"""Parse trees in the catalogs: every `pg_node_tree` column the server has is listed,
and a column of that type is withheld whole wherever it comes from."""

from __future__ import annotations

import psycopg

from phigate.masking._definitions import NODE_TREE_COLUMNS, NODE_TREE_OID, NODE_TREE_TYPE
from phigate.masking.columns import WITHHELD, ColumnInfo, classify
from phigate.masking.result_columns import type_name_of
from phigate.ops.pgserver import EmbeddedPostgres

_NODE_TREE_COLUMNS = """
SELECT n.nspname || '.' || c.relname || '.' || a.attname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'pg_catalog' AND a.atttypid = 'pg_node_tree'::regtype
  AND a.attnum > 0 AND NOT a.attisdropped
"""


def test_every_parse_tree_column_of_the_catalog_is_listed(pg_server: EmbeddedPostgres) -> None:
    with psycopg.connect(pg_server.dsn()) as conn:
        found = {str(r[0]) for r in conn.execute(_NODE_TREE_COLUMNS).fetchall()}
        oid = conn.execute("SELECT 'pg_node_tree'::regtype::oid").fetchone()
    assert found, "the server has no pg_node_tree column: the query is wrong"
    assert found <= NODE_TREE_COLUMNS, sorted(found - NODE_TREE_COLUMNS)
    assert oid is not None and int(oid[0]) == NODE_TREE_OID


def test_a_parse_tree_is_withheld_whatever_its_lineage() -> None:
    """`qual` of `pg_get_publication_tables(…)` has no source column: its type decides."""
    assert type_name_of(NODE_TREE_OID, None) == NODE_TREE_TYPE
    assert type_name_of(25, "text") == "text"
    for info in (
        ColumnInfo("qual", NODE_TREE_TYPE),
        ColumnInfo("status", NODE_TREE_TYPE, ("public.claims.status",)),
    ):
        assert classify(info, {}) == WITHHELD
