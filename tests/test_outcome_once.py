"""Every action has exactly one outcome record, on both back ends: a run that ends
after another replica marked it `interrupted` adds what happened once, without a
second outcome, and an outcome written again (a retry whose first commit went
through but whose acknowledgement was lost) writes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest

from phigate.audit.chain import AuditLog
from phigate.core.action_store import (
    LATE_OUTCOME,
    UNRECORDED_OUTCOME,
    ActionRecord,
    ActionStatus,
    ActionStore,
    Ending,
)
from phigate.core.actions import Action, Description
from phigate.core.risk import RiskClass
from phigate.identity.principal import Principal, PrincipalKind
from phigate.ops.replicas import ReplicaRegistry
from phigate.policy import Decision, Verdict
from phigate.store import Database

AGENT = Principal("bot", PrincipalKind.AGENT, frozenset({"agents"}), on_behalf_of="dana")
ALLOW = Decision(Verdict.ALLOW, "reads", "reads are allowed", "hipaa-safe-harbor")
OUTCOMES = ("action.executed", "action.failed", "action.interrupted")
SUMMARY = {"rows": 1}


class Store:
    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.audit = AuditLog(self.db)
        self.actions = ActionStore(self.db, self.audit)

    def admit(self, replica: str) -> ActionRecord:
        action = Action("ehr", "sql", {"sql": "SELECT 1", "params": []}, AGENT, "pgwire")
        with self.db.write() as conn:
            return self.actions.insert(
                conn,
                f"act_{uuid.uuid4().hex[:10]}",
                action,
                Description(RiskClass.READ),
                ALLOW,
                ActionStatus.EXECUTING,
                replica,
            )

    def finish(self, record: ActionRecord, status: ActionStatus = ActionStatus.EXECUTED) -> Ending:
        """One commit of the outcome, as the gateway's `_finish` makes it."""
        with self.db.write() as conn:
            return self.actions.record_outcome(conn, record, status, SUMMARY, replica="replica-a")

    def events(self, action_id: str) -> Counter[str]:
        return Counter(
            str(r["event"]) for r in self.audit.records() if r.get("action_id") == action_id
        )


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    s = Store(state_url)
    s.db.migrate()
    yield s
    s.db.dispose()


def interrupt(store: Store) -> int:
    """Replica B takes replica A (which never beat) for dead."""
    return ReplicaRegistry(store.db, store.audit, "replica-b").recover(-3600.0)


def test_an_outcome_written_again_writes_nothing(store: Store) -> None:
    record = store.admit("replica-a")
    assert store.finish(record) is Ending.RECORDED
    assert store.finish(record) is Ending.ALREADY  # the retry after a lost acknowledgement
    assert store.events(record.id) == Counter({"action.executed": 1})
    assert store.actions.get(record.id).status is ActionStatus.EXECUTED
    assert store.audit.verify().ok


def test_another_outcome_over_a_recorded_one_writes_nothing(store: Store) -> None:
    record = store.admit("replica-a")
    store.finish(record, ActionStatus.FAILED)
    assert store.finish(record, ActionStatus.EXECUTED) is Ending.CONFLICTING
    assert store.events(record.id) == Counter({"action.failed": 1})
    assert store.actions.get(record.id).status is ActionStatus.FAILED


@pytest.mark.parametrize("status", [ActionStatus.EXECUTED, ActionStatus.FAILED])
def test_a_run_ending_after_its_interruption_is_added_once(
    store: Store, status: ActionStatus
) -> None:
    record = store.admit("replica-a")
    assert interrupt(store) == 1
    assert store.finish(record, status) is Ending.AFTER_INTERRUPT
    assert store.finish(record, status) is Ending.ALREADY  # retried: nothing more
    assert store.events(record.id) == Counter(
        {"action.interrupted": 1, "action.finished_after_interrupt": 1}
    )
    stored = store.actions.get(record.id)
    assert stored.status is ActionStatus.INTERRUPTED  # its one outcome
    assert stored.result_summary is not None
    assert "replica-a" in stored.result_summary["reason"]  # the interruption's, kept
    assert stored.result_summary[LATE_OUTCOME] == {"status": status.value, **SUMMARY}
    [late] = [r for r in store.audit.records() if r["event"] == "action.finished_after_interrupt"]
    assert late["result"] == {"status": status.value, **SUMMARY}
    assert late["replica"] == "replica-a"
    assert late["who"] == AGENT.to_json()
    assert store.audit.verify().ok


@pytest.mark.parametrize(
    ("status", "known"), [(ActionStatus.EXECUTED, "it ran"), (ActionStatus.FAILED, "unknown")]
)
def test_an_outcome_that_could_not_be_recorded_ends_it_interrupted_saying_so(
    store: Store, status: ActionStatus, known: str
) -> None:
    """The outcome record failed: the action ends `interrupted`, its summary and its
    `action.interrupted` record say what is known (never "not run"), and the outcome
    recorded later after all is added once, not as a second outcome."""
    record = store.admit("replica-a")
    with store.db.write() as conn:
        ended = store.actions.record_unrecorded(conn, record, status, SUMMARY, replica="replica-a")
    assert ended
    stored = store.actions.get(record.id)
    assert stored.status is ActionStatus.INTERRUPTED
    assert stored.result_summary is not None
    assert known in stored.result_summary["reason"]
    assert "not run" not in stored.result_summary["reason"]
    assert stored.result_summary[UNRECORDED_OUTCOME] == {"status": status.value, **SUMMARY}
    [marked] = [r for r in store.audit.records() if r["event"] == "action.interrupted"]
    assert marked["result"]["reason"] == stored.result_summary["reason"]
    assert interrupt(store) == 0  # recovery leaves an ended action alone
    assert store.finish(record, status) is Ending.AFTER_INTERRUPT
    assert store.events(record.id) == Counter(
        {"action.interrupted": 1, "action.finished_after_interrupt": 1}
    )
    with store.db.write() as conn:  # once ended, marking it again changes nothing
        again = store.actions.record_unrecorded(conn, record, status, SUMMARY, replica="a")
    assert not again
    assert store.audit.verify().ok


def test_runs_ending_while_recovery_marks_them_get_one_outcome_each(
    state_url: str, store: Store
) -> None:
    """The run's end and another replica's recovery race on each action: whichever
    commits first decides its one outcome record."""
    records = [store.admit("replica-a") for _ in range(30)]
    recoverer = Store(state_url)
    try:

        async def race() -> list[object]:
            ends = [asyncio.to_thread(store.finish, r) for r in records]
            recovery = asyncio.to_thread(interrupt, recoverer)
            return await asyncio.gather(recovery, *ends)

        marked, *endings = asyncio.run(race())
    finally:
        recoverer.db.dispose()
    assert Counter(endings)[Ending.AFTER_INTERRUPT] == marked
    for record in records:
        events = store.events(record.id)
        assert sum(events[e] for e in OUTCOMES) == 1, events
        late = events["action.finished_after_interrupt"]
        assert late == events["action.interrupted"], events
    assert store.audit.verify().ok
