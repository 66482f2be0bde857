"""Round 9 of the promises-only attack: the audit log (export, verification, the
auditor's views), identity and the console.

Each `@finding(N, ...)` test asserts a promise from README.md / docs/*.md through a
real door (the CLI, the REST app, the console) and fails today; the unmarked tests are
attacks that held, kept as cheap regression checks.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import yaml
from click.testing import CliRunner

from phigate.audit.chain import AuditLog
from phigate.audit.checkpoint import generate_private_key_pem
from phigate.audit.keys import open_state
from phigate.cli import main
from phigate.config import parse_settings
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from phigate.store import Database
from tests.conftest import Harness, demo_config
from tests.console.conftest import sign_in
from tests.support.state import token_store

# --------------------------------------------------------------------------- audit export


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def audit_config(tmp_path: Path) -> Iterator[Path]:
    """A SQLite state store holding a few records of who did what, and a config naming
    it and a signing key (the auditor gets the public key separately)."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    key = tmp_path / "audit_key.pem"
    key.write_text(generate_private_key_pem())
    key.chmod(0o600)
    config = tmp_path / "phigate.yaml"
    config.write_text(
        yaml.safe_dump({"state": {"url": url}, "audit": {"signing_key": f"file:{key}"}})
    )
    # Written as the gateway writes them: MAC'd with the configured key (round 31a:
    # a record after the last checkpoint without a MAC is never signed).
    db = open_state(parse_settings(config.read_text()))
    db.migrate()
    log = AuditLog(db)
    for n, subject in enumerate(["claims-bot", "dr.house", "claims-bot"]):
        log.append(
            "action.executed",
            {"who": {"subject": subject}, "what": {"sql": f"DELETE FROM claims WHERE id = {n}"}},
        )
    db.dispose()
    yield config


def _export(config: Path) -> list[str]:
    code, output = _cli("audit", "export", "--config", str(config))
    assert code == 0, output
    return output.splitlines()


def _verify(tmp_path: Path, config: Path, lines: list[str]) -> tuple[int, str]:
    public = tmp_path / "gateway-audit.pub"
    code, pem = _cli("audit", "public-key", "--config", str(config))
    assert code == 0, pem
    public.write_text(pem)
    export = tmp_path / "audit.jsonl"
    export.write_text("\n".join(lines) + "\n")
    return _cli("audit", "verify", "--file", str(export), "--public-key", str(public))


def test_an_intact_export_verifies_with_the_gateways_key(
    audit_config: Path, tmp_path: Path
) -> None:
    code, output = _verify(tmp_path, audit_config, _export(audit_config))
    assert code == 0 and "3 records" in output, output


def test_a_second_copy_of_a_field_in_an_exported_record_is_an_alteration(
    audit_config: Path, tmp_path: Path
) -> None:
    """docs/audit.md: "Altering ... a record breaks the chain at that record". Whoever
    hands over the file inserts a forged `who` before the genuine one in record 2: every
    reader that keeps the first of two keys (or a person reading the line) sees
    `nurse.joy` deleted the claim; `phigate audit verify` keeps the last, recomputes the
    canonical form, and calls the file intact."""
    lines = _export(audit_config)
    record = lines[2]
    assert json.loads(record)["who"] == {"subject": "dr.house"}
    forged = record.replace('{"event"', '{"who":{"subject":"nurse.joy"},"event"', 1)
    assert forged != record and '"nurse.joy"' in forged
    code, output = _verify(tmp_path, audit_config, [*lines[:2], forged, *lines[3:]])
    assert code == 1, f"a file whose record 2 names nurse.joy verified: {output}"


def test_a_forged_export_cannot_write_to_the_auditors_terminal(
    audit_config: Path, tmp_path: Path
) -> None:
    """The auditor runs `phigate audit verify --file` on a file handed over by the party
    audited. Record 2's `seq` is a string of terminal controls: erase the line, write
    "audit chain intact", hide the rest. The verifier prints it inside its BROKEN
    message, so the auditor's terminal shows the chain intact (the exit code is 1)."""
    lines = _export(audit_config)
    record = json.loads(lines[2])
    record["seq"] = "\x1b[2K\x1b[1Gaudit chain intact: 3 records\x1b[8m"
    code, output = _verify(tmp_path, audit_config, [*lines[:2], json.dumps(record), *lines[3:]])
    assert code == 1, output
    assert "\x1b" not in output, f"the verifier wrote terminal controls: {output!r}"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda line: line.encode()[:-2] + b"\xff}", id="a-byte-not-utf8"),
        pytest.param(
            lambda line: line[:-1].encode() + b',"x":' + b"[" * 5000 + b"]" * 5000 + b"}",
            id="nesting-5000-deep",
        ),
        pytest.param(
            lambda line: line[:-1].encode() + b',"x":' + b"[" * 900 + b"]" * 900 + b"}",
            id="nesting-900-deep-parses-but-is-not-the-record",
        ),
        pytest.param(lambda line: line[:-1].encode() + b',"x":"\\ud800"}', id="a-lone-surrogate"),
        pytest.param(lambda line: b"\xfe\xff" + line.encode(), id="a-byte-order-mark-utf16"),
    ],
)
def test_a_damaged_export_is_reported_broken_not_a_crash(
    audit_config: Path, tmp_path: Path, damage: Any
) -> None:
    """Bad input of every kind gets a clear error. A damaged export (one byte that is
    not UTF-8, or a record nested deeper than the JSON reader recurses) should read
    `BROKEN at sequence 2`; `phigate audit verify --file` dies with a traceback
    (UnicodeDecodeError, RecursionError) instead."""
    lines = [line.encode() for line in _export(audit_config)]
    lines[2] = damage(lines[2].decode())
    export = tmp_path / "damaged.jsonl"
    export.write_bytes(b"\n".join(lines) + b"\n")
    result = CliRunner().invoke(main, ["audit", "verify", "--file", str(export)])
    assert result.exit_code == 1
    crash = result.exception
    assert crash is None or isinstance(crash, SystemExit), type(crash).__name__
    assert "BROKEN at sequence 2" in result.output, result.output[-300:]


# ---------------------------------------------------------------- the console's audit view


async def _flood_unauthenticated(h: Harness, n: int) -> None:
    """`n` requests with a wrong bearer token: each is refused and audited."""
    for start in range(0, n, 100):
        answers = await asyncio.gather(
            *(
                h.client.get("/v1/audit", headers={"Authorization": "Bearer nope"})
                for _ in range(start, min(n, start + 100))
            )
        )
        assert {a.status_code for a in answers} == {401}


async def test_a_stranger_cannot_push_an_agents_request_out_of_the_auditors_view(
    harness: Harness,
) -> None:
    """docs/console.md: `/ui/audit` shows "audit records filtered by principal, ...".
    An agent asks for a write; then anyone, without a token, sends 2,000 requests that
    are refused (each one audited). The auditor filtering on the agent is told "No
    records match", with nothing saying that older records were not searched."""
    answer = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 2")
    assert answer.status_code == 202, answer.text
    await _flood_unauthenticated(harness, 2000)
    auditor = await sign_in(harness, "admin")
    try:
        page = await auditor.get("/ui/audit", params={"principal": "claims-bot"})
    finally:
        await auditor.aclose()
    assert page.status_code == 200
    shown = "action.requested" in page.text
    said = "No records match" not in page.text
    assert shown or said, "the agent's request is neither listed nor said to be out of reach"


async def test_the_auditors_principal_filter_reads_any_spelling(harness: Harness) -> None:
    """docs/security.md: every subject is compared in one normal form (case-folded,
    NFKC), "no spelling of a name is a second person". The auditor who looks up
    `Claims-Bot` (or `DANA`, for whom it acts) is told "No records match"."""
    answer = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 2")
    assert answer.status_code == 202, answer.text
    auditor = await sign_in(harness, "admin")
    try:
        pages = {
            spelling: (await auditor.get("/ui/audit", params={"principal": spelling})).text
            for spelling in ("claims-bot", "Claims-Bot", "DANA")
        }
    finally:
        await auditor.aclose()
    assert "action.requested" in pages["claims-bot"]
    missed = [s for s, page in pages.items() if "action.requested" not in page]
    assert not missed, f"no records for {missed}"


async def test_a_flood_of_bad_tokens_cannot_grow_the_audit_log_without_bound(
    harness: Harness,
) -> None:
    """docs/slack.md: refused callbacks are audited "at most 31 records a minute per
    source address ... so a flood of forgeries cannot grow the audit log without bound".
    The bearer-token doors have no such bound: 300 requests with a wrong token from one
    address, in well under a minute, write 300 records (request_limits.py `_audit`)."""
    before, _ = harness.gateway.audit_head()
    await _flood_unauthenticated(harness, 300)
    after, _ = harness.gateway.audit_head()
    assert after - before <= 31, f"{after - before} records from one source in one burst"


# --------------------------------------------------------------------------- audit masking

# A patient's identifiers (a row of the demo EHR) as an agent or a reviewer might quote
# them in free text: the detectors mask an SSN, an e-mail address or a phone number
# wherever it stands.
_QUOTED = "patient Jimmy Gaines, SSN 706-56-7705, bryansimpson@example.org, 899-346-2570"
_QUOTED_VALUES = ("Gaines", "706-56-7705", "bryansimpson@example.org", "899-346-2570")


async def test_the_reason_and_the_comments_are_masked_in_the_audit_log(harness: Harness) -> None:
    """docs/audit.md: "Records are masked before they are written"; DESIGN: audit records
    are masked. Reviewers see the reason masked (REST, console, Slack), but the records
    `action.requested` (`why.reason`) and `approval.vote` (`why.comment`) hold the
    text as sent, and so do `/v1/audit`, `/ui/audit` and every export."""
    answer = await harness.submit(
        "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = $1", params=[2], reason=_QUOTED
    )
    assert answer.status_code == 202, answer.text
    approval = answer.json()["approval"]["id"]
    shown = await harness.client.get(f"/v1/approvals/{approval}", headers=harness.auth("alice"))
    assert not [v for v in _QUOTED_VALUES if v in shown.text], "the reviewer view is masked"
    vote = await harness.client.post(
        f"/v1/approvals/{approval}/approve",
        headers=harness.auth("alice"),
        json={"comment": _QUOTED},
    )
    assert vote.status_code == 200, vote.text
    log = await harness.client.get("/v1/audit", headers=harness.auth("admin"))
    assert log.status_code == 200
    events = {r["event"] for r in log.json()["records"]}
    assert {"action.requested", "approval.vote"} <= events
    leaked = [v for v in _QUOTED_VALUES if v in log.text]
    assert not leaked, f"the audit log holds {leaked}"


async def test_held_statement_text_and_parameters_are_masked_in_the_audit_log(
    harness: Harness,
) -> None:
    """The same values as statement literals and bound parameters are masked."""
    answer = await harness.submit(
        "claims-bot",
        "UPDATE patients SET email = $1 WHERE ssn = '706-56-7705'",
        params=["bryansimpson@example.org"],
    )
    assert answer.status_code == 202, answer.text
    log = await harness.client.get("/v1/audit", headers=harness.auth("admin"))
    assert "action.requested" in log.text
    assert "706-56-7705" not in log.text and "bryansimpson@example.org" not in log.text


async def test_held_services_and_agents_in_a_reviewer_group_cannot_approve(
    harness: Harness,
) -> None:
    store = token_store(harness.gateway)
    service, _ = store.create(
        subject="ci-runner", kind=PrincipalKind.SERVICE, groups=("data-owners",)
    )
    agent, _ = store.create(
        subject="helper-bot", kind=PrincipalKind.AGENT, groups=("data-owners",), on_behalf_of="bob"
    )
    asked = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 2")
    approval = asked.json()["approval"]["id"]
    for token in (service, agent):
        vote = await harness.client.post(
            f"/v1/approvals/{approval}/approve",
            headers={"Authorization": f"Bearer {token}"},
            json={},
        )
        assert vote.status_code == 403 and "not_eligible" in vote.text, vote.text
    assert harness.gateway.approval(approval).state == "pending"


# --------------------------------------------------------------------------- token admin


@pytest.fixture
def gateway_config(tmp_path: Path, ehr_dsn: str) -> Path:
    """The demo configuration as a file, as an operator runs the CLI with it."""
    settings = demo_config(tmp_path, ehr_dsn)
    keys = settings.secrets
    path = tmp_path / "gateway.yaml"
    path.write_text(
        yaml.safe_dump(
            settings.model_dump(mode="json", exclude_defaults=False)
            | {
                "secrets": {
                    "token_hash_key": keys.token_hash_key.ref,
                    "masking_key": keys.masking_key.ref,
                }
            }
        )
    )
    return path


def test_issuing_and_revoking_a_token_is_in_the_audit_log(gateway_config: Path) -> None:
    """Every decision is recorded in the audit log. Issuing an API token decides who
    may act and approve: a second `data-owners` token is a second approver. Today an
    operator can create one, approve with it, and revoke it, and the log shows a vote
    by a subject that no record says was ever given access."""
    code, output = _cli(
        "token", "create", "--config", str(gateway_config),
        "--subject", "mallory", "--kind", "human", "--groups", "data-owners",
    )  # fmt: skip
    assert code == 0, output
    code, listing = _cli("token", "list", "--config", str(gateway_config), "--json")
    token_id = json.loads(listing)[0]["id"]
    code, output = _cli("token", "revoke", "--config", str(gateway_config), token_id)
    assert code == 0, output
    url = yaml.safe_load(gateway_config.read_text())["state"]["url"]
    db = Database(url)
    try:
        records = AuditLog(db).records()
    finally:
        db.dispose()
    mentioning = [r for r in records if token_id in json.dumps(r)]
    assert len(mentioning) >= 2, f"no record of issuing or revoking {token_id}: {records[-3:]}"


# --------------------------------------------------------------------------- bad input


def _nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


async def test_a_deeply_nested_parameter_is_a_clear_audited_400(harness: Harness) -> None:
    """Bad input of every kind gets a clear error in the caller's own protocol and is
    audited. A parameter that is a list nested 600 deep (legal JSON, 1.2 kB) reaches
    the recursive check for JSON objects in parameters and ends the request with an
    unhandled RecursionError, answered `500 internal_error` ("see the gateway log"),
    with no audit record."""
    app = build_app(harness.gateway)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://phigate.test") as client:
        before, _ = harness.gateway.audit_head()
        answer = await client.post(
            "/v1/actions",
            headers=harness.auth("claims-bot"),
            json={"connection": "ehr", "sql": "SELECT $1::text", "params": [_nested(600)]},
        )
    after, _ = harness.gateway.audit_head()
    assert (answer.status_code, after > before) == (400, True), (
        f"{answer.status_code} {answer.text[:200]}; audited: {after > before}"
    )


# -------------------------------------------------------------- the store failing mid-action


async def test_a_write_that_ran_is_never_answered_as_not_run(
    harness: Harness, ehr_dsn: str, tmp_path: Path
) -> None:
    """An approved write runs and commits upstream; then the state store refuses the
    outcome record (here a trigger stands in for a disk that filled up). After the 30 s
    the gateway retries, the requester is told `503 audit_unavailable`: "the audit log
    cannot be written, so the action was not run" (core/action_store.py
    `_not_recorded`, reached from `Execution._record_outcome`). It ran. An agent told
    so asks again, a reviewer approves again, and the write is made twice."""
    update = "UPDATE claims SET status = 'denied' WHERE id = 3"
    asked = await harness.submit("claims-bot", update)
    assert asked.status_code == 202, asked.text
    approval, action = asked.json()["approval"]["id"], asked.json()["id"]
    vote = await harness.client.post(
        f"/v1/approvals/{approval}/approve", headers=harness.auth("alice"), json={}
    )
    assert vote.status_code == 200, vote.text
    with psycopg.connect(ehr_dsn, autocommit=True) as conn:
        conn.execute("UPDATE claims SET status = 'paid' WHERE id = 3")
    state = sqlite3.connect(tmp_path / "state.db")
    state.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON audit_log"
        ' WHEN NEW.record LIKE \'%"event":"action.executed"%\''
        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    state.commit()
    state.close()
    ran = await harness.client.post(f"/v1/actions/{action}/run", headers=harness.auth("claims-bot"))
    with psycopg.connect(ehr_dsn) as conn:
        row = conn.execute("SELECT status FROM claims WHERE id = 3").fetchone()
    assert row is not None and row[0] == "denied", "the write did not run: nothing to check"
    assert "not run" not in ran.text, f"{ran.status_code} {ran.text}"


async def test_a_vote_the_log_cannot_record_is_a_clear_refusal(
    harness: Harness, tmp_path: Path
) -> None:
    """If the gateway cannot record, it refuses, clearly: a read is answered `503
    audit_unavailable`. A vote in the same state is `500 internal_error` ("see the
    gateway log"): the reviewer cannot tell a full disk from a bug, nor whether the
    vote counted (it did not; the approval stays pending)."""
    asked = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 2")
    approval = asked.json()["approval"]["id"]
    state = sqlite3.connect(tmp_path / "state.db")
    state.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    state.commit()
    state.close()
    transport = httpx.ASGITransport(app=build_app(harness.gateway), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://phigate.test") as client:
        read = await client.post(
            "/v1/actions",
            headers=harness.auth("claims-bot"),
            json={"connection": "ehr", "sql": "SELECT count(*) FROM claims"},
        )
        vote = await client.post(
            f"/v1/approvals/{approval}/approve", headers=harness.auth("alice"), json={}
        )
    assert read.status_code == 503 and "audit_unavailable" in read.text, read.text
    assert harness.gateway.approval(approval).state == "pending"
    assert vote.status_code == 503 and "audit_unavailable" in vote.text, (
        f"{vote.status_code} {vote.text}"
    )
