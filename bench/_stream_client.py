"""The masked stream's client, in a process of its own: `python _stream_client.py DSN SQL`.

Streams every row of SQL with psycopg (async, server-side rows as they come) and
prints one JSON line: rows, wall seconds and this process's CPU seconds, timed from
just before connecting to the last row. The bench runs it the same way against
PostgreSQL and against phigate, so both peers get the same client; apart from the
proxy, as a real client would be, it neither shares the proxy's interpreter lock
nor has its CPU counted as the proxy's.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import psycopg


async def stream(dsn: str, sql: str) -> dict[str, float]:
    started, cpu = time.monotonic(), time.process_time()
    n = 0
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        async for _ in conn.cursor().stream(sql):
            n += 1
    return {
        "rows": n,
        "seconds": time.monotonic() - started,
        "cpu": time.process_time() - cpu,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(stream(sys.argv[1], sys.argv[2]))))
