"""Every write a person triggers refuses clearly when the audit log cannot record it.

A state change and its audit record commit together or not at all
(`recorded_or_refused`): with the store refusing audit records (a trigger stands in
for a full disk), a vote, a cancel, a token created or revoked is `503
audit_unavailable` saying what did not happen, and nothing changed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from phigate.approvals import ApprovalService
from phigate.audit.chain import AuditLog
from phigate.core.errors import AuditUnavailableError
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from tests.conftest import Harness
from tests.console.conftest import csrf_of, sign_in
from tests.support.state import token_store


def _fill_the_disk(tmp_path: Path) -> None:
    state = sqlite3.connect(tmp_path / "state.db")
    state.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    state.commit()
    state.close()


async def _pending(harness: Harness) -> str:
    asked = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 2")
    assert asked.status_code == 202, asked.text
    return str(asked.json()["approval"]["id"])


@pytest.mark.parametrize("ballot", ["approve", "deny"])
async def test_a_vote_not_recorded_says_so_and_counts_nothing(
    harness: Harness, tmp_path: Path, ballot: str
) -> None:
    approval = await _pending(harness)
    _fill_the_disk(tmp_path)
    transport = httpx.ASGITransport(app=build_app(harness.gateway), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://phigate.test") as client:
        vote = await client.post(
            f"/v1/approvals/{approval}/{ballot}",
            headers=harness.auth("alice"),
            json={"comment": "looks right"},
        )
    assert vote.status_code == 503, vote.text
    assert vote.json()["error"]["code"] == "audit_unavailable", vote.text
    assert "the vote was not recorded" in vote.text
    after = harness.gateway.approval(approval)
    assert after.state == "pending" and not after.votes


async def test_a_cancel_not_recorded_leaves_the_request_pending(
    harness: Harness, tmp_path: Path
) -> None:
    approval = await _pending(harness)
    requester = harness.gateway.action(harness.gateway.approval(approval).action_id)
    _fill_the_disk(tmp_path)
    service = ApprovalService(harness.gateway.db, AuditLog(harness.gateway.db))
    with pytest.raises(AuditUnavailableError, match="not cancelled"):
        service.cancel(approval, requester.action.principal)
    assert harness.gateway.approval(approval).state == "pending"


async def test_a_token_not_recorded_is_neither_created_nor_revoked(
    harness: Harness, tmp_path: Path
) -> None:
    store = token_store(harness.gateway)
    _, kept = store.create(subject="ci-runner", kind=PrincipalKind.SERVICE)
    before = {t.id for t in store.list()}
    _fill_the_disk(tmp_path)
    with pytest.raises(AuditUnavailableError, match="no token was created"):
        store.create(subject="ci-runner", kind=PrincipalKind.SERVICE)
    with pytest.raises(AuditUnavailableError, match="the token was not revoked"):
        store.revoke(kept.id)
    after = store.list()
    assert {t.id for t in after} == before
    assert all(t.revoked_at is None for t in after if t.id == kept.id)


async def test_a_sign_out_not_recorded_says_so_and_the_session_stays(
    harness: Harness, tmp_path: Path
) -> None:
    """Ending a session writes `console.session_ended`: unrecorded, it is refused
    clearly (503), never a sign-out that looks done while the session lives on."""
    client = await sign_in(harness, "alice")
    try:
        page = await client.get("/ui/approvals")
        assert page.status_code == 200
        _fill_the_disk(tmp_path)
        out = await client.post("/ui/logout", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 503, out.text
        assert "not signed out" in out.text
        assert (await client.get("/ui/approvals")).status_code == 200
    finally:
        await client.aclose()
