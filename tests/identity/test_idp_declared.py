"""What an OIDC IdP declares of a subject's kind at its sign-in is remembered
(`phigate.identity.declared`): a token acting for a subject declared an agent or a
service is refused and audited, and the person such an agent acted for is in the
chain of every approval made for it (round 26b finding 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Harness, demo_config, make_harness
from tests.support.oidc_provider import OidcProvider, oidc_provider

OBO = {"kind_claim": "kind", "on_behalf_of_claim": "obo"}


def _identity(idp: OidcProvider) -> dict[str, Any]:
    return {"oidc": {"issuer": idp.issuer, "audience": idp.audience, **OBO}}


async def _sign_in(h: Harness, token: str) -> int:
    seen = await h.client.get("/v1/approvals", headers={"Authorization": f"Bearer {token}"})
    return seen.status_code


def _refusals(h: Harness) -> list[dict[str, object]]:
    return [r for r in h.gateway.audit_records(since=0) if r["event"] == "auth.refused"]


@pytest.mark.parametrize("kind", ["agent", "service"])
async def test_a_token_acting_for_a_subject_the_idp_declared_not_human_is_refused(
    tmp_path: Path, ehr_dsn: str, kind: str
) -> None:
    with oidc_provider() as idp:
        h = await make_harness(
            demo_config(tmp_path, ehr_dsn, overrides={"identity": _identity(idp)})
        )
        try:
            declared = idp.issue(sub="ops-runner", extra_claims={"kind": kind})
            assert await _sign_in(h, declared) == 200
            acting = idp.issue(sub="sub-bot", extra_claims={"kind": "agent", "obo": "ops-runner"})
            refused = await _sign_in(h, acting)
            refusals = _refusals(h)
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert refused == 401
    assert any("ops-runner" in str(r) for r in refusals), refusals


async def test_an_agent_acting_for_a_human_signs_in(tmp_path: Path, ehr_dsn: str) -> None:
    """A human's sign-in declares nothing that refuses: agents still act for dana."""
    with oidc_provider() as idp:
        h = await make_harness(
            demo_config(tmp_path, ehr_dsn, overrides={"identity": _identity(idp)})
        )
        try:
            assert await _sign_in(h, idp.issue(sub="dana", extra_claims={"kind": "human"})) == 200
            bot = idp.issue(sub="planner-bot", extra_claims={"kind": "agent", "obo": "dana"})
            status = await _sign_in(h, bot)
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert status == 200


async def test_the_person_behind_an_agent_declared_later_cannot_approve(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """sub-bot acts for planner-bot before the IdP has declared planner-bot an agent;
    planner-bot then signs in as one acting for dana. dana is behind sub-bot's request
    and cannot approve it, and sub-bot signs in no more."""
    with oidc_provider() as idp:
        h = await make_harness(
            demo_config(tmp_path, ehr_dsn, overrides={"identity": _identity(idp)})
        )
        try:
            h.tokens["sub-bot"] = idp.issue(
                sub="sub-bot",
                groups=["agents"],
                extra_claims={"kind": "agent", "obo": "planner-bot"},
            )
            asked = await h.submit("sub-bot", "UPDATE claims SET status = 'paid' WHERE id = 73")
            assert asked.status_code == 202, asked.text
            planner = idp.issue(sub="planner-bot", extra_claims={"kind": "agent", "obo": "dana"})
            assert await _sign_in(h, planner) == 200
            approval_id = asked.json()["approval"]["id"]
            dana = idp.issue(sub="dana", groups=["data-owners"])
            voted = await h.client.post(
                f"/v1/approvals/{approval_id}/approve",
                headers={"Authorization": f"Bearer {dana}"},
                json={},
            )
            state = h.gateway.approval(approval_id).state
            again = await _sign_in(h, h.tokens["sub-bot"])
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert voted.status_code == 403 and state == "pending", voted.text
    assert again == 401
