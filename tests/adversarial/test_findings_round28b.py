"""Round 28b: a promises-only attack on scale-out and the audit log.

Two gateways (replicas) share one PostgreSQL state database, as in production
(docs/deploy-replicas.md); each is driven through its REST door, and the audit log
through `phigate audit verify|export` (the CLI an auditor runs). The insider here has
what a DBA of the state database has: SQL on it, and nothing else (no signing key).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from click.testing import CliRunner
from psycopg import sql as pgsql

from phigate.audit._canonical import canonical_json
from phigate.audit.chain import chain_hash
from phigate.cli import main
from phigate.ops.pgserver import EmbeddedPostgres
from tests.conftest import DEMO_POLICY, Harness, demo_config, make_harness


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


# ── the audit log under two writers, and an insider's raw SQL ──────────────
async def _traffic(a: Harness, b: Harness) -> None:
    sent = await asyncio.gather(
        *(
            h.submit("claims-bot", f"SELECT id, status FROM claims WHERE id = {n}")
            for n in range(1, 13)
            for h in (a, b)
        )
    )
    # 429: claims-bot's upstream connection limit; refused reads are recorded too
    bad = [(s.status_code, s.text[:300]) for s in sent if s.status_code not in (200, 429)]
    assert not bad, bad


def _rows(dsn: str) -> list[tuple[int, str, str, str]]:
    with psycopg.connect(_psql(dsn)) as conn:
        return [
            (int(r[0]), r[1], r[2], r[3])
            for r in conn.execute("SELECT seq, record, prev_hash, hash FROM audit_log ORDER BY seq")
        ]


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


async def test_a_record_inserted_by_raw_sql_fails_verify(
    pair: tuple[Harness, Harness], config_file: Path, state_dsn: str, tmp_path: Path
) -> None:
    a, b = pair
    await _traffic(a, b)
    assert _cli("audit", "export", "--config", str(config_file))[0] == 0  # a checkpoint
    # An insider records that alice approved something nobody asked her about.
    forged = _forge_tail(
        state_dsn,
        "approval.decided",
        {
            "approval_id": "apr_forged00",
            "action_id": "act_forged00",
            "state": "approved",
            "purpose": "approval",
            "votes": ["alice"],
            "replica": "replica-a",
        },
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


async def test_a_truncated_tail_fails_verify_even_without_its_checkpoints(
    pair: tuple[Harness, Harness],
    config_file: Path,
    state_dsn: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Records cut together with every checkpoint row that covered them leave a chain
    nothing in the store can tell from a shorter honest one: the proof must come from
    outside the store. Each checkpoint signed is also a `phigate.audit` log line, which
    log shipping keeps; verifying against those lines shows the cut."""
    a, b = pair
    await _traffic(a, b)
    assert _cli("audit", "export", "--config", str(config_file))[0] == 0  # checkpoint 1
    kept = _rows(state_dsn)[-1][0]
    await _traffic(a, b)  # what the insider wants gone: the second batch of reads
    with caplog.at_level("INFO", logger="phigate.audit"):
        assert _cli("audit", "export", "--config", str(config_file))[0] == 0  # checkpoint 2
    shipped = tmp_path / "gateway.log"  # what log shipping kept
    shipped.write_text("".join(f"{r.getMessage()}\n" for r in caplog.records))
    with psycopg.connect(_psql(state_dsn), autocommit=True) as conn:
        assert conn.execute("DELETE FROM audit_checkpoints WHERE seq > %s", (kept,)).rowcount
        conn.execute("DELETE FROM audit_log WHERE seq > %s", (kept,))
        conn.execute(
            "UPDATE audit_head SET seq = %s, hash = (SELECT hash FROM audit_log WHERE seq = %s)",
            (kept, kept),
        )
    # The replicas keep serving: their next records chain on the cut head.
    await _traffic(a, b)
    code, output = _cli("audit", "verify", "--config", str(config_file), "--against", str(shipped))
    assert code == 1 and "TRUNCATED" in output, output


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


# ── the audit head locked by a stuck session ───────────────────────────────
async def test_a_locked_audit_head_is_refused_within_seconds_not_waited_on(
    pair: tuple[Harness, Harness], state_dsn: str
) -> None:
    """A replica frozen (SIGSTOP, a VM paused, a network partition with the TCP session
    left open) inside its append transaction keeps the head row locked until
    PostgreSQL notices; here a session that locked it and went quiet stands in for it.
    Every replica's every action then needs that lock: the caller must get a refusal
    (503) within seconds, not a request that never answers."""
    _, b = pair
    warm = await b.submit("claims-bot", "SELECT id FROM claims WHERE id = 2")
    assert warm.status_code == 200, warm.text
    with psycopg.connect(_psql(state_dsn)) as stuck:
        stuck.execute("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")
        try:
            answer = await asyncio.wait_for(
                b.submit("claims-bot", "SELECT id FROM claims WHERE id = 2"), 15
            )
        except TimeoutError:
            answer = None
        finally:
            stuck.rollback()
    assert answer is not None, "no answer in 15 s: the read waits on the lock without bound"
    assert answer.status_code == 503, answer.text
