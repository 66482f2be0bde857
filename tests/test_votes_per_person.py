"""Which votes count for an approval now (approvals/model.py `counting_votes`): one
person, one vote, through today's aliases, never the requester's or the acted-for
person's; the same count everywhere (recording a vote, the run-time recheck, reviewer
views, chat progress)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from phigate.approvals.model import (
    Approval,
    ApprovalState,
    Ballot,
    Requirement,
    Vote,
    counting_votes,
    ineligibility,
    under,
)
from phigate.identity.people import People
from phigate.identity.principal import Principal, PrincipalKind
from tests.adversarial.test_findings_round15a import _demo_policy
from tests.adversarial.test_findings_round20a import TWO_DATA_OWNERS, _restarted, _vote
from tests.conftest import demo_config, make_harness
from tests.support.state import token_store

OWNERS = ("data-owners",)


def _approval(*voters: str, person_of: People | None = None) -> Approval:
    votes = tuple(
        Vote(voter, Ballot.APPROVE, "", "api", float(at), groups=OWNERS)
        for at, voter in enumerate(voters)
    )
    return Approval(
        id="apr_1",
        action_id="act_1",
        state=ApprovalState.PENDING,
        required=2,
        eligible_groups=OWNERS,
        requester="claims-bot",
        on_behalf_of="dana",
        created_at=0.0,
        expires_at=3600.0,
        decided_at=None,
        votes=votes,
        person_of=None if person_of is None else person_of.of,
    )


def test_two_accounts_of_one_person_count_once_under_the_earlier_vote() -> None:
    people = People({"alice": ["alice.ops"]})
    approval = _approval("alice.ops", "alice", person_of=people)
    counted = counting_votes(approval, people.of)
    assert [(v.voter, v.created_at) for v in counted] == [("alice", 0.0)]
    assert (approval.is_met, approval.still_needed) == (False, "1 more from data-owners")
    assert approval.votes_text == "1 of 2 from data-owners"
    assert approval.approvals_so_far == 1


def test_a_vote_by_the_person_acted_for_as_mapped_now_does_not_count() -> None:
    people = People({"dana": ["alice"]})
    approval = _approval("alice", "bob", person_of=people)
    assert [v.voter for v in approval.counting] == ["bob"]
    assert not approval.is_met
    assert _approval("alice", "bob").is_met  # without the alias: two people


def test_names_drawn_alike_are_one_voter() -> None:
    approval = _approval("田中カナ", "田中力ナ", "bob")  # the second's 力 is a kanji
    assert [v.voter for v in approval.counting] == ["田中カナ", "bob"]


def test_a_person_whose_other_account_voted_may_not_vote_again() -> None:
    people = People({"alice": ["alice.ops"], "dana": ["dana.ops"]})
    approval = _approval("alice.ops", person_of=people)
    alice = Principal("alice", PrincipalKind.HUMAN, frozenset(OWNERS))
    assert ineligibility(approval, alice) == "you have already voted on this request"
    assert ineligibility(_approval("alice.ops"), alice) is None  # not one person then
    dana = Principal("dana", PrincipalKind.HUMAN, frozenset(OWNERS))
    acted_for = replace(approval, on_behalf_of="dana.ops")
    assert ineligibility(acted_for, dana) is not None


def test_the_run_time_recheck_counts_the_same_votes() -> None:
    people = People({"alice": ["alice.ops"]})
    approval = _approval("alice", "alice.ops", person_of=people)
    judged = under(approval, (Requirement(2, OWNERS),))
    assert judged.still_needed == "1 more from data-owners"


async def test_reviewer_views_count_people_as_mapped_now(tmp_path: Path, ehr_dsn: str) -> None:
    """Approved by alice under two accounts, then the accounts declared one person:
    the request's view says one of two approvals, one more needed."""
    settings = demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(TWO_DATA_OWNERS)})
    h = await make_harness(settings)
    try:
        second, _ = token_store(h.gateway).create(
            subject="alice.ops", kind=PrincipalKind.HUMAN, groups=OWNERS
        )
        asked = await h.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 71")
        approval_id = asked.json()["approval"]["id"]
        assert await _vote(h, approval_id, "alice") == 200
        assert await _vote(h, approval_id, "", second) == 200
    finally:
        await h.client.aclose()
        await h.gateway.close()
    identity = settings.identity.model_copy(update={"aliases": {"alice": ["alice.ops"]}})
    after = _restarted(h, settings.model_copy(update={"identity": identity}))
    try:
        view = await after.client.get(f"/v1/approvals/{approval_id}", headers=after.auth("bob"))
    finally:
        await after.client.aclose()
        await after.gateway.close()
    assert view.status_code == 200, view.text
    approval = view.json()
    assert approval["still_needed"] == "1 more from data-owners", approval
    assert "1 of 2 from data-owners" in approval["votes_text"]  # what chat messages show
