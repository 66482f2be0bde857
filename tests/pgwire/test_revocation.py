"""Revocation is immediate on the wire (issue 15 item 6): an open session whose API token
is revoked, by another replica sharing the state store, is ended within seconds; one
waiting for an approval is ended too; other sessions carry on."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import psycopg
import pytest

from phigate.ops.bootstrap import build_gateway
from phigate.pipeline.gateway import Gateway
from tests.pgwire.conftest import Wire, start_wire
from tests.support.state import token_store

# Generous: the machine running the tests may be loaded; the check itself runs every 0.2 s.
DEADLINE_SECONDS = 20.0


def revoke_elsewhere(wire: Wire, subject: str) -> None:
    """Revoke `subject`'s tokens through a second gateway over the same state (another
    replica, or `phigate token revoke` in another process)."""
    other: Gateway = build_gateway(wire.harness.gateway.settings, migrate=False)
    try:
        for info in token_store(other).list(subject=subject):
            token_store(other).revoke(info.id)
    finally:
        other.db.dispose()


async def ended(conn: psycopg.AsyncConnection[tuple[object, ...]]) -> str:
    """Poll until the gateway has ended the session; the error the client saw."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            await conn.execute("SELECT 1")
        except psycopg.OperationalError as error:
            return str(error)
        await asyncio.sleep(0.2)
    raise AssertionError("the session was still answering after its token was revoked")


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str, state_url: str) -> Wire:  # type: ignore[misc]
    """A listener over SQLite and over PostgreSQL state (replicas share the latter)."""
    harness, listener = await start_wire(
        tmp_path, ehr_dsn, {"state": {"url": state_url}}, revocation_check_seconds=0.2
    )
    try:
        yield Wire(harness, listener)
    finally:
        await listener.close()
        await harness.gateway.close()


async def test_a_revoked_tokens_wire_session_is_ended(wire: Wire) -> None:
    bot = await psycopg.AsyncConnection.connect(wire.dsn("claims-bot"), autocommit=True)
    alice = await psycopg.AsyncConnection.connect(wire.dsn("alice"), autocommit=True)
    try:
        await bot.execute("SELECT 1")
        revoke_elsewhere(wire, "claims-bot")
        message = await ended(bot)
        assert "revoked" in message or "closed" in message, message
        cur = await alice.execute("SELECT 2")  # someone else's session carries on
        assert await cur.fetchone() == (2,)
        records = [
            r for r in wire.harness.gateway.audit_records() if r["event"] == "pgwire.session_ended"
        ]
        assert [r["detail"]["who"]["subject"] for r in records] == ["claims-bot"]
    finally:
        await bot.close()
        await alice.close()
    with pytest.raises(psycopg.OperationalError):
        await psycopg.AsyncConnection.connect(wire.dsn("claims-bot"))


async def test_a_session_waiting_for_approval_is_ended_too(tmp_path: Path, ehr_dsn: str) -> None:
    harness, listener = await start_wire(
        tmp_path, ehr_dsn, revocation_check_seconds=0.2, approval_wait_seconds=60
    )
    wire = Wire(harness, listener)
    try:
        bot = await psycopg.AsyncConnection.connect(wire.dsn("claims-bot"), autocommit=True)
        waiting = asyncio.ensure_future(
            bot.execute("UPDATE claims SET status = 'paid' WHERE id = 9")
        )
        await asyncio.sleep(1.0)
        assert not waiting.done()
        started = time.monotonic()
        revoke_elsewhere(wire, "claims-bot")
        with pytest.raises(psycopg.OperationalError):
            await asyncio.wait_for(waiting, DEADLINE_SECONDS)
        assert time.monotonic() - started < DEADLINE_SECONDS
        await bot.close()
    finally:
        await listener.close()
        await harness.gateway.close()
