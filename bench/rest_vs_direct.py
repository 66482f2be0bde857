"""One read through the whole REST pipeline vs the same query on a direct connection.

Both run in this process against the same embedded PostgreSQL holding the demo EHR:
direct is psycopg on one open connection; phigate is `POST /v1/actions` through the
real app (authentication, classification, policy, audit records before and after,
masking), with SQLite state as in the demo. Prints median and p99 per action, the
ratio, and this process's CPU time per action (PostgreSQL's is not counted; on a
loaded machine CPU time moves far less than wall time).
Run: .venv/bin/python bench/rest_vs_direct.py [--actions 300]
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

import httpx
import psycopg
from tests.support.state import token_store

from phigate.config import parse_settings
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from phigate.ops.demo import ehr
from phigate.ops.pgserver import EmbeddedPostgres

SQL = "SELECT id, first_name, last_name, dob, ssn, city FROM patients WHERE id = $1"
CONFIG = """
state: {{url: "sqlite:///{state}"}}
secrets: {{token_hash_key: "{k1}", masking_key: "{k2}"}}
connections:
  ehr: {{type: postgres, dsn: "{dsn}"}}
policy:
  rules:
    - {{name: reads-masked, match: {{risk: [read]}}, decision: allow}}
"""


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def direct(dsn: str, n: int) -> tuple[list[float], float]:
    times = []
    with psycopg.connect(dsn) as conn:
        cpu = time.process_time()
        for i in range(n):
            start = time.perf_counter()
            conn.execute(SQL.replace("$1", "%s"), (i % 500 + 1,)).fetchall()
            times.append(time.perf_counter() - start)
        cpu = time.process_time() - cpu
    return times, cpu / n


async def through_phigate(base: Path, dsn: str, n: int) -> tuple[list[float], float]:
    settings = parse_settings(
        CONFIG.format(
            state=base / "state.db", k1=secrets.token_hex(16), k2=secrets.token_hex(16), dsn=dsn
        )
    )
    gateway = build_gateway(settings, migrate=True)
    token, _ = token_store(gateway).create(subject="bench", kind=PrincipalKind.SERVICE)
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    transport = httpx.ASGITransport(app=build_app(gateway))
    async with httpx.AsyncClient(transport=transport, base_url="http://phigate") as client:
        cpu = time.process_time()
        for i in range(n):
            start = time.perf_counter()
            response = await client.post(
                "/v1/actions",
                headers=headers,
                json={"connection": "ehr", "sql": SQL, "params": [i % 500 + 1]},
            )
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.text
        cpu = time.process_time() - cpu
    await gateway.close()
    return times, cpu / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=300)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="phigate-bench-"))
    atexit.register(shutil.rmtree, base, True)  # data dirs are hundreds of MB
    base.chmod(0o755)
    pg = EmbeddedPostgres(base / "data").start()
    try:
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE ehr")
        ehr.load(pg.dsn("ehr"), patients=500)
        direct_times, direct_cpu = direct(pg.dsn("ehr"), args.actions)
        phigate_times, phigate_cpu = asyncio.run(through_phigate(base, pg.dsn("ehr"), args.actions))
        d50, d99 = percentiles(direct_times)
        p50, p99 = percentiles(phigate_times)
    finally:
        pg.stop()
    print(f"{'per read':24}{'direct':>12}{'phigate':>12}{'ratio':>9}")
    print(f"{'median (ms)':24}{d50 * 1e3:12.3f}{p50 * 1e3:12.3f}{p50 / d50:9.1f}")
    print(f"{'p99 (ms)':24}{d99 * 1e3:12.3f}{p99 * 1e3:12.3f}{p99 / d99:9.1f}")
    cpu_ratio = phigate_cpu / direct_cpu
    cpu = "cpu (ms, this process)"
    print(f"{cpu:24}{direct_cpu * 1e3:12.3f}{phigate_cpu * 1e3:12.3f}{cpu_ratio:9.1f}")
    print(f"load average after the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
