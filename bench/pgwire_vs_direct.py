"""PostgreSQL wire front door vs direct: pgbench select-only and a 1,000,000-row stream.

    .venv/bin/python bench/pgwire_vs_direct.py [--seconds 10] [--clients 4] [--rows 1000000]

Starts an embedded PostgreSQL, loads pgbench tables directly (DDL is denied
through phigate), then runs the same workloads straight at PostgreSQL and
through an in-process phigate wire listener (policy: reads allowed, masked
with hipaa-safe-harbor; every execution admitted and audited in SQLite).
Prints transactions/s, latency p50/p99, rows/s and peak RSS, and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from phigate import metrics
from phigate.bootstrap import build_gateway
from phigate.config import parse_settings
from phigate.frontends.pgwire import PgWireSettings
from phigate.frontends.pgwire.server import WireListener
from phigate.identity.principal import PrincipalKind
from phigate.pgserver import EmbeddedPostgres, bin_path

CONFIG = """
state: {{url: "sqlite:///{state}"}}
secrets: {{token_hash_key: "{k1}", masking_key: "{k2}"}}
connections:
  bench: {{type: postgres, dsn: "{dsn}"}}
policy:
  rules:
    - {{name: reads-masked, match: {{risk: [read]}}, decision: allow,
        masking: hipaa-safe-harbor}}
    - {{name: nothing-else, match: {{risk: [write, export, ddl, privilege, admin, unknown]}},
        decision: deny}}
"""
STREAM = "SELECT g AS n, md5(g::text) AS digest FROM generate_series(1, {rows}) AS g"


@dataclass
class Run:
    tps: float
    p50_ms: float
    p99_ms: float
    transactions: int


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class RssSampler:
    """Peak resident memory of this process (which hosts the proxy) while a block runs."""

    def __enter__(self) -> RssSampler:
        self.start = rss_kib()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_kib())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def pgbench(
    port: int, user: str, password: str, db: str, seconds: int, clients: int, logdir: Path
) -> Run:
    await asyncio.to_thread(_clear, logdir)
    cmd = [
        str(bin_path("pgbench")),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-U",
        user,
        "-n",
        "-S",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(seconds),
        "-l",
        "--log-prefix",
        str(logdir / "pgb"),
        db,
    ]
    env = {"PGPASSWORD": password, "PGSSLMODE": "disable", "PATH": "/usr/bin:/bin"}
    proc = await asyncio.create_subprocess_exec(
        *cmd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"pgbench failed: {err.decode()}")
    tps = next(
        float(line.split("=")[1].split()[0])
        for line in out.decode().splitlines()
        if line.startswith("tps")
    )
    latencies = await asyncio.to_thread(_latencies_ms, logdir)
    q = statistics.quantiles(latencies, n=100)
    return Run(tps, q[49], q[98], len(latencies))


def _clear(logdir: Path) -> None:
    for old in logdir.glob("pgb*"):
        old.unlink()


def _latencies_ms(logdir: Path) -> list[float]:
    """Per-transaction latencies from pgbench -l logs (third field, microseconds)."""
    return sorted(
        int(line.split()[2]) / 1000
        for f in logdir.glob("pgb*")
        for line in f.read_text().splitlines()
    )


async def stream(dsn: str, rows: int) -> tuple[float, int, int]:
    """Rows/s and this process's RSS growth/peak while a client streams `rows` rows."""
    with RssSampler() as rss:
        started = time.monotonic()
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            cur = conn.cursor()
            n = 0
            async for _ in cur.stream(STREAM.format(rows=rows)):
                n += 1
        elapsed = time.monotonic() - started
    assert n == rows, n
    return rows / elapsed, rss.peak - rss.start, rss.peak


def setup(base: Path) -> tuple[EmbeddedPostgres, str, str, str]:
    base.chmod(0o755)  # the server may run as an unprivileged user
    pg = EmbeddedPostgres(base / "data").start()
    role, password = "bench_gw", secrets.token_urlsafe(12)
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE bench")
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    env = {"PGPASSWORD": pg.password, "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [
            str(bin_path("pgbench")),
            "-i",
            "-s",
            "1",
            "-h",
            "127.0.0.1",
            "-p",
            str(pg.port),
            "-U",
            pg.superuser,
            "bench",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    with psycopg.connect(pg.dsn("bench"), autocommit=True) as conn:
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    return pg, role, password, pg.dsn("bench", user=role, password=password)


async def main(args: argparse.Namespace) -> None:
    base = Path(tempfile.mkdtemp(prefix="phigate-bench-"))
    pg, role, password, dsn = await asyncio.to_thread(setup, base)
    try:
        settings = parse_settings(
            CONFIG.format(
                state=base / "state.db", k1=secrets.token_hex(16), k2=secrets.token_hex(16), dsn=dsn
            )
        )
        gateway = build_gateway(settings, migrate=True)
        token, _ = gateway.tokens.create(
            subject="bench", kind=PrincipalKind.SERVICE, groups=("bench",)
        )
        listener = await WireListener(
            gateway, "bench", "127.0.0.1:0", dsn, settings=PgWireSettings()
        ).start()
        logdir = base / "logs"
        logdir.mkdir()
        direct = await pgbench(pg.port, role, password, "bench", args.seconds, args.clients, logdir)
        commits_before, cpu_before = _commit_totals(), time.process_time()
        proxied = await pgbench(
            listener.port, "bench", token, "bench", args.seconds, args.clients, logdir
        )
        # pgbench is another process: this one's CPU is phigate's (and the sampler's).
        cpu_us = (time.process_time() - cpu_before) / proxied.transactions * 1e6
        commits, writes = (a - b for a, b in zip(_commit_totals(), commits_before, strict=True))
        d_rows, d_growth, _ = await stream(dsn, args.rows)
        p_dsn = f"host=127.0.0.1 port={listener.port} user=bench password={token} dbname=bench"
        p_rows, p_growth, p_peak = await stream(p_dsn, args.rows)
        report(direct, proxied, d_rows, p_rows, d_growth, p_growth, p_peak)
        print(f"{'phigate CPU per statement':28}{'':12}{cpu_us:10.0f}us")
        if commits:  # how well the audit writes of concurrent statements shared commits
            print(f"{'state writes per commit':28}{'':12}{writes / commits:12.2f}")
        await listener.close()
        await gateway.close()
    finally:
        pg.stop()


def _commit_totals() -> tuple[float, float]:
    """(commits, writes) of the state store's group commit so far in this process."""
    sample = metrics.REGISTRY.get_sample_value
    return (
        sample("phigate_state_commit_writes_count") or 0.0,
        sample("phigate_state_commit_writes_sum") or 0.0,
    )


def report(
    direct: Run,
    proxied: Run,
    d_rows: float,
    p_rows: float,
    d_growth: int,
    p_growth: int,
    p_peak: int,
) -> None:
    print(f"{'':28}{'direct':>12}{'phigate':>12}{'ratio':>9}")
    print(
        f"{'pgbench -S tps':28}{direct.tps:12.0f}{proxied.tps:12.0f}{proxied.tps / direct.tps:9.2f}"
    )
    print(
        f"{'latency p50 (ms)':28}{direct.p50_ms:12.3f}{proxied.p50_ms:12.3f}"
        f"{proxied.p50_ms / direct.p50_ms:9.2f}"
    )
    print(
        f"{'latency p99 (ms)':28}{direct.p99_ms:12.3f}{proxied.p99_ms:12.3f}"
        f"{proxied.p99_ms / direct.p99_ms:9.2f}"
    )
    print(f"{'added p99 latency (ms)':28}{'':12}{proxied.p99_ms - direct.p99_ms:12.3f}")
    print(f"{'stream rows/s':28}{d_rows:12.0f}{p_rows:12.0f}{p_rows / d_rows:9.2f}")
    print(f"{'RSS growth while streaming':28}{d_growth / 1024:10.1f}MB{p_growth / 1024:10.1f}MB")
    print(f"{'peak RSS (bench+proxy)':28}{'':12}{p_peak / 1024:10.1f}MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rows", type=int, default=1_000_000)
    asyncio.run(main(parser.parse_args()))
