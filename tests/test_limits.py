"""One request cannot starve the others (issue 14, item 10), over real HTTP.

A large result is masked while /healthz keeps answering; values and results past
their caps fail with a clear error (and an audit record); a request body is
refused before it is read when the caller is not authenticated or it is too big.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from phigate.doors.app import build_app
from tests.conftest import Harness, demo_config, make_harness
from tests.connectors.support import Served, serve_in_thread


# One clinical note (PHI to find) in filler, repeated: about 5 kB times {times} per row.
# The note joined to a long constant (repeat over a note is a condition on it).
def big_rows(*, rows: int, times: int) -> str:
    return (
        f"SELECT note_text || ' ' || repeat('lorem ipsum dolor ', {250 * times}) AS body"
        f" FROM clinical_notes LIMIT {rows}"
    )


MIB = 1024 * 1024


async def _harness(tmp_path: Path, dsn: str, **limits: Any) -> Harness:
    overrides = {"limits": limits} if limits else None
    return await make_harness(demo_config(tmp_path, dsn, overrides=overrides))


@pytest.fixture
async def h(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    harness = await _harness(tmp_path, ehr_dsn, max_body_bytes=MIB)
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


@pytest.fixture
def served(h: Harness) -> Iterator[Served]:
    running = serve_in_thread(build_app(h.gateway))
    try:
        yield running
    finally:
        running.stop()


async def test_healthz_answers_while_a_50_mb_result_is_masked(h: Harness, served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, timeout=120) as client:
        idle = [await _timed_get(client, "/healthz") for _ in range(20)]
        big = asyncio.create_task(
            client.post(
                "/v1/actions",
                headers=h.auth("claims-bot"),
                json={"connection": "ehr", "sql": big_rows(rows=11, times=1100)},
            ),
            name="big-read",
        )
        waits: list[float] = []
        while not big.done():
            waits.append(await _timed_get(client, "/healthz"))
            await asyncio.sleep(0.02)
        answer = await big
    assert answer.status_code == 200, answer.text[:500]
    result = answer.json()["result"]
    size = sum(len(row[0]) for row in result["rows"])
    assert result["row_count"] == 11 and size > 50_000_000
    assert result["masked"], "the notes' PHI was found and masked"
    print(f"\n/healthz idle: {_percentiles(idle)}")
    print(f"/healthz while masking {size} B: {_percentiles(waits)}")
    assert len(waits) >= 5
    # On main (masking on the event loop): p95 968 ms, worst 1.9 s. The worst case is
    # bounded loosely: on a loaded machine an idle poll can take a few hundred ms.
    assert _percentile(waits, 0.95) < 0.1 and max(waits) < 1.0


async def _timed_get(client: httpx.AsyncClient, path: str) -> float:
    started = time.monotonic()
    assert (await client.get(path)).status_code == 200
    return time.monotonic() - started


def _percentile(waits: list[float], q: float) -> float:
    ordered = sorted(waits)
    return ordered[int(q * (len(ordered) - 1))]


def _percentiles(waits: list[float]) -> str:
    p50, p95, worst = (_percentile(waits, q) * 1000 for q in (0.5, 0.95, 1))
    return f"{len(waits)} polls, p50 {p50:.1f} ms, p95 {p95:.1f} ms, worst {worst:.1f} ms"


@pytest.mark.parametrize(
    ("limits", "sql", "says"),
    [
        (
            {"max_value_bytes": 64 * 1024},
            big_rows(rows=1, times=200),
            "limits.max_value_bytes",
        ),
        (
            {"max_result_bytes": 2 * MIB},
            big_rows(rows=5, times=200),
            "limits.max_result_bytes",
        ),
    ],
)
async def test_rest_refuses_a_value_or_result_past_its_cap(
    tmp_path: Path, ehr_dsn: str, limits: dict[str, int], sql: str, says: str
) -> None:
    h = await _harness(tmp_path, ehr_dsn, **limits)
    try:
        answer = await h.submit("claims-bot", sql)
        body = answer.json()
        assert answer.status_code == 422, body
        assert body["status"] == "failed"
        assert body["error"]["code"] == "result_too_large"
        assert says in body["error"]["message"]
        assert "result" not in body
        record = h.gateway.action(body["id"])
        assert record.status == "failed"
        failed = h.gateway.audit_records(since=0, limit=10_000)
        ends = [r for r in failed if r["event"] == "action.failed"]
        assert ends and ends[-1]["result"]["error_class"] == "result_too_large"
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_a_small_result_is_unchanged_by_the_caps(h: Harness) -> None:
    answer = await h.submit("claims-bot", "SELECT id, sex FROM patients ORDER BY id LIMIT 3")
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["row_count"] == 3


# ── request bodies ──────────────────────────────────────────────────────────
def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _push_body(url: str, path: str, headers: dict[str, str], total: int) -> tuple[int, int, str]:
    """POST `total` bytes of body over a raw socket; (bytes the server took, status, body).

    The answer is read while sending: a server that refuses without reading stops
    taking bytes (the send times out) or closes the connection."""
    host, port = url.removeprefix("http://").split(":")
    head = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {total}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    sock = socket.create_connection((host, int(port)), timeout=5)
    sent = 0
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        sock.settimeout(1.0)
        chunk = b"x" * (256 * 1024)
        while sent < total:
            try:
                sent += sock.send(chunk[: total - sent])
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                break
        sock.settimeout(5)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    status = int(answer.split(b" ", 2)[1])
    return sent, status, answer.partition(b"\r\n\r\n")[2].decode()


@pytest.mark.parametrize("token", [None, "phi_not-a-real-token"])
def test_unauthenticated_100_mb_body_is_refused_unread(
    h: Harness, served: Served, token: str | None
) -> None:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    before = _rss_kib()
    started = time.monotonic()
    sent, status, body = _push_body(served.url, "/v1/actions", headers, 100 * MIB)
    elapsed = time.monotonic() - started
    grown = (_rss_kib() - before) / 1024
    print(f"\n401 after {elapsed * 1000:.0f} ms; {sent / MIB:.1f} MiB taken; RSS +{grown:.1f} MiB")
    assert status == 401
    assert json.loads(body)["error"]["code"] == "unauthenticated"
    assert sent < 20 * MIB, "the server stopped reading the body"
    assert grown < 20
    assert elapsed < 5
    events = [r["event"] for r in h.gateway.audit_records(since=0, limit=10_000)]
    assert "auth.refused" in events


@pytest.mark.parametrize("path", ["/v1/actions", "/mcp", "/ui/login/token"])
def test_an_oversize_body_is_413_before_it_is_read(h: Harness, served: Served, path: str) -> None:
    headers = {"Content-Type": "application/json", **h.auth("alice")}
    sent, status, body = _push_body(served.url, path, headers, 50 * MIB)
    assert status == 413, body
    assert json.loads(body)["error"]["code"] == "request_too_large"
    assert sent < 20 * MIB
    refusals = [
        r
        for r in h.gateway.audit_records(since=0, limit=10_000)
        if r["event"] == "request.too_large"
    ]
    assert refusals and refusals[-1]["detail"]["path"] == path


async def test_a_chunked_body_is_cut_off_at_the_cap(h: Harness) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"connection": "ehr", "sql": "SELECT 1", "reason": "'
        for _ in range(8):
            yield b"x" * (256 * 1024)
        yield b'"}'

    answer = await h.client.post("/v1/actions", headers=h.auth("alice"), content=chunks())
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["code"] == "request_too_large"


async def test_an_authenticated_body_within_the_cap_is_served(h: Harness) -> None:
    answer = await h.submit("alice", "SELECT 1 AS one", reason="x" * 1000)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("prefix", ["", "/gw"], ids=["root", "behind-a-path-prefix"])
async def test_unauthenticated_v1_is_401_with_the_body_unread(h: Harness, prefix: str) -> None:
    read: list[bytes] = []

    async def body() -> AsyncIterator[bytes]:
        read.append(b"{not json")
        yield b"{not json"

    transport = httpx.ASGITransport(app=build_app(h.gateway), root_path=prefix)
    async with httpx.AsyncClient(transport=transport, base_url="http://phigate.test") as client:
        refused = await client.post(f"{prefix}/v1/actions", content=body())
        served = await client.post(
            f"{prefix}/v1/actions",
            headers=h.auth("alice"),
            json={"connection": "ehr", "sql": "SELECT 1 AS one"},
        )
    assert refused.status_code == 401, refused.text
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert read == [], "the body was never read"
    assert served.status_code == 200, served.text


async def test_a_write_whose_returning_rows_are_over_a_cap_is_rolled_back(
    tmp_path: Path, ehr_dsn: str
) -> None:
    h = await _harness(tmp_path, ehr_dsn, max_value_bytes=64 * 1024)
    sql = (
        "UPDATE clinical_notes SET author = 'limits-test' WHERE id = 1"
        " RETURNING repeat(note_text, 1000) AS body"
    )
    try:
        pending = await h.submit("claims-bot", sql)
        assert pending.status_code == 202, pending.text
        approval_id = pending.json()["approval"]["id"]
        voted = await h.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=h.auth("alice"), json={}
        )
        assert voted.status_code == 200, voted.text
        ran = await h.client.post(
            f"/v1/actions/{pending.json()['id']}/run", headers=h.auth("claims-bot")
        )
        assert ran.status_code == 422, ran.text
        assert ran.json()["error"]["code"] == "result_too_large"
    finally:
        await h.client.aclose()
        await h.gateway.close()
    with psycopg.connect(ehr_dsn) as direct:
        row = direct.execute("SELECT author FROM clinical_notes WHERE id = 1").fetchone()
    assert row is not None and row[0] != "limits-test"
