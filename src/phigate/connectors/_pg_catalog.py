"""The upstream's relations and columns, introspected with the gateway's credentials and
cached, so lineage can expand `*` and whole-row references (`SELECT p FROM patients p`)
into the columns they carry, and follow a view (or a materialized view) to the columns
its query reads: a view's columns are judged by what they are, never by their names.

Relations of every kind are read from `pg_class`, whatever the gateway's privileges on
them; a view's query comes from `pg_get_viewdef`. A relation the cache does not know
(created since it was loaded) reloads it at once: the view an application made a moment
ago is followed like one made last week. A name still unknown after that reload waits
for the next one (TTL_SECONDS), so no statement reloads it every time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import psycopg

from phigate.sql import StaticCatalog
from phigate.sql.model import OPAQUE

TTL_SECONDS = 60.0

# Plain and partitioned tables, views, materialized views, foreign tables.
_RELATIONS = """
SELECT n.nspname, c.relname, c.relkind,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp)'
"""
_PLAIN = ("r", "p")
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


class UpstreamCatalog:
    def __init__(self, connect: Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]) -> None:
        self._connect = connect
        self._catalog: StaticCatalog | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()
        # Relations still unknown after a reload: asked for again, they wait for the
        # TTL (a name on another schema of the search_path would reload every time).
        self._missing: set[str] = set()
        # Bumped on every reload: a decision reused across runs (`Decided`) holds only
        # while the catalog it was decided on is the one in force.
        self.generation = 0

    async def current(self, relations: Iterable[str] = ()) -> StaticCatalog:
        """The cached catalog, reloaded when older than TTL_SECONDS or when it does not
        know one of `relations` (`schema.table`, outside the system schemas)."""
        wanted = [r for r in relations if not in_system_schema(r)]
        async with self._lock:
            catalog = self._catalog
            stale = catalog is None or time.monotonic() - self._loaded_at > TTL_SECONDS
            new = catalog is not None and any(
                not catalog.knows(r) and r not in self._missing for r in wanted
            )
            if catalog is None or stale or new:
                catalog = self._catalog = await self._load()
                self._loaded_at = time.monotonic()
                self.generation += 1
                self._missing = set() if stale else self._missing
            self._missing.update(r for r in wanted if not catalog.knows(r))
            return catalog

    def all_plain(self, relations: Iterable[str]) -> bool:
        """Whether the cached catalog knows each of `relations` outside the system
        schemas as a plain table, and no relation of its name elsewhere (on a
        search_path) is anything else: nothing a reload could make a view is read."""
        catalog = self._catalog
        wanted = [r for r in relations if not in_system_schema(r)]
        if not wanted:
            return True
        return catalog is not None and all(
            catalog.knows(r)
            and all(catalog.definition(t) is None for t in catalog.named(r.split(".", 1)[-1]))
            for r in wanted
        )

    async def _load(self) -> StaticCatalog:
        tables: dict[str, list[str]] = {}
        definitions: dict[str, str] = {}
        conn = await self._connect()
        async with conn:
            rows = await (await conn.execute(_RELATIONS)).fetchall()
        for schema, table, kind, query, columns in rows:
            name = f"{schema}.{table}"
            tables[name] = [str(c) for c in columns or ()]
            if kind not in _PLAIN:
                definitions[name] = str(query) if query else OPAQUE
        return StaticCatalog(tables, definitions)


def in_system_schema(relation: str) -> bool:
    """Whether `schema.table` is a relation of the server's own catalogs."""
    return relation.split(".", 1)[0] in _SYSTEM_SCHEMAS
