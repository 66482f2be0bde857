"""Fixtures for the adversarial suite: one gateway per module on a background loop,
with a REST door and a wire door in front of the module's EHR database, and a copy
of that database for running the same statements directly."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import Bench, Oracle, build_needles, close_connections
from tests.conftest import Harness
from tests.connectors.support import harness_with


@pytest.fixture(scope="module")
def bench(
    pg_server: EmbeddedPostgres, ehr_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bench]:
    info = psycopg.conninfo.conninfo_to_dict(ehr_dsn)
    copy = f"{info['dbname']}_direct_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(
            pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                pgsql.Identifier(copy), pgsql.Identifier(str(info["dbname"]))
            )
        )
        # Statistics, as autovacuum would gather them in any real deployment
        # (pg_stats exposes them to every role that may read the table).
        for db in (str(info["dbname"]), copy):
            with psycopg.connect(pg_server.dsn(db), autocommit=True) as analyze:
                analyze.execute("ANALYZE")
    copy_dsn = psycopg.conninfo.make_conninfo(ehr_dsn, dbname=copy)
    b = Bench(ehr_dsn, copy_dsn, tmp_path_factory.mktemp("adversarial")).start()
    try:
        yield b
    finally:
        b.close()
        close_connections()


@pytest.fixture(scope="module")
def oracle(ehr_dsn: str) -> Oracle:
    return Oracle(build_needles(ehr_dsn))


@pytest.fixture
async def echo_box(tmp_path: Path) -> AsyncIterator[Harness]:
    """A gateway with one exec connection, `box`, whose read program `show` prints its
    stdin: what an agent's chosen text looks like once the exec output path has shown it."""
    program = tmp_path / "bin" / "show"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\nexec cat\n")
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    settings = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "timeout_seconds": 20,
        "rules": [{"name": "show", "program": "show", "args": [], "risk": "read"}],
    }
    h = await harness_with(tmp_path, {"box": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()
