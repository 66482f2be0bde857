"""What a subject draws (look_alikes.skeleton) and separation of duties by it: two
names each accepted alone but drawn the same are one person to a vote."""

from __future__ import annotations

import unicodedata

import pytest
from confusable_homoglyphs import confusables
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import Harness
from tests.support.state import token_store

from phigate.approvals.model import Approval, ApprovalState, Ballot, Vote, ineligibility
from phigate.core.errors import InvalidRequestError
from phigate.identity.look_alikes import HAN_KANA_LOOK_ALIKES, prototype, skeleton
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.subjects import drawn_alike, normal_subject, same_subject

TANAKA_KANA = "\u7530\u4e2d\u30ab\u30ca"  # 田中カナ
TANAKA_HAN_KA = "\u7530\u4e2d\u529b\u30ca"  # 田中力ナ: 力 (Han) drawn as カ

# Pairs of names each accepted as a subject alone, in the same scripts, drawn the same.
DRAWN_ALIKE = [
    (TANAKA_KANA, TANAKA_HAN_KA),
    ("dale", "da1e"),  # digit one drawn as l
    ("bill", "bi11"),
    ("wolf", "wo1f"),
    ("\u7530\u4e2d\u30d2\u30ed", "\u7530\u4e2d\u5315\u53e3"),  # 田中ヒロ, Han 田中匕口
    ("\u9234\u6728\u30e1\u30a4", "\u9234\u6728\u4e42\u4ebb"),  # 鈴木メイ, Han 鈴木乂亻
]


@pytest.mark.parametrize(("name", "look_alike"), DRAWN_ALIKE)
def test_names_drawn_the_same_are_subjects_with_one_skeleton(name: str, look_alike: str) -> None:
    assert normal_subject(name) == name and normal_subject(look_alike) == look_alike
    assert not same_subject(name, look_alike)
    assert skeleton(name) == skeleton(look_alike)
    assert drawn_alike(name, look_alike) and drawn_alike(look_alike, name)


@pytest.mark.parametrize(
    ("first", "second"),
    [("dana", "dan"), ("dale", "daie"), (TANAKA_KANA, "\u7530\u4e2d\u30ab\u30ca\u30b3")],
)
def test_names_drawn_differently_are_not_drawn_alike(first: str, second: str) -> None:
    assert not drawn_alike(first, second)


def test_one_person_is_not_drawn_alike_with_herself() -> None:
    """drawn_alike is for two people: the same normal subject (`Dana`, `dana`) is
    same_subject's, and a refused spelling is no one's look-alike."""
    assert not drawn_alike("Dana", "dana")
    assert not drawn_alike("dana", None)
    assert not drawn_alike("d\u0430na", "dana")  # refused as a subject: no name at all


def test_a_letter_with_marks_keeps_them() -> None:
    """Cyrillic ё is е + U+0308 after NFD, drawn as Latin ë: same skeleton, mark kept."""
    assert skeleton("\u0451") == skeleton("\u00eb") == prototype("e") + "\u0308"


def test_the_han_kana_table_joins_the_classes() -> None:
    for kana, han in HAN_KANA_LOOK_ALIKES.items():
        assert prototype(kana) == prototype(han)
    assert skeleton("\u7530\u4e2d\u30d2\u30ed") == skeleton("\u7530\u4e2d\u5315\u53e3")  # ヒロ 匕口


_PROPERTY = settings(derandomize=True, database=None, max_examples=500, deadline=None)
_PAIRS = sorted(
    (char, str(alike["c"]))
    for char, alikes in confusables.confusables_data.items()
    for alike in alikes
    if len(char) == len(alike["c"]) == 1
    and unicodedata.normalize("NFD", char + alike["c"]) == char + alike["c"]
)


@_PROPERTY
@given(st.text(max_size=12))
def test_the_skeleton_is_idempotent_and_its_own_nfd(text: str) -> None:
    drawn = skeleton(text)
    assert skeleton(drawn) == drawn
    assert unicodedata.normalize("NFD", drawn) == drawn


@_PROPERTY
@given(st.sampled_from(_PAIRS), st.text(alphabet="abcdef", max_size=4))
def test_look_alike_pairs_of_the_data_share_a_skeleton(pair: tuple[str, str], rest: str) -> None:
    char, alike = pair
    assert skeleton(rest + char + rest) == skeleton(rest + alike + rest)


# ── separation of duties by skeleton ────────────────────────────────────────
def _approval(requester: str, on_behalf_of: str | None, voters: tuple[str, ...]) -> Approval:
    votes = tuple(Vote(v, Ballot.APPROVE, "", "api", 0.0, ("data-owners",)) for v in voters)
    return Approval(
        id="a1",
        action_id="x1",
        state=ApprovalState.PENDING,
        required=2,
        eligible_groups=("data-owners",),
        requester=requester,
        on_behalf_of=on_behalf_of,
        created_at=0.0,
        expires_at=1e12,
        decided_at=None,
        votes=votes,
        requester_kind="agent",
    )


def _owner(subject: str) -> Principal:
    return Principal(subject, PrincipalKind.HUMAN, frozenset({"data-owners"}))


@pytest.mark.parametrize(("name", "look_alike"), DRAWN_ALIKE)
def test_a_look_alike_of_the_requester_the_person_or_a_voter_may_not_vote(
    name: str, look_alike: str
) -> None:
    as_requester = ineligibility(_approval(name, None, ()), _owner(look_alike))
    assert as_requester is not None and "reads as the requester's name" in as_requester
    as_person = ineligibility(_approval("agent-1", name, ()), _owner(look_alike))
    assert as_person is not None and "person the agent acts for" in as_person
    twice = ineligibility(_approval("agent-1", None, (name,)), _owner(look_alike))
    assert twice is not None and "earlier voter" in twice
    assert ineligibility(_approval("agent-1", "someone", ("carol",)), _owner(look_alike)) is None


def test_ownership_stays_exact() -> None:
    """A look-alike never gains access: only the requester's own subject owns it."""
    approval = _approval(TANAKA_KANA, None, ())
    assert not approval.is_requested_by(Principal(TANAKA_HAN_KA, PrincipalKind.AGENT))
    assert approval.is_requested_by(Principal(TANAKA_KANA, PrincipalKind.AGENT))


async def test_a_same_script_look_alike_does_not_approve_for_the_person(harness: Harness) -> None:
    """`田中力ナ` (a data owner) may not approve the write of an agent acting for
    `田中カナ`: the vote is refused and the request stays pending; an owner of another
    name may."""
    agent_token, _ = token_store(harness.gateway).create(
        subject="agent-tanaka",
        kind=PrincipalKind.AGENT,
        groups=("agents",),
        on_behalf_of=TANAKA_KANA,
    )
    asked = await harness.client.post(
        "/v1/actions",
        headers={"Authorization": f"Bearer {agent_token}"},
        json={"connection": "ehr", "sql": "UPDATE claims SET status = 'paid' WHERE id = 31"},
    )
    assert asked.status_code == 202, asked.text
    approval_id = asked.json()["approval"]["id"]
    try:
        look_alike, _ = token_store(harness.gateway).create(
            subject=TANAKA_HAN_KA, kind=PrincipalKind.HUMAN, groups=("data-owners",)
        )
    except (ValueError, InvalidRequestError):
        pytest.fail("田中力ナ is a subject of its own")
    voted = await harness.client.post(
        f"/v1/approvals/{approval_id}/approve",
        headers={"Authorization": f"Bearer {look_alike}"},
        json={"comment": "ok"},
    )
    assert voted.status_code == 403, voted.text
    assert "reads as the name of the person the agent acts for" in voted.text
    assert harness.gateway.approval(approval_id).state == "pending"
