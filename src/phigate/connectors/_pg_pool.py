"""Upstream connections for one postgres connection, pooled per event loop.

Opening a connection costs a TCP handshake and a SCRAM exchange on every action;
a pool keeps a few open. Each event loop gets its own pool (an asyncio pool must
not be shared across loops), and a connection is checked before it is handed out,
so an upstream restart costs one failed check, not a failed action.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from phigate.errors import UpstreamError

MAX_CONNECTIONS = 10
CHECKOUT_TIMEOUT_SECONDS = 10.0


class UpstreamPool:
    def __init__(self, name: str, dsn: Any) -> None:
        self._name = name
        self._dsn = dsn  # a SecretRef, revealed only when a pool opens
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncConnectionPool] = (
            weakref.WeakKeyDictionary()
        )

    async def _pool(self) -> AsyncConnectionPool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = AsyncConnectionPool(
                self._dsn.reveal(),
                min_size=1,
                max_size=MAX_CONNECTIONS,
                open=False,
                timeout=CHECKOUT_TIMEOUT_SECONDS,
                check=AsyncConnectionPool.check_connection,
                kwargs={"autocommit": False, "application_name": "phigate", "connect_timeout": 10},
                name=f"phigate-{self._name}",
            )
            self._pools[loop] = pool
            await pool.open()
        return pool

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A connection in a fresh transaction; rolled back if the body raises."""
        try:
            pool = await self._pool()
            cm = pool.connection()
            conn = await cm.__aenter__()
        except (psycopg.Error, PoolTimeout) as exc:
            raise UpstreamError(
                f"cannot connect to upstream {self._name!r}: {type(exc).__name__}"
            ) from exc
        try:
            yield conn
        except BaseException as exc:
            await cm.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        else:
            await cm.__aexit__(None, None, None)

    async def close(self) -> None:
        """Close the pools this loop owns; pools of loops that ended die with them."""
        loop = asyncio.get_running_loop()
        for owner, pool in list(self._pools.items()):
            if owner is loop:
                await pool.close()
            elif owner.is_running():
                asyncio.run_coroutine_threadsafe(pool.close(), owner)
        self._pools.clear()
