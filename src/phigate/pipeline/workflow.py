"""ApprovalWorkflow: what happens between "needs approval" and "may run". It owns
the approval store and the decision wake-ups: the one wait every front door uses,
votes (one person per voter, aliases and token kinds resolved), the requester's
claim of an approved action (at most once, bound to its fingerprint), and expiry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import NoReturn

import sqlalchemy as sa

from phigate.approvals import Approval, ApprovalService, ApprovalState
from phigate.approvals.model import Requirement, under
from phigate.approvals.reviewers import approval_shortfall, human_members
from phigate.approvals.service import ApprovalEvent
from phigate.approvals.wakeups import POLL_SECONDS, DecisionWakeups
from phigate.audit.chain import AuditLog
from phigate.config import Settings
from phigate.core import clock
from phigate.core.action_store import ActionRecord, ActionStatus, ActionStore, recorded_or_refused
from phigate.core.errors import (
    AuthenticationError,
    AwaitingApprovalError,
    ConflictError,
    ExpiredError,
    NotAllowedError,
)
from phigate.identity.people import People
from phigate.identity.principal import Principal
from phigate.identity.tokens import TokenStore
from phigate.pipeline._text import refuse_unstorable
from phigate.pipeline.outcome import Outcome, OutcomeStatus, WaitProgress
from phigate.policy import Decision, Verdict
from phigate.store import Database

log = logging.getLogger("phigate.pipeline.gateway")


class ApprovalWorkflow:
    """Approval wait, vote, claim and expiry, over the approval store it owns."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        approvals: ApprovalService,
        wakeups: DecisionWakeups,
        actions: ActionStore,
        audit: AuditLog,
        tokens: TokenStore,
        people: People,
        decide_now: Callable[[ActionRecord], Decision] | None = None,
    ) -> None:
        self.settings = settings  # the front replaces it when its settings change
        self._db = db
        self._approvals = approvals
        self._wakeups = wakeups
        self._actions = actions
        self._audit = audit
        self._tokens = tokens
        self._people = people
        # Policy for a stored action at this moment (the gateway's Decider): a freeze
        # window that opened since the request was approved still holds at run time.
        self._decide_now = decide_now
        approvals.subscribe(self._wake_on_decision)

    # ── reading approvals ───────────────────────────────────────────────────
    def approval(self, approval_id: str) -> Approval:
        """One approval as stored (NotFoundError if there is none)."""
        return self._approvals.get(approval_id)

    def approval_for_action(self, action_id: str) -> Approval | None:
        """The approval an action waits on or ran under, if it needed one."""
        return self._approvals.for_action(action_id)

    def approvals(self, *, state: str | None = None, limit: int = 200) -> list[Approval]:
        """Approvals, newest first, optionally in one state."""
        return self._approvals.list(state=state, limit=limit)

    def expire_due(self) -> list[Approval]:
        """Expire every pending approval whose time is up (before reading or acting)."""
        return self._approvals.expire_due()

    def requester_disconnected(self, approval_id: str, front_door: str) -> None:
        """The requester stopped waiting (recorded, so reviewers know)."""
        self._approvals.requester_disconnected(approval_id, front_door)

    def subscribe(self, listener: Callable[[ApprovalEvent], None]) -> None:
        """Hear approval events raised on this replica (chat channels announce them)."""
        self._approvals.subscribe(listener)

    @property
    def replica(self) -> str:
        """The replica this process records its approvals and runs under."""
        return self._approvals.replica

    def _wake_on_decision(self, event: ApprovalEvent) -> None:
        if event.name == "approval.decided":  # decided here: no need to wait for NOTIFY
            self._wakeups.wake(event.approval.id)

    def reviewer_shortfall(self, approval: Approval) -> str | None:
        """Why nobody can decide `approval`, when that is knowable (blocking)."""
        if self.settings.identity.oidc is not None:
            return None  # OIDC reviewers bring their groups at sign-in: cannot know
        members = human_members(self._db, self._people)
        return approval_shortfall(approval, members)

    async def wait_for_decision(
        self,
        approval_id: str,
        wait_seconds: float,
        *,
        progress: WaitProgress | None = None,
        progress_every: float = 0.0,
    ) -> Approval:
        """Wait until the request is decided or `wait_seconds` pass: the one wait every
        front door uses. A decision on any replica wakes it (`approvals.wakeups`); the
        store, shared by all replicas, is what it reads. `progress`, if given, hears how
        long it has waited, at once and every `progress_every` seconds (MCP tells its client)."""
        started = time.monotonic()
        deadline = started + wait_seconds
        next_progress = started if progress is not None else math.inf  # at once, then every
        with self._wakeups.waiter(approval_id) as woken:
            while True:
                woken.clear()  # before the read: a decision after it sets it again
                approval = await self._read_while_waiting(approval_id, deadline)
                now = time.monotonic()
                if approval is None:  # the store is briefly unreachable: poll it again,
                    # or sooner when the listener, back on the store, wakes every waiter
                    await _nap(woken, min(POLL_SECONDS, max(0.0, deadline - now)))
                    continue
                if approval.state is not ApprovalState.PENDING or now >= deadline:
                    return approval
                if progress is not None and now >= next_progress:
                    await progress(round(now - started, 1), approval)
                    next_progress = now + progress_every
                nap = min(now + self._wakeups.poll_seconds, deadline, next_progress) - now
                await _nap(woken, max(0.0, nap))

    async def _read_while_waiting(self, approval_id: str, deadline: float) -> Approval | None:
        """The approval as stored, or None while the store is unreachable (a restart, a
        fail-over): the client keeps waiting for its answer until its deadline."""
        try:
            return await asyncio.to_thread(self._current_approval, approval_id)
        except sa.exc.DBAPIError as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("reading approval %s while waiting failed: %s", approval_id, exc)
            return None

    def _current_approval(self, approval_id: str) -> Approval:
        return self._approvals.current(approval_id)

    async def claim_approved(self, action_id: str, principal: Principal) -> Outcome:
        """`admitted`: the requester may run the approved action now, once (e.g. `stream` it)."""
        record = await asyncio.to_thread(self._actions.get, action_id)
        return await self.claim(record, principal)

    async def claim(
        self, record: ActionRecord, principal: Principal, approved: Approval | None = None
    ) -> Outcome:
        """`admitted`: the requester claims the approved `record` to run it now, once,
        as stored (its fingerprint checked); anyone else, or a second claim, is refused.
        `approved`: its approval as the waiter just read it (`claim_execution`)."""
        if not principal.is_same_caller(record.action.principal):
            raise NotAllowedError("only the requester can run an approved action")
        if record.fingerprint != record.action.fingerprint():
            raise ConflictError("the stored action does not match its fingerprint; refusing to run")
        claim = await asyncio.to_thread(self._claim_now, record, principal, approved)
        if claim is None:
            raise AuthenticationError(
                "the token this request was made with has been revoked or has expired "
                "since; the approved action was not run"
            )
        approval, claimed = claim
        return Outcome(OutcomeStatus.ADMITTED, claimed, approval=approval)

    def _decide_again(self, record: ActionRecord, approved: Approval | None) -> Approval | None:
        """Policy decides again when an approved action is about to run, and the votes
        it has must meet what policy asks now. A rule that denies it now (a change
        freeze whose time window began after the request was asked for, a rule added
        since) refuses the run, audited; the approval is not consumed: it may still run
        once policy allows it again, before it expires. A requirement its votes do not
        meet now (a stricter rule's window began, a rule added since, a voter who may
        no longer approve it) sends it back to waiting for the missing votes
        (`AwaitingApprovalError`, its reviewers told again).

        Returns the approval as it read it when approved (the claim's compare-and-set
        then claims it as read, without loading it again), else `approved`."""
        if self._decide_now is None:
            return approved
        decision = self._decide_now(record)
        if decision.outcome is Verdict.DENY:
            self._refuse_denied_now(record, decision)
        if decision.outcome is not Verdict.APPROVE:
            return approved  # allowed now: nothing more to meet
        approval = approved if approved is not None else self._approvals.for_action(record.id)
        if approval is None or approval.state is not ApprovalState.APPROVED or approval.is_review:
            return approved  # the claim itself refuses what is not an approved request
        needs = tuple(Requirement(r.count, tuple(r.groups)) for r in decision.requirements)
        judged = under(approval, needs)
        if not judged.is_met:
            self._send_back(record, approval, decision, judged.still_needed)
        return approval

    def _refuse_denied_now(self, record: ActionRecord, decision: Decision) -> NoReturn:
        reason = f"policy denies this action now, though it was approved: {decision.reason}"
        with recorded_or_refused("so the approved action was not run"), self._db.write() as conn:
            self._audit.append_in(
                conn,
                "action.refused",
                {
                    "action_id": record.id,
                    "who": record.action.principal.to_json(),
                    "why": {"reason": reason, "rule": decision.rule},
                },
            )
        raise NotAllowedError(
            f"{reason}. It did not run; the approval stays valid until it expires"
        )

    def _send_back(
        self, record: ActionRecord, approval: Approval, decision: Decision, missing: str
    ) -> NoReturn:
        """The approved action waits again for what its votes do not meet now."""
        why = {
            "reason": f"policy now needs more approval than its votes meet: {missing}",
            "rule": decision.rule,
        }
        reopened = self._approvals.reopen(
            approval.id, decision.requirements, why, rules=decision.requirement_rules
        )
        if reopened is None:  # decided meanwhile (claimed, expired, reopened elsewhere)
            raise ConflictError("the approval changed while this run was being decided")
        raise AwaitingApprovalError(
            f"policy now needs more approval than this action has (still needed: {missing}; "
            f"deciding rule: {decision.rule}); it did not run and waits "
            f"for approval again ({reopened.id}), then runs as approved",
            reopened.id,
        )

    def _claim_now(
        self, record: ActionRecord, principal: Principal, approved: Approval | None
    ) -> tuple[Approval, ActionRecord] | None:
        """Find, claim and read back in one transaction, all in one trip to a worker
        thread: a woken waiter's answer waits on each trip and each connection checkout,
        which on a busy host are each a wait of their own. Its own expiry is checked
        before anything else (`refuse_if_expired`: recorded `expired`, 410), so an
        approval that expired unrun is ended, never sent back for more votes; sweeping
        the others' is not this requester's wait. One that expires between that check
        and the claim (`claim_execution` refuses it) is recorded so too.

        None (the refusal recorded instead) when the token the claimer used was revoked
        or expired meanwhile: a request that waited for its approval (REST `wait`, a
        wire session) authenticated before. An API token is read in this transaction
        (revocation is immediate on every replica, since the token store is shared);
        an OIDC access token by the expiry it carried."""
        read = self._read_for_run(record, approved)
        if read is not None:
            self._approvals.refuse_if_expired(read)
        approved = self._decide_again(record, read)  # on this same trip to the thread
        try:
            return self._claim_in_store(record, principal, approved)
        except ExpiredError:
            if read is not None:  # it expired since the check above: end it all the same
                self._approvals.refuse_if_expired(read)
            raise

    def _read_for_run(self, record: ActionRecord, approved: Approval | None) -> Approval | None:
        """The approval `record` is about to run under: the one a woken waiter read (it
        must be this very action's), else as stored now (None: it needs none)."""
        if approved is not None:
            if approved.action_id != record.id:
                raise ConflictError("this approval is for another action; refusing to run")
            return approved
        return self._approvals.for_action(record.id)

    def _claim_in_store(
        self, record: ActionRecord, principal: Principal, approved: Approval | None
    ) -> tuple[Approval, ActionRecord] | None:
        token_id = principal.token_id
        with recorded_or_refused(), self._db.write() as conn:
            approval_id = self._approval_id_in(conn, record, approved)
            if principal.expired(clock.latest()) or (
                token_id is not None and self._tokens.inactive_in(conn, {token_id})
            ):
                self._audit.append_in(
                    conn,
                    "action.refused",
                    {
                        "action_id": record.id,
                        "who": record.action.principal.to_json(),
                        "why": {"reason": "the requester's token was revoked or has expired"},
                    },
                )
                return None
            approval = self._approvals.claim_execution(conn, approval_id, read=approved)
            # This replica runs it now: recovery judges the run by this replica's heartbeat.
            self._actions.set_status(
                conn,
                record.id,
                ActionStatus.EXECUTING,
                expect=ActionStatus.APPROVED,
                replica=self._approvals.replica,
            )
            self._audit.append_in(
                conn,
                "action.execution_started",
                {
                    "action_id": record.id,
                    "approval_id": approval.id,
                    "who": record.action.principal.to_json(),
                    "approved_by": [v.voter for v in approval.votes if v.vote == "approve"],
                },
            )
            return approval, self._actions.get_in(conn, record.id)

    def _approval_id_in(
        self, conn: sa.Connection, record: ActionRecord, approved: Approval | None
    ) -> str:
        """The approval `record` runs under: the one the waiter read, if it is bound to
        this very action, else the one the store binds to it."""
        if approved is not None:
            if approved.action_id != record.id:
                raise ConflictError("this approval is for another action; refusing to run")
            return approved.id
        approval_id = self._approvals.id_for_action_in(conn, record.id)
        if approval_id is None:
            raise ConflictError("this action does not need approval")
        return approval_id

    async def vote(
        self,
        approval_id: str,
        voter: Principal,
        decision: str,
        *,
        comment: str = "",
        channel: str = "api",
    ) -> Approval:
        refuse_unstorable(comment, "the comment")
        return await asyncio.to_thread(
            self._approvals.vote,
            approval_id,
            await asyncio.to_thread(self._as_voter, voter),
            decision,
            comment=comment,
            channel=channel,
        )

    def _as_voter(self, voter: Principal) -> Principal:
        """The voter as one person: under the person's subject (a second identity is
        still them), and an agent if their subject holds agent or service tokens (a
        chat mapping or sign-in under an agent's name does not make it a human)."""
        voter = self._people.canonical(voter)
        other_kinds = self._tokens.kinds_of(voter.subject) - {voter.kind}
        if voter.is_human and other_kinds:
            return replace(voter, kind=min(other_kinds))
        return voter


async def _nap(woken: asyncio.Event, seconds: float) -> None:
    """Wait for `woken` or `seconds`. Not `asyncio.wait_for`: on Python 3.11 it swallows
    a cancellation that meets the event being set, and a waiter whose client went away
    would go on to run the action."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await woken.wait()
