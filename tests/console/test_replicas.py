"""Console sessions in the shared state store: two replicas over one state URL (SQLite
file and PostgreSQL) serve the same reviewer, sign-out and expiry take effect
everywhere, a restart keeps people signed in, and the store holds no usable id."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from phigate.config import Settings
from phigate.doors.console.sessions import COOKIE, LOGIN_COOKIE
from phigate.store.tables import console_logins, console_sessions
from tests.conftest import Harness, demo_config, make_harness
from tests.console.conftest import csrf_of, sign_in
from tests.console.test_console import pending
from tests.support.oidc_provider import oidc_provider
from tests.support.state import token_store


@dataclass
class Replicas:
    settings: Settings
    a: Harness
    b: Harness
    opened: list[Harness]

    async def start(self) -> Harness:
        """One more replica over the same state (and the same secrets)."""
        replica = await make_harness(self.settings)
        self.opened.append(replica)
        return replica


def replica_settings(tmp_path: Path, dsn: str, url: str, extra: dict[str, Any]) -> Settings:
    # One Settings object: every replica reads the same token key file.
    overrides = {"state": {"url": url}, "console": {"demo_sign_in": True}, **extra}
    return demo_config(tmp_path, dsn, overrides=overrides)


@pytest.fixture
async def replicas(tmp_path: Path, ehr_dsn: str, state_url: str) -> AsyncIterator[Replicas]:
    settings = replica_settings(tmp_path, ehr_dsn, state_url, {})
    group = Replicas(settings, await make_harness(settings), await make_harness(settings), [])
    try:
        yield group
    finally:
        for h in (group.a, group.b, *group.opened):
            await h.client.aclose()
            await h.gateway.close()


def browser_on(h: Harness, cookies: httpx.Cookies) -> httpx.AsyncClient:
    """The same browser (cookie jar), now routed to replica `h`."""
    client = httpx.AsyncClient(transport=h.client._transport, base_url="http://127.0.0.1")
    client.cookies = httpx.Cookies(cookies)
    return client


def session_rows(h: Harness) -> list[dict[str, Any]]:
    with h.gateway.db.read() as conn:
        return [dict(row._mapping) for row in conn.execute(sa.select(console_sessions))]


async def test_sign_in_on_one_replica_and_approve_on_another(replicas: Replicas) -> None:
    ids = await pending(replicas.a)
    on_a = await sign_in(replicas.a, "alice")
    on_b = browser_on(replicas.b, on_a.cookies)
    try:
        inbox = await on_b.get("/ui/approvals")
        assert inbox.status_code == 200 and ids["approval"] in inbox.text
        page = await on_b.get(f"/ui/approvals/{ids['approval']}")
        voted = await on_b.post(
            f"/ui/approvals/{ids['approval']}/approve", data={"csrf": csrf_of(page.text)}
        )
        assert voted.status_code == 303, voted.text
        assert replicas.a.gateway.approval(ids["approval"]).state.value == "approved"
        # sign out on B: A refuses the same cookie at once
        signed_out = await on_b.post("/ui/logout", data={"csrf": csrf_of(page.text)})
        assert signed_out.status_code == 303
        assert session_rows(replicas.a) == []
        refused = await on_a.get("/ui/approvals")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/ui/login")
    finally:
        await on_a.aclose()
        await on_b.aclose()


async def test_a_csrf_token_is_the_sessions_on_every_replica(replicas: Replicas) -> None:
    ids = await pending(replicas.a)
    alice = await sign_in(replicas.a, "alice")
    bob = await sign_in(replicas.b, "bob")
    try:
        bobs_page = await bob.get(f"/ui/approvals/{ids['approval']}")
        async with browser_on(replicas.b, alice.cookies) as alice_on_b:
            forged = await alice_on_b.post(
                f"/ui/approvals/{ids['approval']}/approve", data={"csrf": csrf_of(bobs_page.text)}
            )
        assert forged.status_code == 403  # bob's token does not work in alice's session
        assert replicas.b.gateway.approval(ids["approval"]).state.value == "pending"
    finally:
        await alice.aclose()
        await bob.aclose()


async def test_a_restart_keeps_people_signed_in(replicas: Replicas) -> None:
    alice = await sign_in(replicas.a, "alice")
    await replicas.a.gateway.close()
    restarted = await replicas.start()
    again = browser_on(restarted, alice.cookies)
    try:
        inbox = await again.get("/ui/approvals")
        assert inbox.status_code == 200 and "alice" in inbox.text
    finally:
        await alice.aclose()
        await again.aclose()


async def test_an_expired_session_is_refused_and_removed(replicas: Replicas) -> None:
    alice = await sign_in(replicas.a, "alice")
    try:
        with replicas.a.gateway.db.write() as conn:
            conn.execute(console_sessions.update().values(expires_at=time.time() - 1))
        async with browser_on(replicas.b, alice.cookies) as on_b:
            refused = await on_b.get("/ui/approvals")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/ui/login")
        assert session_rows(replicas.a) == []
    finally:
        await alice.aclose()


async def test_expired_rows_are_cleaned_up_by_the_next_sign_in(replicas: Replicas) -> None:
    alice = await sign_in(replicas.a, "alice")
    with replicas.a.gateway.db.write() as conn:
        conn.execute(console_sessions.update().values(expires_at=time.time() - 1))
    bob = await sign_in(replicas.b, "bob")
    try:
        assert [r["subject"] for r in session_rows(replicas.a)] == ["bob"]
    finally:
        await alice.aclose()
        await bob.aclose()


async def test_the_store_holds_no_usable_session_id(replicas: Replicas) -> None:
    alice = await sign_in(replicas.a, "alice")
    cookie = alice.cookies[COOKIE]
    try:
        (row,) = session_rows(replicas.a)
        assert row["subject"] == "alice" and row["signed_in_with"] == "demo"
        assert all(cookie not in str(value) for value in row.values())
        assert len(row["id_hash"]) == 64
        # whoever reads the table and presents the hash as a cookie gets nowhere
        thief = httpx.AsyncClient(
            transport=replicas.b.client._transport, base_url="http://127.0.0.1"
        )
        thief.cookies.set(COOKIE, row["id_hash"], path="/ui")
        stolen = await thief.get("/ui/approvals")
        await thief.aclose()
        assert stolen.status_code == 303
    finally:
        await alice.aclose()


async def test_the_sign_in_form_posts_to_any_replica(replicas: Replicas) -> None:
    browser = httpx.AsyncClient(transport=replicas.a.client._transport, base_url="http://127.0.0.1")
    try:
        form = await browser.get("/ui/login")
        with replicas.a.gateway.db.read() as conn:
            (login,) = conn.execute(sa.select(console_logins)).all()
        assert browser.cookies[LOGIN_COOKIE] not in str(tuple(login))
        on_b = browser_on(replicas.b, browser.cookies)
        data = {"subject": "bob", "csrf": csrf_of(form.text), "next": "/ui/history"}
        done = await on_b.post("/ui/login/demo", data=data)
        assert done.status_code == 303 and done.headers["location"] == "/ui/history"
        await on_b.aclose()
    finally:
        await browser.aclose()


async def test_oidc_sign_in_started_on_one_replica_completes_on_another(
    tmp_path: Path, ehr_dsn: str, state_url: str
) -> None:
    with oidc_provider(login_subject="carol", login_groups=("data-owners",)) as idp:
        extra = {
            "identity": {"oidc": {"issuer": idp.issuer, "audience": "phigate"}},
            "console": {"oidc_client_id": "phigate-console"},
        }
        settings = replica_settings(tmp_path, ehr_dsn, state_url, extra)
        a, b = await make_harness(settings), await make_harness(settings)
        browser = httpx.AsyncClient(transport=a.client._transport, base_url="http://127.0.0.1")
        try:
            start = await browser.get("/ui/login/oidc")
            async with httpx.AsyncClient() as provider:
                back = (await provider.get(start.headers["location"])).headers["location"]
            path = back.removeprefix("http://127.0.0.1")
            on_b = browser_on(b, browser.cookies)
            done = await on_b.get(path)
            assert done.status_code == 303 and done.headers["location"] == "/ui/approvals"
            async with browser_on(a, on_b.cookies) as signed_in:
                inbox = await signed_in.get("/ui/approvals")
            assert inbox.status_code == 200 and "carol" in inbox.text
            async with browser_on(a, browser.cookies) as replayer:
                replay = await replayer.get(path)
            assert replay.status_code == 400  # the state was taken by B, once
            await on_b.aclose()
        finally:
            await browser.aclose()
            for h in (a, b):
                await h.client.aclose()
                await h.gateway.close()


async def test_revoking_the_sign_in_token_ends_the_session_on_every_replica(
    replicas: Replicas,
) -> None:
    """Issue 15 item 6: a console session signed in with an API token ends when the
    token is revoked elsewhere (here: on the other replica, as `phigate token revoke`
    would, through the shared store); it can neither vote nor read the inbox."""
    ids = await pending(replicas.a)
    alice = await sign_in(replicas.a, "alice", how="token")
    on_b = browser_on(replicas.b, alice.cookies)
    try:
        page = await alice.get(f"/ui/approvals/{ids['approval']}")
        assert page.status_code == 200
        for info in token_store(replicas.b.gateway).list(subject="alice"):
            token_store(replicas.b.gateway).revoke(info.id)
        voted = await alice.post(
            f"/ui/approvals/{ids['approval']}/approve", data={"csrf": csrf_of(page.text)}
        )
        assert voted.status_code in (303, 403) and voted.headers.get("location", "").startswith(
            "/ui/login"
        ), voted.text
        assert replicas.a.gateway.approval(ids["approval"]).state.value == "pending"
        for browser in (alice, on_b):
            refused = await browser.get("/ui/approvals")
            assert refused.status_code == 303
            assert refused.headers["location"].startswith("/ui/login")
        assert session_rows(replicas.a) == []
    finally:
        await alice.aclose()
        await on_b.aclose()
