"""One normal form per person, through the REST door with real OIDC tokens (issue 15,
items 4 and 5): token exchange always authenticates the actor as an agent with its own
groups; ownership compares kind; subjects are compared as people, not as strings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from tests.conftest import Harness, demo_config, make_harness
from tests.support.oidc_provider import OidcProvider, oidc_provider

from phigate.cli import main
from phigate.identity.principal import PrincipalKind

WRITE = "UPDATE claims SET status = 'paid' WHERE id = 4"


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with oidc_provider() as provider:
        yield provider


@pytest.fixture
async def h(tmp_path: Path, ehr_dsn: str, idp: OidcProvider) -> AsyncIterator[Harness]:
    identity = {
        "auditor_groups": ["auditors"],
        "aliases": {"dana": ["dana@example.org"]},
        "oidc": {"issuer": idp.issuer, "audience": "phigate", "kind_claim": "phigate_kind"},
    }
    harness = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def pending(h: Harness, subject: str = "claims-bot") -> dict[str, Any]:
    answer = await h.submit(subject, WRITE, reason="paid by phone")
    assert answer.status_code == 202, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def approve(h: Harness, approval_id: str, token: str) -> tuple[int, str]:
    answer = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=bearer(token), json={}
    )
    return answer.status_code, answer.text


# -- item 4: token exchange ------------------------------------------------------------


async def test_exchanged_token_without_kind_claim_is_refused_and_cannot_approve(
    h: Harness, idp: OidcProvider
) -> None:
    """kind_claim is set but the exchanged token does not say the person acted for is
    a human: refused at sign-in (it might be an agent acting for someone)."""
    body = await pending(h)
    token = idp.issue(
        sub="alice", groups=["data-owners"], extra_claims={"act": {"sub": "helper-bot"}}
    )
    status, text = await approve(h, body["approval"]["id"], token)
    assert status == 401 and "does not state that the subject acted for is a human" in text
    assert h.gateway.approval(body["approval"]["id"]).state == "pending"


async def test_exchanged_human_kind_token_is_an_agent_and_cannot_approve(
    h: Harness, idp: OidcProvider
) -> None:
    """The kind claim states the person is a human: the caller is still the actor."""
    body = await pending(h)
    token = idp.issue(
        sub="alice",
        groups=["data-owners"],
        extra_claims={"phigate_kind": "human", "act": {"sub": "helper-bot"}},
    )
    status, text = await approve(h, body["approval"]["id"], token)
    assert status == 403 and "agent principals cannot approve" in text
    assert h.gateway.approval(body["approval"]["id"]).state == "pending"


async def test_exchanged_token_with_human_kind_is_the_actor_for_the_subject(
    h: Harness, idp: OidcProvider
) -> None:
    token = idp.issue(sub="dana", extra_claims={"phigate_kind": "human", "act": {"sub": "x-bot"}})
    answer = await h.client.post(
        "/v1/actions",
        headers=bearer(token),
        json={"connection": "ehr", "sql": WRITE, "reason": "paid by phone"},
    )
    assert answer.status_code == 202, answer.text
    record = h.gateway.action(answer.json()["id"])
    who = record.action.principal
    assert (who.subject, who.kind, who.on_behalf_of) == ("x-bot", PrincipalKind.AGENT, "dana")
    # dana cannot approve what her agent asked for, under any spelling of her name
    dana = idp.issue(sub="Dana@example.org", groups=["data-owners"])
    status, text = await approve(h, answer.json()["approval"]["id"], dana)
    assert status == 403 and "acts for" in text


async def test_an_agent_named_like_a_person_cannot_run_or_see_their_action(
    h: Harness, idp: OidcProvider
) -> None:
    body = await pending(h, "alice")
    status, _ = await approve(h, body["approval"]["id"], h.tokens["bob"])
    assert status == 200
    impostor = bearer(idp.issue(sub="alice", extra_claims={"phigate_kind": "agent"}))
    ran = await h.client.post(f"/v1/actions/{body['id']}/run", headers=impostor)
    assert ran.status_code == 403, ran.text
    seen = await h.client.get(f"/v1/actions/{body['id']}", headers=impostor)
    assert seen.status_code == 403
    seen = await h.client.get(f"/v1/approvals/{body['approval']['id']}", headers=impostor)
    assert seen.status_code == 403
    listed = await h.client.get("/v1/approvals", headers=impostor)
    assert listed.json()["approvals"] == []
    assert len((await h.client.get("/v1/approvals", headers=h.auth("alice"))).json()["approvals"])
    ran = await h.client.post(f"/v1/actions/{body['id']}/run", headers=h.auth("alice"))
    assert ran.status_code == 200 and ran.json()["status"] == "executed", ran.text


async def test_exchanged_token_carries_the_agents_groups_not_the_persons(
    h: Harness, idp: OidcProvider
) -> None:
    human = {"phigate_kind": "human"}
    human_groups = idp.issue(
        sub="admin", groups=["auditors"], extra_claims=human | {"act": {"sub": "audit-bot"}}
    )
    assert (await h.client.get("/v1/audit", headers=bearer(human_groups))).status_code == 403
    own_groups = idp.issue(
        sub="admin", extra_claims=human | {"act": {"sub": "audit-bot", "groups": ["auditors"]}}
    )
    assert (await h.client.get("/v1/audit", headers=bearer(own_groups))).status_code == 200


@pytest.mark.parametrize(
    "act",
    [
        "claims-bot",  # not an object
        {"sub": "dana"},  # the actor is the subject itself
        {"sub": ""},
    ],
)
async def test_malformed_actor_claims_are_refused(
    h: Harness, idp: OidcProvider, act: object
) -> None:
    token = idp.issue(sub="dana", extra_claims={"act": act})
    assert (await h.client.get("/v1/approvals", headers=bearer(token))).status_code == 401


# -- item 5: subjects compared as people -----------------------------------------------


async def test_every_spelling_of_a_person_is_that_person(h: Harness, idp: OidcProvider) -> None:
    body = await pending(h)  # claims-bot, acting for dana
    approval_id = body["approval"]["id"]
    for spelling in ("Dana@example.org", "dana@Example.org", "dana ", "DANA", "ｄａｎａ"):
        token = idp.issue(sub=spelling, groups=["data-owners"])
        status, text = await approve(h, approval_id, token)
        assert status == 403 and "acts for" in text, (spelling, text)
    for spelling in ("Claims-Bot", "ｃｌａｉｍｓ-ｂｏｔ"):
        token = idp.issue(sub=spelling, groups=["data-owners"])
        status, text = await approve(h, approval_id, token)
        assert status == 403, (spelling, text)
    assert h.gateway.approval(approval_id).state == "pending"
    status, _ = await approve(h, approval_id, idp.issue(sub="Bob", groups=["data-owners"]))
    assert status == 200
    status, text = await approve(h, approval_id, h.tokens["bob"])
    assert status in (403, 409), text  # already decided, and bob already voted as Bob


@pytest.mark.parametrize(
    "subject",
    [
        "dana\n",
        "da\u200bna",
        "dana\u202e",
        "dana\u2028x",
        "\tdana",
        "da\x00na",
        "\u1d05\u1d00\u0274\u1d00",  # Latin small capitals: outside the allowlist
        "\u13a0\u13aa\u13c1\u13aa",  # Cherokee
        "dana\U0001d159",  # a symbol drawn blank
    ],
)
async def test_oidc_subjects_with_control_or_format_characters_are_refused(
    h: Harness, idp: OidcProvider, subject: str
) -> None:
    token = idp.issue(sub=subject, groups=["data-owners"])
    answer = await h.client.get("/v1/approvals", headers=bearer(token))
    assert answer.status_code == 401
    assert subject not in answer.text


@pytest.mark.parametrize("subject", ["da\u200bna", "dana\u202e", "da\x07na"])
def test_token_create_refuses_control_and_format_characters(
    tmp_path: Path, ehr_dsn: str, subject: str
) -> None:
    config = write_config(tmp_path, ehr_dsn)
    result = CliRunner().invoke(
        main, ["token", "create", "--config", str(config), "--subject", subject, "--kind", "human"]
    )
    assert result.exit_code == 2, result.output
    assert "control, format or invisible" in result.output


@pytest.mark.parametrize(
    ("subject", "named"),
    [
        ("\u1d05\u1d00\u0274\u1d00", "U+1D05 LATIN LETTER SMALL CAPITAL D"),
        ("\u13a0\u13aa\u13c1\u13aa", "U+13A0 CHEROKEE LETTER A"),
        ("dana\U0001d159", "U+1D159 MUSICAL SYMBOL NULL NOTEHEAD"),
    ],
)
def test_token_create_names_the_character_outside_the_allowlist(
    tmp_path: Path, ehr_dsn: str, subject: str, named: str
) -> None:
    config = write_config(tmp_path, ehr_dsn)
    result = CliRunner().invoke(
        main, ["token", "create", "--config", str(config), "--subject", subject, "--kind", "human"]
    )
    assert result.exit_code == 2, result.output
    assert named in result.output


def test_token_create_keeps_one_kind_per_subject(tmp_path: Path, ehr_dsn: str) -> None:
    config = write_config(tmp_path, ehr_dsn)

    def create(subject: str, kind: str) -> tuple[int, str]:
        args = ["token", "create", "--config", str(config), "--subject", subject, "--kind", kind]
        result = CliRunner().invoke(main, args)
        return result.exit_code, result.output

    assert create("Claims-Bot", "agent")[0] == 0
    code, output = create("claims-bot", "human")
    assert code == 2 and "a subject has one kind" in output
    listing = CliRunner().invoke(main, ["token", "list", "--config", str(config), "--json"])
    assert '"subject": "claims-bot"' in listing.output  # stored in its normal form


def write_config(tmp_path: Path, ehr_dsn: str) -> Path:
    settings = demo_config(tmp_path, ehr_dsn)
    data = settings.model_dump(mode="json", exclude_defaults=False)
    data["secrets"] = {
        "token_hash_key": settings.secrets.token_hash_key.ref,
        "masking_key": settings.secrets.masking_key.ref,
    }
    path = tmp_path / "phigate.yaml"
    path.write_text(yaml.safe_dump(data))
    return path
