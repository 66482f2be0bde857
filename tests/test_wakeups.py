"""A decision on one replica wakes the request waiting on another through PostgreSQL
LISTEN/NOTIFY; the listener reconnects after losing its connection; SQLite polls."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.approvals.wakeups import (
    APPLICATION_NAME,
    FAST_RECONNECT_FOR,
    FAST_RECONNECT_SECONDS,
    POLL_SECONDS,
    RECONNECT_SECONDS,
    DecisionWakeups,
    _reconnect_delay,
    listen_url,
)
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.pipeline import workflow
from tests.conftest import Harness, demo_config, make_harness

# So long that a waiter woken in time can only have been woken by a notification.
NEVER = 600.0


@pytest.fixture
def pg_state(pg_server: EmbeddedPostgres) -> str:
    name = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    return pg_server.dsn(name)


@pytest.fixture
async def replicas(tmp_path: Path, ehr_dsn: str, pg_state: str) -> AsyncIterator[list[Harness]]:
    """Two gateways on one PostgreSQL state, each with its own listen connection,
    as two processes would have."""
    settings = demo_config(tmp_path, ehr_dsn, overrides={"state": {"url": pg_state}})
    harnesses = [await make_harness(settings) for _ in range(2)]
    listeners = [
        asyncio.create_task(h.gateway.wakeups.run(), name=f"wakeups-{i}")
        for i, h in enumerate(harnesses)
    ]
    try:
        for h in harnesses:
            h.gateway.wakeups.safety_poll_seconds = NEVER
            await until(lambda h=h: h.gateway.wakeups.listening)  # type: ignore[misc]
        yield harnesses
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        for h in harnesses:
            await h.client.aclose()
            await h.gateway.close()


async def until(condition: object, seconds: float = 30.0) -> None:
    """Wait for a condition other code makes true (a connection coming up)."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def pending(h: Harness, n: int) -> str:
    response = await h.submit("claims-bot", f"UPDATE claims SET status = 'paid' WHERE id = {n}")
    assert response.status_code == 202, response.text
    return str(response.json()["approval"]["id"])


async def approve(h: Harness, approval_id: str) -> None:
    vote = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=h.auth("alice"), json={}
    )
    assert vote.status_code == 200, vote.text


async def test_a_vote_on_another_replica_wakes_the_waiter_by_notify(
    replicas: list[Harness],
) -> None:
    a, b = replicas
    approval_id = await pending(a, 1)
    waiting = asyncio.create_task(
        a.gateway.wait_for_decision(approval_id, NEVER), name="waiting-client"
    )
    await asyncio.sleep(0.3)  # let it read once and sleep: the wake-up must come from B
    assert not waiting.done()
    heard = a.gateway.wakeups.received
    started = time.monotonic()
    await approve(b, approval_id)
    decided = await asyncio.wait_for(waiting, 30)
    assert decided.state.value == "approved"
    assert a.gateway.wakeups.received > heard
    assert time.monotonic() - started < 30


async def test_the_listener_reconnects_and_rechecks_after_losing_its_connection(
    replicas: list[Harness], pg_state: str
) -> None:
    a, b = replicas
    approval_id = await pending(a, 2)
    waiting = asyncio.create_task(
        a.gateway.wait_for_decision(approval_id, NEVER), name="waiting-client"
    )
    with psycopg.connect(pg_state, autocommit=True) as conn:
        killed = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (APPLICATION_NAME,),
        ).fetchone()
    assert killed is not None and killed[0] == 2  # both replicas' listeners
    await until(lambda: not a.gateway.wakeups.listening)
    # While it is down, waiters poll; the decision is seen one way or the other.
    assert a.gateway.wakeups.poll_seconds == POLL_SECONDS
    await until(lambda: a.gateway.wakeups.listening and b.gateway.wakeups.listening)
    heard = a.gateway.wakeups.received
    await approve(b, approval_id)
    decided = await asyncio.wait_for(waiting, 30)
    assert decided.state.value == "approved"
    assert a.gateway.wakeups.received > heard  # the new connection heard it


async def test_progress_is_reported_while_waiting(replicas: list[Harness]) -> None:
    a, b = replicas
    approval_id = await pending(a, 3)
    heard: list[float] = []

    async def progress(waited: float, _approval: object) -> None:
        heard.append(waited)
        if len(heard) == 3:
            await approve(b, approval_id)

    decided = await a.gateway.wait_for_decision(
        approval_id, NEVER, progress=progress, progress_every=0.5
    )
    assert decided.state.value == "approved"
    assert len(heard) == 3 and heard == sorted(heard)
    # At once (before the first interval, however slow the first read), then every interval.
    assert heard[0] < 0.5 <= heard[1] and heard[2] - heard[1] >= 0.4


async def test_without_notifications_a_waiter_polls(tmp_path: Path) -> None:
    wakeups = DecisionWakeups(listen_url(f"sqlite:///{tmp_path / 'state.db'}"))
    await wakeups.run()  # nothing to listen on: returns at once
    assert not wakeups.listening and wakeups.poll_seconds == POLL_SECONDS


async def test_wake_reaches_only_that_approvals_waiters() -> None:
    wakeups = DecisionWakeups(None)
    with wakeups.waiter("apr_1") as one, wakeups.waiter("apr_2") as two:
        wakeups.wake("apr_1")
        await asyncio.wait_for(one.wait(), 5)
        assert not two.is_set()
        wakeups.wake_all()
        await asyncio.wait_for(two.wait(), 5)


def test_the_listener_retries_quickly_early_in_an_outage_then_every_second() -> None:
    # A restart takes seconds: retrying every 0.1 s, waiters hear decisions again
    # within about that of the store being back, instead of up to a second later.
    assert _reconnect_delay(0.0) == FAST_RECONNECT_SECONDS < POLL_SECONDS
    assert _reconnect_delay(FAST_RECONNECT_FOR - 0.01) == FAST_RECONNECT_SECONDS
    assert _reconnect_delay(FAST_RECONNECT_FOR) == RECONNECT_SECONDS == 1.0


async def test_an_outage_is_logged_once_however_often_the_listener_retries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as unused:  # a port nothing listens on: every connect is refused
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    wakeups = DecisionWakeups(f"postgresql://nobody@127.0.0.1:{port}/none?connect_timeout=2")
    attempts = 0
    listen = wakeups._listen

    async def counted(url: str) -> None:
        nonlocal attempts
        attempts += 1
        await listen(url)

    wakeups._listen = counted  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="phigate.approvals.wakeups"):
        task = asyncio.create_task(wakeups.run(), name="listener")
        await until(lambda: attempts >= 3)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    lost = [r for r in caplog.records if "lost the listen connection" in r.getMessage()]
    assert len(lost) == 1, [r.getMessage() for r in lost]
    assert not wakeups.listening


def test_listen_url_uses_libpq_form() -> None:
    assert listen_url("postgresql+psycopg://u:p@h:5/db") == "postgresql://u:p@h:5/db"
    assert listen_url("sqlite:///x.db") is None


async def test_approved_rest_writes_are_answered_on_another_replica_by_notification(
    replicas: list[Harness],
) -> None:
    """A vote on B answers A's waiting REST client: the wake-up, the claim, the UPDATE
    upstream and its outcome, twenty times in a row, each by a notification (A's
    safety poll is `NEVER`). How fast is a target, measured by `bench/cluster_faults.py`
    (`wakeup_p95_ms`, across processes) and not asserted here: a timed test fails on a
    loaded machine, not on slow code."""
    a, b = replicas
    for n in range(20):
        sql = f"UPDATE claims SET status = 'paid' WHERE id = {300 + n}"
        answer = asyncio.create_task(a.submit("claims-bot", sql, wait=30), name="client")
        approval_id = await until_pending(a)
        await approve(b, approval_id)
        response = await asyncio.wait_for(answer, 60)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "executed"


async def until_pending(h: Harness) -> str:
    """The one pending approval, once the waiting client's request has recorded it."""
    found: list[str] = []

    def recorded() -> bool:
        found[:] = [approval.id for approval in h.gateway.list_approvals(state="pending")]
        return bool(found)

    await until(recorded)
    assert len(found) == 1, found
    return found[0]


async def test_a_waiter_cancelled_as_its_decision_lands_stays_cancelled() -> None:
    """A client gone just as a decision wakes its waiter: the wait ends cancelled, never
    as a wake-up that would go on to run the action (`asyncio.wait_for` on 3.11 would
    return instead)."""
    woken = asyncio.Event()
    napping = asyncio.create_task(workflow._nap(woken, 30))
    await asyncio.sleep(0.01)
    woken.set()  # the decision and the cancellation in one loop turn
    napping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await napping
