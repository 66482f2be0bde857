"""The upstream's tables and columns, introspected with the gateway's credentials and
cached, so lineage can expand `*` and whole-row references (`SELECT p FROM patients p`)
into the columns they carry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import psycopg

from phigate.sql import StaticCatalog

TTL_SECONDS = 60.0

_COLUMNS = """
SELECT c.table_schema, c.table_name, c.column_name
FROM information_schema.columns c
WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY c.table_schema, c.table_name, c.ordinal_position
"""


class UpstreamCatalog:
    def __init__(self, connect: Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]) -> None:
        self._connect = connect
        self._catalog: StaticCatalog | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def current(self) -> StaticCatalog:
        """The cached catalog, reloaded when older than TTL_SECONDS."""
        async with self._lock:
            if self._catalog is None or time.monotonic() - self._loaded_at > TTL_SECONDS:
                self._catalog = StaticCatalog(await self._load())
                self._loaded_at = time.monotonic()
            return self._catalog

    async def _load(self) -> dict[str, Sequence[str]]:
        tables: dict[str, list[str]] = {}
        conn = await self._connect()
        async with conn:
            rows = await (await conn.execute(_COLUMNS)).fetchall()
        for schema, table, column in rows:
            tables.setdefault(f"{schema}.{table}", []).append(str(column))
        return dict(tables)
