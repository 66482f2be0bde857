"""Round 12a of the promises-only attack: several real replicas on one PostgreSQL
state (clocks that drift), Microsoft Teams callbacks, stdio MCP upstreams and the
reviewer's CLI.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from click.testing import CliRunner
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

import tests.support.cluster as cluster_module
from phigate.cli import main
from phigate.config import parse_settings
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from tests.channels.standins import Recorder, slack_api
from tests.conftest import Harness
from tests.connectors.support import serve_in_thread
from tests.mcp.conftest import Served
from tests.mcp.conftest import served as served  # the gateway on a real port (fixture)
from tests.support.cluster import Cluster, Replica
from tests.support.state import token_store

EXPIRES_IN = 2  # seconds a write's approval request stays open in the drift cluster
SKEWS = {0: 0.0, 1: -30.0, 2: 30.0}  # replica -> its clock's error: right, behind, ahead


class DriftCluster(Cluster):
    """The cluster of tests/support/cluster.py with one replica 30 s behind and one
    30 s ahead (the fault knob docs/deploy-replicas.md describes)."""

    def launch(self, replica: Replica) -> None:
        replica.skew = SKEWS[replica.index]
        super().launch(replica)


# ── replicas whose clocks drift ────────────────────────────────────────────
@pytest.fixture(scope="module")
def slack() -> Iterator[Recorder]:
    """The Slack Web API stand-in every replica of the drift cluster posts to."""
    with slack_api() as recorder:
        yield recorder


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory, slack: Recorder) -> Iterator[Cluster]:
    """Three real `phigate serve` replicas on one state, clocks right, 30 s behind and
    30 s ahead; write approvals expire in 2 s; Slack and webhooks on every replica; wire
    listeners check their sessions' tokens every 0.5 s."""
    config = cluster_module.CONFIG.replace("expires_in: 3600", f"expires_in: {EXPIRES_IN}")
    slack_channel = (
        "channels:\n  slack: {{bot_token: xoxb-test, signing_secret: s3cret, "
        f'api_url: "{slack.url}/api/", channels: [C_REVIEW]}}}}\n'
    )
    config = config.replace("channels:\n", slack_channel, 1)
    wire = "pgwire: {{approval_wait_seconds: {wait}"
    assert wire in config
    config = config.replace(wire, wire + ", revocation_check_seconds: 0.5")
    patch = pytest.MonkeyPatch()
    patch.setattr(cluster_module, "CONFIG", config)
    cluster = DriftCluster(tmp_path_factory.mktemp("drift"), replicas=3)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        patch.undo()


def _state_now(cluster: Cluster) -> float:
    """The state database's clock: the one the replicas share."""
    with psycopg.connect(cluster.state_pg.dsn()) as conn:
        row = conn.execute("SELECT extract(epoch FROM clock_timestamp())::float8").fetchone()
    assert row is not None
    return float(row[0])


def _until_state_clock_passes(cluster: Cluster, moment: float) -> None:
    """Wait for a moment of the shared clock to pass (a deadline, not a guess)."""
    while _state_now(cluster) <= moment:
        time.sleep(0.1)


def _expiry(cluster: Cluster, approval_id: str) -> float:
    with psycopg.connect(cluster.state_pg.dsn()) as conn:
        row = conn.execute("SELECT expires_at FROM approvals WHERE id = %s", (approval_id,))
        found = row.fetchone()
    assert found is not None
    return float(found[0])


def _ledger(cluster: Cluster, key: str) -> int:
    with psycopg.connect(cluster.upstream_pg.dsn()) as conn:
        row = conn.execute("SELECT count(*) FROM ledger WHERE key = %s", (key,)).fetchone()
    assert row is not None
    return int(row[0])


async def _short_token(cluster: Cluster, subject: str, kind: PrincipalKind) -> tuple[str, float]:
    """An API token that expires in 2 s, made as `phigate token create` makes one."""
    settings = parse_settings(cluster.replicas[0].config.read_text(), source="drift")
    gateway = build_gateway(settings, migrate=False)
    agent = kind is PrincipalKind.AGENT
    try:
        token, info = token_store(gateway).create(
            subject=subject,
            kind=kind,
            groups=("agents",) if agent else ("reviewers",),
            on_behalf_of="dana" if agent else None,
            expires_in=2,
        )
    finally:
        await gateway.close()
    assert info.expires_at is not None
    return token, info.expires_at


async def test_a_replica_behind_does_not_extend_an_approval(drifted: Cluster) -> None:
    """The request is made on the replica with the right time and expires there; a
    reviewer then approves it on the replica 30 s behind, and the requester runs it
    there. An approval that expired must neither be voted on nor run, whichever
    replica is asked."""
    honest, behind, _ahead = drifted.replicas
    key = "late-vote"
    sql = f"INSERT INTO ledger (key) VALUES ('{key}')"
    asked = await drifted.post(
        honest, "/v1/actions", "bot", {"connection": "ehr", "sql": sql, "reason": key}, 30
    )
    assert asked.status_code in (200, 202), asked.text
    action_id = asked.json()["id"]
    approval_id = await drifted.find_pending(behind, key)
    await asyncio.to_thread(_until_state_clock_passes, drifted, _expiry(drifted, approval_id) + 1.0)
    voted = await drifted.post(
        behind, f"/v1/approvals/{approval_id}/approve", "rev1", {"comment": "ok"}, 30
    )
    ran = await drifted.post(behind, f"/v1/actions/{action_id}/run", "bot", {}, 30)
    assert _ledger(drifted, key) == 0, f"expired approval ran: vote {voted.text}, run {ran.text}"
    assert voted.status_code == 410, voted.text


async def test_a_replica_behind_does_not_extend_a_token(drifted: Cluster) -> None:
    """A token made to expire in 2 s is refused by the replica with the right time
    once it has expired, and must be refused by the one 30 s behind as well."""
    honest, behind, _ahead = drifted.replicas
    token, expires_at = await _short_token(drifted, "shortlived", PrincipalKind.HUMAN)
    await asyncio.to_thread(_until_state_clock_passes, drifted, expires_at + 1.0)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30) as client:
        on_honest = await client.get(f"{honest.url}/v1/approvals", headers=headers)
        on_behind = await client.get(f"{behind.url}/v1/approvals", headers=headers)
    assert on_honest.status_code == 401, on_honest.text  # the control: it has expired
    assert on_behind.status_code == 401, on_behind.text


async def test_a_replica_ahead_does_not_extend_an_approval(drifted: Cluster) -> None:
    """The request is made on the replica 30 s ahead; once its 2 s are up by the
    shared clock, the replica with the right time must refuse the vote and the run."""
    honest, _behind, ahead = drifted.replicas
    key = "early-stamp"
    sql = f"INSERT INTO ledger (key) VALUES ('{key}')"
    asked = await drifted.post(
        ahead, "/v1/actions", "bot", {"connection": "ehr", "sql": sql, "reason": key}, 30
    )
    assert asked.status_code in (200, 202), asked.text
    asked_by = await asyncio.to_thread(_state_now, drifted)  # the request exists by now
    action_id = asked.json()["id"]
    approval_id = await drifted.find_pending(honest, key)
    await asyncio.to_thread(_until_state_clock_passes, drifted, asked_by + EXPIRES_IN + 1.0)
    voted = await drifted.post(
        honest, f"/v1/approvals/{approval_id}/approve", "rev1", {"comment": "ok"}, 30
    )
    ran = await drifted.post(honest, f"/v1/actions/{action_id}/run", "bot", {}, 30)
    assert _ledger(drifted, key) == 0, f"expired approval ran: vote {voted.text}, run {ran.text}"
    assert voted.status_code == 410, voted.text


async def _reads(replica: Replica, token: str) -> psycopg.AsyncConnection[tuple[object, ...]]:
    dsn = f"host=127.0.0.1 port={replica.wire} dbname=ehr user=shortbot password={token}"
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True, connect_timeout=10)
    await (await conn.execute("SELECT count(*) FROM ledger")).fetchall()
    return conn


async def _alive(conn: psycopg.AsyncConnection[tuple[object, ...]]) -> bool:
    try:
        await (await conn.execute("SELECT count(*) FROM ledger")).fetchall()
    except psycopg.Error:
        return False
    return True


async def test_a_replica_behind_ends_a_wire_session_when_its_token_expires(
    drifted: Cluster,
) -> None:
    """One agent token, expiring in 2 s, holds a wire session on the replica with the
    right time and one on the replica 30 s behind. Once the first session has been
    ended for the expired token, the second must be ended as well (each listener
    checks its sessions every 0.5 s here: we allow it six more checks)."""
    honest, behind, _ahead = drifted.replicas
    token, expires_at = await _short_token(drifted, "shortbot", PrincipalKind.AGENT)
    on_honest = await _reads(honest, token)
    on_behind = await _reads(behind, token)
    try:
        deadline = time.monotonic() + 30
        while await _alive(on_honest):  # the control: the right clock ends it
            assert time.monotonic() < deadline, "the session on the right clock never ended"
            await asyncio.sleep(0.2)
        ended_at = await asyncio.to_thread(_state_now, drifted)
        assert ended_at > expires_at
        await asyncio.to_thread(_until_state_clock_passes, drifted, ended_at + 3.0)
        assert not await _alive(on_behind), "the session on the replica behind still reads"
    finally:
        await on_honest.close()
        await on_behind.close()


async def test_held_a_request_expired_on_one_replica_takes_no_vote_on_another(
    drifted: Cluster,
) -> None:
    """Once the replica with the right time has recorded a request as expired (its
    pending list sweeps), the replica 30 s behind refuses a vote on it (410) and
    nothing runs: the shared state, not the clock, decides from then on."""
    honest, behind, _ahead = drifted.replicas
    key = "swept-first"
    sql = f"INSERT INTO ledger (key) VALUES ('{key}')"
    asked = await drifted.post(
        honest, "/v1/actions", "bot", {"connection": "ehr", "sql": sql, "reason": key}, 30
    )
    assert asked.status_code in (200, 202), asked.text
    action_id = asked.json()["id"]
    approval_id = await drifted.find_pending(honest, key)
    await asyncio.to_thread(_until_state_clock_passes, drifted, _expiry(drifted, approval_id) + 1.0)
    async with httpx.AsyncClient(base_url=honest.url, timeout=30) as client:
        swept = await client.get("/v1/approvals?status=expired", headers=drifted.auth("rev1"))
    assert approval_id in swept.text, swept.text
    voted = await drifted.post(
        behind, f"/v1/approvals/{approval_id}/approve", "rev1", {"comment": "ok"}, 30
    )
    ran = await drifted.post(behind, f"/v1/actions/{action_id}/run", "bot", {}, 30)
    assert voted.status_code == 410, voted.text
    assert ran.status_code >= 400, ran.text
    assert _ledger(drifted, key) == 0


# ── the reviewer's CLI ─────────────────────────────────────────────────────
async def test_held_the_cli_never_prints_a_terminal_escape_an_agent_wrote(
    harness: Harness,
) -> None:
    """A write whose literal carries terminal control sequences (erase the line, go
    to column 1, then draw a harmless read) reaches `phigate approvals list` and
    `show` as visible escapes: the terminal never receives an ESC the agent wrote."""
    sql = "UPDATE claims SET status = 'x\x1b[2K\x1b[1GSELECT 1 -- a read' WHERE id >= 1"
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    served = serve_in_thread(build_app(harness.gateway))
    try:
        args = ["approvals", "--url", served.url, "--token", harness.tokens["alice"]]
        runner = CliRunner(env={"COLUMNS": "200"})
        listed = await asyncio.to_thread(runner.invoke, main, [*args, "list"])
        shown = await asyncio.to_thread(runner.invoke, main, [*args, "show", approval_id])
    finally:
        served.stop()
    for result in (listed, shown):
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output, repr(result.output)
        assert "\\u001b[2K" in result.output, repr(result.output)


def _records_about(cluster: Cluster, approval_id: str) -> list[dict[str, object]]:
    with psycopg.connect(cluster.state_pg.dsn()) as conn:
        rows = conn.execute(
            "SELECT record FROM audit_log WHERE record LIKE %s ORDER BY seq",
            (f"%{approval_id}%",),
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


async def test_a_replica_behind_does_not_date_a_vote_before_its_request(drifted: Cluster) -> None:
    """A request made on the replica with the right time, approved at once on the
    replica 30 s behind: the audit log, read in its own order, must not say the
    reviewer decided half a minute before the agent asked."""
    honest, behind, _ahead = drifted.replicas
    key = "dated-vote"
    sql = f"INSERT INTO ledger (key) VALUES ('{key}')"
    asked = await drifted.post(
        honest, "/v1/actions", "bot", {"connection": "ehr", "sql": sql, "reason": key}, 30
    )
    assert asked.status_code in (200, 202), asked.text
    approval_id = await drifted.find_pending(behind, key)
    voted = await drifted.post(
        behind, f"/v1/approvals/{approval_id}/approve", "rev1", {"comment": "ok"}, 30
    )
    assert voted.status_code == 200, voted.text
    records = _records_about(drifted, approval_id)
    timeline = [(r["event"], r["ts"]) for r in records]
    assert any(event == "approval.vote" for event, _ts in timeline), timeline
    times = [float(str(ts)) for _event, ts in timeline]
    assert times == sorted(times), f"the log's order and its times disagree: {timeline}"


# ── the stdio relay (`phigate mcp --stdio`) ────────────────────────────────
PHIGATE = str(Path(sys.executable).parent / "phigate")
# The relay runs the code under test (a worktree on PYTHONPATH), not an installed copy.
_CODE_UNDER_TEST = {k: v for k, v in os.environ.items() if k == "PYTHONPATH"}


async def test_the_stdio_relay_says_its_token_was_revoked(served: Served) -> None:
    """An agent on the stdio relay whose token is revoked mid-session must be told, in
    MCP, that its token is refused, not "Server returned an error response" (-32603,
    an internal error) on every request from then on."""
    store = token_store(served.harness.gateway)
    token, info = store.create(
        subject="claims-bot", kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="dana"
    )
    env = {
        "PHIGATE_TOKEN": token,
        "PHIGATE_URL": served.base_url,
        "PATH": os.environ["PATH"],
        **_CODE_UNDER_TEST,
    }
    relay = StdioServerParameters(command=PHIGATE, args=["mcp", "--stdio"], env=env)
    async with Client(relay, cache=None) as client:
        assert (await client.list_tools()).tools  # the control: it works before
        store.revoke(info.id)
        with pytest.raises(MCPError) as refused:
            await asyncio.wait_for(
                client.call_tool("query", {"connection": "ehr", "sql": "SELECT 1"}), 60
            )
    error = refused.value.error
    assert "token" in error.message.lower(), (error.code, error.message)


# Last in the file: it judges everything the drift cluster did above.
async def test_held_each_event_went_out_once_across_the_drifting_replicas(
    drifted: Cluster, slack: Recorder
) -> None:
    """After the writes above (requested on one replica, voted and run on others,
    clocks a minute apart), every request was posted to Slack once, its message was
    updated once for the one vote that decided it, and no webhook went out twice."""
    assert drifted.hooks.count("approval.requested") >= 3
    assert drifted.hooks.duplicates() == []
    with slack.lock:
        calls = list(slack.calls)
    posts: dict[str, int] = {}
    updates: dict[str, int] = {}
    for method, body in calls:
        ids = set(re.findall(r"apr_[A-Za-z0-9_-]{16}", json.dumps(body)))
        assert len(ids) == 1, (method, ids)
        approval = ids.pop()
        tally = {"chat.postMessage": posts, "chat.update": updates}[method]
        tally[approval] = tally.get(approval, 0) + 1
    assert len(posts) >= 3 and set(posts.values()) == {1}, posts
    assert updates == dict.fromkeys(posts, 1), (posts, updates)
