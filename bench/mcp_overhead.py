"""Tool-call latency through phigate's /mcp vs calling the upstream MCP server directly.

Starts a small SDK-written upstream MCP server and a phigate gateway fronting it
(SQLite state, no database needed), both with uvicorn on loopback, then times
`tools/call` with the official client over streamable HTTP, each through a
persistent client session. Prints median and p99 for both and their ratio.

    .venv/bin/python bench/mcp_overhead.py [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
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
    url: str, token: str | None, tool: str, calls: int
) -> tuple[list[float], float]:
    """Wall time per call (ms) and this process's CPU time per call (ms).

    Client, gateway and upstream share this process, so the CPU time counts all
    three; the difference between the two paths is the gateway's own work, which
    a loaded machine does not inflate as it does wall time."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), cache=None) as client,
    ):
        for _ in range(5):  # warm-up: connections, caches, first-sight pins
            await client.call_tool(tool, {"mrn": "MRN-1"})
        samples = []
        cpu_started = time.process_time()
        for _ in range(calls):
            started = time.perf_counter()
            result = await client.call_tool(tool, {"mrn": "MRN-1"})
            samples.append((time.perf_counter() - started) * 1000)
            assert not result.is_error, result
        cpu_ms = (time.process_time() - cpu_started) * 1000 / calls
    return samples, cpu_ms


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def main(calls: int) -> None:
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
                    direct = await time_calls(f"{up_base}/mcp", None, "lookup_patient", calls)
                    fronted = await time_calls(
                        f"{gw_base}/mcp", token, "charts__lookup_patient", calls
                    )
            finally:
                await gateway.close()
    report(direct, fronted)


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
    print(f"added by phigate: median {added:.2f} ms, cpu {fronted[1] - direct[1]:.2f} ms per call")
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
    asyncio.run(main(parser.parse_args().calls))
