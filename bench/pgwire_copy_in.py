"""COPY … FROM STDIN through a read-only wire session vs direct: rows/s and memory.

    .venv/bin/python bench/pgwire_copy_in.py [--rows 500000]

Starts an embedded PostgreSQL with a writer and a reader role (the second guard),
loads the same rows with psycopg's COPY directly as the writer and through an
in-process phigate wire listener whose sessions log in as the reader (the COPY is
approved once, then streams to the writer). Prints rows/s, MB/s and how much this
process's resident memory grew while the rows went through phigate.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
from tests.support.state import token_store

from phigate.config import parse_settings
from phigate.doors.pgwire import PgWireSettings
from phigate.doors.pgwire.server import WireListener
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from phigate.ops.demo import roles
from phigate.ops.pgserver import EmbeddedPostgres

CONFIG = """
state: {{url: "sqlite:///{state}"}}
secrets: {{token_hash_key: "{k1}", masking_key: "{k2}"}}
connections:
  bench: {{type: postgres, dsn: "{dsn}", read_dsn: "{read_dsn}"}}
policy:
  rules:
    - {{name: loads, match: {{risk: [write]}}, decision: approve,
        approvals: {{count: 1, groups: [owners]}}}}
    - {{name: reads, match: {{risk: [read]}}, decision: allow, masking: hipaa-safe-harbor}}
"""
COPY = "COPY loads (n, digest) FROM STDIN"
CHUNK_ROWS = 1000


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def setup(base: Path) -> tuple[EmbeddedPostgres, str, str]:
    base.chmod(0o755)
    pg = EmbeddedPostgres(base / "data").start()
    passwords = {"bench_w": secrets.token_urlsafe(12), "bench_r": secrets.token_urlsafe(12)}
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE bench")
        for role, password in passwords.items():
            roles.create_login_role(admin, role, password)
    with psycopg.connect(pg.dsn("bench"), autocommit=True) as db:
        db.execute("CREATE TABLE loads (n integer, digest text)")
        roles.grant_roles(db, "bench", "bench_w", "bench_r")
    dsns = [pg.dsn("bench", user=r, password=p) for r, p in passwords.items()]
    return pg, dsns[0], dsns[1]


def chunks(rows: int) -> list[bytes]:
    lines = [f"{n}\t{n:032x}\n" for n in range(rows)]
    return ["".join(lines[i : i + CHUNK_ROWS]).encode() for i in range(0, rows, CHUNK_ROWS)]


async def copy(dsn: str, data: list[bytes]) -> tuple[float, int]:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        started = time.perf_counter()
        cur = conn.cursor()
        async with cur.copy(COPY) as copying:
            for chunk in data:
                await copying.write(chunk)
        return time.perf_counter() - started, cur.rowcount


async def main(args: argparse.Namespace) -> None:
    base = Path(tempfile.mkdtemp(prefix="phigate-bench-"))
    atexit.register(shutil.rmtree, base, True)  # data dirs are hundreds of MB
    pg, writer, reader = await asyncio.to_thread(setup, base)
    try:
        text = CONFIG.format(
            state=base / "state.db",
            k1=secrets.token_hex(16),
            k2=secrets.token_hex(16),
            dsn=writer,
            read_dsn=reader,
        )
        gateway = build_gateway(parse_settings(text), migrate=True)
        token, _ = token_store(gateway).create(subject="loader", kind=PrincipalKind.SERVICE)
        owner, _ = token_store(gateway).create(
            subject="olga", kind=PrincipalKind.HUMAN, groups=("owners",)
        )
        listener = await WireListener(
            gateway,
            "bench",
            "127.0.0.1:0",
            writer,
            settings=PgWireSettings(approval_wait_seconds=0),
            read_dsn=reader,
        ).start()
        data = chunks(args.rows)
        size_mb = sum(len(c) for c in data) / 1e6
        direct_s, _ = await copy(writer, data)
        proxied = f"host=127.0.0.1 port={listener.port} user=loader password={token} dbname=bench"
        with contextlib.suppress(psycopg.errors.ObjectNotInPrerequisiteState):
            await copy(proxied, data[:1])  # asks for approval (55000)
        voter = await gateway.authenticate(owner)
        [approval] = gateway.list_approvals(state="pending")
        await gateway.vote(approval.id, voter, "approve")
        before = rss_kib()
        proxied_s, count = await copy(proxied, data)
        growth = (rss_kib() - before) / 1024
        assert count == args.rows, count
        print(f"{args.rows} rows, {size_mb:.1f} MB")
        print(f"direct   {args.rows / direct_s:12.0f} rows/s {size_mb / direct_s:8.1f} MB/s")
        print(f"phigate  {args.rows / proxied_s:12.0f} rows/s {size_mb / proxied_s:8.1f} MB/s")
        print(f"ratio    {direct_s / proxied_s:12.2f}")
        print(f"RSS growth while loading through phigate: {growth:.1f} MB")
        await listener.close()
        await gateway.close()
    finally:
        pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    asyncio.run(main(parser.parse_args()))
