"""Free text in audit records is masked before it is written, in every record.

docs/audit.md: "Records are masked before they are written." What a person or an
agent typed (a reason, a comment, a refusal's detail, an error) is masked with the
audit masker the reviewer views use; ids, hashes, rules and event names are not,
and the chain still verifies (records are hashed after masking).
"""

from __future__ import annotations

from typing import Any

from phigate.audit.free_text import mask_free_text
from tests.conftest import Harness

QUOTED = "patient Jimmy Gaines, SSN 706-56-7705, bryansimpson@example.org, 899-346-2570"
VALUES = ("Gaines", "706-56-7705", "bryansimpson@example.org", "899-346-2570")


def shout(text: str) -> str:
    return text.upper()


def test_free_text_is_masked_and_structure_is_not() -> None:
    record: dict[str, Any] = {
        "action_id": "act_abc",
        "approval_id": "apr_def",
        "who": {"subject": "dana", "groups": ["clinicians"]},
        "why": {"reason": "typed", "comment": "typed", "rule": "writes", "code": "idle"},
        "result": {"error": "typed", "rows": 1, "finished_after_interrupt": {"error": "typed"}},
        "token": {"id": "tok_1", "description": "typed", "subject": "ci"},
        "detail": "typed",
    }
    masked = mask_free_text(record, shout)
    why = {"reason": "TYPED", "comment": "TYPED", "rule": "writes", "code": "idle"}
    assert masked["why"] == why
    assert masked["result"] == {
        "error": "TYPED",
        "rows": 1,
        "finished_after_interrupt": {"error": "TYPED"},
    }
    assert masked["token"] == {"id": "tok_1", "description": "TYPED", "subject": "ci"}
    assert masked["detail"] == "TYPED"
    assert masked["action_id"] == "act_abc" and masked["who"] == record["who"]
    assert record["why"]["reason"] == "typed", "the caller's fields are not changed"


def test_a_record_without_free_text_is_not_copied() -> None:
    """The wire writes records for every statement: nothing to mask, nothing to copy."""
    record = {"action_id": "act_abc", "result": {"rows": 3}, "why": {"rule": "reads"}}
    assert mask_free_text(record, shout) is record


async def _audit_text(harness: Harness) -> str:
    log = await harness.client.get("/v1/audit", headers=harness.auth("admin"))
    assert log.status_code == 200, log.text
    return log.text


async def test_a_deny_comment_and_a_read_reason_are_masked_and_the_chain_verifies(
    harness: Harness,
) -> None:
    read = await harness.submit("claims-bot", "SELECT count(*) FROM claims", reason=QUOTED)
    assert read.status_code == 200, read.text
    asked = await harness.submit(
        "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 5", reason="routine"
    )
    approval = asked.json()["approval"]["id"]
    denied = await harness.client.post(
        f"/v1/approvals/{approval}/deny", headers=harness.auth("bob"), json={"comment": QUOTED}
    )
    assert denied.status_code == 200, denied.text
    text = await _audit_text(harness)
    assert "approval.vote" in text and "routine" in text  # unmasked where nothing to mask
    assert not [v for v in VALUES if v in text]
    assert harness.gateway.verify_audit().ok


async def test_a_refused_vote_and_a_self_vote_leave_no_typed_text_in_the_log(
    harness: Harness,
) -> None:
    asked = await harness.submit(
        "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 6", reason=QUOTED
    )
    approval = asked.json()["approval"]["id"]
    refused = await harness.client.post(
        f"/v1/approvals/{approval}/approve",
        headers=harness.auth("claims-bot"),
        json={"comment": QUOTED},
    )
    assert refused.status_code == 403, refused.text
    text = await _audit_text(harness)
    assert "approval.vote_refused" in text
    assert not [v for v in VALUES if v in text]
