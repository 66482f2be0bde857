"""Tool-call latency through phigate's /mcp vs calling the upstream MCP server directly.

Starts a small SDK-written upstream MCP server and a phigate gateway fronting it
(SQLite state, no database needed), both with uvicorn on loopback, then times
`tools/call` with the official client over streamable HTTP, each through a
persistent client session. Prints median and p99 for both and their ratio.

    .venv/bin/python bench/mcp_overhead.py [--calls 200] [--concurrency 4]

With `--concurrency N`, N callers (each with its own client session, as N agents
would have) share the calls, both paths alike; latencies are per call, and the
added latency is reported at the median and at p95.

IBM's ContextForge is the peer: where a Python >= 3.12 is found, the bench installs
its pinned release once outside the repository (see `bench/_contextforge.py`), runs
it in front of the same upstream and times the same call through it, then prints
the ratio of the two gateways' added latency; where it cannot, it says why.
`--no-contextforge` leaves it out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

import httpx2
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from tests.connectors.support import review_all_tools
from tests.mcp.conftest import free_port, serve_app
from tests.mcp.upstream_server import UPSTREAM_TOKEN, Upstream
from tests.support.state import token_store

from _contextforge import Unavailable, contextforge, tree_cpu
from phigate.config import parse_settings
from phigate.core.metrics import REGISTRY
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway


def settings_for(state: Path, upstream_url: str) -> str:
    """The gateway's configuration as YAML text (a gateway process parses the same)."""
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

    text: str = yaml.safe_dump(data)
    return text


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


async def main(calls: int, concurrency: int, own_process: bool, peer: bool) -> None:
    # It announces tool changes (tools.listChanged), so calls need no pre-call listing.
    upstream = Upstream(announce=True)
    with tempfile.TemporaryDirectory(prefix="phigate-bench-") as tmp:
        async with serve_app(upstream.app()) as up_base:
            config = settings_for(Path(tmp), f"{up_base}/mcp")
            gateway = build_gateway(parse_settings(config, source="bench"), migrate=True)
            token, _ = token_store(gateway).create(
                subject="bench-agent",
                kind=PrincipalKind.AGENT,
                groups=("agents",),
                on_behalf_of="dana",
            )
            try:
                await review_all_tools(gateway, "charts")  # as an operator does first
                direct = await time_calls(
                    f"{up_base}/mcp", None, "lookup_patient", calls, concurrency
                )
                if own_process:
                    await gateway.close()
                    fronted, commits, gateway_cpu = await fronted_in_process_of_its_own(
                        config, token, calls, concurrency
                    )
                else:
                    async with serve_app(build_app(gateway)) as gw_base:
                        before = commit_totals(REGISTRY.collect())
                        fronted = await time_calls(
                            f"{gw_base}/mcp", token, "charts__lookup_patient", calls, concurrency
                        )
                        after = commit_totals(REGISTRY.collect())
                    commits = [a - b for a, b in zip(after, before, strict=True)]
                    gateway_cpu = None
            finally:
                await gateway.close()
            through_peer = await through_contextforge(up_base, calls, concurrency) if peer else None
    print(f"concurrency {concurrency}, gateway in {'its own' if own_process else 'this'} process")
    report(direct, fronted, gateway_cpu)
    count, writes, seconds = commits
    print(
        f"state commits through phigate: {count / calls:.2f} per call, "
        f"{writes / max(count, 1):.1f} writes each, {seconds * 1000 / max(count, 1):.2f} ms each"
    )
    if through_peer is None:
        print("ContextForge: left out (--no-contextforge)")
    elif isinstance(through_peer, str):
        print(f"ContextForge: skipped ({through_peer})")
    else:
        report_peer(direct, fronted, gateway_cpu, through_peer)
    print(f"load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


async def through_contextforge(
    up_base: str, calls: int, concurrency: int
) -> tuple[tuple[list[float], float], float] | str:
    """The same calls through ContextForge in front of the same upstream: the samples
    and its CPU per call (its whole process tree, from /proc); or why it cannot run."""
    try:
        async with contextforge(
            free_port(), f"{up_base}/mcp", UPSTREAM_TOKEN, "lookup_patient"
        ) as cf:
            cpu_before = tree_cpu(cf.pid)
            samples = await time_calls(cf.mcp_url, cf.token, cf.tool, calls, concurrency)
            cpu_ms = (tree_cpu(cf.pid) - cpu_before) * 1000 / calls
    except Unavailable as exc:
        return str(exc)
    return samples, cpu_ms


async def fronted_in_process_of_its_own(
    config: str, token: str, calls: int, concurrency: int
) -> tuple[tuple[list[float], float], list[float], float]:
    """Time the calls through a gateway serving from a child process, as deployed;
    also its CPU per call (all its threads) and its group commits (from /metrics)."""
    port = free_port()
    child = multiprocessing.get_context("spawn").Process(
        target=serve_gateway, args=(config, port), daemon=True
    )
    child.start()
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx2.AsyncClient(base_url=base, timeout=5) as http:
            await until_ready(http, child)
            before, cpu_before = await gateway_commits(http), process_cpu(child.pid)
            fronted = await time_calls(
                f"{base}/mcp", token, "charts__lookup_patient", calls, concurrency
            )
            after, cpu_after = await gateway_commits(http), process_cpu(child.pid)
    finally:
        child.terminate()
        child.join(10)
    commits = [a - b for a, b in zip(after, before, strict=True)]
    return fronted, commits, (cpu_after - cpu_before) * 1000 / calls


def serve_gateway(config: str, port: int) -> None:
    """The child process: the gateway alone on `port`, until terminated."""
    import uvicorn

    gateway = build_gateway(parse_settings(config, source="bench"), migrate=False)
    uvicorn.run(build_app(gateway), host="127.0.0.1", port=port, log_level="warning")


async def until_ready(http: httpx2.AsyncClient, child: Any) -> None:
    """Poll /healthz until the child's gateway answers (or the child has died)."""
    for _ in range(600):
        if not child.is_alive():
            raise SystemExit("the gateway process ended before it served")
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise SystemExit("the gateway process did not start serving within 30 s")


async def gateway_commits(http: httpx2.AsyncClient) -> tuple[float, float, float]:
    text = (await http.get("/metrics")).text
    return commit_totals(text_string_to_metric_families(text))


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of process `pid` so far (Linux /proc), all threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def commit_totals(families: Iterable[Metric]) -> tuple[float, float, float]:
    """The gateway's group commits so far: how many, the writes they held, their time."""
    totals = {}
    for family in families:
        for sample in family.samples:
            totals[sample.name] = sample.value
    return (
        totals.get("phigate_state_commit_writes_count", 0.0),
        totals.get("phigate_state_commit_writes_sum", 0.0),
        totals.get("phigate_state_commit_seconds_sum", 0.0),
    )


def report(
    direct: tuple[list[float], float],
    fronted: tuple[list[float], float],
    gateway_cpu: float | None = None,
) -> None:
    rows = [("direct upstream", direct), ("through phigate", fronted)]
    print(f"{'path':<18}{'calls':>7}{'median ms':>12}{'p99 ms':>10}{'cpu ms/call':>13}")
    for name, (samples, cpu) in rows:
        median = statistics.median(samples)
        print(f"{name:<18}{len(samples):>7}{median:>12.2f}{p99(samples):>10.2f}{cpu:>13.2f}")
    added = statistics.median(fronted[0]) - statistics.median(direct[0])
    added_p95 = percentile(fronted[0], 0.95) - percentile(direct[0], 0.95)
    # In one process, the gateway's CPU is what the fronted path costs beyond the direct one.
    cpu = fronted[1] - direct[1] if gateway_cpu is None else gateway_cpu
    print(
        f"added by phigate: median {added:.2f} ms, p95 {added_p95:.2f} ms, "
        f"gateway cpu {cpu:.2f} ms per call"
    )
    report_ratio(direct[0], fronted[0])


def report_peer(
    direct: tuple[list[float], float],
    fronted: tuple[list[float], float],
    gateway_cpu: float | None,
    peer: tuple[tuple[list[float], float], float],
) -> None:
    """ContextForge's row and the ratio of the two gateways' added latency and CPU."""
    (samples, _), peer_cpu = peer
    median = statistics.median(samples)
    print(f"{'through ContextForge':<18}{len(samples):>7}{median:>12.2f}{p99(samples):>10.2f}")
    ours = statistics.median(fronted[0]) - statistics.median(direct[0])
    theirs = median - statistics.median(direct[0])
    theirs_p95 = percentile(samples, 0.95) - percentile(direct[0], 0.95)
    print(
        f"added by ContextForge: median {theirs:.2f} ms, p95 {theirs_p95:.2f} ms, "
        f"gateway cpu {peer_cpu:.2f} ms per call (its processes, from /proc)"
    )
    line = f"phigate / ContextForge, added latency at the median: {ours / theirs:.2f}x"
    if gateway_cpu is not None:  # both read from /proc: comparable
        line += f"; gateway cpu per call: {gateway_cpu / peer_cpu:.2f}x"
    print(line)


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
    parser.add_argument(
        "--gateway-process",
        action="store_true",
        help="serve the gateway from a process of its own (its CPU read from /proc)",
    )
    parser.add_argument(
        "--no-contextforge",
        action="store_true",
        help="do not install or run IBM's ContextForge as the peer",
    )
    arguments = parser.parse_args()
    asyncio.run(
        main(
            arguments.calls,
            max(1, arguments.concurrency),
            arguments.gateway_process,
            not arguments.no_contextforge,
        )
    )
