"""Round 23: three findings of the last adversarial round, each fixed and held here
through a real front door.

1. A protocol Execute of a cursor SQL declared was admitted as `FETCH ALL FROM K`, the
   name unquoted: PostgreSQL folds that to `k`, another cursor, and a later simple
   query of that text claimed the approval.
2. `kubectl get --raw` paths with `.`/`..`, empty or percent-encoded segments were
   guessed at (the API server normalises them) instead of refused.
3. An HTTP upstream's answer in a charset that does not decode crashed into a 502.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.harness import http_upstream
from tests.adversarial.test_findings_round3 import cluster, kube, needs_kubectl, run_kubectl
from tests.conftest import Harness
from tests.connectors import kube_standin
from tests.connectors.support import harness_with
from tests.pgwire.conftest import Wire, serving
from tests.pgwire.rawclient import RawClient, error_fields

__all__ = ["cluster", "kube"]  # the exec connection running the real kubectl (round 3)


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    """Statements needing approval are refused at once (55000), to be sent again."""
    async with serving(tmp_path, ehr_dsn, approval_wait_seconds=0) as served:
        yield served


async def _simple(client: RawClient, sql: str) -> list[codec.Message]:
    client.send(codec.query(sql))
    return await client.until(b"Z")


def _rows(messages: list[codec.Message]) -> list[list[bytes | None]]:
    return [codec.parse_data_row(m.body) for m in messages if m.type == b"D"]


def _surnames(dsn: str) -> set[bytes]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT last_name FROM patients ORDER BY id LIMIT 3").fetchall()
    return {str(r[0]).encode() for r in rows}


async def _approve_pending(wire: Wire) -> str:
    gateway = wire.harness.gateway
    alice = await gateway.authenticate(wire.harness.tokens["alice"])
    pending = await asyncio.to_thread(gateway.list_approvals, state="pending")
    assert len(pending) == 1, pending
    await gateway.vote(pending[0].id, alice, "approve")
    return pending[0].id


# ── 1. a protocol Execute of a declared cursor names it as the server does ────────
_DECLARE = (
    'DECLARE "K" CURSOR WITH HOLD FOR SELECT id, dob FROM patients WHERE id = 7; '
    "DECLARE k CURSOR WITH HOLD FOR SELECT id, last_name FROM patients ORDER BY id LIMIT 3"
)


async def test_an_approved_execute_of_cursor_upper_k_is_not_claimed_by_fetch_from_k(
    wire: Wire, ehr_dsn: str
) -> None:
    """Cursor "K" (one patient's date of birth) and cursor k (surnames) are both open.
    A protocol Execute of portal "K" with a reveal asked for waits for approval; the
    approval is granted for what it runs. The simple query `FETCH ALL FROM K` (which the
    server folds to cursor k) must not claim it: the surnames stay masked, the approval
    stays unclaimed, and the audit names the cursor "K" as the server does."""
    client = await RawClient.connect(wire.port)
    await client.login("claims-bot", wire.harness.tokens["claims-bot"])
    try:
        assert error_fields(await _simple(client, _DECLARE)) == {}
        assert error_fields(await _simple(client, "SET phigate.reveal = 'date'")) == {}
        client.send(codec.execute("K", 0) + codec.SYNC)
        asked = await client.until(b"Z")
        assert error_fields(asked).get("C") == "55000", asked
        approval_id = await _approve_pending(wire)
        got = await _simple(client, "FETCH ALL FROM K")
    finally:
        client.close()
    shown = {row[1] for row in _rows(got)}
    assert not shown & _surnames(ehr_dsn), f"surnames returned as stored: {shown}"
    gateway = wire.harness.gateway
    approved = gateway.approval(approval_id)
    record = gateway.action(approved.action_id)
    assert record.action.sql == 'FETCH ALL FROM "K"', record.action.sql
    assert record.status.value != "executed" and record.status.value != "executing", record.status


async def test_an_approved_fetch_is_not_claimed_after_its_cursor_is_declared_again(
    wire: Wire, ehr_dsn: str
) -> None:
    """The approval binds what the cursor was declared for, not only its name: "K"
    closed and declared again over surnames, the same text `FETCH ALL FROM "K"` is a
    new request, and nothing comes back as stored under the approval granted before."""
    client = await RawClient.connect(wire.port)
    await client.login("claims-bot", wire.harness.tokens["claims-bot"])
    try:
        assert error_fields(await _simple(client, _DECLARE)) == {}
        assert error_fields(await _simple(client, "SET phigate.reveal = 'date'")) == {}
        client.send(codec.execute("K", 0) + codec.SYNC)
        assert error_fields(await client.until(b"Z")).get("C") == "55000"
        approval_id = await _approve_pending(wire)
        assert error_fields(await _simple(client, "RESET phigate.reveal")) == {}
        redeclared = await _simple(
            client,
            'CLOSE "K"; DECLARE "K" CURSOR WITH HOLD FOR '
            "SELECT id, last_name AS dob FROM patients ORDER BY id LIMIT 3",
        )
        assert error_fields(redeclared) == {}, redeclared
        assert error_fields(await _simple(client, "SET phigate.reveal = 'date'")) == {}
        got = await _simple(client, 'FETCH ALL FROM "K"')
    finally:
        client.close()
    shown = {row[1] for row in _rows(got)}
    assert not shown & _surnames(ehr_dsn), f"surnames returned as stored: {shown}"
    record = wire.harness.gateway.action(wire.harness.gateway.approval(approval_id).action_id)
    assert record.status.value not in ("executed", "executing"), record.status


async def test_held_the_approved_execute_of_cursor_upper_k_runs_once_sent_again(
    wire: Wire, ehr_dsn: str
) -> None:
    """Held: the same Execute of portal "K", sent again once approved, claims the
    approval and shows the date of birth it asked to see; the audit records what "K"
    runs (patients.dob) with the name quoted."""
    client = await RawClient.connect(wire.port)
    await client.login("claims-bot", wire.harness.tokens["claims-bot"])
    try:
        assert error_fields(await _simple(client, _DECLARE)) == {}
        assert error_fields(await _simple(client, "SET phigate.reveal = 'date'")) == {}
        client.send(codec.execute("K", 0) + codec.SYNC)
        assert error_fields(await client.until(b"Z")).get("C") == "55000"
        approval_id = await _approve_pending(wire)
        client.send(codec.execute("K", 0) + codec.SYNC)
        got = await client.until(b"Z")
    finally:
        client.close()
    with psycopg.connect(ehr_dsn) as conn:
        row = conn.execute("SELECT dob FROM patients WHERE id = 7").fetchone()
    assert row is not None and _rows(got) == [[b"7", str(row[0]).encode()]], got
    record = wire.harness.gateway.action(wire.harness.gateway.approval(approval_id).action_id)
    assert record.status.value in ("executing", "executed"), record.status  # claimed
    body = record.action.body
    assert body["sql"] == 'FETCH ALL FROM "K"' and "public.patients.dob" in json.dumps(body), body


# ── 2. kubectl --raw paths the API server would normalise are refused ─────────────
@needs_kubectl
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/./secrets",
        "/api/v1/namespaces/default/./secrets",
        "/api/v1/namespaces/./default/secrets",
        "/api/v1/namespaces/default/secrets/.",
        "/api/v1/namespaces/default/pods/../secrets",
        "/api/v1/namespaces/default/secrets/db-pass/..",
        "/api/v1//secrets",
        "/api/v1/%2e/secrets",
        "/api/v1/namespaces/default/%2Fsecrets",
        "/api/v1/Secrets",
    ],
)
async def test_a_raw_path_the_api_server_would_normalise_is_not_read(
    kube: Harness, cluster: kube_standin.KubeStandIn, path: str
) -> None:
    """`kubectl get --raw /api/v1/./secrets` was read as a `get` of the kind `.`: the
    API server cleans the path and lists every Secret. Such a path is `unknown` now:
    denied (demo policy), and nothing reaches the cluster."""
    response = await run_kubectl(kube, "get", "--raw", path)
    assert not cluster.requests, cluster.requests
    assert response.status_code == 403, response.text[:300]
    assert not cluster.requests, cluster.requests
    record = kube.gateway.action(response.json()["id"])
    assert record.description.risk.value == "unknown", record.description


# ── 3. an HTTP answer whose charset does not decode is refused, never a crash ─────
_SSN = "536-22-8471"
_TEXT = f"Patient SSN: {_SSN}\r\n"
_UNDECODABLE = {
    # No byte order mark: Python's UTF-16 and UTF-32 decoders raise a plain
    # UnicodeError, not a UnicodeDecodeError.
    "utf16-no-bom-be": ("text/plain; charset=utf-16", _TEXT.encode("utf-16-be")),
    "utf16-no-bom-le": ("text/plain; charset=utf-16", _TEXT.encode("utf-16-le")),
    "utf16-json-no-bom": (
        "application/json; charset=utf-16",
        f'{{"ssn": "{_SSN}"}}'.encode("utf-16-be"),
    ),
    "utf32-no-bom": ("text/plain; charset=utf-32", _TEXT.encode("utf-32-be")),
    "unknown-charset": ("text/plain; charset=x-no-such-charset", _TEXT.encode("utf-16-le")),
    "odd-length-utf16le": ("text/plain; charset=utf-16le", _TEXT.encode("utf-16-le") + b"\x00"),
}


class _Undecodable(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        content_type, body = _UNDECODABLE[self.path.strip("/")]
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.mark.parametrize("answer", list(_UNDECODABLE))
async def test_an_answer_that_does_not_decode_in_its_charset_is_refused(
    tmp_path: Path, answer: str
) -> None:
    """A `charset=utf-16` answer without a byte order mark made the connector's
    decoding raise UnicodeError (not UnicodeDecodeError), which ended as a 502. Any
    answer that does not decode in its charset is the connector's binary answer now:
    refused (403) on a connection that does not allow binary, recorded, its text
    never shown."""
    with http_upstream(_Undecodable, "undecodable") as address:
        h = await harness_with(tmp_path, {"win": {"type": "http", "base_url": f"http://{address}"}})
        try:
            got = await h.client.post(
                "/v1/actions",
                headers=h.auth("claims-bot"),
                json={"connection": "win", "request": {"method": "GET", "path": f"/{answer}"}},
            )
            records = h.gateway.audit_records()
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert got.status_code == 403, got.text[:300]
    assert "binary response" in got.text and _SSN not in got.text, got.text[:300]
    failed = [r for r in records if r["event"] == "action.failed"]
    assert failed and failed[-1]["result"]["error_class"] == "forbidden", failed[-1:]
    assert "binary response" in failed[-1]["result"]["error"], failed[-1]
