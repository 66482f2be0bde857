"""PostgreSQL wire front door against its peers: pgbench select-only and a 1,000,000-row stream.

    .venv/bin/python bench/pgwire_vs_direct.py [--seconds 10] [--clients 4] [--rows 1000000]
        [--stream-only]

Starts an embedded PostgreSQL, loads pgbench tables directly (DDL is denied
through phigate), then runs the same pgbench select-only (`-M prepared`) in one
run against four peers in front of the same upstream:

- direct: PostgreSQL itself;
- PgBouncer: Debian's `pgbouncer`, session pooling (installed with apt when it is
  missing and this runs as root; skipped, saying so, when it cannot be);
- relay-only: phigate's wire listener authenticating the client, then copying bytes
  unread (bench/_relay_only.py: BENCH ONLY, never a product mode: no
  classification, no masking, no audit);
- phigate: the real thing (policy: reads allowed, masked with hipaa-safe-harbor;
  every execution classified, decided, recorded durably before it runs, masked and
  audited in SQLite, or with `--state postgres` in a PostgreSQL database of its own
  on the same server, as several replicas would share it).

`--peers` runs only some of them (the one-client run and the stream need phigate);
`--rows 0` skips the stream; `--protocol simple` runs pgbench with simple Queries
(the text each run) instead of prepared statements.

Prints transactions/s, latency p50/p99, CPU per statement of the proxy process
and its peak RSS for each, the ratios, a one-client run (added p50 latency), a
masked stream's rows/s, CPU per row and memory, and `phigate CPU per statement NNNus`.
The stream's client is a process of its own (`_stream_client.py`), the same for
direct and phigate; `--stream-only` runs the stream alone.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from tests.support.state import token_store

sys.path.insert(0, str(Path(__file__).parent))

import _pgbouncer
from _relay_only import RelayOnlyListener
from phigate.config import parse_settings
from phigate.core import metrics
from phigate.doors.pgwire import PgWireSettings
from phigate.doors.pgwire.server import WireListener
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from phigate.ops.pgserver import EmbeddedPostgres, bin_path

CONFIG = """
state: {{url: "{state}"}}
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
# pgbench's query protocol (`--protocol`): prepared (Parse once, Bind/Execute each
# run) or simple (a Query with the text each run, classified each time).
PROTOCOL = ["prepared"]
STREAM = "SELECT g AS n, md5(g::text) AS digest FROM generate_series(1, {rows}) AS g"


@dataclass
class Run:
    tps: float
    p50_ms: float
    p99_ms: float
    transactions: int
    cpu_us: float = 0.0  # CPU seconds of the proxy process per transaction, in µs
    peak_rss_kib: int = 0  # of the proxy process


_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_kib() -> int:
    """Resident memory of this process from /proc/self/statm: sampled every 20 ms in the
    process whose CPU is measured, so the cheap file (/proc/self/status cost about as
    much CPU as 15 us per phigate statement)."""
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * _PAGE_KIB


class RssSampler:
    """Peak resident memory of this process (which hosts the proxy) while a block runs."""

    def __enter__(self) -> RssSampler:
        self.start = rss_kib()
        self.peak = self.start
        self.cpu = 0.0  # set when the sampling thread stops
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        started = time.thread_time()
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_kib())
        self.cpu = time.thread_time() - started  # the sampler's own CPU seconds

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def own_cpu() -> float:
    """CPU seconds of this process (which hosts phigate's listeners), all threads."""
    return time.process_time()


async def pgbench(
    port: int,
    user: str,
    password: str,
    db: str,
    seconds: int,
    clients: int,
    logdir: Path,
    cpu: Callable[[], float] = own_cpu,
    peak_rss: Callable[[], int] | None = None,
) -> Run:
    """One pgbench run; `cpu` reads the proxy's CPU seconds (pgbench is its own process,
    so for an in-process listener this process's CPU is the proxy's)."""
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
        PROTOCOL[0],
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
    with RssSampler() as rss:
        cpu_before = cpu()
        proc = await asyncio.create_subprocess_exec(
            *cmd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await proc.communicate()
        cpu_seconds = cpu() - cpu_before
    if cpu is own_cpu:  # the sampler runs in this process too: not the proxy's work
        cpu_seconds -= rss.cpu
    if proc.returncode != 0:
        raise SystemExit(f"pgbench failed: {err.decode()}")
    tps = next(
        float(line.split("=")[1].split()[0])
        for line in out.decode().splitlines()
        if line.startswith("tps")
    )
    latencies = await asyncio.to_thread(_latencies_ms, logdir)  # after the CPU reading
    q = statistics.quantiles(latencies, n=100)
    n = len(latencies)
    rss_kib = peak_rss() if peak_rss is not None else rss.peak
    return Run(tps, q[49], q[98], n, cpu_seconds / n * 1e6, rss_kib)


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


@dataclass
class Stream:
    rows_per_s: float
    client_cpu_us: float  # the client's own CPU per row (its own process)
    proxy_cpu_us: float  # this process's CPU per row: the proxy's, for an in-process peer
    growth_kib: int  # this process's RSS growth while streaming
    peak_kib: int


async def stream(dsn: str, rows: int) -> Stream:
    """Rows/s, CPU µs per row of the client and of this process (which hosts the
    proxy), and this process's RSS growth/peak while a client streams `rows` rows. The
    client is a process of its own (`_stream_client.py`), the same one for every peer,
    as a real client would be: sharing this process, it would share the proxy's
    interpreter lock and its CPU would read as the proxy's."""
    client = Path(__file__).parent / "_stream_client.py"
    sql = STREAM.format(rows=rows)
    with RssSampler() as rss:
        cpu = own_cpu()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(client), dsn, sql, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await proc.communicate()
        cpu = own_cpu() - cpu
    cpu -= rss.cpu  # the sampler's own CPU is neither the client's nor the proxy's
    if proc.returncode != 0:
        raise SystemExit(f"stream client failed ({proc.returncode})")
    got = json.loads(out)
    assert got["rows"] == rows, got
    return Stream(
        rows / got["seconds"],
        got["cpu"] / rows * 1e6,
        cpu / rows * 1e6,
        rss.peak - rss.start,
        rss.peak,
    )


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


def state_url(kind: str, base: Path, pg: EmbeddedPostgres) -> str:
    """The state store: a SQLite file, or a PostgreSQL database of its own."""
    if kind == "sqlite":
        return f"sqlite:///{base / 'state.db'}"
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE phigate_state")
    return pg.dsn("phigate_state")


@dataclass
class Peers:
    """Where each peer listens, and how pgbench logs in there."""

    pg: EmbeddedPostgres
    role: str
    password: str
    token: str
    phigate: WireListener
    relay_only: WireListener
    pgbouncer: _pgbouncer.PgBouncer | None


async def main(args: argparse.Namespace) -> None:
    PROTOCOL[0] = getattr(args, "protocol", "prepared")
    base = Path(tempfile.mkdtemp(prefix="phigate-bench-"))
    atexit.register(shutil.rmtree, base, True)  # data dirs are hundreds of MB
    pg, role, password, dsn = await asyncio.to_thread(setup, base)
    bouncer = None
    try:
        state = await asyncio.to_thread(state_url, args.state, base, pg)
        settings = parse_settings(
            CONFIG.format(state=state, k1=secrets.token_hex(16), k2=secrets.token_hex(16), dsn=dsn)
        )
        gateway = build_gateway(settings, migrate=True)
        token, _ = token_store(gateway).create(
            subject="bench", kind=PrincipalKind.SERVICE, groups=("bench",)
        )
        wire = PgWireSettings()
        phigate = await WireListener(gateway, "bench", "127.0.0.1:0", dsn, settings=wire).start()
        relay = await RelayOnlyListener(gateway, "bench", "127.0.0.1:0", dsn, settings=wire).start()
        if "pgbouncer" in args.peers:
            bouncer = await asyncio.to_thread(
                _pgbouncer.start, base, pg.port, "bench", role, password
            )
        peers = Peers(pg, role, password, token, phigate, relay, bouncer)
        await _compare(peers, args, base, dsn)
        await phigate.close()
        await relay.close()
        await gateway.close()
    finally:
        if bouncer is not None:
            bouncer.stop()
        pg.stop()


async def _compare(peers: Peers, args: argparse.Namespace, base: Path, dsn: str) -> None:
    logdir = base / "logs"
    logdir.mkdir()

    async def run(peer: str, clients: int, seconds: int) -> Run | None:
        p = peers
        if peer == "direct":
            return await pgbench(p.pg.port, p.role, p.password, "bench", seconds, clients, logdir)
        if peer == "pgbouncer":
            if p.pgbouncer is None:
                return None
            b = p.pgbouncer
            return await pgbench(
                b.port, p.role, p.password, "bench", seconds, clients, logdir,
                cpu=b.cpu_seconds, peak_rss=b.peak_rss_kib,
            )  # fmt: skip
        listener = p.relay_only if peer == "relay-only" else p.phigate
        return await pgbench(listener.port, "bench", p.token, "bench", seconds, clients, logdir)

    port = peers.phigate.port
    p_dsn = f"host=127.0.0.1 port={port} user=bench password={peers.token} dbname=bench"
    if args.stream_only:  # the stream alone: the same two runs as below, nothing else
        print_stream(await stream(dsn, args.rows), await stream(p_dsn, args.rows))
        return
    runs: dict[str, Run | None] = dict.fromkeys(PEERS)
    commits = writes = 0.0
    for peer in PEERS:
        if peer not in args.peers:
            continue
        commits_before = _commit_totals()
        runs[peer] = await run(peer, args.clients, args.seconds)
        if peer == "phigate":
            commits, writes = (a - b for a, b in zip(_commit_totals(), commits_before, strict=True))
    report(args, runs)
    if "phigate" not in args.peers:
        return
    if "direct" in args.peers:
        one_direct = await run("direct", 1, max(2, args.seconds // 2))
        one_phigate = await run("phigate", 1, max(2, args.seconds // 2))
        assert one_direct is not None and one_phigate is not None
        print(
            f"\none client (pgbench -c 1): p50 direct {one_direct.p50_ms:.3f} ms, phigate "
            f"{one_phigate.p50_ms:.3f} ms: added p50 "
            f"{one_phigate.p50_ms - one_direct.p50_ms:.3f} ms"
            f"; phigate CPU {one_phigate.cpu_us:.0f}us per statement"
        )
    if args.rows > 0:
        print_stream(await stream(dsn, args.rows), await stream(p_dsn, args.rows))
    if commits:  # how well the audit writes of concurrent statements shared commits
        print(f"{'state writes per commit':28}{'':12}{writes / commits:12.2f}")
    full = runs["phigate"]
    assert full is not None
    print(f"phigate CPU per statement {full.cpu_us:.0f}us (state: {args.state})")


def print_stream(direct: Stream, masked: Stream) -> None:
    d, p = direct, masked
    ratio = p.rows_per_s / d.rows_per_s
    print(f"{'stream rows/s':28}{d.rows_per_s:12.0f}{p.rows_per_s:12.0f}{ratio:9.2f}")
    print(f"{'stream client CPU/row (us)':28}{d.client_cpu_us:12.2f}{p.client_cpu_us:12.2f}")
    print(f"{'stream proxy CPU/row (us)':28}{'-':>12}{p.proxy_cpu_us:12.2f}")
    growth = f"{d.growth_kib / 1024:10.1f}MB{p.growth_kib / 1024:10.1f}MB"
    print(f"{'RSS growth while streaming':28}{growth}")
    print(f"{'peak RSS while streaming':28}{'':12}{p.peak_kib / 1024:10.1f}MB")


PEERS = ("direct", "pgbouncer", "relay-only", "phigate")


def _commit_totals() -> tuple[float, float]:
    """(commits, writes) of the state store's group commit so far in this process."""
    sample = metrics.REGISTRY.get_sample_value
    return (
        sample("phigate_state_commit_writes_count") or 0.0,
        sample("phigate_state_commit_writes_sum") or 0.0,
    )


def report(args: argparse.Namespace, runs: dict[str, Run | None]) -> None:
    cores = os.cpu_count()
    print(
        f"\npgbench -S -M {PROTOCOL[0]}, {args.clients} clients, {args.seconds}s, {cores} cores, "
        f"state {args.state}"
    )
    print(f"{'':22}" + "".join(f"{peer:>12}" for peer in PEERS))
    rows: list[tuple[str, Callable[[Run], str]]] = [
        ("tps", lambda r: f"{r.tps:.0f}"),
        ("latency p50 (ms)", lambda r: f"{r.p50_ms:.3f}"),
        ("latency p99 (ms)", lambda r: f"{r.p99_ms:.3f}"),
        ("proxy CPU/stmt (us)", lambda r: f"{r.cpu_us:.0f}"),
        ("proxy peak RSS (MB)", lambda r: f"{r.peak_rss_kib / 1024:.1f}"),
    ]
    for label, cell in rows:
        line = f"{label:22}"
        for peer in PEERS:
            run = runs[peer]
            text = "skipped" if run is None else cell(run)
            if peer not in args.peers:
                text = "-"
            if peer == "direct" and label.startswith("proxy"):
                text = "-"  # no proxy: pgbench talks to PostgreSQL
            line += f"{text:>12}"
        print(line)
    print("(in-process peers share this process: their RSS includes the bench itself)")
    _ratio(runs, "relay-only", "pgbouncer")
    _ratio(runs, "phigate", "pgbouncer")
    _ratio(runs, "relay-only", "direct")
    _ratio(runs, "phigate", "direct")


def _ratio(runs: dict[str, Run | None], a: str, b: str) -> None:
    x, y = runs[a], runs[b]
    if x is None or y is None:
        print(f"tps {a} / {b}: n/a ({b if y is None else a} skipped)")
        return
    print(f"tps {a} / {b}: {x.tps / y.tps:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rows", type=int, default=1_000_000, help="0: no stream")
    parser.add_argument("--state", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--peers",
        type=lambda text: tuple(text.split(",")),
        default=PEERS,
        help=f"comma-separated, of {','.join(PEERS)}",
    )
    parser.add_argument(
        "--protocol",
        choices=("prepared", "simple"),
        default="prepared",
        help="pgbench's query protocol (-M)",
    )
    parser.add_argument(
        "--stream-only", action="store_true", help="only the masked stream against direct"
    )
    asyncio.run(main(parser.parse_args()))
