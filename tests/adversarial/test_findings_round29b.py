"""Round 29b: a promises-only attack on the reviewer surfaces and identities (promises
1, 3 and 7): second identities and spellings of the requester, approval binding and
single use, and revocation mid-flow, through the REST door.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.

1. (MEDIUM, fixed) A revoked agent token sending its pending request again was answered
   from the identical pending request (its principal from the recent-token cache, the
   token read again only in the request's own record): now the twin path re-reads the
   token first (`Admission._recheck_token`).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from phigate.identity.principal import PrincipalKind
from tests.adversarial.harness import AGENT, Bench
from tests.support.state import token_store


def _post(bench: Bench, token: str, path: str, payload: dict[str, Any]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return bench.call(bench.client.post(path, headers=headers, json=payload))


def _ask(bench: Bench, token: str, sql: str) -> httpx.Response:
    return _post(bench, token, "/v1/actions", {"connection": "ehr", "sql": sql})


def _write(tag: str) -> str:
    """A write the demo policy holds for a data owner, unique to the test."""
    return f"UPDATE claims SET status = 'Paid' WHERE id = 1 AND '{tag}' = '{tag}'"


def _agent_token(bench: Bench) -> tuple[str, str]:
    """A second API token of the demo agent (acting for dana), and its id."""
    token, info = token_store(bench.gateway).create(
        subject=AGENT, kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="dana"
    )
    return token, info.id


def _human_token(bench: Bench, subject: str, groups: tuple[str, ...]) -> str:
    token, _ = token_store(bench.gateway).create(
        subject=subject, kind=PrincipalKind.HUMAN, groups=groups
    )
    return token


def _vote(bench: Bench, token: str, approval_id: str) -> httpx.Response:
    return _post(bench, token, f"/v1/approvals/{approval_id}/approve", {"comment": "ok"})


# --------------------------------------------------------------------- finding 1


def test_a_revoked_token_is_refused_when_it_sends_a_pending_request_again(bench: Bench) -> None:
    """Promise 7: revocation is immediate. The agent asks for a write (202, pending);
    its token is revoked; it sends the identical request again at once. The
    recent-token cache serves the principal (`identity.recent_tokens`), and the
    admission's pending-twin path (`pipeline.admission.Admission._twin` →
    `_pending`) answers 202 with the request and approval before any transaction
    re-reads the token: for up to `RECENT_SECONDS` (30 s) after its last use, a
    revoked credential is still answered as a live one (nothing runs: the claim of
    an approved twin re-reads the token, `held` below)."""
    token, token_id = _agent_token(bench)
    sql = _write(uuid.uuid4().hex[:8])
    first = _ask(bench, token, sql)
    assert first.status_code == 202, first.text
    token_store(bench.gateway).revoke(token_id)
    again = _ask(bench, token, sql)
    assert again.status_code == 401, f"{again.status_code}: {again.text[:300]}"


# --------------------------------------------------------------------- held


def test_held_a_revoked_token_cannot_run_its_approved_write(bench: Bench) -> None:
    token, token_id = _agent_token(bench)
    sql = _write(uuid.uuid4().hex[:8])
    first = _ask(bench, token, sql)
    assert first.status_code == 202, first.text
    approval_id = first.json()["approval"]["id"]
    assert _vote(bench, bench.tokens["alice"], approval_id).status_code == 200
    token_store(bench.gateway).revoke(token_id)
    again = _ask(bench, token, sql)
    assert again.status_code == 401, again.text[:300]
    run = _post(bench, token, f"/v1/actions/{first.json()['id']}/run", {})
    assert run.status_code == 401, run.text[:300]


def test_held_an_approved_write_runs_once(bench: Bench) -> None:
    token, _ = _agent_token(bench)
    sql = _write(uuid.uuid4().hex[:8])
    first = _ask(bench, token, sql)
    action_id, approval_id = first.json()["id"], first.json()["approval"]["id"]
    assert _vote(bench, bench.tokens["alice"], approval_id).status_code == 200
    assert _post(bench, token, f"/v1/actions/{action_id}/run", {}).status_code == 200
    assert _post(bench, token, f"/v1/actions/{action_id}/run", {}).status_code == 409
    # The identical text again is a new request, not a second run of the approved one.
    again = _ask(bench, token, sql)
    assert again.status_code == 202, again.text[:300]
    assert again.json()["id"] != action_id
    # A second vote on the decided approval changes nothing.
    assert _vote(bench, bench.tokens["bob"], approval_id).status_code in (403, 409)


def test_held_the_person_acted_for_cannot_approve_under_other_spellings(bench: Bench) -> None:
    token, _ = _agent_token(bench)
    first = _ask(bench, token, _write(uuid.uuid4().hex[:8]))
    approval_id = first.json()["approval"]["id"]
    for spelling in ("DANA", " dana ", "\uff44\uff41\uff4e\uff41", "Dana"):
        try:
            second = _human_token(bench, spelling, ("data-owners",))
        except Exception:  # refused at issue: no second identity to try
            continue
        vote = _vote(bench, second, approval_id)
        assert vote.status_code == 403, f"{spelling!r}: {vote.text[:200]}"


def test_held_a_look_alike_of_the_person_acted_for_cannot_approve(bench: Bench) -> None:
    token, _ = _agent_token(bench)
    first = _ask(bench, token, _write(uuid.uuid4().hex[:8]))
    approval_id = first.json()["approval"]["id"]
    for spelling in ("d\u0430na", "dan\u0251", "dana\u200b"):
        try:
            second = _human_token(bench, spelling, ("data-owners",))
        except Exception:  # refused at issue: no second identity to try
            continue
        vote = _vote(bench, second, approval_id)
        assert vote.status_code == 403, f"{spelling!r}: {vote.text[:200]}"


def test_held_an_approval_does_not_run_a_look_alike_statement(bench: Bench) -> None:
    token, _ = _agent_token(bench)
    tag = uuid.uuid4().hex[:8]
    first = _ask(bench, token, _write(tag))
    assert _vote(bench, bench.tokens["alice"], first.json()["approval"]["id"]).status_code == 200
    twin = _write(tag).replace("'Paid'", "'P\u0430id'")  # Cyrillic a
    again = _ask(bench, token, twin)
    assert again.status_code == 202, again.text[:300]
    assert again.json()["id"] != first.json()["id"]
