"""Replica heartbeats, and recovery of actions cut off when their replica died.

An allowed action is stored `executing` before it runs, and set `executed` or
`failed` when it ends. If the process dies in between (kill -9, OOM, host loss)
nothing would ever end it. Each replica therefore beats (a row in `replicas`
with its `last_seen`), and every replica, at each beat, marks `interrupted` the
`executing` actions whose replica stopped beating — with an `action.interrupted`
audit record in the same transaction, so the log says what happened and who
noticed. Both this marking and a run's own end are compare-and-sets on
`executing`: a replica that was only cut off and ends the run later adds what
happened to the interrupted action, once, instead of a second outcome
(`ActionStore.record_outcome`).

Which replica runs an action is `actions.replica` (set when it is recorded, or
when an approved action is claimed). Actions from before that column (NULL) are
judged by age alone. A replica never touches its own actions, nor a live one's.

Bookkeeping that nothing will read again is pruned about once an hour: rows of
replicas silent for `PRUNE_AFTER` (with nothing left executing), and the chat
message references of approvals settled that long ago (their messages show the
final step). Actions, approvals and the audit log are never pruned here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from phigate.audit.chain import AuditLog
from phigate.core import clock
from phigate.core.action_store import ActionStatus, ActionStore
from phigate.store import Database
from phigate.store.tables import actions, approvals, chat_messages, replicas

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)

INTERRUPTED = ActionStatus.INTERRUPTED
# One recovery transaction holds the audit head; keep it short, the next beat takes the rest.
BATCH = 500
# How many heartbeats a replica may miss before its running actions count as cut off.
STALE_BEATS = 6
# How long bookkeeping rows outlive their use, and how often they are pruned.
PRUNE_AFTER = 7 * 24 * 3600.0
PRUNE_EVERY = 3600.0


class ReplicaRegistry:
    """This replica's heartbeat row, and recovery of dead replicas' running actions."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        replica: str,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._db = db
        self._audit = audit
        self._actions = ActionStore(db, audit)
        self.replica = replica
        # None: the state database's clock, the one clock every replica shares (tests
        # pass their own to let time pass without sleeping).
        self._clock = clock
        self._host = socket.gethostname()[:200]

    def beat(self) -> None:
        """Record that this replica is alive now (insert its row the first time)."""
        with self._db.write() as conn:
            now = self._now(conn)
            # A host's clock drifts while it runs: measured again at every beat.
            if self._clock is None:
                clock.calibrate(conn)
            updated = conn.execute(
                replicas.update().where(replicas.c.id == self.replica).values(last_seen=now)
            ).rowcount
            if updated == 0:
                conn.execute(
                    replicas.insert().values(
                        id=self.replica, host=self._host, started_at=now, last_seen=now
                    )
                )

    def recover(self, stale_after: float, *, limit: int = BATCH) -> int:
        """Mark `interrupted` up to `limit` actions left `executing` by dead replicas.

        A replica is dead when its row is older than `stale_after` seconds, or has
        no row and its action is that old (it may not have beaten yet). Returns how
        many actions were marked; each gets an `action.interrupted` audit record in
        the same transaction, and a compare-and-set on `executing` means two
        replicas recovering at once mark each action once.
        """
        with self._db.write() as conn:
            cutoff = self._now(conn) - stale_after
            rows = conn.execute(_orphans(self.replica, cutoff, limit)).all()
            entries = [
                ("action.interrupted", self._interrupted(row._mapping))
                for row in rows
                if self._mark(conn, row._mapping)
            ]
            if entries:
                self._audit.append_many_in(conn, entries)
        for _event, fields in entries:
            log.warning(
                "action %s was left executing by replica %s, which stopped; marked interrupted",
                fields["action_id"],
                fields["result"]["replica"],
            )
        return len(entries)

    def prune(self, older_than: float = PRUNE_AFTER) -> tuple[int, int]:
        """Delete rows of replicas silent for `older_than` seconds with nothing left
        executing, and chat message references of approvals settled (or expired) that
        long ago. Returns (replicas, chat messages) deleted."""
        running = sa.select(actions.c.id).where(
            actions.c.replica == replicas.c.id, actions.c.status == "executing"
        )
        with self._db.write() as conn:
            cutoff = self._now(conn) - older_than
            settled = sa.select(approvals.c.id).where(
                sa.or_(
                    approvals.c.expires_at < cutoff,
                    sa.and_(approvals.c.state != "pending", approvals.c.decided_at < cutoff),
                )
            )
            gone = conn.execute(
                replicas.delete().where(replicas.c.last_seen < cutoff, ~sa.exists(running))
            ).rowcount
            forgotten = conn.execute(
                chat_messages.delete().where(chat_messages.c.approval_id.in_(settled))
            ).rowcount
        if gone or forgotten:
            log.info("pruned %d silent replicas and %d settled chat messages", gone, forgotten)
        return gone, forgotten

    def _now(self, conn: sa.Connection) -> float:
        """Heartbeats and their ages are read on one clock, so a replica whose own clock
        is off (by 30 s, say) neither looks dead while it runs nor alive once gone."""
        return self._clock() if self._clock is not None else store_clock(conn)

    def _mark(self, conn: sa.Connection, row: sa.RowMapping) -> bool:
        summary = {"status": INTERRUPTED, "reason": _reason(row["replica"])}
        return self._actions.set_status(
            conn, row["id"], INTERRUPTED, expect=ActionStatus.EXECUTING, summary=summary
        )

    def _interrupted(self, row: sa.RowMapping) -> dict[str, Any]:
        return {
            "action_id": row["id"],
            "who": json.loads(row["principal"]),
            "where": {"connection": row["connection"], "front_door": row["front_door"]},
            "result": {"reason": _reason(row["replica"]), "replica": row["replica"]},
            "replica": self.replica,
        }


def store_clock(conn: sa.Connection) -> float:
    """Now, by the state database's clock (PostgreSQL), or this host's (SQLite: one
    process, one clock)."""
    if conn.dialect.name == "postgresql":
        now = conn.execute(sa.text("SELECT extract(epoch FROM clock_timestamp())"))
        return float(now.scalar_one())
    return clock.now()


def _reason(replica: str | None) -> str:
    if replica is None:
        return "left executing by a gateway that recorded no replica; it did not finish"
    return f"replica {replica} stopped while running it (no heartbeat); the outcome is unknown"


def _orphans(me: str, cutoff: float, limit: int) -> sa.Select[Any]:
    live = sa.select(replicas.c.id).where(
        replicas.c.id == actions.c.replica, replicas.c.last_seen >= cutoff
    )
    return (
        sa.select(
            actions.c.id,
            actions.c.principal,
            actions.c.connection,
            actions.c.front_door,
            actions.c.replica,
        )
        .where(
            actions.c.status == "executing",
            # Also the fallback for legacy rows and replicas that have not beaten yet.
            actions.c.created_at < cutoff,
            sa.or_(actions.c.replica.is_(None), actions.c.replica != me),
            ~sa.exists(live),
        )
        .order_by(actions.c.created_at, actions.c.id)
        .limit(limit)
    )


async def heartbeat(registry: ReplicaRegistry, every: float) -> None:
    """Beat, then recover dead replicas' actions, every `every` seconds until cancelled.

    A failure (store unreachable, …) is logged and retried at the next beat: a
    missed beat must not take the gateway down. Recovery waits until this replica
    has beaten for `stale_after` without a miss: after an outage of the state store
    every replica's last beat is old, and the live ones need as long to beat again
    before they can be told from the dead. Pruning runs at the first beat and then
    every `PRUNE_EVERY` seconds.
    """
    stale_after = STALE_BEATS * every
    pruned_at: float | None = None
    beating_since: float | None = None
    while True:
        try:
            await asyncio.to_thread(registry.beat)
            beating_since = beating_since or time.monotonic()
            if time.monotonic() - beating_since >= stale_after:
                await asyncio.to_thread(registry.recover, stale_after)
            if pruned_at is None or time.monotonic() - pruned_at >= PRUNE_EVERY:
                await asyncio.to_thread(registry.prune)
                pruned_at = time.monotonic()
        except Exception:
            beating_since = None
            log.exception("replica heartbeat failed; retrying in %.1fs", every)
        await asyncio.sleep(every)


Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]


def with_heartbeat(inner: Lifespan, registry: ReplicaRegistry, every: float) -> Lifespan:
    """Wrap an ASGI lifespan so the heartbeat runs while the app serves."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        task = asyncio.create_task(heartbeat(registry, every), name="phigate-heartbeat")
        try:
            async with inner(app) as state:
                yield state
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


def install_heartbeat(app: FastAPI, registry: ReplicaRegistry, every: float) -> None:
    """Run this replica's heartbeat and recovery (`Gateway.replica_registry`) every
    `every` seconds for as long as `app` serves."""
    app.router.lifespan_context = with_heartbeat(app.router.lifespan_context, registry, every)
