"""An OIDC access token's expiry ends what outlives its request, as revoking an API
token does (issue 15 item 6): an approved action claimed after the token that asked
for it expired is not run, and a wire session signed in with it is ended."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import jwt
import psycopg
import pytest
from tests.adversarial.test_findings_round4 import set_status, status_of
from tests.adversarial.test_findings_round6 import pending_approval
from tests.conftest import Harness, demo_config, make_harness
from tests.pgwire.conftest import Wire, start_wire
from tests.pgwire.test_revocation import ended
from tests.support.oidc_provider import OidcProvider, oidc_provider

LIFETIME = 3  # seconds: the tokens below expire while their work is still open


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with oidc_provider() as provider:
        yield provider


def identity(idp: OidcProvider) -> dict[str, Any]:
    oidc = {"issuer": idp.issuer, "audience": "phigate", "kind_claim": "phigate_kind"}
    return {"identity": {"oidc": {**oidc, "leeway_seconds": 0}}}


@pytest.fixture
async def h(tmp_path: Path, ehr_dsn: str, idp: OidcProvider) -> AsyncIterator[Harness]:
    harness = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=identity(idp)))
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


def dsn(wire: Wire, user: str, token: str) -> str:
    """A wire DSN that signs in with an OIDC access token as the password."""
    where = f"host=127.0.0.1 port={wire.port} dbname=ehr user={user}"
    return f"{where} password={token} sslmode=disable"


async def until_expired(token: str) -> None:
    """Wait until `token`'s `exp` has passed (a lower bound, not a race)."""
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    await asyncio.sleep(max(0.0, exp + 0.2 - time.time()))


async def test_an_action_approved_after_its_oidc_token_expired_is_not_run(
    h: Harness, idp: OidcProvider, ehr_dsn: str
) -> None:
    """The agent waits (`wait`) for its approval with a token that expires meanwhile;
    the approval comes after: nothing runs, the agent hears why, the log says so."""
    set_status(ehr_dsn, 61, "new")
    token = idp.issue(sub="x-bot", exp_in=LIFETIME, extra_claims={"phigate_kind": "agent"})
    waiting = asyncio.create_task(
        h.client.post(
            "/v1/actions",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "connection": "ehr",
                "sql": "UPDATE claims SET status = 'paid' WHERE id = 61",
                "reason": "paid by phone",
                "wait": 30,
            },
        )
    )
    approval_id = await pending_approval(h)
    await until_expired(token)
    alice = await h.gateway.authenticate(h.tokens["alice"])
    await h.gateway.vote(approval_id, alice, "approve")
    answer = await asyncio.wait_for(waiting, 30)
    assert answer.status_code == 401, answer.text
    assert "expired" in answer.text, answer.text
    assert status_of(ehr_dsn, 61) == "new"
    refused = [r for r in h.gateway.audit_records() if r["event"] == "action.refused"]
    assert any("expired" in r["why"]["reason"] for r in refused), refused


async def test_a_wire_session_ends_when_its_oidc_token_expires(
    tmp_path: Path, ehr_dsn: str, idp: OidcProvider
) -> None:
    harness, listener = await start_wire(
        tmp_path, ehr_dsn, identity(idp), revocation_check_seconds=0.2
    )
    wire = Wire(harness, listener)
    token = idp.issue(sub="x-bot", exp_in=LIFETIME, extra_claims={"phigate_kind": "agent"})
    lasting = idp.issue(sub="y-bot", exp_in=300, extra_claims={"phigate_kind": "agent"})
    try:
        short = await psycopg.AsyncConnection.connect(dsn(wire, "x-bot", token), autocommit=True)
        other = await psycopg.AsyncConnection.connect(dsn(wire, "y-bot", lasting), autocommit=True)
        try:
            cur = await short.execute("SELECT 1")
            assert await cur.fetchone() == (1,)
            await until_expired(token)
            message = await ended(short)
            assert "expired" in message or "closed" in message, message
            cur = await other.execute("SELECT 2")  # a token still valid carries on
            assert await cur.fetchone() == (2,)
        finally:
            await short.close()
            await other.close()
        events = harness.gateway.audit_records()
        records = [r for r in events if r["event"] == "pgwire.session_ended"]
        assert [r["detail"]["who"]["subject"] for r in records] == ["x-bot"]
    finally:
        await listener.close()
        await harness.gateway.close()
