"""Stored actions: what was asked, how it was understood and decided, how it ended.

Every state change is written together with its audit record in one
transaction: if the audit record cannot be written, the change does not happen.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from phigate.audit.chain import AuditLog
from phigate.core import clock
from phigate.core.actions import Action, Description
from phigate.core.bound_files import scrubbed_without_contents, without_contents
from phigate.core.errors import AuditUnavailableError, NotFoundError
from phigate.core.risk import RiskClass
from phigate.identity.principal import Principal
from phigate.policy import Decision, Verdict
from phigate.store import Database
from phigate.store.group_commit import GroupCommit, WriterClosedError
from phigate.store.hot import HotStatement
from phigate.store.json_columns import column_json
from phigate.store.tables import APPROVED_ONLY, actions

log = logging.getLogger(__name__)
T = TypeVar("T")
Scrubber = Callable[[dict[str, Any]], Any]


def _set_status(*, summary: bool, replica: bool) -> sa.Update:
    """A compare-and-set: the status changes only from the one expected."""
    query = actions.update().where(
        actions.c.id == sa.bindparam("action_id"), actions.c.status == sa.bindparam("expect")
    )
    values: dict[str, Any] = {"status": sa.bindparam("new_status")}
    if summary:
        values.update(
            result_summary=sa.bindparam("new_summary"),
            finished_at=sa.bindparam("new_finished_at"),
        )
    if replica:
        values["replica"] = sa.bindparam("new_replica")
    return query.values(**values)


# Every action inserts one row and sets its status at least once (phigate.store.hot).
_UNSET_AT_INSERT = ("finished_at", "result_summary")
_INSERT = HotStatement(
    actions.insert().values(
        {c.name: sa.bindparam(c.name) for c in actions.c if c.name not in _UNSET_AT_INSERT}
    )
)
_SET_STATUS = {
    (s, r): HotStatement(_set_status(summary=s, replica=r))
    for s in (False, True)
    for r in (False, True)
}
# The rare path of an outcome whose action is no longer `executing` (see `record_outcome`).
_ENDED = (
    sa.select(actions.c.status, actions.c.result_summary)
    .where(actions.c.id == sa.bindparam("action_id"))
    .with_for_update()
)
_LATE_SUMMARY = (
    actions.update()
    .where(actions.c.id == sa.bindparam("action_id"), actions.c.status == "interrupted")
    .values(result_summary=sa.bindparam("new_summary"))
)
# The key under which an interrupted action's summary keeps the outcome learnt later.
LATE_OUTCOME = "finished_after_interrupt"
# In the summary of an action ended `interrupted` because its outcome could not be
# recorded: the outcome it had (`ActionStore.record_unrecorded`).
UNRECORDED_OUTCOME = "unrecorded_outcome"


class Ending(enum.StrEnum):
    """What `ActionStore.record_outcome` found and wrote."""

    RECORDED = "recorded"  # the outcome and its audit record
    AFTER_INTERRUPT = "after_interrupt"  # marked interrupted meanwhile: added to it, once
    ALREADY = "already"  # this outcome was already recorded (a retried commit): nothing
    CONFLICTING = "conflicting"  # another outcome was recorded: nothing (logged)


class ActionStatus(enum.StrEnum):
    """Where an action stands. The values are what `actions.status` has always held."""

    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"  # may now be run, once, by its requester
    DENIED = "denied"  # by policy, or by a reviewer
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    EXECUTING = "executing"
    EXECUTED = "executed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # its replica died mid-run (phigate.ops.replicas)


@dataclass(frozen=True)
class ActionRecord:
    id: str
    created_at: float
    action: Action
    fingerprint: str
    description: Description
    decision: str
    rule: str | None
    decision_reason: str
    masking: str
    status: ActionStatus
    finished_at: float | None
    result_summary: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at,
            "connection": self.action.connection,
            "kind": self.action.kind,
            # The requester's view: bound files by digest (`phigate.core.bound_files`).
            "action": without_contents(self.action.body),
            "principal": self.action.principal.to_json(),
            "front_door": self.action.front_door,
            "reason": self.action.reason,
            "reveal": list(self.action.reveal),
            "risk": self.description.risk.value,
            "analysis": self.description.to_json(),
            "decision": self.decision,
            "rule": self.rule,
            "decision_reason": self.decision_reason,
            "masking": self.masking,
            "finished_at": self.finished_at,
            "result_summary": self.result_summary,
        }


def outcome_fields(record: ActionRecord, summary: dict[str, Any], replica: str) -> dict[str, Any]:
    """who / where / result of the audit record of how a run ended (a summary, never
    result data), and the replica that ran it."""
    return {
        "action_id": record.id,
        "who": record.action.principal.to_json(),
        "where": {"connection": record.action.connection, "front_door": record.action.front_door},
        "result": summary,
        "replica": replica,
    }


def audit_fields(
    action: Action, description: Description | None = None, *, scrub: Scrubber | None = None
) -> dict[str, Any]:
    """who / what / where for an audit record of this action (never result data).

    `scrub` masks PHI and secrets in the action's own text (literals in SQL,
    parameters, arguments): the exact action stays in the action store, bound by
    the fingerprint recorded here.
    """
    # A bound file is recorded by digest: the fingerprint binds its text already.
    body: Any = (
        without_contents(action.body)
        if scrub is None
        else scrubbed_without_contents(action.body, scrub)
    )
    fields: dict[str, Any] = {
        "who": action.principal.to_json(),
        "where": {
            "connection": action.connection,
            "front_door": action.front_door,
            "client_addr": action.client_addr,
        },
        "what": {
            "kind": action.kind,
            "body": body,
            "reveal": list(action.reveal),
            "fingerprint": action.fingerprint(),
        },
    }
    if description is not None:
        fields["what"].update(risk=description.risk.value, tables=list(description.tables))
    return fields


class ActionStore:
    def __init__(self, db: Database, audit: AuditLog) -> None:
        self._db = db
        self._audit = audit

    def insert(
        self,
        conn: sa.Connection,
        action_id: str,
        action: Action,
        description: Description,
        decision: Decision,
        status: ActionStatus,
        replica: str | None = None,
        *,
        analysis_json: str | None = None,
    ) -> ActionRecord:
        """Insert the action; the returned record is what was written (no re-read).

        `replica` is the gateway process that records (and, if it runs now, runs) it:
        phigate.ops.replicas finds runs cut off when that replica died. `analysis_json`:
        the description already serialised (a reused decision's).
        """
        created_at = clock.now()
        fingerprint = action.fingerprint()
        _INSERT.execute(
            conn,
            {
                "id": action_id,
                "created_at": created_at,
                "connection": action.connection,
                "kind": action.kind,
                "body": column_json({"body": action.body, "reveal": list(action.reveal)}),
                "fingerprint": fingerprint,
                "principal": action.principal.json_text,
                "subject": action.principal.subject,
                "front_door": action.front_door,
                "client_addr": action.client_addr,
                "reason": action.reason,
                "risk": description.risk.value,
                "analysis": analysis_json or column_json(description.to_json()),
                "decision": decision.outcome,
                "rule": decision.rule,
                "decision_reason": decision.reason,
                "masking": decision.masking,
                "status": status.value,
                "replica": replica,
            },
        )
        return ActionRecord(
            id=action_id,
            created_at=created_at,
            action=action,
            fingerprint=fingerprint,
            description=description,
            decision=decision.outcome,
            rule=decision.rule,
            decision_reason=decision.reason,
            masking=decision.masking,
            status=status,
            finished_at=None,
            result_summary=None,
        )

    def set_status(
        self,
        conn: sa.Connection,
        action_id: str,
        status: ActionStatus,
        *,
        expect: ActionStatus,
        summary: dict[str, Any] | None = None,
        replica: str | None = None,
    ) -> bool:
        """Compare-and-set the status; returns False when the expected status did not hold.

        Every change is from one known status, so two writers (a run ending, another
        replica taking it for dead) never both win. `replica`: the gateway process
        that takes the action over (runs it now).
        """
        params: dict[str, Any] = {
            "action_id": action_id,
            "new_status": status.value,
            "expect": expect.value,
        }
        if replica is not None:
            params["new_replica"] = replica
        if summary is not None:
            params.update(new_summary=column_json(summary), new_finished_at=clock.now())
        cursor = _SET_STATUS[summary is not None, replica is not None].execute(conn, params)
        try:
            return bool(cursor.rowcount == 1)
        finally:
            cursor.close()

    def record_outcome(
        self,
        conn: sa.Connection,
        record: ActionRecord,
        status: ActionStatus,
        summary: dict[str, Any],
        *,
        replica: str,
    ) -> Ending:
        """Record how a run ended, with its audit record, in the caller's transaction.

        Each action gets exactly one outcome record (`action.executed`, `.failed` or
        `.interrupted`): the status moves only from `executing`. If another replica
        took this one for dead meanwhile (phigate.ops.replicas), the action stays
        `interrupted` and what really happened is added once, as an
        `action.finished_after_interrupt` record and under `finished_after_interrupt`
        in its summary. Finding its own outcome already there (a retry whose first
        commit went through but whose acknowledgement was lost) writes nothing, so
        retrying is safe.
        """
        fields = outcome_fields(record, summary, replica)
        if self.set_status(conn, record.id, status, expect=ActionStatus.EXECUTING, summary=summary):
            self._audit.append_in(conn, f"action.{status}", fields)
            return Ending.RECORDED
        return self._already_ended(conn, record.id, status, fields)

    def record_unrecorded(
        self,
        conn: sa.Connection,
        record: ActionRecord,
        status: ActionStatus,
        summary: dict[str, Any],
        *,
        replica: str,
    ) -> bool:
        """The outcome record could not be written: end the action `interrupted`, with
        an `action.interrupted` record saying it ran (or may have) and that how it ended
        is not on record, so reviewers and recovery read it honestly and nothing takes
        it for one that never ran (its approval stays spent). An outcome recorded later
        is added to it once (`_late`). False when it had ended meanwhile."""
        ended = {
            "status": ActionStatus.INTERRUPTED.value,
            "reason": unrecorded_reason(status),
            UNRECORDED_OUTCOME: {"status": status.value, **summary},
        }
        if not self.set_status(
            conn, record.id, ActionStatus.INTERRUPTED, expect=ActionStatus.EXECUTING, summary=ended
        ):
            return False
        self._audit.append_in(conn, "action.interrupted", outcome_fields(record, ended, replica))
        return True

    def _already_ended(
        self, conn: sa.Connection, action_id: str, status: ActionStatus, fields: dict[str, Any]
    ) -> Ending:
        row = conn.execute(_ENDED, {"action_id": action_id}).first()
        if row is None:
            raise NotFoundError(f"no action {action_id}")
        held = ActionStatus(row.status)
        if held is ActionStatus.INTERRUPTED:
            return self._late(
                conn, action_id, status, fields, json.loads(row.result_summary or "{}")
            )
        if held is not status:  # only the replica running an action ends it: a bug
            log.error(
                "action %s ended %s but is recorded %s; not recorded", action_id, status, held
            )
            return Ending.CONFLICTING
        return Ending.ALREADY

    def _late(
        self,
        conn: sa.Connection,
        action_id: str,
        status: ActionStatus,
        fields: dict[str, Any],
        stored: dict[str, Any],
    ) -> Ending:
        if LATE_OUTCOME in stored:
            return Ending.ALREADY
        late = {"status": status.value, **fields["result"]}
        summary = json.dumps({**stored, LATE_OUTCOME: late}, default=str)
        conn.execute(_LATE_SUMMARY, {"action_id": action_id, "new_summary": summary})
        self._audit.append_in(conn, "action.finished_after_interrupt", {**fields, "result": late})
        log.warning("action %s, marked interrupted, has ended after all: %s", action_id, status)
        return Ending.AFTER_INTERRUPT

    def get(self, action_id: str) -> ActionRecord:
        with self._db.read() as conn:
            return self.get_in(conn, action_id)

    def get_in(self, conn: sa.Connection, action_id: str) -> ActionRecord:
        """`get` inside the caller's transaction (it sees what that transaction wrote)."""
        row = conn.execute(sa.select(actions).where(actions.c.id == action_id)).first()
        if row is None:
            raise NotFoundError(f"no action {action_id}")
        return _record(row._mapping)

    def approved_with_fingerprint(self, fingerprint: str) -> list[str]:
        """Ids of approved, not yet run actions with this exact fingerprint.

        The status is written into the statement, not bound: only then may SQLite (and
        PostgreSQL's generic plans) use the partial index of approved fingerprints.
        """
        query = sa.select(actions.c.id).where(actions.c.fingerprint == fingerprint, APPROVED_ONLY)
        with self._db.read() as conn:
            return [str(row.id) for row in conn.execute(query)]

    def list(self, *, limit: int = 100) -> list[ActionRecord]:
        query = sa.select(actions).order_by(actions.c.created_at.desc()).limit(limit)
        with self._db.read() as conn:
            return [_record(row._mapping) for row in conn.execute(query)]


def _record(m: Any) -> ActionRecord:
    principal_json = json.loads(m["principal"])
    # signed_in_as is part of the fingerprint: without it an alias's approved action
    # never matches.
    principal = Principal.stored(principal_json)
    stored = json.loads(m["body"])
    action = Action(
        connection=m["connection"],
        kind=m["kind"],
        body=stored["body"],
        principal=principal,
        front_door=m["front_door"],
        reason=m["reason"],
        client_addr=m["client_addr"],
        reveal=tuple(stored.get("reveal", ())),
    )
    analysis = json.loads(m["analysis"])
    description = Description(
        risk=RiskClass(m["risk"]),
        tables=tuple(analysis.get("tables", ())),
        columns=tuple(analysis.get("columns", ())),
        functions=tuple(analysis.get("functions", ())),
        reasons=tuple(analysis.get("reasons", ())),
        detail={
            k: v
            for k, v in analysis.items()
            if k not in {"risk", "tables", "columns", "functions", "reasons"}
        },
    )
    summary = json.loads(m["result_summary"]) if m["result_summary"] else None
    return ActionRecord(
        id=m["id"],
        created_at=m["created_at"],
        action=action,
        fingerprint=m["fingerprint"],
        description=description,
        decision=m["decision"],
        rule=m["rule"],
        decision_reason=m["decision_reason"],
        masking=m["masking"],
        status=ActionStatus(m["status"]),
        finished_at=m["finished_at"],
        result_summary=summary,
    )


# The one record of an action policy allowed outright, which runs at once: request,
# decision and the start of its run (see `request_records`, docs/audit.md).
ADMITTED = "action.admitted"


def request_records(
    action: Action,
    decision: Decision,
    fields: dict[str, Any],
    action_id: str,
    approval_id: str | None,
    replica: str,
    *,
    runs_now: bool = False,
) -> list[tuple[str, dict[str, Any]]]:
    """The audit records of a request and its decision (who, what, where, why).

    An action allowed outright that runs at once (`runs_now`) gets one
    `action.admitted` record holding every fact of the three it once had
    (`action.requested`, `action.decided`, `action.execution_started`): the request's
    who/what/where/why, the decision under `decision` and `decided` (the rule and its
    reason), the masking and the replica, its start being the record itself. Anything
    else (denied, sent for approval, break-glass) keeps its separate records.
    """
    if runs_now and decision.outcome is Verdict.ALLOW:
        return [
            (
                ADMITTED,
                {
                    "action_id": action_id,
                    **fields,
                    "why": {"reason": action.reason},
                    "decision": decision.outcome,
                    "decided": {"rule": decision.rule, "reason": decision.reason},
                    "masking": decision.masking,
                    "replica": replica,
                },
            )
        ]
    entries: list[tuple[str, dict[str, Any]]] = [
        ("action.requested", {"action_id": action_id, **fields, "why": {"reason": action.reason}})
    ]
    if decision.outcome is Verdict.BREAK_GLASS:
        entries.append(
            (
                "action.break_glass",
                {
                    "action_id": action_id,
                    "approval_id": approval_id,
                    "who": fields["who"],
                    "where": fields["where"],
                    "reveal": list(action.reveal),
                    "why": {"reason": action.reason, "rule": decision.rule},
                },
            )
        )
    entries.append(
        (
            "action.decided",
            {
                "action_id": action_id,
                "who": fields["who"],
                "where": fields["where"],
                "decision": decision.outcome,
                "approval_id": approval_id,
                "why": {"rule": decision.rule, "reason": decision.reason},
                "masking": decision.masking,
                "replica": replica,
            },
        )
    )
    return entries


NOT_RUN = "so the action was not run"


def unrecorded_reason(status: ActionStatus) -> str:
    """What is known of a run whose outcome (`status`) could not be recorded."""
    if status is ActionStatus.EXECUTED:
        return "it ran and completed upstream, but the audit log could not record its outcome"
    return (
        "it was sent upstream and ended with an error, but the audit log could not record"
        " its outcome: whether it took effect is unknown"
    )


@contextlib.contextmanager
def recorded_or_refused(so: str = NOT_RUN) -> Iterator[None]:
    """A state change and its audit records commit together or not at all.

    A store failure here means the records cannot be written, so the change must
    not go ahead: it surfaces as AuditUnavailableError (503) saying what did not
    happen (`so`: "so the vote was not recorded"), never as success and never as
    an unhandled 500 a reviewer cannot tell from a bug.
    """
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise _not_recorded(exc, so) from exc


async def commit_recorded(
    writes: GroupCommit, write: Callable[[sa.Connection], T], *, behind: bool = False
) -> T:
    """`recorded_or_refused` for a write committed through the group commit (a closed
    writer cannot record either). `behind`: see `GroupCommit.run`."""
    try:
        return await writes.run(write, behind=behind)
    except (sa.exc.SQLAlchemyError, WriterClosedError) as exc:
        raise _not_recorded(exc) from exc


def _not_recorded(exc: Exception, so: str = NOT_RUN) -> AuditUnavailableError:
    log.error("audit/state store write failed: %s", exc)
    return AuditUnavailableError(f"the audit log cannot be written, {so}")
