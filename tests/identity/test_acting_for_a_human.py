"""An agent acts for a human: the person barred from approving its requests. A
credential acting for an agent or service is refused where it is made and where it
signs in, audited; a chain recorded anyway (two creations racing) bars every person
in it (round 21a finding 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import Harness, demo_config, make_harness
from tests.console.conftest import sign_in
from tests.support.oidc_provider import oidc_provider
from tests.support.state import token_store

from phigate.approvals.model import Approval, ApprovalState, Ballot, Vote, ineligibility
from phigate.core.errors import InvalidRequestError
from phigate.identity.people import People
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.tokens import TokenStore
from phigate.store.tables import api_tokens


def _events(h: Harness, event: str) -> list[dict[str, object]]:
    return [r for r in h.gateway.audit_records(since=0) if r["event"] == event]


async def test_a_token_acting_for_an_agent_or_for_whom_agents_act_is_refused_and_audited(
    tmp_path: Path, ehr_dsn: str
) -> None:
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    try:
        store = token_store(h.gateway)
        with pytest.raises(InvalidRequestError, match="acts on behalf of a human"):
            store.create(subject="sub-bot", kind=PrincipalKind.AGENT, on_behalf_of="claims-bot")
        store.create(subject="helper-bot", kind=PrincipalKind.AGENT, on_behalf_of="carol")
        with pytest.raises(InvalidRequestError, match="agents act on behalf of carol"):
            store.create(subject="carol", kind=PrincipalKind.SERVICE)
        refused = _events(h, "token.refused")
        kinds_of_sub_bot = store.kinds_of("sub-bot")
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert [r["token"] for r in refused] == [  # type: ignore[index]
        {"subject": "sub-bot", "kind": "agent", "on_behalf_of": "claims-bot"},
        {"subject": "carol", "kind": "service", "on_behalf_of": None},
    ]
    assert kinds_of_sub_bot == set()  # nothing was made


async def test_an_oidc_token_exchanged_by_an_agent_for_an_agent_is_refused_at_sign_in(
    tmp_path: Path, ehr_dsn: str
) -> None:
    with oidc_provider() as idp:
        identity = {"oidc": {"issuer": idp.issuer, "audience": "phigate"}}
        h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
        try:
            chained = idp.issue(sub="claims-bot", extra_claims={"act": {"sub": "sub-bot"}})
            h.tokens["sub-bot"] = chained
            asked = await h.submit("sub-bot", "UPDATE claims SET status = 'paid' WHERE id = 7")
            refused = _events(h, "auth.refused")
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert asked.status_code == 401 and "claims-bot" in asked.text, asked.text
    assert refused, "no auth.refused record"
    assert any("an agent acts on behalf of a human" in str(r) for r in refused), refused


async def test_a_chain_recorded_anyway_bars_the_human_behind_it(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """sub-bot acts for `helper`, a human then; `helper` becomes an agent acting for
    alice afterwards (as two creations racing could leave it). sub-bot signs in no
    more, and alice cannot approve the request it made before."""
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    try:
        store = token_store(h.gateway)
        h.tokens["sub-bot"] = store.create(
            subject="sub-bot", kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="helper"
        )[0]
        asked = await h.submit("sub-bot", "UPDATE claims SET status = 'paid' WHERE id = 9")
        assert asked.status_code == 202, asked.text
        store.create(subject="helper", kind=PrincipalKind.HUMAN)
        with h.gateway.db.write() as conn:  # what a racing creation could have made
            conn.execute(
                sa.update(api_tokens)
                .where(api_tokens.c.subject == "helper")
                .values(kind="agent", on_behalf_of="alice")
            )
        # (A read: submitting may take the token from the few-second recent-token cache.)
        again = await h.client.get(f"/v1/actions/{asked.json()['id']}", headers=h.auth("sub-bot"))
        approval_id = asked.json()["approval"]["id"]
        voted = await h.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=h.auth("alice"), json={}
        )
        state = h.gateway.approval(approval_id).state
        seen = await h.client.get(f"/v1/approvals/{approval_id}", headers=h.auth("bob"))
        bob = await sign_in(h, "bob")
        page = (await bob.get(f"/ui/approvals/{approval_id}")).text
        await bob.aclose()
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert again.status_code == 401, again.text
    assert voted.status_code == 403 and "acts for you" in voted.text, voted.text
    assert state == "pending"
    assert seen.json()["on_behalf_of"] == "helper" and seen.json()["behind"] == ["alice"]
    assert "(an agent, acting for alice)" in page  # reviewers see the human


async def test_an_oidc_agents_chain_bars_everyone_behind_it(tmp_path: Path, ehr_dsn: str) -> None:
    """x-bot acts for carol through an exchanged token that states carol is a human;
    carol then becomes an agent acting for alice (an API token made afterwards). The
    chain bars alice from approving x-bot's request, and x-bot signs in no more."""
    with oidc_provider() as idp:
        identity = {"oidc": {"issuer": idp.issuer, "audience": "phigate", "kind_claim": "kind"}}
        h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
        try:
            h.tokens["x-bot"] = idp.issue(
                sub="carol", extra_claims={"kind": "human", "act": {"sub": "x-bot"}}
            )
            asked = await h.submit("x-bot", "UPDATE claims SET status = 'paid' WHERE id = 11")
            assert asked.status_code == 202, asked.text
            token_store(h.gateway).create(
                subject="carol", kind=PrincipalKind.AGENT, on_behalf_of="alice"
            )
            approval_id = asked.json()["approval"]["id"]
            alice = idp.issue(sub="alice", groups=["data-owners"])
            voted = await h.client.post(
                f"/v1/approvals/{approval_id}/approve",
                headers={"Authorization": f"Bearer {alice}"},
                json={},
            )
            again = await h.client.get("/v1/approvals", headers=h.auth("x-bot"))
            state = h.gateway.approval(approval_id).state
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert voted.status_code == 403 and "acts for you" in voted.text, voted.text
    assert state == "pending"
    assert again.status_code == 401 and "carol" in again.text, again.text


def _chained(*voters: str) -> Approval:
    return Approval(
        id="apr_1",
        action_id="act_1",
        state=ApprovalState.PENDING,
        required=1,
        eligible_groups=("data-owners",),
        requester="sub-bot",
        on_behalf_of="claims-bot",
        created_at=0.0,
        expires_at=3600.0,
        decided_at=None,
        votes=tuple(Vote(v, Ballot.APPROVE, "", "api", 0.0, ("data-owners",)) for v in voters),
        behind=("dana",),
    )


def test_the_person_behind_a_chain_neither_votes_nor_counts() -> None:
    dana = Principal("dana", PrincipalKind.HUMAN, frozenset({"data-owners"}))
    alice = Principal("alice", PrincipalKind.HUMAN, frozenset({"data-owners"}))
    assert "acts for you" in str(ineligibility(_chained(), dana))
    assert ineligibility(_chained(), alice) is None
    assert not _chained("dana").is_met and _chained("dana", "alice").is_met


# ── every name of a person (identity.aliases): round 22a findings 2 and 3 ──────
def _unaliased(h: Harness) -> TokenStore:
    """The token table as a store that knows no aliases: tokens made before
    `identity.aliases` named their subjects as one person."""
    key = h.gateway.settings.secrets.token_hash_key.reveal().encode()
    return TokenStore(h.gateway.db, key, people=People())


async def test_token_creation_looks_a_subject_up_by_every_name_of_its_person(
    tmp_path: Path, ehr_dsn: str
) -> None:
    aliases = {"claims-bot": ["claims-bot-ci"], "carol": ["carol@example.org"]}
    identity = {"auditor_groups": ["auditors"], "aliases": aliases}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
    try:
        store = token_store(h.gateway)
        with pytest.raises(InvalidRequestError, match="acts on behalf of a human"):
            store.create(subject="sub-bot", kind=PrincipalKind.AGENT, on_behalf_of="claims-bot-ci")
        with pytest.raises(InvalidRequestError, match="a subject has one kind"):
            store.create(subject="claims-bot-ci", kind=PrincipalKind.HUMAN)
        store.create(subject="helper-bot", kind=PrincipalKind.AGENT, on_behalf_of="carol")
        with pytest.raises(InvalidRequestError, match="agents act on behalf of"):
            store.create(subject="carol@example.org", kind=PrincipalKind.SERVICE)
        kinds = store.kinds_of("claims-bot-ci"), _unaliased(h).kinds_of("claims-bot-ci")
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert kinds == ({PrincipalKind.AGENT}, set())


async def test_a_token_acting_for_an_agents_alias_made_before_the_alias_is_refused_at_sign_in(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Made while `claims-bot-ci` named no one; once it is claims-bot's alias, the
    token acts for an agent and signs in no more, through either of its names."""
    identity = {"auditor_groups": ["auditors"], "aliases": {"claims-bot": ["claims-bot-ci"]}}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
    try:
        h.tokens["sub-bot"] = _unaliased(h).create(
            subject="sub-bot",
            kind=PrincipalKind.AGENT,
            groups=("agents",),
            on_behalf_of="claims-bot-ci",
        )[0]
        asked = await h.submit("sub-bot", "SELECT id FROM claims WHERE id = 71")
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert asked.status_code == 401 and "claims-bot" in asked.text, asked.text


async def test_a_chain_through_an_alias_bars_the_human_behind_it(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """As above (`test_a_chain_recorded_anyway_bars_the_human_behind_it`), but the
    agent tokens that make `helper` act for alice are made out to its alias
    `helper-ci`: the approval's chain follows the person, so alice cannot approve."""
    identity = {"auditor_groups": ["auditors"], "aliases": {"helper": ["helper-ci"]}}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
    try:
        store = token_store(h.gateway)
        h.tokens["sub-bot"] = store.create(
            subject="sub-bot", kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="helper"
        )[0]
        asked = await h.submit("sub-bot", "UPDATE claims SET status = 'paid' WHERE id = 9")
        assert asked.status_code == 202, asked.text
        store.create(subject="helper-ci", kind=PrincipalKind.HUMAN)
        with h.gateway.db.write() as conn:  # what a racing creation could have made
            conn.execute(
                sa.update(api_tokens)
                .where(api_tokens.c.subject == "helper-ci")
                .values(kind="agent", on_behalf_of="alice")
            )
        approval_id = asked.json()["approval"]["id"]
        voted = await h.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=h.auth("alice"), json={}
        )
        state = h.gateway.approval(approval_id).state
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert voted.status_code == 403 and "acts for you" in voted.text, voted.text
    assert state == "pending"
