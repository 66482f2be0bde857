"""Actions left `executing` by a replica that died are marked `interrupted`, on both back
ends: never a live replica's, never the recovering replica's own, each exactly once."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from phigate.audit.chain import AuditLog
from phigate.core.action_store import ActionStatus, ActionStore
from phigate.core.actions import Action, Description
from phigate.core.risk import RiskClass
from phigate.doors.app import build_app
from phigate.doors.channels.posted import PostedMessages
from phigate.identity.principal import Principal, PrincipalKind
from phigate.ops.replicas import STALE_BEATS, ReplicaRegistry, with_heartbeat
from phigate.policy import Decision, Verdict
from phigate.store import Database
from phigate.store.tables import actions, approvals, metadata, replicas
from tests.conftest import demo_config, make_harness
from tests.console.conftest import sign_in
from tests.support.state import audit_log

AGENT = Principal("bot", PrincipalKind.AGENT, frozenset({"agents"}), on_behalf_of="dana")
ALLOW = Decision(Verdict.ALLOW, "reads", "reads are allowed", "hipaa-safe-harbor")
STALE = 60.0


class Clock:
    """A settable wall clock, so a replica can 'stay silent' without the test sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Store:
    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.audit = AuditLog(self.db)
        self.actions = ActionStore(self.db, self.audit)
        self.clock = Clock()

    def registry(self, replica: str) -> ReplicaRegistry:
        return ReplicaRegistry(self.db, self.audit, replica, clock=self.clock)

    def admit(self, replica: str | None, *, status: str = "executing") -> str:
        """What the gateway writes when it admits an action on `replica`."""
        action = Action("ehr", "sql", {"sql": "SELECT 1", "params": []}, AGENT, "pgwire")
        action_id = f"act_{uuid.uuid4().hex[:10]}"
        with self.db.write() as conn:
            self.actions.insert(
                conn,
                action_id,
                action,
                Description(RiskClass.READ),
                ALLOW,
                ActionStatus(status),
                replica,
            )
            self.audit.append_in(conn, "action.execution_started", {"action_id": action_id})
        # The row's times are the real clock's: the settable one must not lag them, or
        # "silent for STALE seconds" would depend on how long the admits took.
        self.clock.now = max(self.clock.now, time.time())
        return action_id

    def status(self, action_id: str) -> str:
        return self.actions.get(action_id).status

    def interrupted_records(self) -> list[dict[str, object]]:
        return [r for r in self.audit.records() if r["event"] == "action.interrupted"]


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    s = Store(state_url)
    s.db.migrate()
    yield s
    s.db.dispose()


def test_migration_0006_matches_tables_py_and_downgrades(store: Store) -> None:
    with store.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "replica" in repr(d)] == []  # others' drift is not ours
    legacy = store.admit(None)  # a row from before the column: it stays, with NULL
    command.downgrade(store.db._alembic_config(), "0005")
    inspector = sa.inspect(store.db.engine)
    assert "replicas" not in inspector.get_table_names()
    assert "replica" not in {c["name"] for c in inspector.get_columns("actions")}
    store.db.migrate()
    assert "replicas" in sa.inspect(store.db.engine).get_table_names()
    assert store.status(legacy) == "executing"
    with store.db.read() as conn:
        replica = conn.execute(sa.select(actions.c.replica).where(actions.c.id == legacy))
        assert replica.scalar_one() is None


def test_dead_replica_action_is_interrupted_once_with_audit(store: Store) -> None:
    a, b = store.registry("replica-a"), store.registry("replica-b")
    a.beat()
    b.beat()
    action_id = store.admit("replica-a")
    assert b.recover(STALE) == 0  # A is alive
    store.clock.now += STALE + 1  # A dies: no more beats; B keeps beating
    b.beat()
    assert b.recover(STALE) == 1
    assert store.status(action_id) == "interrupted"
    record = store.actions.get(action_id)
    assert record.finished_at is not None
    assert record.result_summary is not None
    assert record.result_summary["status"] == "interrupted"
    assert "replica-a" in record.result_summary["reason"]
    [audit] = store.interrupted_records()
    assert audit["action_id"] == action_id
    assert audit["who"] == AGENT.to_json()
    assert audit["where"] == {"connection": "ehr", "front_door": "pgwire"}
    assert audit["replica"] == "replica-b"
    assert audit["result"] == {"reason": record.result_summary["reason"], "replica": "replica-a"}
    assert b.recover(STALE) == 0  # idempotent
    assert len(store.interrupted_records()) == 1
    verification = store.audit.verify()
    assert verification.ok, verification.problem


def test_live_replica_own_and_finished_actions_are_untouched(store: Store) -> None:
    a, b = store.registry("replica-a"), store.registry("replica-b")
    a.beat()
    live = store.admit("replica-a")
    own = store.admit("replica-b")
    done = store.admit("replica-c", status="executed")
    failed = store.admit("replica-c", status="failed")
    dead = store.admit("replica-c")  # replica-c never beat and its action is old
    store.clock.now += STALE + 1
    a.beat()  # A still beats; B never has (its own actions are never its business)
    assert b.recover(STALE) == 1
    assert store.status(dead) == "interrupted"
    assert [store.status(i) for i in (live, own, done, failed)] == [
        "executing",
        "executing",
        "executed",
        "failed",
    ]
    # Even long after, a replica does not judge its own runs: only others do.
    store.clock.now += 10 * STALE
    assert b.recover(STALE) == 1  # A's action, now that A is silent too
    assert store.status(live) == "interrupted"
    assert store.status(own) == "executing"
    assert store.registry("replica-d").recover(STALE) == 1
    assert store.status(own) == "interrupted"


def test_young_actions_of_unknown_replicas_wait(store: Store) -> None:
    """A replica may run actions before its first beat; legacy rows have no replica."""
    young = store.admit("replica-new")
    legacy = store.admit(None)
    b = store.registry("replica-b")
    assert b.recover(STALE) == 0
    store.clock.now += STALE + 1
    assert b.recover(STALE) == 2
    assert store.status(young) == store.status(legacy) == "interrupted"
    reasons = {r["action_id"]: r["result"] for r in store.interrupted_records()}
    assert reasons[legacy]["replica"] is None  # type: ignore[index]


def test_recovery_is_batch_bound(store: Store) -> None:
    ids = [store.admit("replica-a") for _ in range(5)]
    store.clock.now += STALE + 1
    b = store.registry("replica-b")
    assert b.recover(STALE, limit=3) == 3
    assert b.recover(STALE, limit=3) == 2
    assert {store.status(i) for i in ids} == {"interrupted"}


def test_beat_inserts_then_advances_one_row(store: Store) -> None:
    a = store.registry("replica-a")
    a.beat()
    first = store.clock.now
    store.clock.now += 5
    a.beat()
    with store.db.read() as conn:
        rows = conn.execute(sa.select(replicas)).all()
    assert [(r.id, r.started_at, r.last_seen) for r in rows] == [("replica-a", first, first + 5)]


def test_concurrent_recoverers_mark_each_action_once(state_url: str, store: Store) -> None:
    ids = [store.admit("replica-a") for _ in range(20)]
    store.clock.now += STALE + 1
    others = [Store(state_url) for _ in range(3)]
    for other in others:
        other.clock.now = store.clock.now
    try:
        counts: list[int] = []

        async def race() -> None:
            runs = [
                asyncio.to_thread(o.registry(f"replica-{n}").recover, STALE)
                for n, o in enumerate(others)
            ]
            counts.extend(await asyncio.gather(*runs))

        asyncio.run(race())
    finally:
        for other in others:
            other.db.dispose()
    assert sum(counts) == 20
    assert sorted(str(r["action_id"]) for r in store.interrupted_records()) == sorted(ids)
    assert store.audit.verify().ok


# ── through the gateway and the app ───────────────────────────────────────────────


async def test_gateway_records_its_replica_and_recovery_shows_everywhere(
    tmp_path: Path, ehr_dsn: str
) -> None:
    harness = await make_harness(demo_config(tmp_path, ehr_dsn))
    gateway = harness.gateway
    try:
        action = Action("ehr", "sql", {"sql": "SELECT 1", "params": []}, AGENT, "pgwire")
        admitted = await gateway.admit(action)
        assert admitted.status == "admitted"
        with gateway.db.read() as conn:
            stored = conn.execute(
                sa.select(actions.c.replica).where(actions.c.id == admitted.record.id)
            ).scalar_one()
        assert stored == gateway.replica
        # This gateway "dies" here: it never beat and never finishes the action.
        later = Clock()
        later.now += STALE + 1
        other = ReplicaRegistry(gateway.db, audit_log(gateway), "replica-other", clock=later)
        assert other.recover(STALE) == 1
        answer = await harness.client.get(
            f"/v1/actions/{admitted.record.id}", headers=harness.auth("admin")
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "interrupted"
        now = datetime.now(UTC)
        evidence = gateway.evidence(now - timedelta(hours=1), now)
        assert evidence.results.get("interrupted") == 1
        assert evidence.chain.ok
    finally:
        await harness.client.aclose()
        await gateway.close()


async def test_claiming_an_approved_action_takes_it_over(tmp_path: Path, ehr_dsn: str) -> None:
    harness = await make_harness(demo_config(tmp_path, ehr_dsn))
    gateway = harness.gateway
    try:
        pending = await harness.submit(
            "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 3"
        )
        assert pending.status_code == 202, pending.text
        action_id = pending.json()["id"]
        approval = await asyncio.to_thread(gateway.approval_for_action, action_id)
        assert approval is not None
        voted = await harness.client.post(
            f"/v1/approvals/{approval.id}/approve", headers=harness.auth("alice"), json={}
        )
        assert voted.status_code == 200, voted.text
        me = gateway.replica
        gateway.replica = "replica-runner"  # another replica runs it
        record = await asyncio.to_thread(gateway.action, action_id)
        claimed = await gateway.claim_approved(action_id, record.action.principal)
        assert claimed.record.status == "executing"
        with gateway.db.read() as conn:
            stored = conn.execute(
                sa.select(actions.c.replica).where(actions.c.id == action_id)
            ).scalar_one()
        assert stored == "replica-runner"
        # The runner dies mid-run; the requesting replica's heartbeat does not matter.
        later = Clock()
        later.now += STALE + 1
        requester = ReplicaRegistry(gateway.db, audit_log(gateway), me, clock=later)
        requester.beat()
        assert requester.recover(STALE) == 1
        reviewer = await sign_in(harness, "alice")
        try:
            detail = await reviewer.get(f"/ui/approvals/{approval.id}")
            history = await reviewer.get("/ui/history")
        finally:
            await reviewer.aclose()
        assert detail.status_code == 200, detail.text
        assert 'id="run-status">interrupted</span>' in detail.text
        assert "run interrupted" in history.text
    finally:
        await harness.client.aclose()
        await gateway.close()


def last_seen(db: Database, replica: str) -> float | None:
    with db.read() as conn:
        return conn.execute(
            sa.select(replicas.c.last_seen).where(replicas.c.id == replica)
        ).scalar_one_or_none()


async def wait_for(condition: Callable[[], bool]) -> None:
    """Poll the store (a heartbeat leaves no in-process event to wait on)."""
    for _ in range(250):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting for the heartbeat")


def heartbeat_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "phigate-heartbeat"]


async def test_app_lifespan_beats_and_stops(tmp_path: Path, ehr_dsn: str) -> None:
    settings = demo_config(tmp_path, ehr_dsn)
    fast = settings.state.model_copy(update={"heartbeat_seconds": 0.05})
    harness = await make_harness(settings.model_copy(update={"state": fast}))
    gateway, me = harness.gateway, harness.gateway.replica
    app = build_app(gateway)
    try:
        assert last_seen(gateway.db, me) is None  # the ASGI transport runs no lifespan
        async with app.router.lifespan_context(app):
            assert len(heartbeat_tasks()) == 1
            await wait_for(lambda: last_seen(gateway.db, me) is not None)
            first = last_seen(gateway.db, me)
            assert first is not None
            await wait_for(lambda: (last_seen(gateway.db, me) or 0) > first)
        assert heartbeat_tasks() == []
        stopped = last_seen(gateway.db, me)
        await asyncio.sleep(0.2)
        assert last_seen(gateway.db, me) == stopped
    finally:
        await harness.client.aclose()
        await gateway.close()


@asynccontextmanager
async def bare_lifespan(_app: Any) -> AsyncIterator[None]:
    yield None


async def test_heartbeat_survives_store_failures(store: Store) -> None:
    class Flaky(ReplicaRegistry):
        calls = 0

        def beat(self) -> None:
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise sa.exc.OperationalError("UPDATE", {}, Exception("store down"))
            super().beat()

    registry = Flaky(store.db, store.audit, "replica-flaky")
    async with with_heartbeat(bare_lifespan, registry, 0.02)(None):
        await wait_for(lambda: last_seen(store.db, "replica-flaky") is not None)
    assert Flaky.calls >= 2
    assert heartbeat_tasks() == []


DAY = 24 * 3600.0


def approval(
    store: Store, state: str, *, decided_days_ago: float | None, expires_in_days: float
) -> str:
    """An approval (and its action) as the gateway stores it, with one Slack message."""
    action_id = store.admit("r-any", status="pending_approval")
    approval_id = f"apr_{uuid.uuid4().hex[:10]}"
    now = store.clock.now
    with store.db.write() as conn:
        conn.execute(
            approvals.insert().values(
                id=approval_id,
                action_id=action_id,
                state=state,
                required=1,
                eligible_groups="[]",
                requester="bot",
                created_at=now - 30 * DAY,
                expires_at=now + expires_in_days * DAY,
                decided_at=None if decided_days_ago is None else now - decided_days_ago * DAY,
            )
        )
    PostedMessages(store.db, "slack").record(approval_id, {"channel": "C", "ts": "1.0"}, "r-any")
    return approval_id


def test_prune_forgets_only_settled_bookkeeping(store: Store) -> None:
    for replica, days in [("long-gone", 8), ("recently-gone", 2), ("gone-but-running", 8)]:
        store.clock.now -= days * DAY
        store.registry(replica).beat()
        store.clock.now += days * DAY
    running = store.admit("gone-but-running")
    old = approval(store, "approved", decided_days_ago=8, expires_in_days=-7)
    expired = approval(store, "pending", decided_days_ago=None, expires_in_days=-8)
    recent = approval(store, "denied", decided_days_ago=1, expires_in_days=-0.5)
    waiting = approval(store, "pending", decided_days_ago=None, expires_in_days=1)

    assert store.registry("me").prune() == (1, 2)
    with store.db.read() as conn:
        left = {r.id for r in conn.execute(sa.select(replicas.c.id))}
    assert left == {"recently-gone", "gone-but-running"}
    slack = PostedMessages(store.db, "slack")
    assert [bool(slack.for_approval(a)) for a in (old, expired, recent, waiting)] == [
        False,
        False,
        True,
        True,
    ]
    assert store.status(running) == "executing"  # pruning never touches actions
    assert store.registry("me").prune() == (0, 0)


def test_a_replica_whose_clock_is_behind_is_not_taken_for_dead(store: Store) -> None:
    """Heartbeats are stamped and judged by the state database's clock: a replica
    whose own clock is 30 s behind writes actions that look 30 s old, yet it beats
    now, so the others leave its running actions alone; once it stops, they do not."""
    skewed = ReplicaRegistry(store.db, store.audit, "replica-skewed")  # the store's clock
    other = ReplicaRegistry(store.db, store.audit, "replica-b")
    skewed.beat()
    action_id = store.admit("replica-skewed")
    with store.db.write() as conn:  # as written by a host whose clock is 30 s behind
        conn.execute(
            actions.update().where(actions.c.id == action_id).values(created_at=time.time() - 30)
        )
    other.beat()
    assert other.recover(5.0) == 0
    assert store.status(action_id) == "executing"
    with store.db.write() as conn:  # it stops beating: its last beat ages
        conn.execute(replicas.update().values(last_seen=replicas.c.last_seen - 10))
    assert other.recover(5.0) == 1
    assert store.status(action_id) == "interrupted"


async def test_after_missing_a_beat_a_replica_beats_a_full_window_before_judging(
    store: Store,
) -> None:
    """After an outage of the state store every replica's last beat is old: judging at
    once would take live replicas for dead. A replica first beats for the whole
    window (`STALE_BEATS` beats' time) the others need to show they are alive."""
    events: list[tuple[str, float]] = []
    every = 0.02

    class Outage(ReplicaRegistry):
        def beat(self) -> None:
            if len(events) < 2:
                events.append(("miss", time.monotonic()))
                raise sa.exc.OperationalError("UPDATE", {}, Exception("store down"))
            events.append(("beat", time.monotonic()))
            super().beat()

        def recover(self, stale_after: float, *, limit: int = 500) -> int:
            events.append(("recover", time.monotonic()))
            return 0

    registry = Outage(store.db, store.audit, "replica-back")
    async with with_heartbeat(bare_lifespan, registry, every)(None):
        await wait_for(lambda: any(name == "recover" for name, _ in events))
    names = [name for name, _ in events]
    first = names.index("recover")
    assert names[:3] == ["miss", "miss", "beat"]
    assert set(names[2:first]) == {"beat"}
    assert events[first][1] - events[2][1] >= STALE_BEATS * every
