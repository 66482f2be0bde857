"""A request matched by several approval rules waits for every one of them: each
rule's count of distinct approvers from its own groups (round 15a finding 3)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from phigate.approvals import ApprovalService, ApprovalState
from phigate.audit.chain import AuditLog
from phigate.config import ApprovalRequirement
from phigate.core.action_store import ActionStatus, ActionStore
from phigate.core.actions import Action, Description
from phigate.core.risk import RiskClass
from phigate.doors.channels._slack_blocks import approval_blocks
from phigate.doors.channels._teams_cards import approval_card
from phigate.identity.principal import Principal, PrincipalKind
from phigate.policy import Decision, Verdict
from phigate.reviewing.view import approval_json
from phigate.store import Database
from tests.adversarial.test_findings_round15a import _demo_policy
from tests.conftest import Harness, demo_config, make_harness
from tests.console.conftest import sign_in

AGENT = Principal("bot", PrincipalKind.AGENT, frozenset({"agents"}), on_behalf_of="dana")
ALICE = Principal("alice", PrincipalKind.HUMAN, frozenset({"data-owners"}))
BOB = Principal("bob", PrincipalKind.HUMAN, frozenset({"data-owners"}))
SEC = Principal("sec", PrincipalKind.HUMAN, frozenset({"billing-security"}))
BOTH = Principal("carol", PrincipalKind.HUMAN, frozenset({"data-owners", "billing-security"}))


@pytest.fixture
def state(state_url: str) -> Iterator[Database]:
    db = Database(state_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def service(state: Database) -> ApprovalService:
    return ApprovalService(state, AuditLog(state))


def _pending(
    db: Database, service: ApprovalService, owners: int = 1, *, expires: int = 3600
) -> str:
    """A write needing `owners` data owners and one from billing-security."""
    action = Action("ehr", "sql", {"sql": "DELETE FROM claims", "params": []}, AGENT, "rest")
    decision = Decision(Verdict.APPROVE, "r", "needs approval", "hipaa-safe-harbor")
    action_id = f"act_{uuid.uuid4().hex[:8]}"
    needs = [
        ApprovalRequirement(count=owners, groups=("data-owners",)),
        ApprovalRequirement(count=1, groups=("billing-security",), expires_in=expires),
    ]
    with db.write() as conn:
        ActionStore(db, AuditLog(db)).insert(
            conn, action_id, action, Description(RiskClass.WRITE), decision,
            ActionStatus.PENDING_APPROVAL,
        )  # fmt: skip
        return service.create(conn, action_id, AGENT, needs, rules=RULES)


RULES = (("owner-rule", "owner-rule-again"), ("billing-rule",))


def test_the_request_names_every_rule_it_waits_for(
    state: Database, service: ApprovalService
) -> None:
    """Stored with each requirement and read back: chat channels per rule use them."""
    approval = service.get(_pending(state, service))
    assert [need.rules for need in approval.needs] == list(RULES)
    assert approval.rules("r") == ("r", "owner-rule", "owner-rule-again", "billing-rule")
    assert approval.rules("billing-rule") == ("billing-rule", "owner-rule", "owner-rule-again")


def test_each_rule_needs_its_own_groups(state: Database, service: ApprovalService) -> None:
    approval_id = _pending(state, service)
    after_owner = service.vote(approval_id, ALICE, "approve")
    assert after_owner.state is ApprovalState.PENDING
    assert after_owner.votes_text == "1 of 1 from data-owners; 0 of 1 from billing-security"
    assert after_owner.still_needed == "1 more from billing-security"
    assert service.vote(approval_id, SEC, "approve").state is ApprovalState.APPROVED


def test_one_vote_counts_toward_each_rule_but_once_within_one(
    state: Database, service: ApprovalService
) -> None:
    assert service.vote(_pending(state, service), BOTH, "approve").state is ApprovalState.APPROVED
    approval_id = _pending(state, service, owners=2)
    after_both = service.vote(approval_id, BOTH, "approve")
    assert after_both.still_needed == "1 more from data-owners"
    assert service.vote(approval_id, BOB, "approve").state is ApprovalState.APPROVED


def test_a_deny_from_any_rules_group_denies(state: Database, service: ApprovalService) -> None:
    approval_id = _pending(state, service)
    service.vote(approval_id, ALICE, "approve")
    assert service.vote(approval_id, SEC, "deny").state is ApprovalState.DENIED


def test_the_request_expires_at_the_earliest_rule_expiry(
    state: Database, service: ApprovalService
) -> None:
    approval = service.get(_pending(state, service, expires=60))
    assert approval.expires_at - approval.created_at == pytest.approx(60)
    assert approval.to_json()["requirements"] == [
        {"count": 1, "groups": ["data-owners"], "approvals": 0},
        {"count": 1, "groups": ["billing-security"], "approvals": 0},
    ]


# ── what reviewers read, on every surface ───────────────────────────────────
@pytest.fixture
async def two_rules(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """The demo (every write needs a data owner) and a claims rule needing
    billing-security as well."""
    billing = {
        "name": "claims-writes-need-billing-security",
        "match": {"tables": ["claims"], "risk": ["write"]},
        "decision": "approve",
        "approvals": {"count": 1, "groups": ["billing-security"], "expires_in": 3600},
    }
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(billing)})
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_every_surface_shows_what_each_rule_still_needs(two_rules: Harness) -> None:
    asked = await two_rules.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 16")
    assert asked.status_code == 202, asked.text
    assert asked.json()["approval"]["still_needed"] == (
        "1 more from data-owners; 1 more from billing-security"
    )
    approval_id = asked.json()["approval"]["id"]
    voted = await two_rules.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=two_rules.auth("alice"), json={}
    )
    assert voted.status_code == 200, voted.text
    wanted = "1 of 1 from data-owners; 0 of 1 from billing-security"
    rest = await two_rules.client.get(
        f"/v1/approvals/{approval_id}", headers=two_rules.auth("alice")
    )
    assert rest.json()["still_needed"] == "1 more from billing-security", rest.text
    assert rest.json()["rules"] == [
        "writes-and-exports-need-a-data-owner",
        "claims-writes-need-billing-security",
    ]
    view = approval_json(two_rules.gateway, two_rules.gateway.approval(approval_id), contents=True)
    assert view["votes_text"] == wanted
    assert wanted in json.dumps(approval_blocks(view, console_only=False))
    assert wanted in json.dumps(approval_card(view))
    console = await sign_in(two_rules, "alice")
    try:
        page = await console.get(f"/ui/approvals/{approval_id}")
    finally:
        await console.aclose()
    assert wanted in page.text and "still needed: 1 more from billing-security" in page.text
