"""Approval state changes as atomic compare-and-set operations in the store.

Safe with several gateway processes on one PostgreSQL: a vote locks the approval
row (`SELECT … FOR UPDATE`), every transition is `UPDATE … WHERE state = …`, and
its audit record is written in the same transaction.
"""

from __future__ import annotations

import builtins
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import sqlalchemy as sa

from phigate.approvals.model import (
    BREAK_GLASS_REVIEW,
    Approval,
    ApprovalState,
    Ballot,
    PersonOf,
    Requirement,
    Vote,
    ineligibility,
)
from phigate.approvals.wakeups import notify_decided
from phigate.audit.chain import AuditLog
from phigate.config import ApprovalRequirement
from phigate.core import clock
from phigate.core.action_store import ActionStatus, recorded_or_refused
from phigate.core.actions import new_id
from phigate.core.errors import ConflictError, ExpiredError, NotEligibleError, NotFoundError
from phigate.identity.people import People
from phigate.identity.principal import Principal
from phigate.identity.tokens import TokenStore
from phigate.ops.instance import REPLICA_ID
from phigate.store import Database
from phigate.store.tables import actions, approvals, votes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApprovalEvent:
    name: str  # "approval.requested" | "approval.decided" | "approval.voted"
    approval: Approval


ApprovalListener = Callable[[ApprovalEvent], None]

# How far `_behind_in` follows an agent acting for an agent acting for ...
_LONGEST_CHAIN = 8
_VERDICTS = {ApprovalState.APPROVED: "justified", ApprovalState.DENIED: "unjustified"}

_FINAL_ACTION_STATUS = {
    ApprovalState.APPROVED: ActionStatus.APPROVED,
    ApprovalState.DENIED: ActionStatus.DENIED,
    ApprovalState.EXPIRED: ActionStatus.EXPIRED,
    ApprovalState.CANCELLED: ActionStatus.CANCELLED,
}


class ApprovalService:
    def __init__(self, db: Database, audit: AuditLog, people: People | None = None) -> None:
        self._db = db
        self._audit = audit
        # Today's aliases (identity/people.py `People.of`): every approval loaded counts
        # its votes per person as mapped now (model.py `counting_votes`), and follows
        # an agent's chain by every name of each person (`_behind_in`).
        self._people = people or People()
        self._person_of: PersonOf | None = None if people is None else people.of
        self._listeners: list[ApprovalListener] = []
        # Stamped on vote/decision records; an attribute so tests can run two replicas in
        # one process.
        self.replica = REPLICA_ID

    def subscribe(self, listener: ApprovalListener) -> None:
        """Channels (console, Slack, Teams, webhooks) hear every approval event."""
        self._listeners.append(listener)

    def publish(self, name: str, approval: Approval) -> None:
        for listener in list(self._listeners):
            try:
                listener(ApprovalEvent(name, approval))
            except Exception:
                # A notifier failing must not undo a recorded decision; it is logged.
                log.exception("approval listener failed for %s", name)

    def create(
        self,
        conn: sa.Connection,
        action_id: str,
        requester: Principal,
        requirement: ApprovalRequirement | Sequence[ApprovalRequirement],
        *,
        purpose: str = "approval",
        rules: Sequence[Sequence[str]] = (),
    ) -> str:
        """A pending request needing every one of `requirement` (one or several
        matching rules' requirements): it expires at the earliest of their expiries.
        `rules`, for each requirement, names the rules asking for it: the channels of
        every one of them are told (doors/channels/slack.py)."""
        needs = [requirement] if isinstance(requirement, ApprovalRequirement) else requirement
        if not needs:
            raise ValueError("an approval needs at least one requirement")
        approval_id = new_id("apr")
        now = clock.now()
        conn.execute(
            approvals.insert().values(
                id=approval_id,
                action_id=action_id,
                state=ApprovalState.PENDING.value,
                requester=requirement_requester(requester),
                on_behalf_of=requester.on_behalf_of,
                created_at=now,
                expires_at=now + min(need.expires_in for need in needs),
                purpose=purpose,
                **_requirement_columns(needs, rules),
            )
        )
        return approval_id

    def requester_disconnected(self, approval_id: str, front_door: str) -> None:
        """Record that the requester stopped waiting: reviewers see nobody is waiting
        live (it may still come back for the result, e.g. with MCP get_action)."""
        with recorded_or_refused("so the disconnect was not recorded"), self._db.write() as conn:
            done = conn.execute(
                approvals.update()
                .where(approvals.c.id == approval_id)
                .where(approvals.c.state == ApprovalState.PENDING.value)
                .where(approvals.c.requester_disconnected_at.is_(None))
                .values(requester_disconnected_at=clock.now())
            )
            if done.rowcount == 0:
                return
            approval = self._load(conn, approval_id)
            self._audit.append_in(
                conn,
                "approval.requester_disconnected",
                {
                    "approval_id": approval_id,
                    "action_id": approval.action_id,
                    "who": {"subject": approval.requester},
                    "front_door": front_door,
                },
            )

    def get(self, approval_id: str) -> Approval:
        with self._db.read() as conn:
            return self._load(conn, approval_id)

    def for_action(self, action_id: str) -> Approval | None:
        with self._db.read() as conn:
            approval_id = self.id_for_action_in(conn, action_id)
            return self._load(conn, approval_id) if approval_id is not None else None

    def pending_with_fingerprint(self, fingerprint: str) -> list[str]:
        """Ids of actions with this exact fingerprint whose request waits for votes
        (asked, or sent back for more at run time), oldest first. Read from the pending
        approvals (few; `state` is indexed), joined to their actions."""
        query = (
            sa.select(actions.c.id)
            .join(approvals, approvals.c.action_id == actions.c.id)
            .where(
                approvals.c.state == ApprovalState.PENDING.value,
                approvals.c.purpose != BREAK_GLASS_REVIEW,
                actions.c.fingerprint == fingerprint,
                actions.c.status == ActionStatus.PENDING_APPROVAL.value,
            )
            .order_by(approvals.c.created_at)
        )
        with self._db.read() as conn:
            return [str(row.id) for row in conn.execute(query)]

    @staticmethod
    def pending_twin_in(conn: sa.Connection, fingerprint: str) -> str | None:
        """The id of an action with this fingerprint (one caller's identical action)
        whose request still waits for votes, unexpired, read in the caller's write
        transaction while it holds the fingerprint's lock to its end, so two identical
        requests recorded at once are one: on PostgreSQL an advisory transaction lock
        (across replicas: they share the database); SQLite's write transaction is
        already its database's one writer (BEGIN IMMEDIATE)."""
        if conn.dialect.name == "postgresql":
            key = int(fingerprint[:15], 16)  # 60 bits of the hash: a bigint lock key
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
        query = (
            sa.select(actions.c.id)
            .join(approvals, approvals.c.action_id == actions.c.id)
            .where(
                approvals.c.state == ApprovalState.PENDING.value,
                approvals.c.purpose != BREAK_GLASS_REVIEW,
                approvals.c.expires_at > clock.latest(),
                actions.c.fingerprint == fingerprint,
                actions.c.status == ActionStatus.PENDING_APPROVAL.value,
            )
            .order_by(approvals.c.created_at)
            .limit(1)
        )
        row = conn.execute(query).first()
        return None if row is None else str(row.id)

    def id_for_action_in(self, conn: sa.Connection, action_id: str) -> str | None:
        """The id of the approval `action_id` needs, inside the caller's transaction."""
        row = conn.execute(
            sa.select(approvals.c.id).where(approvals.c.action_id == action_id)
        ).first()
        return None if row is None else str(row.id)

    def list(self, *, state: str | None = None, limit: int = 200) -> list[Approval]:
        query = sa.select(approvals.c.id).order_by(approvals.c.created_at.desc()).limit(limit)
        if state is not None:
            query = query.where(approvals.c.state == state)
        with self._db.read() as conn:
            return [self._load(conn, row.id) for row in conn.execute(query)]

    def vote(
        self,
        approval_id: str,
        voter: Principal,
        decision: str,
        *,
        comment: str = "",
        channel: str = "api",
    ) -> Approval:
        """Record one vote; decide the request when enough distinct humans agree.
        `decision` is "approve" or "deny" (anything else: ValueError)."""
        ballot = Ballot(decision)
        self.expire_due()
        refused: str | None = None
        with recorded_or_refused("so the vote was not recorded"), self._db.write() as conn:
            approval = self._load(conn, approval_id, lock=True)
            expired = self._record_expiry_in(conn, approval)
            if expired is None:
                self._check_open(approval)
                refused = ineligibility(approval, voter)
                if refused is None:
                    approval = self._record_vote(conn, approval, voter, ballot, comment, channel)
        if expired is not None:
            self._refuse_expired(expired, recorded=True)
        if refused is not None:
            self._audit.append(
                "approval.vote_refused",
                {
                    "approval_id": approval_id,
                    "action_id": approval.action_id,
                    "who": voter.to_json(),
                    "why": {"reason": refused},
                    "channel": channel,
                },
            )
            raise NotEligibleError(refused)
        self.publish(
            "approval.decided" if approval.state is not ApprovalState.PENDING else "approval.voted",
            approval,
        )
        return approval

    def _record_vote(
        self,
        conn: sa.Connection,
        approval: Approval,
        voter: Principal,
        ballot: Ballot,
        comment: str,
        channel: str,
    ) -> Approval:
        now = clock.now()
        conn.execute(
            votes.insert().values(
                approval_id=approval.id,
                voter=voter.subject,
                vote=ballot.value,
                comment=comment,
                channel=channel,
                created_at=now,
                groups=json.dumps(sorted(voter.groups & set(approval.eligible_groups))),
            )
        )
        self._audit.append_in(
            conn,
            "approval.vote",
            {
                "approval_id": approval.id,
                "action_id": approval.action_id,
                "who": voter.to_json(),
                "vote": ballot.value,
                "channel": channel,
                "why": {"comment": comment},
                "replica": self.replica,
            },
        )
        approval = self._load(conn, approval.id)
        new_state = _outcome(approval)
        if new_state is not None:
            self._transition(conn, approval, new_state, now)
            approval = self._load(conn, approval.id)
        return approval

    def claim_execution(
        self, conn: sa.Connection, approval_id: str, *, read: Approval | None = None
    ) -> Approval:
        """approved → executed, exactly once and only before expiry.

        `read`: this approval as the claimer last read it (a woken waiter). When it was
        approved, the compare-and-set alone claims it: what an approval says (purpose,
        expiry) does not change, and its votes only grow (when it was sent back for
        more, `reopen`), while its state is checked by the compare-and-set; three reads
        fewer on the path every woken request takes. Only when that loses is the
        approval loaded, to say why."""
        if read is not None and self._claimed_as_read(conn, approval_id, read):
            return read
        approval = self._load(conn, approval_id, lock=True)
        if approval.is_review:
            raise ConflictError("a break-glass review judges an action that already ran")
        if approval.state is ApprovalState.EXECUTED:
            raise ConflictError("this approved action has already run")
        if approval.state is ApprovalState.EXPIRED and approval.is_met:
            raise ExpiredError("the approval expired before the action ran")
        if approval.state is ApprovalState.EXPIRED or (
            approval.state is ApprovalState.PENDING and approval.is_expired()
        ):
            raise ExpiredError("this request expired before it was approved")
        if approval.state is not ApprovalState.APPROVED:
            raise ConflictError(f"the request is {approval.state}, not approved")
        if approval.is_expired():
            raise ExpiredError("the approval expired before the action ran")
        if not self._set_executed(conn, approval_id):
            raise ConflictError("this approved action has already run")
        return approval

    def _claimed_as_read(self, conn: sa.Connection, approval_id: str, read: Approval) -> bool:
        if read.id != approval_id or read.is_review or read.state is not ApprovalState.APPROVED:
            return False
        return self._set_executed(conn, approval_id, clock.now())

    def _set_executed(
        self, conn: sa.Connection, approval_id: str, now: float | None = None
    ) -> bool:
        """approved → executed as a compare-and-set (and, given `now`, only if unexpired
        then); False when another claim, or the clock, got there first."""
        unexpired = approvals.c.expires_at > now if now is not None else sa.true()
        updated = conn.execute(
            approvals.update()
            .where(
                approvals.c.id == approval_id,
                approvals.c.state == ApprovalState.APPROVED.value,
                unexpired,
            )
            .values(state=ApprovalState.EXECUTED.value, version=approvals.c.version + 1)
        ).rowcount
        return bool(updated == 1)

    def cancel(self, approval_id: str, by: Principal) -> Approval:
        with recorded_or_refused("so the request was not cancelled"), self._db.write() as conn:
            approval = self._load(conn, approval_id, lock=True)
            if not approval.is_requested_by(by):
                raise NotEligibleError("only the requester can cancel a request")
            expired = self._record_expiry_in(conn, approval)
            if expired is None:
                self._check_open(approval)
                self._transition(conn, approval, ApprovalState.CANCELLED, clock.now())
                approval = self._load(conn, approval_id)
        if expired is not None:
            self._refuse_expired(expired, recorded=True)
        self.publish("approval.decided", approval)
        return approval

    def expire_due(self) -> builtins.list[Approval]:
        """Move every pending request, and every approval not run, past its expiry to
        `expired` (idempotent): an approval that expired unrun ends its action, so an
        identical request later is a new one."""
        now = clock.now()
        with self._db.read() as conn:
            due = _due(conn, now)
        expired = [approval for approval_id in due if (approval := self._expire(approval_id, now))]
        for approval in expired:
            self.publish("approval.decided", approval)
        return expired

    def expire_unrun(self, approval_id: str) -> Approval | None:
        """Record that an approved action's approval expired before it ran (the caller
        judged it expired): its action ends `expired`. None if it was not `approved`."""
        expired = self._expire(approval_id, clock.now())
        if expired is not None:
            self.publish("approval.decided", expired)
        return expired

    def _expire(self, approval_id: str, now: float) -> Approval | None:
        with recorded_or_refused("so the request was not expired"), self._db.write() as conn:
            return self._record_expiry_in(conn, self._load(conn, approval_id, lock=True), now)

    def refuse_if_expired(self, approval: Approval) -> None:
        """The expiry check a run makes before anything else (deciding policy again,
        sending back, claiming): an approval past its expiry is recorded `expired` here
        (its action ended, audited once) and the caller answered 410 (ExpiredError).
        `approval` as the caller read it: its expiry never changes, so one not yet
        expired by it costs no trip to the store (the usual case, on the run path)."""
        if approval.state is not ApprovalState.EXPIRED and not approval.is_expired():
            return
        with recorded_or_refused("so the request was not expired"), self._db.write() as conn:
            stored = self._load(conn, approval.id, lock=True)
            expired = self._record_expiry_in(conn, stored)
        if expired is not None:
            self._refuse_expired(expired, recorded=True)
        if stored.state is ApprovalState.EXPIRED:
            self._refuse_expired(stored, recorded=False)

    def _record_expiry_in(
        self, conn: sa.Connection, approval: Approval, now: float | None = None
    ) -> Approval | None:
        """The one expiry check, on the row the caller's transaction has locked: an
        approval past its expiry and not yet decided for good (pending, or approved and
        not run) is recorded `expired` in that transaction, its action ended `expired`
        and audited (a compare-and-set: replicas racing record it once). Returns it as
        recorded, for the caller to commit, announce and answer 410; None when it has
        not expired. A break-glass review expires on its own window while it waits for
        a verdict; one judged justified is final (its action already ran)."""
        if approval.state not in _EXPIRABLE or not approval.is_expired():
            return None
        if approval.is_review and approval.state is not ApprovalState.PENDING:
            return None
        when = clock.now() if now is None else now
        self._transition(conn, approval, ApprovalState.EXPIRED, when, was=approval.state)
        return self._load(conn, approval.id)

    def _refuse_expired(self, approval: Approval, *, recorded: bool) -> NoReturn:
        """Answer 410 for an expired approval, announcing its expiry if this call
        `recorded` it (the others already were, once)."""
        if recorded:
            self.publish("approval.decided", approval)
        if approval.is_met:
            raise ExpiredError("the approval expired before the action ran")
        raise ExpiredError("this request expired before it was approved")

    def reopen(
        self,
        approval_id: str,
        needs: Sequence[ApprovalRequirement],
        why: Mapping[str, object],
        *,
        rules: Sequence[Sequence[str]] = (),
    ) -> Approval | None:
        """approved → pending again, needing `needs` (every requirement policy puts on
        the action now, which its votes do not meet): the votes cast stay and count
        toward what they were cast under; the expiry stays. None if it was no longer
        `approved` (claimed or reopened meanwhile, maybe on another replica). One past
        its expiry is ended instead (recorded `expired`, ExpiredError): reviewers are
        not asked again for what can no longer run."""
        refusal = "so the action was not sent back for approval"
        with recorded_or_refused(refusal), self._db.write() as conn:
            approval = self._load(conn, approval_id, lock=True)
            expired = self._record_expiry_in(conn, approval)
            reopened = expired is None and self._set_pending_again(conn, approval, needs, rules)
            if reopened:
                self._audit.append_in(
                    conn,
                    "approval.reopened",
                    {
                        "approval_id": approval_id,
                        "action_id": approval.action_id,
                        "why": dict(why),
                        "replica": self.replica,
                    },
                )
                approval = self._load(conn, approval_id)
        if expired is not None:  # ended, not sent back: reviewers are not asked again
            self._refuse_expired(expired, recorded=True)
        if not reopened:
            return None
        self.publish("approval.requested", approval)  # its reviewers are told again
        return approval

    def _set_pending_again(
        self,
        conn: sa.Connection,
        approval: Approval,
        needs: Sequence[ApprovalRequirement],
        rules: Sequence[Sequence[str]],
    ) -> bool:
        """approved → pending (and its action back to waiting) as a compare-and-set;
        False when it was no longer `approved`."""
        updated = conn.execute(
            approvals.update()
            .where(
                approvals.c.id == approval.id,
                approvals.c.state == ApprovalState.APPROVED.value,
            )
            .values(
                state=ApprovalState.PENDING.value,
                decided_at=None,
                version=approvals.c.version + 1,
                **_requirement_columns(needs, rules),
            )
        ).rowcount
        if updated != 1:
            return False
        conn.execute(
            actions.update()
            .where(
                actions.c.id == approval.action_id,
                actions.c.status == ActionStatus.APPROVED.value,
            )
            .values(status=ActionStatus.PENDING_APPROVAL.value)
        )
        return True

    def current(self, approval_id: str) -> Approval:
        """`get`, with its expiry recorded first when it is due: a waiter reads this each
        time it wakes. One read when it is not due (the usual case); sweeping the other
        requests' expiries is not this waiter's wait (listing and voting sweep)."""
        with self._db.read() as conn:
            approval = self._load(conn, approval_id)
        if approval.state is not ApprovalState.PENDING or not approval.is_expired():
            return approval
        self.expire_due()
        return self.get(approval_id)

    def _check_open(self, approval: Approval) -> None:
        # Expired answers 410 whether or not the sweep has recorded it yet.
        expired = approval.state is ApprovalState.PENDING and approval.is_expired()
        if expired or approval.state is ApprovalState.EXPIRED:
            raise ExpiredError("this request has expired")
        if approval.state is not ApprovalState.PENDING:
            raise ConflictError(f"this request is already {approval.state}")

    def _transition(
        self,
        conn: sa.Connection,
        approval: Approval,
        state: ApprovalState,
        now: float,
        *,
        was: ApprovalState = ApprovalState.PENDING,
    ) -> None:
        updated = conn.execute(
            approvals.update()
            .where(approvals.c.id == approval.id, approvals.c.state == was.value)
            .values(state=state.value, decided_at=now, version=approvals.c.version + 1)
        ).rowcount
        if updated != 1:
            raise ConflictError("this request was decided concurrently")
        if not approval.is_review:  # a reviewed action already ran; its status stays
            conn.execute(
                actions.update()
                .where(actions.c.id == approval.action_id)
                .values(status=_FINAL_ACTION_STATUS[state].value)
            )
        fields = {
            "approval_id": approval.id,
            "action_id": approval.action_id,
            "state": state.value,
            "purpose": approval.purpose,
            "votes": [v.voter for v in approval.votes],
            "replica": self.replica,
        }
        self._audit.append_in(conn, "approval.decided", fields)
        notify_decided(conn, approval.id)  # wakes its waiters on every replica at commit
        if approval.is_review and state in _VERDICTS:
            last = approval.votes[-1] if approval.votes else None
            self._audit.append_in(
                conn,
                "break_glass.reviewed",
                {
                    "approval_id": approval.id,
                    "action_id": approval.action_id,
                    "verdict": _VERDICTS[state],
                    "who": {"subject": last.voter if last else None},
                    "why": {"comment": last.comment if last else ""},
                },
            )

    def _load(self, conn: sa.Connection, approval_id: str, *, lock: bool = False) -> Approval:
        # The requester's kind comes with the row (one query fewer on every read: a woken
        # waiter reads its approval before it claims and runs).
        query = (
            sa.select(approvals, actions.c.principal.label("requester_principal"))
            .outerjoin(actions, actions.c.id == approvals.c.action_id)
            .where(approvals.c.id == approval_id)
        )
        if lock:
            query = query.with_for_update(of=approvals)
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"no approval {approval_id}")
        vote_rows = conn.execute(
            sa.select(votes).where(votes.c.approval_id == approval_id).order_by(votes.c.id)
        ).all()
        approval = _approval(row._mapping, vote_rows, _kind_of(row.requester_principal))
        return replace(
            approval, person_of=self._person_of, behind=_behind_in(conn, approval, self._people)
        )


# What expiry ends: a request still waiting, and an approval not run in time.
_EXPIRABLE = (ApprovalState.PENDING, ApprovalState.APPROVED)


def _due(conn: sa.Connection, now: float) -> builtins.list[str]:
    """Ids of the pending or approved (not run) requests whose expiry has passed: not a
    break-glass review judged justified (final: its action ran), which `_expire` would
    leave as it is, loaded again on every sweep."""
    judged_review = sa.and_(
        approvals.c.purpose == BREAK_GLASS_REVIEW,
        approvals.c.state == ApprovalState.APPROVED.value,
    )
    query = sa.select(approvals.c.id).where(
        approvals.c.state.in_([state.value for state in _EXPIRABLE]),
        approvals.c.expires_at <= now,
        sa.not_(judged_review),
    )
    return [str(row.id) for row in conn.execute(query)]


def _requirement_columns(
    needs: Sequence[ApprovalRequirement], rules: Sequence[Sequence[str]] = ()
) -> dict[str, object]:
    """How an approval row stores `needs` (one or several matching rules'
    requirements) and, for each, the rules asking for it (`rules`, maybe none)."""
    if not needs:
        raise ValueError("an approval needs at least one requirement")
    named = list(rules) or [()] * len(needs)
    several = [
        {"count": n.count, "groups": list(n.groups), "rules": list(names)}
        for n, names in zip(needs, named, strict=True)
    ]
    stored = len(several) > 1 or any(named)  # else as before 0012: `required` alone
    return {
        # Read alone by code before 0012: as many approvals as all rules together.
        "required": sum(need.count for need in needs),
        "eligible_groups": json.dumps(list(dict.fromkeys(g for n in needs for g in n.groups))),
        "requirements": json.dumps(several) if stored else None,
    }


def requirement_requester(principal: Principal) -> str:
    return principal.subject


def _outcome(approval: Approval) -> ApprovalState | None:
    if any(v.vote is Ballot.DENY for v in approval.votes):
        return ApprovalState.DENIED
    if approval.is_met:  # every requirement, by the votes that count now, per person
        return ApprovalState.APPROVED
    return None


def _kind_of(stored_principal: object) -> str | None:
    """The principal kind of the stored requester (None when the action is gone)."""
    return None if stored_principal is None else str(json.loads(str(stored_principal))["kind"])


def _behind_in(conn: sa.Connection, approval: Approval, people: People) -> tuple[str, ...]:
    """Whom the subject an agent acts for itself acts for, transitively (bounded):
    only when an agent acts for an agent, which token creation and sign-in refuse.
    Each is looked up by every name of its person (`People.spellings`)."""
    if approval.on_behalf_of is None:
        return ()
    seen = {people.of(approval.requester), people.of(approval.on_behalf_of)}
    todo, behind = [approval.on_behalf_of], list[str]()
    while todo and len(behind) < _LONGEST_CHAIN:
        # Tokens made out to any name of the person; whom they act for, as people.
        found = TokenStore.acts_for_in(conn, people.spellings(todo.pop()))
        for person in sorted({people.of(s) for s in found} - seen):
            seen.add(person)
            behind.append(person)
            todo.append(person)
    return tuple(behind)


def _approval(m: Any, vote_rows: Any, requester_kind: str | None) -> Approval:
    return Approval(
        id=m["id"],
        action_id=m["action_id"],
        state=ApprovalState(m["state"]),
        required=int(m["required"]),
        eligible_groups=tuple(json.loads(m["eligible_groups"])),
        requester=m["requester"],
        on_behalf_of=m["on_behalf_of"],
        created_at=float(m["created_at"]),
        expires_at=float(m["expires_at"]),
        decided_at=m["decided_at"],
        requester_disconnected_at=m["requester_disconnected_at"],
        votes=tuple(
            Vote(
                voter=v.voter,
                vote=Ballot(v.vote),
                comment=v.comment,
                channel=v.channel,
                created_at=float(v.created_at),
                groups=None if v.groups is None else tuple(json.loads(v.groups)),
            )
            for v in vote_rows
        ),
        purpose=str(m.get("purpose", "approval")),
        requester_kind=requester_kind,
        requirements=_requirements(m.get("requirements")),
        version=int(m["version"]),
    )


def _requirements(stored: object) -> tuple[Requirement, ...]:
    if stored is None:
        return ()
    return tuple(
        Requirement(int(need["count"]), tuple(need["groups"]), tuple(need.get("rules", ())))
        for need in json.loads(str(stored))
    )
