"""Round 28b: a promises-only attack on scale-out and the audit log.

Two gateways (replicas) share one PostgreSQL state database, as in production
(docs/deploy-replicas.md); each is driven through its REST door, and the audit log
through `phigate audit verify|export` (the CLI an auditor runs). The insider here has
what a DBA of the state database has: SQL on it, and nothing else (no signing key).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql as pgsql

import yaml

from phigate.audit._canonical import canonical_json
from phigate.audit.chain import chain_hash
from phigate.cli import main
from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import finding
from tests.conftest import DEMO_POLICY, Harness, demo_config, make_harness
from tests.console.conftest import sign_in
from tests.support.state import token_store


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def state_dsn(pg_server: EmbeddedPostgres) -> Iterator[str]:
    name = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    yield pg_server.dsn(name)


@pytest.fixture
def config_file(tmp_path: Path, state_dsn: str) -> Path:
    """The replicas' configuration as the CLI reads it (written after `pair` made the
    secrets: the same signing key, token hash key and state database)."""
    text = DEMO_POLICY.read_text().format(
        state_db=tmp_path / "state.db", http_port=0, secrets_dir=tmp_path / "secrets"
    )
    data = yaml.safe_load(text)
    data["state"] = {"url": state_dsn}
    path = tmp_path / "phigate.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
async def pair(
    tmp_path: Path, ehr_dsn: str, state_dsn: str
) -> AsyncIterator[tuple[Harness, Harness]]:
    settings = demo_config(tmp_path, ehr_dsn, overrides={"state": {"url": state_dsn}})
    a = await make_harness(settings)
    b = await make_harness(settings)
    a.gateway.replica, b.gateway.replica = "replica-a", "replica-b"
    try:
        yield a, b
    finally:
        for h in (a, b):
            await h.client.aclose()
            await h.gateway.close()


def _psql(dsn: str) -> str:
    """The state database's URL as psycopg takes it."""
    return dsn.replace("postgresql+psycopg://", "postgresql://")


def _amount(ehr_dsn: str, claim: int) -> Decimal:
    with psycopg.connect(ehr_dsn) as conn:
        row = conn.execute("SELECT amount FROM claims WHERE id = %s", (claim,)).fetchone()
    assert row is not None
    return Decimal(row[0])


async def _approved(a: Harness, b: Harness, sql: str) -> str:
    """An action of claims-bot's, requested on A and approved by alice on B."""
    sent = await a.submit("claims-bot", sql)
    assert sent.status_code == 202, sent.text
    approval = sent.json()["approval"]["id"]
    voted = await b.client.post(
        f"/v1/approvals/{approval}/approve", headers=b.auth("alice"), json={}
    )
    assert voted.status_code == 200, voted.text
    return str(sent.json()["id"])


# ── (1) an approval used twice ─────────────────────────────────────────────
async def test_an_approved_write_run_on_two_replicas_at_once_runs_once(
    pair: tuple[Harness, Harness], ehr_dsn: str
) -> None:
    a, b = pair
    before = _amount(ehr_dsn, 7)
    action = await _approved(a, b, "UPDATE claims SET amount = amount + 1 WHERE id = 7")
    runs = await asyncio.gather(
        *(
            h.client.post(f"/v1/actions/{action}/run", headers=h.auth("claims-bot"), json={})
            for h in (a, b, a, b)
        )
    )
    codes = sorted(r.status_code for r in runs)
    assert codes.count(200) == 1, [r.text[:200] for r in runs]
    assert all(c < 500 for c in codes), [r.text[:200] for r in runs]
    assert _amount(ehr_dsn, 7) == before + 1
    again = await b.client.post(
        f"/v1/actions/{action}/run", headers=b.auth("claims-bot"), json={}
    )
    assert again.status_code in (409, 410), again.text
    assert _amount(ehr_dsn, 7) == before + 1


# ── (2) revocation on one replica, use on the other ───────────────────────
async def test_a_token_revoked_on_one_replica_is_refused_at_once_on_the_other(
    pair: tuple[Harness, Harness],
) -> None:
    a, b = pair
    token = b.tokens["claims-bot"]
    # warm B's recent-token memory with a read, then revoke on A
    seen = await b.submit("claims-bot", "SELECT id FROM claims WHERE id = 1")
    assert seen.status_code == 200, seen.text
    store = token_store(a.gateway)  # as `phigate token revoke` opens it, on A's database
    mine = [t for t in store.list(subject="claims-bot") if t.status == "active"]
    assert len(mine) == 2  # one made for each harness
    for info in mine:
        store.revoke(info.id)
    auth = {"Authorization": f"Bearer {token}"}
    answers = [
        await b.client.post(
            "/v1/actions", headers=auth, json={"connection": "ehr", "sql": "SELECT 1"}
        ),
        await b.client.get("/v1/approvals?status=pending", headers=auth),
    ]
    assert [r.status_code for r in answers] == [401, 401], [r.text[:200] for r in answers]


# ── (4) the audit log under two writers, and an insider's raw SQL ─────────
async def _traffic(a: Harness, b: Harness) -> None:
    sent = await asyncio.gather(
        *(
            h.submit("claims-bot", f"SELECT id, status FROM claims WHERE id = {n}")
            for n in range(1, 13)
            for h in (a, b)
        )
    )
    bad = [(s.status_code, s.text[:300]) for s in sent if s.status_code not in (200, 429)]  # 429: the per-caller upstream limit
    assert not bad, bad


def _rows(dsn: str) -> list[tuple[int, str, str, str]]:
    with psycopg.connect(_psql(dsn)) as conn:
        return [
            (int(r[0]), r[1], r[2], r[3])
            for r in conn.execute("SELECT seq, record, prev_hash, hash FROM audit_log ORDER BY seq")
        ]


async def test_two_replicas_writing_at_once_keep_one_verifiable_chain(
    pair: tuple[Harness, Harness], state_dsn: str
) -> None:
    a, b = pair
    await _traffic(a, b)
    code, output = _cli("audit", "verify", "--state", state_dsn)
    assert code == 0, output
    rows = _rows(state_dsn)
    seqs = [r[0] for r in rows]
    assert seqs == list(range(1, len(rows) + 1))
    assert all(rows[i][2] == rows[i - 1][3] for i in range(1, len(rows)))


@pytest.mark.parametrize("how", ["change", "delete", "reorder"])
async def test_a_record_changed_deleted_or_reordered_in_sql_fails_verify(
    pair: tuple[Harness, Harness], state_dsn: str, config_file: Path, how: str
) -> None:
    a, b = pair
    await _traffic(a, b)
    assert _cli("audit", "export", "--config", str(config_file))[0] == 0  # a checkpoint
    rows = _rows(state_dsn)
    middle = rows[len(rows) // 2]
    with psycopg.connect(_psql(state_dsn), autocommit=True) as conn:
        if how == "change":
            text = middle[1].replace('"claims-bot"', '"dana"', 1)
            conn.execute("UPDATE audit_log SET record = %s WHERE seq = %s", (text, middle[0]))
        elif how == "delete":
            conn.execute("DELETE FROM audit_log WHERE seq = %s", (middle[0],))
        else:
            nxt = rows[len(rows) // 2 + 1]
            conn.execute("UPDATE audit_log SET record = %s WHERE seq = %s", (nxt[1], middle[0]))
            conn.execute("UPDATE audit_log SET record = %s WHERE seq = %s", (middle[1], nxt[0]))
    code, output = _cli("audit", "verify", "--config", str(config_file))
    assert code == 1 and "BROKEN" in output, output


def _forge_tail(state_dsn: str, event: str, fields: dict[str, object]) -> int:
    """What a DBA of the state database can do with SQL alone: append a record with its
    hash computed (SHA-256 of public data), and move the head row to it."""
    with psycopg.connect(_psql(state_dsn), autocommit=False) as conn:
        head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
        seq, prev = head.fetchone() or (0, "")
        found = conn.execute("SELECT record FROM audit_log WHERE seq = %s", (seq,)).fetchone()
        assert found is not None
        last = json.loads(found[0])
        record = {"seq": seq + 1, "ts": last["ts"] + 0.001, "event": event, **fields}
        record["prev_hash"] = prev
        body = canonical_json(record)
        digest = chain_hash(prev, body)
        conn.execute(
            "INSERT INTO audit_log (seq, record, prev_hash, hash) VALUES (%s, %s, %s, %s)",
            (seq + 1, body, prev, digest),
        )
        conn.execute("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1", (seq + 1, digest))
        conn.commit()
    return int(seq) + 1


@finding(1, "a record INSERTed by raw SQL at the log's tail verifies, and is then signed")
async def test_a_record_inserted_by_raw_sql_fails_verify(
    pair: tuple[Harness, Harness], config_file: Path, tmp_path: Path
) -> None:
    a, b = pair
    await _traffic(a, b)
    state = yaml.safe_load(config_file.read_text())["state"]["url"]
    assert _cli("audit", "export", "--config", str(config_file))[0] == 0  # a checkpoint
    # An insider records that alice approved something nobody asked her about.
    forged = _forge_tail(
        state,
        "approval.approved",
        {"approval_id": "apr_forged00", "who": {"subject": "alice", "kind": "human"}},
    )
    # The next checkpoint any replica signs (every audit.checkpoint_seconds, at start,
    # at shutdown, at every export) covers it; the export verifies with the gateway's key.
    code, exported = _cli("audit", "export", "--config", str(config_file))
    assert code == 0, exported
    assert f'"seq":{forged},' in exported
    export = tmp_path / "audit.jsonl"
    export.write_text(exported)
    offline = _cli("audit", "verify", "--config", str(config_file), "--file", str(export))
    live = _cli("audit", "verify", "--config", str(config_file))
    assert (offline[0], live[0]) == (1, 1), f"a forged record verifies: {offline} {live}"


@finding(2, "the log's tail deleted in SQL with its checkpoint rows verifies (TRUNCATED unseen)")
async def test_a_truncated_tail_fails_verify_even_without_its_checkpoints(
    pair: tuple[Harness, Harness], config_file: Path, state_dsn: str
) -> None:
    a, b = pair
    await _traffic(a, b)
    assert _cli("audit", "export", "--config", str(config_file))[0] == 0  # checkpoint 1
    kept = _rows(state_dsn)[-1][0]
    await _traffic(a, b)  # what the insider wants gone: the second batch of reads
    assert _cli("audit", "export", "--config", str(config_file))[0] == 0  # checkpoint 2
    with psycopg.connect(_psql(state_dsn), autocommit=True) as conn:
        assert conn.execute("DELETE FROM audit_checkpoints WHERE seq > %s", (kept,)).rowcount
        conn.execute("DELETE FROM audit_log WHERE seq > %s", (kept,))
        conn.execute(
            "UPDATE audit_head SET seq = %s, hash = (SELECT hash FROM audit_log WHERE seq = %s)",
            (kept, kept),
        )
    # The replicas keep serving: their next records chain on the cut head.
    await _traffic(a, b)
    code, output = _cli("audit", "verify", "--config", str(config_file))
    assert code == 1 and "TRUNCATED" in output, output


# ── (1) two reviewers deciding at once on two replicas ─────────────────────
async def test_an_approve_and_a_deny_at_once_on_two_replicas_decide_once(
    pair: tuple[Harness, Harness], state_dsn: str
) -> None:
    a, b = pair
    sent = await a.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 11")
    assert sent.status_code == 202, sent.text
    approval = sent.json()["approval"]["id"]
    votes = await asyncio.gather(
        a.client.post(f"/v1/approvals/{approval}/approve", headers=a.auth("alice"), json={}),
        b.client.post(f"/v1/approvals/{approval}/deny", headers=b.auth("bob"), json={}),
    )
    assert all(v.status_code < 500 for v in votes), [v.text[:200] for v in votes]
    records = [json.loads(r[1]) for r in _rows(state_dsn)]
    decided = [
        r["state"]
        for r in records
        if r["event"] == "approval.decided" and r.get("approval_id") == approval
    ]
    assert len(decided) == 1, decided
    shown = await b.client.get(f"/v1/actions/{sent.json()['id']}", headers=b.auth("claims-bot"))
    assert shown.json()["approval"]["state"] == decided[0], (shown.text[:300], decided)


# ── (4) the state database turned read-only under a serving replica ───────
@contextlib.contextmanager
def read_only(state_dsn: str, pg_server: EmbeddedPostgres) -> Iterator[None]:
    """The state database read-only for every new session, its sessions cut (a fail-over
    to a standby, a full disk's emergency setting)."""
    name = str(psycopg.conninfo.conninfo_to_dict(_psql(state_dsn))["dbname"])
    ident = pgsql.Identifier(name)
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("ALTER DATABASE {} SET default_transaction_read_only = on").format(ident))
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
    try:
        yield
    finally:
        with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
            conn.execute(pgsql.SQL("ALTER DATABASE {} RESET default_transaction_read_only").format(ident))


async def test_a_read_only_state_database_refuses_cleanly_and_runs_nothing(
    pair: tuple[Harness, Harness], ehr_dsn: str, state_dsn: str, pg_server: EmbeddedPostgres
) -> None:
    a, b = pair
    warm = await a.submit("claims-bot", "SELECT id, member_id FROM claims WHERE id = 2")
    assert warm.status_code == 200, warm.text
    amount = _amount(ehr_dsn, 9)
    action = await _approved(a, b, "UPDATE claims SET amount = amount + 1 WHERE id = 9")
    before = len(_rows(state_dsn))
    with read_only(state_dsn, pg_server):
        read = await a.submit("claims-bot", "SELECT id, member_id FROM claims WHERE id = 2")
        run = await b.client.post(
            f"/v1/actions/{action}/run", headers=b.auth("claims-bot"), json={}
        )
        listed = await a.client.get("/v1/approvals?status=pending", headers=a.auth("alice"))
    answers = [(r.status_code, r.text[:300]) for r in (read, run, listed)]
    assert read.status_code == 503 and "rows" not in read.text, answers
    assert run.status_code == 503, answers
    assert _amount(ehr_dsn, 9) == amount, answers
    assert len(_rows(state_dsn)) == before, answers


def _rechain_from(conn: psycopg.Connection[tuple[object, ...]], seq: int, record: str) -> None:
    """Replace record `seq` and recompute every hash after it, as SQL and SHA-256 allow."""
    rows = conn.execute(
        "SELECT seq, record FROM audit_log WHERE seq >= %s ORDER BY seq", (seq,)
    ).fetchall()
    found = conn.execute("SELECT prev_hash FROM audit_log WHERE seq = %s", (seq,)).fetchone()
    assert found is not None
    prev = str(found[0])
    for number, text in rows:
        body = json.loads(record if number == seq else str(text))
        body["prev_hash"] = prev
        canonical = canonical_json(body)
        digest = chain_hash(prev, canonical)
        conn.execute(
            "UPDATE audit_log SET record = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            (canonical, prev, digest, number),
        )
        prev = digest
    conn.execute("UPDATE audit_head SET hash = %s WHERE id = 1", (prev,))


@finding(3, "a record altered in SQL verifies once the chain is recomputed and checkpoints deleted")
async def test_an_altered_record_fails_verify_even_without_checkpoints(
    pair: tuple[Harness, Harness], config_file: Path, state_dsn: str
) -> None:
    a, b = pair
    await _traffic(a, b)
    assert _cli("audit", "export", "--config", str(config_file))[0] == 0  # a checkpoint
    rows = _rows(state_dsn)
    seq, text = next((r[0], r[1]) for r in rows if '"claims-bot"' in r[1])
    with psycopg.connect(_psql(state_dsn), autocommit=False) as conn:
        conn.execute("DELETE FROM audit_checkpoints")
        # claims-bot's read is now recorded as dana's
        _rechain_from(conn, seq, text.replace('"claims-bot"', '"dana"'))
        conn.commit()
    code, output = _cli("audit", "verify", "--config", str(config_file))
    assert code == 1, output


# ── (2) a console session ended on one replica, used on the other ─────────
async def test_a_console_session_whose_token_is_revoked_on_a_is_refused_on_b(
    pair: tuple[Harness, Harness],
) -> None:
    a, b = pair
    browser = await sign_in(a, "alice", how="token")
    try:
        assert (await browser.get("/ui/approvals")).status_code == 200
        store = token_store(a.gateway)
        for info in store.list(subject="alice"):
            store.revoke(info.id)
        on_b = httpx.AsyncClient(
            transport=b.client._transport, base_url="http://127.0.0.1", cookies=browser.cookies
        )
        try:
            page = await on_b.get("/ui/approvals")
        finally:
            await on_b.aclose()
    finally:
        await browser.aclose()
    assert page.status_code in (303, 401), page.text[:200]
