"""Group commit on both state back ends: writes waiting together share one
transaction, the audit chain stays intact, and a refused write or a failing store
fails exactly the writes it should, never the ones around it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest
import sqlalchemy as sa

from phigate.audit.chain import AuditLog
from phigate.core import metrics
from phigate.store import Database
from phigate.store.group_commit import GroupCommit, _Pending


@pytest.fixture
def db(state_url: str) -> Iterator[Database]:
    database = Database(state_url)
    database.migrate()
    yield database
    database.dispose()


def _append(audit: AuditLog, event: str) -> Callable[[sa.Connection], int]:
    def write(conn: sa.Connection) -> int:
        return audit.append_many_in(conn, [(event, {"n": 1}), (event + ".2", {"n": 2})])

    return write


def _held(writer: GroupCommit) -> threading.Event:
    """Block the writer thread inside a write so the next ones queue up behind it."""
    release = threading.Event()

    def wait(conn: sa.Connection) -> None:
        release.wait(10)

    writer.submit(wait)
    return release


async def test_concurrent_writes_share_commits_and_chain_correctly(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    commits = 0

    @sa.event.listens_for(db.engine, "commit")
    def count(conn: sa.Connection) -> None:
        nonlocal commits
        commits += 1

    release = _held(writer)
    pending = [asyncio.ensure_future(writer.run(_append(audit, f"e{i}"))) for i in range(20)]
    await asyncio.sleep(0.1)
    release.set()
    seqs = await asyncio.gather(*pending)
    writer.close()

    assert sorted(seqs) == [2 * i + 2 for i in range(20)]  # each write's last sequence
    assert commits <= 3  # the held write's batch, then (nearly) everything else at once
    verification = audit.verify()
    assert verification.ok and verification.records == 40


async def test_a_refused_write_fails_alone(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)

    def refused(conn: sa.Connection) -> None:
        audit.append_many_in(conn, [("refused", {})])
        raise ValueError("compare-and-set lost")

    release = _held(writer)
    before = asyncio.ensure_future(writer.run(_append(audit, "before")))
    bad = asyncio.ensure_future(writer.run(refused))
    after = asyncio.ensure_future(writer.run(_append(audit, "after")))
    await asyncio.sleep(0.1)
    release.set()
    assert await before > 0 and await after > 0
    with pytest.raises(ValueError, match="compare-and-set lost"):
        await bad
    writer.close()

    events = [r["event"] for r in audit.records()]
    assert events == ["before", "before.2", "after", "after.2"]  # nothing of the refused one
    assert audit.verify().ok


async def test_a_failing_store_fails_the_batch_and_the_writer_recovers(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    with db.write() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_head RENAME TO audit_head_gone")
    with pytest.raises(sa.exc.SQLAlchemyError):
        await writer.run(_append(audit, "lost"))
    with db.write() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_head_gone RENAME TO audit_head")
    assert await writer.run(_append(audit, "kept")) == 2
    writer.close()
    assert [r["event"] for r in audit.records()] == ["kept", "kept.2"]


async def test_a_write_given_up_before_it_started_never_runs(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    release = _held(writer)
    abandoned: Future[int] = writer.submit(_append(audit, "abandoned"))
    assert abandoned.cancel()
    release.set()
    assert await writer.run(_append(audit, "ran")) == 2
    writer.close()
    assert [r["event"] for r in audit.records()] == ["ran", "ran.2"]


async def test_a_closed_writer_refuses_new_writes(db: Database) -> None:
    writer = GroupCommit(db)
    writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        await writer.run(lambda conn: None)


async def test_writes_left_behind_a_stopped_writer_fail_instead_of_waiting(db: Database) -> None:
    writer = GroupCommit(db)
    release = _held(writer)
    writer._queue.put(None)  # close() ...
    late: Future[int] = Future()  # ... racing a submit that had passed the closed check
    writer._queue.put(_Pending(lambda conn: 1, late))
    release.set()
    await asyncio.to_thread(writer.close)
    with pytest.raises(RuntimeError, match="closed"):
        late.result(timeout=1)  # failed, not left waiting forever


async def test_commits_and_failures_are_measured(db: Database) -> None:
    def sample(name: str) -> float:
        return metrics.REGISTRY.get_sample_value(name) or 0.0

    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    commits, writes = (
        sample("phigate_state_commit_seconds_count"),
        sample("phigate_state_commit_writes_sum"),
    )
    failures = sample("phigate_state_commit_failures_total")
    await writer.run(_append(audit, "one"))
    with pytest.raises(ValueError):
        await writer.run(lambda conn: int("not a number"))
    writer.close()
    assert sample("phigate_state_commit_seconds_count") == commits + 1
    assert sample("phigate_state_commit_writes_sum") == writes + 1
    assert sample("phigate_state_commit_failures_total") == failures + 1


async def test_the_writer_keeps_one_connection_across_commits(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    checkouts = 0

    @sa.event.listens_for(db.engine, "checkout")
    def count(*args: object) -> None:
        nonlocal checkouts
        checkouts += 1

    for i in range(5):  # one after another: five transactions
        await writer.run(_append(audit, f"e{i}"))
    writer.close()
    assert checkouts == 1
    assert audit.verify().ok and audit.verify().records == 10


async def test_a_batch_wakes_the_waiting_loop_once(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    loop = asyncio.get_running_loop()
    wakeups = 0
    real = loop.call_soon_threadsafe

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal wakeups
        wakeups += 1
        return real(*args, **kwargs)

    release = _held(writer)
    pending = [asyncio.ensure_future(writer.run(_append(audit, f"e{i}"))) for i in range(10)]
    await asyncio.sleep(0.1)  # all ten queued behind the held write
    loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
    try:
        release.set()
        await asyncio.gather(*pending)
    finally:
        del loop.call_soon_threadsafe
    writer.close()
    assert wakeups == 1  # ten writes committed together, one wake-up


async def _holding(writer: GroupCommit) -> threading.Event:
    """`_held`, returning once the writer thread is inside the holding write (so what
    is queued next cannot join its batch)."""
    entered, release = threading.Event(), threading.Event()

    def wait(conn: sa.Connection) -> None:
        entered.set()
        release.wait(10)

    writer.submit(wait)
    assert await asyncio.to_thread(entered.wait, 10)
    return release


async def test_a_write_behind_shares_the_next_commit(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    commits = 0

    @sa.event.listens_for(db.engine, "commit")
    def count(conn: sa.Connection) -> None:
        nonlocal commits
        commits += 1

    release = await _holding(writer)
    behind = asyncio.ensure_future(writer.run(_append(audit, "result"), behind=True))
    urgent = asyncio.ensure_future(writer.run(_append(audit, "request")))
    await asyncio.sleep(0.1)  # both queued behind the held write
    release.set()
    assert await urgent == 4 and await behind == 2  # the result first, in one chain
    writer.close()
    assert commits == 2  # the held write's, then one for both
    assert [r["event"] for r in audit.records()] == ["result", "result.2", "request", "request.2"]


async def test_a_write_behind_alone_is_committed_soon(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    assert await writer.run(_append(audit, "alone"), behind=True) == 2
    writer.close()
    assert audit.verify().ok


async def test_closing_commits_the_writes_behind(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    release = _held(writer)
    behind = writer.submit(_append(audit, "last"))
    writer._queue.put(_Pending(_append(audit, "held"), Future(), behind=True))
    release.set()
    await asyncio.to_thread(writer.close)
    assert behind.result(timeout=1) == 2
    assert [r["event"] for r in audit.records()] == ["last", "last.2", "held", "held.2"]


@pytest.mark.parametrize("state_url", ["postgresql"], indirect=True)  # SQLite drops none
async def test_a_kept_connection_idle_a_while_is_checked_before_the_next_write(
    db: Database,
) -> None:
    """After the state database dropped the writer's connection (a restart, a fail-over),
    the next write still commits: the idle connection goes back to the pool, which
    checks it, instead of failing the write (the caller would be refused)."""
    assert not db.is_sqlite
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched, recheck_idle=0.0)
    await writer.run(_append(audit, "before"))
    with db.engine.connect() as conn:  # every other backend of this database, the writer's too
        ended = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert ended >= 1
    await writer.run(_append(audit, "after"))
    writer.close()
    assert audit.verify().ok and audit.verify().records == 4


async def test_a_lone_writer_never_waits_for_others(db: Database) -> None:
    """One waiter at a time (one client): each commit carries one write, so none
    waits for company, however long the wait for it is set."""
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched, sibling_wait=60)
    for i in range(5):
        await asyncio.wait_for(writer.run(_append(audit, f"e{i}")), 20)
    writer.close()
    assert audit.verify().records == 10


async def test_after_a_shared_commit_a_lone_write_waits_for_the_others(db: Database) -> None:
    """Once a commit carried two waited writes, the next batch with one waits (up to
    `sibling_wait`) for a second, and both share one commit."""
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched, sibling_wait=60)
    commits = 0

    @sa.event.listens_for(db.engine, "commit")
    def count(conn: sa.Connection) -> None:
        nonlocal commits
        commits += 1

    release = await _holding(writer)
    pair = [asyncio.ensure_future(writer.run(_append(audit, f"p{i}"))) for i in range(2)]
    await asyncio.sleep(0.1)  # both queued behind the held write: one commit of two
    release.set()
    await asyncio.gather(*pair)
    before = commits
    first = asyncio.ensure_future(writer.run(_append(audit, "first")))
    await asyncio.sleep(0.3)  # arrives well after the first: shares it only if waited for
    second = writer.run(_append(audit, "second"))
    assert await asyncio.wait_for(asyncio.gather(first, second), 30) == [6, 8]
    writer.close()
    assert commits - before == 1


async def test_writes_put_behind_are_committed_in_order_and_wake_no_one(db: Database) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    failures: list[BaseException] = []
    loop = asyncio.get_running_loop()
    wakeups = 0
    real = loop.call_soon_threadsafe

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal wakeups
        wakeups += 1
        return real(*args, **kwargs)

    release = await _holding(writer)
    for i in range(3):
        writer.put_behind(_append(audit, f"outcome{i}"), failures.append)
    loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
    try:
        release.set()
        # Settled in order: when a later write is committed, the earlier ones are.
        assert await writer.run(_append(audit, "request")) == 8
    finally:
        del loop.call_soon_threadsafe
    writer.close()
    assert failures == []
    assert wakeups == 1  # the request's; the writes behind wake no one
    assert [r["event"] for r in audit.records()][::2] == [
        "outcome0",
        "outcome1",
        "outcome2",
        "request",
    ]


async def test_a_failed_write_put_behind_is_reported_on_the_loop_before_later_writes(
    db: Database,
) -> None:
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched)
    seen: list[tuple[str, bool]] = []
    loop_thread = threading.get_ident()

    def refused(conn: sa.Connection) -> None:
        raise ValueError("compare-and-set lost")

    def on_error(exc: BaseException) -> None:
        seen.append((str(exc), threading.get_ident() == loop_thread))

    release = await _holding(writer)
    writer.put_behind(_append(audit, "kept"), on_error)
    writer.put_behind(refused, on_error)
    after = asyncio.ensure_future(writer.run(_append(audit, "after")))
    release.set()
    await after
    assert seen == [("compare-and-set lost", True)]  # reported, on the loop, already
    writer.close()
    assert [r["event"] for r in audit.records()][::2] == ["kept", "after"]


async def test_a_write_put_behind_a_closed_writer_is_reported(db: Database) -> None:
    writer = GroupCommit(db)
    writer.close()
    reported = asyncio.get_running_loop().create_future()
    writer.put_behind(lambda conn: None, reported.set_result)
    assert isinstance(await asyncio.wait_for(reported, 5), RuntimeError)


async def _until(check: Callable[[], bool]) -> bool:
    """Whether `check()` comes true within 10 s (asked between the loop's turns)."""
    deadline = asyncio.get_running_loop().time() + 10
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


async def test_writes_put_behind_while_the_writer_holds_some_do_not_wake_it(
    db: Database,
) -> None:
    """The first write behind wakes the writer to hold it (and wake when it is due);
    those put while it holds it are taken along when it wakes, without a wake-up each."""
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched, behind_wait=30)  # due long after the test
    failures: list[BaseException] = []
    writer.put_behind(_append(audit, "outcome0"), failures.append)
    assert await _until(lambda: writer._holding)
    for i in (1, 2):
        writer.put_behind(_append(audit, f"outcome{i}"), failures.append)
    assert writer._queue.qsize() == 0  # nothing put to wake it: it waits on its queue
    assert await writer.run(_append(audit, "request")) == 8  # in order, in one commit
    writer.close()
    assert failures == []
    assert [r["event"] for r in audit.records()][::2] == [
        "outcome0",
        "outcome1",
        "outcome2",
        "request",
    ]


async def test_a_write_put_behind_during_a_commit_is_committed_when_due(db: Database) -> None:
    """Put while the writer commits the writes it held (so without waking it), a write
    behind is taken up after that commit and committed when due, with no other write
    to carry it."""
    audit = AuditLog(db)
    writer = GroupCommit(db, around=audit.batched, behind_wait=2)
    failures: list[BaseException] = []
    writer.put_behind(_append(audit, "outcome0"), failures.append)
    assert await _until(lambda: writer._holding)
    release = await _holding(writer)  # commits outcome0 with it, and waits inside
    assert writer._holding  # still: it clears it only after the commit
    writer.put_behind(_append(audit, "outcome1"), failures.append)
    assert writer._queue.qsize() == 0  # no wake-up for it
    release.set()
    assert await _until(lambda: len(audit.records()) == 4)
    writer.close()
    assert failures == []
    assert [r["event"] for r in audit.records()][::2] == ["outcome0", "outcome1"]
