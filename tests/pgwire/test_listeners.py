"""`listen: HOST:PORT` on a postgres connection opens a wire listener (phigate serve, demo)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from phigate.doors.pgwire.server import start_listeners, with_listener
from phigate.ops.pgserver import free_port
from tests.conftest import demo_config
from tests.pgwire.conftest import make_gateway_harness


async def test_connections_with_listen_get_a_listener(tmp_path: Path, ehr_dsn: str) -> None:
    port = free_port()
    settings = with_listener(demo_config(tmp_path, ehr_dsn), "ehr", f"127.0.0.1:{port}")
    harness = make_gateway_harness(settings)
    listeners = await start_listeners(harness.gateway)
    try:
        assert [(lst.connection, lst.port) for lst in listeners] == [("ehr", port)]
        dsn = (
            f"host=127.0.0.1 port={port} dbname=ehr user=claims-bot "
            f"password={harness.tokens['claims-bot']} sslmode=disable"
        )
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            cur = await conn.execute("SELECT mrn FROM patients WHERE id = 5")
            (mrn,) = await cur.fetchone()  # type: ignore[misc]
        async with await psycopg.AsyncConnection.connect(ehr_dsn) as direct:
            cur = await direct.execute("SELECT mrn FROM patients WHERE id = 5")
            (real,) = await cur.fetchone()  # type: ignore[misc]
        assert mrn != real
    finally:
        for listener in listeners:
            await listener.close()
        await harness.gateway.close()
