"""Unmasked access only through approval (reveal) or break-glass, reviewed afterwards."""

from __future__ import annotations

import json

import psycopg

from phigate.approvals import ApprovalEvent
from tests.conftest import Harness

DOB_SQL = "SELECT id, dob FROM patients WHERE id = 3"


def raw_dob(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT dob::text FROM patients WHERE id = 3").fetchone()
    assert row is not None
    return str(row[0])


async def approve(h: Harness, approval_id: str, who: str = "alice") -> dict[str, object]:
    response = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=h.auth(who), json={"comment": "reviewed"}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_reveal_waits_for_approval_and_unmasks_only_that_run(
    harness: Harness, ehr_dsn: str
) -> None:
    dob = raw_dob(ehr_dsn)
    masked = await harness.submit("claims-bot", DOB_SQL)
    assert masked.status_code == 200 and dob not in masked.text

    asked = await harness.submit("claims-bot", DOB_SQL, reveal=["DATE"], reason="age check")
    assert asked.status_code == 202, asked.text
    approval_id = asked.json()["approval"]["id"]
    shown = (
        await harness.client.get(f"/v1/approvals/{approval_id}", headers=harness.auth("alice"))
    ).json()
    assert shown["action"]["reveal"] == ["DATE"]
    assert (
        "revealing DATE"
        in (
            await harness.client.get(
                f"/v1/actions/{asked.json()['id']}", headers=harness.auth("alice")
            )
        ).json()["decision_reason"]
    )
    await approve(harness, approval_id)

    run = await harness.client.post(
        f"/v1/actions/{asked.json()['id']}/run", headers=harness.auth("claims-bot")
    )
    assert run.status_code == 200 and run.json()["result"]["rows"] == [[3, dob]]

    after = await harness.submit("claims-bot", DOB_SQL)
    assert after.status_code == 200 and dob not in after.text
    again = await harness.submit("claims-bot", DOB_SQL, reveal=["DATE"])
    assert again.status_code == 202  # the approval was used once; a new reveal asks again


async def test_approved_reveal_cannot_be_reused_for_another_action(
    harness: Harness, ehr_dsn: str
) -> None:
    asked = await harness.submit("claims-bot", DOB_SQL, reveal=["DATE"])
    await approve(harness, asked.json()["approval"]["id"])
    other = await harness.submit(
        "claims-bot", "SELECT id, dob FROM patients WHERE id = 4", reveal=["DATE"]
    )
    assert other.status_code == 202
    wider = await harness.submit("claims-bot", DOB_SQL, reveal=["DATE", "PERSON"])
    assert wider.status_code == 202
    same = await harness.submit("claims-bot", DOB_SQL, reveal=["DATE"])
    assert same.status_code == 200 and raw_dob(ehr_dsn) in same.text  # the approved one, once


async def test_an_unknown_entity_type_to_reveal_is_refused_with_the_valid_ones(
    harness: Harness,
) -> None:
    response = await harness.submit("claims-bot", DOB_SQL, reveal=["BOGUS", "DATE"])
    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert "BOGUS" in message and "DATE" in message and "PERSON" in message
    pending = await harness.client.get("/v1/approvals", headers=harness.auth("alice"))
    assert pending.json()["approvals"] == []  # nothing was put in front of reviewers


async def test_agents_are_never_shown_secrets(harness: Harness) -> None:
    for extra in ({"reveal": ["SECRET"]}, {"masking": "none"}):
        response = await harness.submit("claims-bot", DOB_SQL, **extra)
        assert response.status_code == 403, response.text
        assert "never shown secrets" in response.json()["reason"]


async def test_break_glass_runs_at_once_notifies_and_needs_review(
    harness: Harness, ehr_dsn: str
) -> None:
    events: list[ApprovalEvent] = []
    harness.gateway.subscribe_approvals(events.append)
    response = await harness.submit(
        "dana",
        DOB_SQL,
        masking="none",
        break_glass=True,
        reason="patient unconscious in ED, confirming identity",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["break_glass"] is True and body["result"]["rows"] == [[3, raw_dob(ehr_dsn)]]

    assert [e.name for e in events] == ["approval.requested"]
    review = events[0].approval
    assert review.purpose == "break_glass_review" and review.action_id == body["id"]
    records = harness.gateway.audit_records()
    flagged = [r for r in records if r["event"] == "action.break_glass"]
    assert len(flagged) == 1 and "unconscious" in flagged[0]["why"]["reason"]

    self_review = await harness.client.post(
        f"/v1/approvals/{review.id}/approve", headers=harness.auth("dana"), json={}
    )
    assert self_review.status_code == 403
    judged = await approve(harness, review.id, who="bob")
    assert judged["state"] == "approved" and judged["purpose"] == "break_glass_review"
    verdicts = [r for r in harness.gateway.audit_records() if r["event"] == "break_glass.reviewed"]
    assert [(v["verdict"], v["who"]["subject"]) for v in verdicts] == [("justified", "bob")]
    rerun = await harness.client.post(f"/v1/actions/{body['id']}/run", headers=harness.auth("dana"))
    assert rerun.status_code == 409
    assert json.dumps(harness.gateway.audit_records()).count(raw_dob(ehr_dsn)) == 0


async def test_break_glass_is_refused_to_agents_and_without_reason(harness: Harness) -> None:
    agent = await harness.submit(
        "claims-bot", DOB_SQL, reveal=["DATE"], break_glass=True, reason="urgent"
    )
    assert agent.status_code == 403 and "never agents" in agent.json()["reason"]
    silent = await harness.submit("dana", DOB_SQL, reveal=["DATE"], break_glass=True)
    assert silent.status_code == 403 and "needs a reason" in silent.json()["reason"]
    # Zero-width and format characters pass `.strip()` but say nothing.
    for blank in ("\u200b\u200d\ufeff", " \u2060\u00ad\u202e ", "\U000e0041\u034f"):
        hidden = await harness.submit(
            "dana", DOB_SQL, reveal=["DATE"], break_glass=True, reason=blank
        )
        assert hidden.status_code == 403 and "needs a reason" in hidden.json()["reason"]
    not_allowed = await harness.submit(
        "alice", DOB_SQL, reveal=["DATE"], break_glass=True, reason="curious"
    )
    assert (
        not_allowed.status_code == 403
        and "does not allow break-glass" in not_allowed.json()["reason"]
    )
