"""The core pipeline end to end: real PostgreSQL upstream, HTTP through the real app."""

from __future__ import annotations

import asyncio
import datetime
import json
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from phigate.core.errors import ConflictError
from phigate.store.tables import audit_log
from tests.conftest import Harness, demo_config, make_harness
from tests.support.state import token_store


def raw_patient_values(dsn: str, limit: int = 5) -> list[str]:
    """Identifying values as stored upstream (what must never leave the gateway)."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT first_name, last_name, ssn, mrn, email, phone, address, dob::text "
            "FROM patients ORDER BY id LIMIT %s",
            (limit,),
        ).fetchall()
    return [value for row in rows for value in row]


async def test_masked_read_hides_every_identifier(harness: Harness, ehr_dsn: str) -> None:
    response = await harness.submit("claims-bot", "SELECT * FROM patients ORDER BY id LIMIT 5")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "executed"
    result = body["result"]
    assert result["row_count"] == 5
    assert result["columns"][:3] == ["id", "first_name", "last_name"]
    text = json.dumps(result)
    leaked = [value for value in raw_patient_values(ehr_dsn) if value in text]
    assert leaked == []
    assert [row[0] for row in result["rows"]] == [1, 2, 3, 4, 5]  # ids are not PHI
    dob = result["columns"].index("dob")
    this_year = datetime.date.today().year
    for row in result["rows"]:  # Safe Harbor: the year only, and no year implying 90+
        assert row[dob] == f"{this_year - 90} or earlier" or this_year - 89 <= int(row[dob])
    assert sum(result["masked"].values()) >= 5 * 7


async def test_free_text_notes_are_scanned(harness: Harness, ehr_dsn: str) -> None:
    response = await harness.submit(
        "dana", "SELECT note_text FROM clinical_notes ORDER BY id LIMIT 20"
    )
    assert response.status_code == 200, response.text
    text = json.dumps(response.json()["result"]["rows"])
    with psycopg.connect(ehr_dsn) as conn:
        people = conn.execute(
            "SELECT p.ssn, p.phone, p.email FROM patients p JOIN clinical_notes n "
            "ON n.patient_id = p.id ORDER BY n.id LIMIT 20"
        ).fetchall()
    leaked = [v for row in people for v in row if v in text]
    assert leaked == []


async def test_catalog_structure_is_not_masked(harness: Harness) -> None:
    """Types and names from the system catalogs are schema: a column called `name`
    would otherwise be masked as a person."""
    response = await harness.submit(
        "claims-bot",
        "SELECT t.oid, t.typname AS name FROM pg_catalog.pg_type t WHERE t.typname = 'int4'",
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"]["rows"] == [[23, "int4"]]
    record = harness.gateway.action(response.json()["id"])
    assert record.description.detail["catalog_only"] is True
    response = await harness.submit(
        "claims-bot", "SELECT 'int4' AS name FROM patients WHERE id = 1"
    )
    assert response.json()["result"]["rows"] == [["[PERSON]"]]  # the same name, not catalog


async def test_ddl_is_denied_with_rule_and_reason(harness: Harness) -> None:
    response = await harness.submit("claims-bot", "DROP TABLE patients")
    assert response.status_code == 403
    body = response.json()
    assert body["status"] == "denied"
    assert body["rule"] == "schema-privilege-admin-denied"
    assert "never run" in body["reason"]


async def test_unparseable_sql_is_unknown_and_denied(harness: Harness) -> None:
    response = await harness.submit("claims-bot", "SELEC * FROM patients")
    assert response.status_code == 403
    assert response.json()["rule"] == "unknown-denied"
    # The parser's message and position, so the caller can fix the statement.
    assert 'syntax error at or near "SELEC", at index 0' in response.json()["reason"]


async def pending_write(h: Harness, subject: str = "claims-bot") -> dict[str, object]:
    response = await h.submit(
        subject,
        "UPDATE claims SET status = 'paid' WHERE id = 1",
        reason="claim 1 was paid by phone",
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending_approval"
    assert body["approval"]["required"] == 1
    assert body["approval"]["eligible_groups"] == ["data-owners"]
    return body


async def test_write_waits_for_approval_then_runs_once(harness: Harness, ehr_dsn: str) -> None:
    body = await pending_write(harness)
    approval_id, action_id = body["approval"]["id"], body["id"]
    inbox = await harness.client.get("/v1/approvals?status=pending", headers=harness.auth("alice"))
    assert [a["id"] for a in inbox.json()["approvals"]] == [approval_id]
    shown = inbox.json()["approvals"][0]["action"]
    assert shown["requested_by"]["on_behalf_of"] == "dana"
    assert shown["risk"] == "write" and "UPDATE claims" in shown["text"]

    early = await harness.client.post(
        f"/v1/actions/{action_id}/run", headers=harness.auth("claims-bot")
    )
    assert early.status_code == 409

    vote = await harness.client.post(
        f"/v1/approvals/{approval_id}/approve",
        headers=harness.auth("alice"),
        json={"comment": "ok"},
    )
    assert vote.status_code == 200 and vote.json()["state"] == "approved"

    run = await harness.client.post(
        f"/v1/actions/{action_id}/run", headers=harness.auth("claims-bot")
    )
    assert run.status_code == 200, run.text
    assert run.json()["result"]["status"].startswith("UPDATE 1")
    # round 10: an UPDATE without RETURNING counts the row it changed, not the rows shown
    assert run.json()["result"]["row_count"] == 1 and run.json()["result"]["rows"] == []
    again = await harness.client.post(
        f"/v1/actions/{action_id}/run", headers=harness.auth("claims-bot")
    )
    assert again.status_code == 409
    stolen = await harness.client.post(
        f"/v1/actions/{action_id}/run", headers=harness.auth("alice")
    )
    assert stolen.status_code in (403, 409)


@pytest.mark.parametrize(
    ("voter", "why"),
    [
        ("claims-bot", "only humans"),  # the requester, an agent
        ("dana", "acts for"),  # the human the agent acts for
        ("admin", "only members of data-owners"),  # not in the eligible group
    ],
)
async def test_ineligible_approvers_are_refused(harness: Harness, voter: str, why: str) -> None:
    body = await pending_write(harness)
    response = await harness.client.post(
        f"/v1/approvals/{body['approval']['id']}/approve", headers=harness.auth(voter), json={}
    )
    assert response.status_code == 403
    assert why in response.json()["error"]["message"]
    state = await harness.client.get(
        f"/v1/approvals/{body['approval']['id']}", headers=harness.auth("alice")
    )
    assert state.json()["state"] == "pending"


async def test_human_requester_cannot_approve_own_request(harness: Harness) -> None:
    body = await pending_write(harness, subject="alice")
    response = await harness.client.post(
        f"/v1/approvals/{body['approval']['id']}/approve", headers=harness.auth("alice"), json={}
    )
    assert response.status_code == 403
    assert "requester" in response.json()["error"]["message"]


async def test_agent_token_cannot_vote_even_in_eligible_group(tmp_path: Path, ehr_dsn: str) -> None:
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    try:
        from phigate.identity.principal import PrincipalKind

        rogue, _ = token_store(h.gateway).create(
            subject="rogue-bot",
            kind=PrincipalKind.AGENT,
            groups=("data-owners",),
            on_behalf_of="bob",
        )
        body = await pending_write(h)
        response = await h.client.post(
            f"/v1/approvals/{body['approval']['id']}/approve",
            headers={"Authorization": f"Bearer {rogue}"},
            json={},
        )
        assert response.status_code == 403
    finally:
        await h.client.aclose()
        await h.gateway.close()


def two_person_settings(tmp_path: Path, dsn: str, expires_in: int = 3600) -> object:
    return demo_config(
        tmp_path,
        dsn,
        overrides={
            "policy": {
                "rules": [
                    {"name": "read", "match": {"risk": ["read"]}, "decision": "allow"},
                    {
                        "name": "two-person-writes",
                        "match": {"risk": ["write"]},
                        "decision": "approve",
                        "approvals": {
                            "count": 2,
                            "groups": ["data-owners", "admins"],
                            "expires_in": expires_in,
                        },
                    },
                ]
            }
        },
    )


async def test_two_approvals_need_two_distinct_humans(tmp_path: Path, ehr_dsn: str) -> None:
    h = await make_harness(two_person_settings(tmp_path, ehr_dsn))  # type: ignore[arg-type]
    try:
        body = await pending_write(h) if False else None
        response = await h.submit("claims-bot", "DELETE FROM claims WHERE id = 2")
        assert response.status_code == 202
        body = response.json()
        approval = body["approval"]["id"]
        first = await h.client.post(
            f"/v1/approvals/{approval}/approve", headers=h.auth("alice"), json={}
        )
        assert first.json()["state"] == "pending"
        twice = await h.client.post(
            f"/v1/approvals/{approval}/approve", headers=h.auth("alice"), json={}
        )
        assert twice.status_code == 403 and "already voted" in twice.json()["error"]["message"]
        second = await h.client.post(
            f"/v1/approvals/{approval}/approve", headers=h.auth("bob"), json={}
        )
        assert second.json()["state"] == "approved"
        assert [v["voter"] for v in second.json()["votes"]] == ["alice", "bob"]
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_one_denial_decides(harness: Harness) -> None:
    body = await pending_write(harness)
    deny = await harness.client.post(
        f"/v1/approvals/{body['approval']['id']}/deny",
        headers=harness.auth("bob"),
        json={"comment": "not today"},
    )
    assert deny.json()["state"] == "denied"
    late = await harness.client.post(
        f"/v1/approvals/{body['approval']['id']}/approve", headers=harness.auth("alice"), json={}
    )
    assert late.status_code == 409
    run = await harness.client.post(
        f"/v1/actions/{body['id']}/run", headers=harness.auth("claims-bot")
    )
    assert run.status_code == 409


async def test_expired_requests_cannot_be_approved_or_run(tmp_path: Path, ehr_dsn: str) -> None:
    h = await make_harness(two_person_settings(tmp_path, ehr_dsn, expires_in=1))  # type: ignore[arg-type]
    try:
        response = await h.submit("claims-bot", "DELETE FROM claims WHERE id = 3")
        approval = response.json()["approval"]["id"]
        await asyncio.sleep(1.2)
        vote = await h.client.post(
            f"/v1/approvals/{approval}/approve", headers=h.auth("alice"), json={}
        )
        assert vote.status_code == 410, vote.text  # before the sweep has recorded it
        state = await h.client.get(f"/v1/approvals/{approval}", headers=h.auth("alice"))
        assert state.json()["state"] == "expired"
        vote = await h.client.post(f"/v1/approvals/{approval}/deny", headers=h.auth("bob"), json={})
        assert vote.status_code == 410, vote.text  # after: still Gone, as the README says
        run = await h.client.post(
            f"/v1/actions/{response.json()['id']}/run", headers=h.auth("claims-bot")
        )
        assert run.status_code == 410, run.text
        assert run.json()["error"]["code"] == "expired"
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_concurrent_runs_execute_once(harness: Harness, ehr_dsn: str) -> None:
    response = await harness.submit(
        "claims-bot",
        "INSERT INTO claims SELECT 90000 + count(*), 1, "
        "'Aetna', 'X1', 1, '99213', 'I10', 'paid', current_date FROM claims",
    )
    assert response.status_code == 202, response.text
    body = response.json()
    await harness.client.post(
        f"/v1/approvals/{body['approval']['id']}/approve", headers=harness.auth("alice"), json={}
    )
    runs = await asyncio.gather(
        *[
            harness.client.post(f"/v1/actions/{body['id']}/run", headers=harness.auth("claims-bot"))
            for _ in range(5)
        ]
    )
    assert sorted(r.status_code for r in runs) == [200, 409, 409, 409, 409]
    with psycopg.connect(ehr_dsn) as conn:
        inserted = conn.execute("SELECT count(*) FROM claims WHERE id >= 90000").fetchone()
    assert inserted == (1,)


async def test_a_claim_runs_only_the_action_its_approval_is_bound_to(harness: Harness) -> None:
    """A waiter claims by the approval it read: one bound to another action claims
    nothing, and the approved action is still there for its own claim."""
    first, second = [
        (
            await harness.submit("claims-bot", f"UPDATE claims SET status = 'paid' WHERE id = {n}")
        ).json()
        for n in (5, 6)
    ]
    await harness.client.post(
        f"/v1/approvals/{first['approval']['id']}/approve", headers=harness.auth("alice"), json={}
    )
    gateway = harness.gateway
    bot = await gateway.authenticate(harness.tokens["claims-bot"])
    approved = gateway.approval(first["approval"]["id"])
    with pytest.raises(ConflictError, match="another action"):
        await gateway.claim(gateway.action(second["id"]), bot, approved)
    assert gateway.approval(first["approval"]["id"]).state.value == "approved"
    claimed = await gateway.claim(gateway.action(first["id"]), bot, approved)
    assert claimed.record.status.value == "executing"
    assert gateway.approval(first["approval"]["id"]).state.value == "executed"


async def test_wait_holds_until_approved(harness: Harness) -> None:
    async def approve_soon() -> None:
        for _ in range(40):
            await asyncio.sleep(0.1)
            inbox = await harness.client.get(
                "/v1/approvals?status=pending", headers=harness.auth("bob")
            )
            items = inbox.json()["approvals"]
            if items:
                await harness.client.post(
                    f"/v1/approvals/{items[0]['id']}/approve", headers=harness.auth("bob"), json={}
                )
                return

    reviewer = asyncio.create_task(approve_soon(), name="reviewer")
    response = await harness.submit(
        "claims-bot", "UPDATE claims SET status = 'pending' WHERE id = 4", wait=10
    )
    await reviewer
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "executed"


async def test_audit_chain_verifies_and_detects_tampering(harness: Harness) -> None:
    await harness.submit("claims-bot", "SELECT count(*) FROM patients")
    await pending_write(harness)
    verify = await harness.client.get("/v1/audit/verify", headers=harness.auth("admin"))
    assert verify.json()["ok"] is True and verify.json()["records"] >= 4
    forbidden = await harness.client.get("/v1/audit/verify", headers=harness.auth("alice"))
    assert forbidden.status_code == 403

    records = (await harness.client.get("/v1/audit", headers=harness.auth("admin"))).json()[
        "records"
    ]
    assert records[0]["event"] == "policy.loaded" and len(records[0]["policy_hash"]) == 64
    # Every record says who acted, or on what (an approval, a token and who made it).
    assert all("who" in r or "approval_id" in r or "token" in r for r in records[1:])
    seq = next(r["seq"] for r in records if "who" in r)  # tokens are recorded first
    with harness.gateway.db.write() as conn:
        body = json.loads(
            conn.execute(sa.select(audit_log.c.record).where(audit_log.c.seq == seq)).scalar_one()
        )
        body["who"]["subject"] = "someone-else"
        conn.execute(
            audit_log.update()
            .where(audit_log.c.seq == seq)
            .values(record=json.dumps(body, sort_keys=True, separators=(",", ":")))
        )
    broken = (await harness.client.get("/v1/audit/verify", headers=harness.auth("admin"))).json()
    assert broken["ok"] is False and broken["first_bad_seq"] == seq


async def test_audit_down_refuses_the_action(harness: Harness, ehr_dsn: str) -> None:
    with harness.gateway.db.write() as conn:
        conn.exec_driver_sql("DROP TABLE audit_head")
    response = await harness.submit("claims-bot", "SELECT count(*) FROM patients")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "audit_unavailable"


async def test_a_stopped_state_writer_refuses_the_action(harness: Harness) -> None:
    await asyncio.to_thread(harness.gateway.writes.close)
    response = await harness.submit("claims-bot", "SELECT count(*) FROM patients")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "audit_unavailable"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": "Bearer phg_not-a-real-token"}, 401),
        ({"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}, 401),
        ({"Authorization": "Basic YWxpY2U6c2VjcmV0"}, 401),
    ],
)
async def test_bad_credentials_are_refused(
    harness: Harness, headers: dict[str, str], status: int
) -> None:
    response = await harness.client.post(
        "/v1/actions", headers=headers, json={"connection": "ehr", "sql": "SELECT 1"}
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_revoked_and_expired_tokens_are_refused(harness: Harness) -> None:
    from phigate.identity.principal import PrincipalKind

    token, info = token_store(harness.gateway).create(subject="temp", kind=PrincipalKind.HUMAN)
    ok = await harness.client.get("/v1/approvals", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    token_store(harness.gateway).revoke(info.id)
    revoked = await harness.client.get(
        "/v1/approvals", headers={"Authorization": f"Bearer {token}"}
    )
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]["message"]
    short, _ = token_store(harness.gateway).create(
        subject="brief", kind=PrincipalKind.HUMAN, expires_in=1
    )
    await asyncio.sleep(1.1)
    expired = await harness.client.get(
        "/v1/approvals", headers={"Authorization": f"Bearer {short}"}
    )
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]


async def test_a_token_revoked_elsewhere_is_refused_at_once_though_recently_seen(
    harness: Harness,
) -> None:
    """`POST /v1/actions` takes a token seen moments ago from memory; the record of each
    action re-reads it, so a revocation by another replica (its own token store over
    the same state) refuses the very next action: nothing recorded or run for it, the
    refusal audited, and no refusal of any other kind tells it anything."""
    from phigate.identity.principal import PrincipalKind

    token, info = token_store(harness.gateway).create(subject="temp", kind=PrincipalKind.SERVICE)
    auth = {"Authorization": f"Bearer {token}"}
    read = {"connection": "ehr", "sql": "SELECT 1"}
    for _ in range(2):  # the second is served from memory
        assert (await harness.client.post("/v1/actions", headers=auth, json=read)).is_success
    token_store(harness.gateway).revoke(info.id)
    requested = _requests_of(harness, "temp")
    for body in (read, {"connection": "nowhere", "sql": "SELECT 1"}):
        refused = await harness.client.post("/v1/actions", headers=auth, json=body)
        assert refused.status_code == 401, refused.text
        # Said by the record's transaction: the principal came from memory.
        assert "is revoked or has expired" in refused.json()["error"]["message"]
    assert _requests_of(harness, "temp") == requested
    elsewhere = await harness.client.get("/v1/approvals", headers=auth)  # never from memory
    assert elsewhere.status_code == 401
    refusals = [r for r in harness.gateway.audit_records() if r["event"] == "auth.refused"]
    # The reason is free text, masked before it is written: the masker reads a capitalised
    # run after `_` or `-` in about 2% of random ids as a name (`tok_0f4CwS-auL_[PERSON]`,
    # a known over-masking), so the id is matched by its head (the prefix and the time's
    # two leading characters: no `_` or `-` followed by a capital there), never masked.
    said = f"API token {info.id[:6]}"
    assert len(refusals) == 3 and all(r["why"]["reason"].startswith(said) for r in refusals)


def _requests_of(harness: Harness, subject: str) -> int:
    records = harness.gateway.audit_records(limit=10_000)
    return sum(
        1
        for r in records
        if r["event"].startswith("action.") and r.get("who", {}).get("subject") == subject
    )


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"[]",
        b'{"connection": "ehr"}',
        b'{"connection": "ehr", "sql": "SELECT 1", "wait": 999}',
        b'{"connection": "ehr", "sql": "SELECT 1", "surprise": true}',
    ],
)
async def test_bad_json_gets_clear_400(harness: Harness, payload: bytes) -> None:
    response = await harness.client.post(
        "/v1/actions",
        content=payload,
        headers={**harness.auth("dana"), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert "Traceback" not in response.text


async def test_unknown_connection_is_404(harness: Harness) -> None:
    response = await harness.client.post(
        "/v1/actions", headers=harness.auth("dana"), json={"connection": "nope", "sql": "SELECT 1"}
    )
    assert response.status_code == 404


async def test_health_ready_metrics(harness: Harness) -> None:
    await harness.submit("dana", "SELECT 1")
    assert (await harness.client.get("/healthz")).json() == {"status": "ok"}
    assert (await harness.client.get("/readyz")).status_code == 200
    metrics = (await harness.client.get("/metrics")).text
    assert "phigate_decisions_total" in metrics and "phigate_action_seconds_bucket" in metrics
    openapi = (await harness.client.get("/openapi.json")).json()
    assert "/v1/actions" in openapi["paths"]


async def test_audit_records_scrub_phi_in_the_action_but_bind_it(
    harness: Harness, ehr_dsn: str
) -> None:
    with psycopg.connect(ehr_dsn) as conn:
        ssn = conn.execute("SELECT ssn FROM patients WHERE id = 9").fetchone()[0]  # type: ignore[index]
    response = await harness.submit("dana", f"SELECT id FROM patients WHERE ssn = '{ssn}'")
    assert response.status_code == 202  # filtering on a masked column needs a data owner
    await harness.client.post(
        f"/v1/approvals/{response.json()['approval']['id']}/approve",
        headers=harness.auth("alice"),
        json={},
    )
    run = await harness.client.post(
        f"/v1/actions/{response.json()['id']}/run", headers=harness.auth("dana")
    )
    assert run.json()["result"]["rows"] == [[9]]
    records = harness.gateway.audit_records()
    assert ssn not in json.dumps(records)
    requested = [r for r in records if r["event"] == "action.requested"][-1]
    assert len(requested["what"]["fingerprint"]) == 64
    assert "WHERE ssn =" in requested["what"]["body"]["sql"]


async def test_refused_requests_are_audited(harness: Harness) -> None:
    await harness.client.get("/v1/approvals", headers={"Authorization": "Bearer phg_forged"})
    await harness.client.post("/v1/actions", headers=harness.auth("dana"), json={"sql": 1})
    await harness.client.post(
        "/v1/actions", headers=harness.auth("dana"), json={"connection": "crm", "sql": "SELECT 1"}
    )
    events = [
        (r["event"], r["why"]["reason"]) for r in harness.gateway.audit_records() if "why" in r
    ]
    assert ("auth.refused", "unknown API token") in events
    assert any(e == "request.invalid" and "connection" in why for e, why in events)
    assert any(e == "action.refused" and "crm" in why for e, why in events)
    assert harness.gateway.verify_audit().ok


async def test_sql_no_upstream_can_carry_is_refused_before_policy_and_audited(
    harness: Harness,
) -> None:
    """Round 6 finding 3: the caller learns which value is wrong, nothing is recorded
    as running or sent to reviewers, and the refusal is on the audit log."""
    cases = [
        ({"sql": "UPDATE claims SET status = $1 WHERE id = 3", "params": ["ok", "a\u0000"]}, "$2"),
        ({"sql": "SELECT $1::int", "params": [[1, {"a": 1}]]}, "$1::jsonb"),
        ({"sql": "SELECT 1 /* \u0000 */"}, "NUL"),
        ({"sql": "-- nothing\n;"}, "no statement"),
        # Round 18b finding 7: the COPY sub-protocol is the wire door's alone.
        ({"sql": "COPY (SELECT id FROM claims) TO STDOUT"}, "wire door"),
        ({"sql": "copy claims (status) from stdin with (format csv)"}, "wire door"),
        ({"sql": "SELECT 1; COPY claims TO STDOUT"}, "wire door"),
    ]
    for body, expected in cases:
        answer = await harness.client.post(
            "/v1/actions", headers=harness.auth("claims-bot"), json={"connection": "ehr", **body}
        )
        assert answer.status_code == 400, answer.text
        assert expected in answer.json()["error"]["message"], answer.text
    assert harness.gateway.list_approvals(state="pending") == []
    refused = [
        r["why"]["reason"]
        for r in harness.gateway.audit_records()
        if r["event"] == "action.refused"
    ]
    assert len(refused) == len(cases), refused
    fine = await harness.client.post(
        "/v1/actions",
        headers=harness.auth("claims-bot"),
        json={"connection": "ehr", "sql": "SELECT $1::text[]", "params": [["a", "b"]]},
    )
    assert fine.status_code == 200, fine.text  # an array value is carried
    to_file = await harness.client.post(
        "/v1/actions",
        headers=harness.auth("claims-bot"),
        json={"connection": "ehr", "sql": "COPY claims TO '/tmp/claims.csv'"},
    )
    assert to_file.status_code == 403, to_file.text  # a server file: admin, decided as such


async def test_bulk_reads_over_the_row_estimate_are_exports(tmp_path: Path, ehr_dsn: str) -> None:
    settings = demo_config(tmp_path, ehr_dsn)
    ehr = settings.connections["ehr"].model_copy(update={"export_row_estimate": 100})
    h = await make_harness(settings.model_copy(update={"connections": {"ehr": ehr}}))
    try:
        small = await h.submit("claims-bot", "SELECT id FROM patients WHERE id < 5")
        assert small.status_code == 200, small.text
        bulk = await h.submit("claims-bot", "SELECT * FROM encounters")
        assert bulk.status_code == 202, bulk.text  # exports need a data owner in the demo
        record = h.gateway.action(bulk.json()["id"])
        assert record.description.risk.value == "export"
        assert any("planner expects" in r for r in record.description.reasons)
        bound = await h.submit("claims-bot", "SELECT * FROM encounters WHERE id > $1", params=[0])
        assert bound.status_code == 202
        record = h.gateway.action(bound.json()["id"])
        assert record.description.risk.value == "export"
        connector = h.gateway.connector("ehr")
        generic = await connector._estimate_rows(  # type: ignore[attr-defined]
            "SELECT * FROM encounters WHERE patient_id <> $1", []
        )
        assert generic > 100  # a wire Parse has no values yet: planned generically
        hidden = await h.submit("claims-bot", "SELECT 1; SELECT * FROM clinical_notes, claims")
        assert hidden.status_code == 202  # a second statement cannot hide the bulk read
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_reviewers_never_see_literal_phi_in_the_action(
    harness: Harness, ehr_dsn: str
) -> None:
    with psycopg.connect(ehr_dsn) as conn:
        row = conn.execute("SELECT ssn, email FROM patients WHERE id = 11").fetchone()
    assert row is not None
    ssn, email = row
    response = await harness.submit(
        "claims-bot",
        "UPDATE patients SET phone = NULL WHERE ssn = $1",
        params=[ssn],
        reason=f"patient {email} asked us to remove the phone",
    )
    assert response.status_code == 202, response.text
    approval = response.json()["approval"]["id"]
    await harness.client.post(
        f"/v1/approvals/{approval}/deny",
        headers=harness.auth("alice"),
        json={"comment": f"not without a ticket for {ssn}"},
    )
    view = await harness.client.get(f"/v1/approvals/{approval}", headers=harness.auth("bob"))
    assert view.status_code == 200
    assert ssn not in view.text and email not in view.text
    assert "UPDATE patients SET phone = NULL WHERE ssn = $1" in view.json()["action"]["text"]


def test_a_repeated_statement_is_scrubbed_like_the_first(harness: Harness) -> None:
    """The audit scrub remembers statement texts; every copy is masked the same way."""
    body = {"sql": "SELECT 1 WHERE note = 'SSN 123-45-6789'", "params": ["555-12-3456", 7]}
    first, second = harness.gateway.scrub(body), harness.gateway.scrub(dict(body))
    assert first == second
    assert "123-45-6789" not in json.dumps(first) and "555-12-3456" not in json.dumps(first)
    assert first["sql"] == harness.gateway.views._scrub_sql_uncached(body["sql"])
    # Each value in the constant replaced by what it held, the rest kept (round 6, 7)
    assert first["sql"] == "SELECT 1 WHERE note = 'SSN [SSN]'"
    assert "123-45-6789" not in repr(harness.gateway.views._scrubbed_sql)  # remembered by hash


async def test_a_second_identity_is_still_the_same_person(tmp_path: Path, ehr_dsn: str) -> None:
    """dana also holds a token under her e-mail address (as an OIDC sign-in might name
    her). Declared as one person, that identity cannot approve her agent's request; a
    reviewer's alias votes once, under the reviewer's subject, recording which was used."""
    overrides = {
        "identity": {
            "auditor_groups": ["auditors"],
            "aliases": {"dana": ["dana@example.org"], "alice": ["00u-alice"]},
        }
    }
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    try:
        from phigate.identity.principal import PrincipalKind

        second = {
            name: token_store(h.gateway).create(
                subject=name, kind=PrincipalKind.HUMAN, groups=("data-owners", "clinicians")
            )[0]
            for name in ("dana@example.org", "00u-alice")
        }
        body = await pending_write(h)
        approval = f"/v1/approvals/{body['approval']['id']}"
        refused = await h.client.post(
            f"{approval}/approve",
            headers={"Authorization": f"Bearer {second['dana@example.org']}"},
            json={},
        )
        assert refused.status_code == 403
        assert "acts for" in refused.json()["error"]["message"]
        voted = await h.client.post(
            f"{approval}/approve",
            headers={"Authorization": f"Bearer {second['00u-alice']}"},
            json={},
        )
        assert voted.status_code == 200, voted.text
        again = await h.client.post(f"{approval}/approve", headers=h.auth("alice"), json={})
        assert again.status_code in (403, 409)  # alice already voted, under her alias
        votes = [r for r in h.gateway.audit_records() if r["event"] == "approval.vote"]
        assert [v["who"]["subject"] for v in votes] == ["alice"]
        assert votes[0]["who"]["signed_in_as"] == "00u-alice"
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_a_request_nobody_can_decide_says_so_in_the_202(harness: Harness) -> None:
    """Demo rule: writes need one approval from data-owners; alice and bob lose theirs."""
    body = await pending_write(harness)
    assert "no_reviewer" not in body  # alice and bob can decide it
    for reviewer in ("alice", "bob"):
        for info in token_store(harness.gateway).list(subject=reviewer):
            token_store(harness.gateway).revoke(info.id)
    body = await pending_write(harness, "dana")
    assert "no reviewer can decide this request" in str(body["no_reviewer"])
    assert "data-owners" in str(body["no_reviewer"])
