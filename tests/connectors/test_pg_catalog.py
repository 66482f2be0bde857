"""The upstream catalog: relations of every kind, each view's query, reloaded for a
relation it does not know (once per name until the TTL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.connectors._pg_catalog import UpstreamCatalog
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.sql import classify
from phigate.sql.model import OPAQUE


@pytest.fixture
def database(pg_server: EmbeddedPostgres) -> Iterator[str]:
    name = f"cat_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    dsn = pg_server.dsn(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE patients (id int, last_name text, city text)")
        conn.execute(
            "CREATE VIEW screen WITH (security_barrier) AS"
            " SELECT id, last_name AS status FROM patients"
        )
        conn.execute("CREATE MATERIALIZED VIEW cache AS SELECT city AS state FROM patients")
        conn.execute("CREATE FOREIGN DATA WRAPPER nowhere")
        conn.execute("CREATE SERVER far FOREIGN DATA WRAPPER nowhere")
        conn.execute("CREATE FOREIGN TABLE remote (payer text) SERVER far")
    try:
        yield dsn
    finally:
        with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
            conn.execute(pgsql.SQL("DROP DATABASE {} WITH (FORCE)").format(pgsql.Identifier(name)))


def _counting(dsn: str, loads: list[int]) -> Any:
    async def connect() -> psycopg.AsyncConnection[Any]:
        loads.append(1)
        return await psycopg.AsyncConnection.connect(dsn)

    return connect


async def test_each_kind_of_relation_is_told_apart(database: str) -> None:
    catalog = await UpstreamCatalog(_counting(database, [])).current()
    assert catalog.definition("public.patients") is None
    assert catalog.columns("public.screen") == ("id", "status")
    assert catalog.definition("public.remote") == OPAQUE
    outputs = {
        c.output: c.sources
        for c in classify("SELECT * FROM screen, cache", catalog=catalog).lineage
    }
    assert outputs == {
        "id": ("public.patients.id",),
        "status": ("public.patients.last_name",),
        "state": ("public.patients.city",),
    }
    remote = classify("SELECT payer FROM remote", catalog=catalog).lineage[0]
    assert remote.unresolved and "public.remote.?stored" in remote.sources


async def test_a_relation_made_after_loading_reloads_once(database: str) -> None:
    loads: list[int] = []
    upstream = UpstreamCatalog(_counting(database, loads))
    await upstream.current()
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("CREATE VIEW late AS SELECT last_name AS payer FROM patients")
    catalog = await upstream.current(["public.late", "pg_catalog.pg_class"])
    assert catalog.definition("public.late") is not None and len(loads) == 2
    assert not upstream.all_plain(["public.late"]) and upstream.all_plain(["public.patients"])
    for _ in range(3):  # a name the server does not have reloads once, not each time
        await upstream.current(["public.nowhere"])
    assert len(loads) == 3
