"""Tool-call latency through phigate's /mcp vs calling the upstream MCP server directly.

Starts a small SDK-written upstream MCP server and a phigate gateway fronting it
(SQLite state, no database needed), both with uvicorn on loopback, then times
`tools/call` with the official client over streamable HTTP, each through a
persistent client session. Prints median and p99 for both and their ratio.

    .venv/bin/python bench/mcp_overhead.py [--calls 200] [--concurrency 4]

With `--concurrency N`, N callers (each with its own client session, as N agents
would have) share the calls, both paths alike; latencies are per call, and the
added latency is reported at the median and at p95.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

import httpx2
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from tests.connectors.support import review_all_tools
from tests.mcp.conftest import serve_app
from tests.mcp.upstream_server import UPSTREAM_TOKEN, Upstream
from tests.support.state import token_store

from phigate.config import parse_settings
from phigate.core.metrics import STATE_COMMIT_SECONDS, STATE_COMMIT_WRITES
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway


def settings_for(state: Path, upstream_url: str) -> Any:
    data = {
        "state": {"url": f"sqlite:///{state / 'state.db'}"},
        "server": {"http_host": "127.0.0.1", "http_port": 0},
        "secrets": {
            "token_hash_key": secrets.token_urlsafe(32),
            "masking_key": secrets.token_urlsafe(32),
        },
        "connections": {
            "charts": {
                "type": "mcp",
                "url": upstream_url,
                "headers": {"Authorization": f"Bearer {UPSTREAM_TOKEN}"},
                "tools": {"lookup_*": "read"},
            }
        },
        "policy": {"rules": [{"name": "reads", "match": {"risk": ["read"]}, "decision": "allow"}]},
    }
    import yaml

    return parse_settings(yaml.safe_dump(data), source="bench")


async def time_calls(
    url: str, token: str | None, tool: str, calls: int, concurrency: int = 1
) -> tuple[list[float], float]:
    """Wall time per call (ms) and this process's CPU time per call (ms).

    Client, gateway and upstream share this process, so the CPU time counts all
    three; the difference between the two paths is the gateway's own work, which
    a loaded machine does not inflate as it does wall time. `concurrency` callers,
    each with its own session, take turns from one shared count of calls."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for _ in range(concurrency):
            http = await stack.enter_async_context(httpx2.AsyncClient(headers=headers, timeout=60))
            clients.append(
                await stack.enter_async_context(
                    Client(streamable_http_client(url, http_client=http), cache=None)
                )
            )
        for client in clients:  # warm-up: connections, caches, first-sight pins
            for _ in range(5):
                await client.call_tool(tool, {"mrn": "MRN-1"})
        samples: list[float] = []
        remaining = [calls]

        async def caller(client: Client) -> None:
            while remaining[0] > 0:
                remaining[0] -= 1
                started = time.perf_counter()
                result = await client.call_tool(tool, {"mrn": "MRN-1"})
                samples.append((time.perf_counter() - started) * 1000)
                assert not result.is_error, result

        cpu_started = time.process_time()
        async with asyncio.TaskGroup() as group:
            for client in clients:
                group.create_task(caller(client))
        cpu_ms = (time.process_time() - cpu_started) * 1000 / calls
    return samples, cpu_ms


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def p99(samples: list[float]) -> float:
    return percentile(samples, 0.99)


async def main(calls: int, concurrency: int) -> None:
    # It announces tool changes (tools.listChanged), so calls need no pre-call listing.
    upstream = Upstream(announce=True)
    with tempfile.TemporaryDirectory(prefix="phigate-bench-") as tmp:
        async with serve_app(upstream.app()) as up_base:
            gateway = build_gateway(settings_for(Path(tmp), f"{up_base}/mcp"), migrate=True)
            token, _ = token_store(gateway).create(
                subject="bench-agent",
                kind=PrincipalKind.AGENT,
                groups=("agents",),
                on_behalf_of="dana",
            )
            try:
                await review_all_tools(gateway, "charts")  # as an operator does first
                async with serve_app(build_app(gateway)) as gw_base:
                    direct = await time_calls(
                        f"{up_base}/mcp", None, "lookup_patient", calls, concurrency
                    )
                    before = commit_totals()
                    fronted = await time_calls(
                        f"{gw_base}/mcp", token, "charts__lookup_patient", calls, concurrency
                    )
                    commits = [a - b for a, b in zip(commit_totals(), before, strict=True)]
            finally:
                await gateway.close()
    print(f"concurrency {concurrency}")
    report(direct, fronted)
    count, writes, seconds = commits
    print(
        f"state commits through phigate: {count / calls:.2f} per call, "
        f"{writes / max(count, 1):.1f} writes each, {seconds * 1000 / max(count, 1):.2f} ms each"
    )


def commit_totals() -> tuple[float, float, float]:
    """Group commits so far in this process: how many, the writes they held, their time."""
    count = writes = seconds = 0.0
    for histogram, is_writes in ((STATE_COMMIT_WRITES, True), (STATE_COMMIT_SECONDS, False)):
        for metric in histogram.collect():
            for sample in metric.samples:
                if sample.name.endswith("_count") and is_writes:
                    count = sample.value
                elif sample.name.endswith("_sum"):
                    if is_writes:
                        writes = sample.value
                    else:
                        seconds = sample.value
    return count, writes, seconds


def contextforge_note() -> str:
    """IBM's ContextForge would be the peer here; its package needs Python >= 3.12."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if sys.version_info < (3, 12):
        why = f"mcp-contextforge-gateway needs Python >= 3.12; this is {running}"
        return f"ContextForge: skipped ({why})"
    return "ContextForge: skipped (not wired into this bench; run it from its own environment)"


def report(direct: tuple[list[float], float], fronted: tuple[list[float], float]) -> None:
    rows = [("direct upstream", direct), ("through phigate", fronted)]
    print(f"{'path':<18}{'calls':>7}{'median ms':>12}{'p99 ms':>10}{'cpu ms/call':>13}")
    for name, (samples, cpu) in rows:
        median = statistics.median(samples)
        print(f"{name:<18}{len(samples):>7}{median:>12.2f}{p99(samples):>10.2f}{cpu:>13.2f}")
    added = statistics.median(fronted[0]) - statistics.median(direct[0])
    added_p95 = percentile(fronted[0], 0.95) - percentile(direct[0], 0.95)
    print(
        f"added by phigate: median {added:.2f} ms, p95 {added_p95:.2f} ms, "
        f"cpu {fronted[1] - direct[1]:.2f} ms per call"
    )
    report_ratio(direct[0], fronted[0])
    print(contextforge_note())


def report_ratio(direct: list[float], fronted: list[float]) -> None:
    ratio_median = statistics.median(fronted) / statistics.median(direct)
    print(
        f"ratio (phigate / direct): median {ratio_median:.1f}x, "
        f"p99 {p99(fronted) / p99(direct):.1f}x"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument(
        "--concurrency", type=int, default=1, help="callers at once, each with its own session"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.calls, max(1, arguments.concurrency)))
