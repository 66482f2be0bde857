"""REST reads per second through `phigate serve --workers N`, for N = 1 and 2.

One embedded PostgreSQL holds both the state and a small upstream table; the
gateway runs as a real `phigate serve` (with `--workers N`), and C concurrent
clients send `POST /v1/actions` reads for a fixed time. Prints reads/s per N and
the ratio. On a machine with fewer free cores than workers the ratio says so.

Run: PYTHONPATH=src .venv/bin/python bench/workers_throughput.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from tests.support.state import token_store

from phigate.audit.keys import create_key_file
from phigate.config import parse_settings
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from phigate.ops.pgserver import EmbeddedPostgres, free_port

SRC = Path(__file__).resolve().parents[1] / "src"
CONFIG = """
state: {{url: "{state}"}}
server: {{http_host: 127.0.0.1, http_port: {http}}}
secrets: {{token_hash_key: "{k1}", masking_key: "{k2}"}}
audit: {{signing_key: "file:{key}"}}
connections:
  ehr: {{type: postgres, dsn: "{upstream}"}}
policy:
  rules:
    - {{name: reads, match: {{risk: [read]}}, decision: allow}}
"""
SQL = "SELECT id, note FROM items WHERE id = 7"


def ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def load(port: int, token: str, seconds: float, clients: int) -> int:
    done = 0
    deadline = time.monotonic() + seconds
    body = {"connection": "ehr", "sql": SQL}

    async def client() -> None:
        nonlocal done
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            limits=httpx.Limits(max_keepalive_connections=0),  # new connections: spread
        ) as http:
            while time.monotonic() < deadline:
                response = await http.post("/v1/actions", json=body)
                if response.status_code == 200:
                    done += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    return done


def run(config: Path, port: int, token: str, workers: int, seconds: float, clients: int) -> float:
    command = [sys.executable, "-m", "phigate", "serve", "--config", str(config)]
    command += ["--workers", str(workers)]
    serve = subprocess.Popen(
        command,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready(port):
            assert time.monotonic() < deadline and serve.poll() is None, "serve did not start"
            time.sleep(0.1)
        time.sleep(2.0 if workers > 1 else 0.5)  # let every worker come up
        asyncio.run(load(port, token, 2.0, clients))  # warm up
        return asyncio.run(load(port, token, seconds, clients)) / seconds
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(60)


def main(seconds: float, clients: int) -> None:
    with tempfile.TemporaryDirectory(prefix="phigate-workers-") as tmp:
        base = Path(tmp)
        pg = EmbeddedPostgres(base / "pg").start()
        try:
            with psycopg.connect(pg.dsn(), autocommit=True) as conn:
                conn.execute("CREATE DATABASE state")
                conn.execute("CREATE TABLE items (id int PRIMARY KEY, note text)")
                conn.execute(
                    "INSERT INTO items SELECT g, 'note ' || g FROM generate_series(1, 100) g"
                )
            create_key_file(base / "key.pem")
            port, config = free_port(), base / "phigate.yaml"
            config.write_text(
                CONFIG.format(
                    state=pg.dsn("state"),
                    upstream=pg.dsn(),
                    http=port,
                    k1=secrets.token_urlsafe(24),
                    k2=secrets.token_urlsafe(24),
                    key=base / "key.pem",
                )
            )
            gateway = build_gateway(
                parse_settings(config.read_text(), source="bench"), migrate=True
            )
            token, _ = token_store(gateway).create(
                subject="bot", kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="dana"
            )
            asyncio.run(gateway.close())
            rates = {n: run(config, port, token, n, seconds, clients) for n in (1, 2)}
        finally:
            pg.stop()
    cores = len(os.sched_getaffinity(0))
    for n, rate in rates.items():
        print(f"--workers {n}: {rate:.0f} REST reads/s ({clients} clients, {cores} cores)")
    print(f"workers 2 / 1: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    main(args.seconds, args.clients)
