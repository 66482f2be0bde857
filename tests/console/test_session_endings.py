"""Every console session ending is on record (sign-out, expiry, a revoked token), once,
whichever replica ends it; and a revoked token's session ends within seconds even when
its reviewer sends nothing (the sweep), over SQLite and PostgreSQL state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from phigate.audit.chain import AuditLog
from phigate.doors.console.sessions import SessionStore, session_key
from phigate.identity.principal import Principal, PrincipalKind
from phigate.store import Database
from tests.conftest import Harness, make_harness
from tests.console.conftest import csrf_of, sign_in
from tests.console.test_replicas import Replicas, browser_on, replica_settings, session_rows
from tests.support.state import token_store

KEY = session_key(b"a token key of at least sixteen bytes")
CAROL = Principal("carol", PrincipalKind.HUMAN, frozenset({"data-owners"}), None, "oidc")


def endings(h: Harness) -> list[dict[str, Any]]:
    return [r for r in h.gateway.audit_records() if r["event"] == "console.session_ended"]


def revoke_all(h: Harness, subject: str) -> list[str]:
    """As `phigate token revoke ID` does, on this replica's store."""
    ids = [info.id for info in token_store(h.gateway).list(subject=subject)]
    for token_id in ids:
        token_store(h.gateway).revoke(token_id)
    return ids


@pytest.fixture
async def replicas(tmp_path: Path, ehr_dsn: str, state_url: str) -> AsyncIterator[Replicas]:
    console = {"demo_sign_in": True, "session_sweep_seconds": 0.2}
    settings = replica_settings(tmp_path, ehr_dsn, state_url, {"console": console})
    group = Replicas(settings, await make_harness(settings), await make_harness(settings), [])
    try:
        yield group
    finally:
        for h in (group.a, group.b):
            await h.client.aclose()
            await h.gateway.close()


async def test_sign_out_is_recorded(replicas: Replicas) -> None:
    alice = await sign_in(replicas.a, "alice")
    try:
        page = await alice.get("/ui/approvals")
        assert (await alice.post("/ui/logout", data={"csrf": csrf_of(page.text)})).status_code
    finally:
        await alice.aclose()
    [ended] = endings(replicas.b)
    assert ended["who"]["subject"] == "alice"
    assert ended["why"]["code"] == "signed_out" and ended["how"] == "demo"


async def test_a_revoked_tokens_session_ends_on_the_next_request(replicas: Replicas) -> None:
    alice = await sign_in(replicas.a, "alice", how="token")
    on_b = browser_on(replicas.b, alice.cookies)
    try:
        assert (await alice.get("/ui/approvals")).status_code == 200
        revoked = revoke_all(replicas.b, "alice")
        refused = await on_b.get("/ui/approvals")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/ui/login")
        assert (await alice.get("/ui/approvals")).status_code == 303  # and on A
    finally:
        await alice.aclose()
        await on_b.aclose()
    [ended] = endings(replicas.a)
    assert ended["why"]["code"] == "token_inactive" and ended["token_id"] in revoked


async def test_the_sweep_ends_a_quiet_session_once_across_replicas(replicas: Replicas) -> None:
    """Nobody presents the cookie: each replica's sweep runs (the app's lifespan starts
    it), and the ending is recorded once, within seconds of the revoke."""
    alice = await sign_in(replicas.a, "alice", how="token")
    bob = await sign_in(replicas.a, "bob", how="token")
    apps = [h.client._transport.app for h in (replicas.a, replicas.b)]  # type: ignore[attr-defined]
    try:
        async with lifespan(apps[0]), lifespan(apps[1]):
            revoked = revoke_all(replicas.b, "alice")
            started = time.monotonic()
            for _ in range(400):
                if endings(replicas.a):
                    break
                await asyncio.sleep(0.05)
            assert time.monotonic() - started < 20
        for h in (replicas.a, replicas.b):  # later sweeps find nothing more to end
            assert await asyncio.to_thread(console_of(h).sessions.sweep) == 0
        [ended] = endings(replicas.a)
        assert ended["token_id"] in revoked and ended["who"]["subject"] == "alice"
        assert [row["subject"] for row in session_rows(replicas.a)] == ["bob"]
        assert (await bob.get("/ui/approvals")).status_code == 200
    finally:
        await alice.aclose()
        await bob.aclose()


def console_of(h: Harness) -> Any:
    return h.client._transport.app.state.console  # type: ignore[attr-defined]


def lifespan(app: FastAPI) -> Any:
    return app.router.lifespan_context(app)


def test_expiry_is_recorded_once(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'state.db'}")
    db.migrate()
    try:
        audit = AuditLog(db)
        expired = SessionStore(db, KEY, -1, record_in=audit.append_in)
        first = expired.create(CAROL, "oidc")
        assert expired.get(first.id) is None  # presented: refused, ended
        second = expired.create(CAROL, "oidc")
        live = SessionStore(db, KEY, 60, record_in=audit.append_in)
        live.create(CAROL, "oidc")  # a new sign-in sweeps the other expired one
        assert expired.get(second.id) is None
        codes = [r["why"]["code"] for r in audit.records() if r["event"] == "console.session_ended"]
        assert codes == ["expired", "expired"]
    finally:
        db.dispose()
