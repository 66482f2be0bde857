from __future__ import annotations

import psycopg

from tests.pgwire.conftest import Wire


async def test_psycopg_reads_masked(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT id, first_name, ssn, dob FROM patients ORDER BY id LIMIT 3"
        )
        rows = await cur.fetchall()
        print(rows, cur.description)
        cur = await conn.execute("SELECT id, ssn FROM patients WHERE id = %s", [1])
        print(await cur.fetchall())
