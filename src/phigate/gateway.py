"""THE pipeline. Every front door turns its input into an `Action` and calls it.

    authenticate → describe → policy → [approval] → execute upstream → mask → answer
                     every step writes to the hash-chained audit log

Nothing runs unless its records were written; any failure in describing,
deciding, masking or recording denies the action.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Iterator,
    Mapping,
)
from dataclasses import replace
from typing import Any, assert_never

import sqlalchemy as sa

from phigate import metrics
from phigate.action_store import (
    ActionRecord,
    ActionStatus,
    ActionStore,
    audit_fields,
    commit_recorded,
    request_records,
)
from phigate.actions import Action, Description, new_id
from phigate.approvals import Approval, ApprovalService, ApprovalState
from phigate.approvals.model import BREAK_GLASS_REVIEW
from phigate.approvals.wakeups import DecisionWakeups, listen_url
from phigate.audit.chain import AuditLog
from phigate.audit.checkpoint import CheckpointSigner
from phigate.config import Settings
from phigate.connectors.base import (
    Connector,
    CopyBegan,
    RefiningConnector,
)
from phigate.deciding import Decider
from phigate.errors import (
    AuditUnavailableError,
    AuthenticationError,
    InvalidRequestError,
    NotAllowedError,
    NotFoundError,
    PhigateError,
)
from phigate.identity.principal import Principal
from phigate.identity.tokens import PREFIX, TokenStore
from phigate.identity.verifier import AccessTokenVerifier
from phigate.masking.engine import Masker, MaskingEngine
from phigate.pipeline.execution import Execution
from phigate.pipeline.outcome import Decided, Outcome, WaitProgress, decision_key
from phigate.pipeline.views import AUDIT_PROFILE, ReviewerViews
from phigate.pipeline.workflow import ApprovalWorkflow
from phigate.policy import Decision, Verdict, break_glass_decision
from phigate.risk import RiskClass
from phigate.store import Database
from phigate.store.group_commit import GroupCommit

__all__ = ["AUDIT_PROFILE", "Decided", "Gateway", "Outcome", "WaitProgress"]

log = logging.getLogger(__name__)
# How long the outcome of a run that ended is retried while the state store is down.
OUTCOME_RETRY_SECONDS = 30.0
# Streamed runs outlive the response that started them long enough to record
# their end; kept here so they are never garbage-collected mid-run.
_STREAMED_RUNS: set[asyncio.Task[None]] = set()


def _status_after(outcome: Verdict) -> ActionStatus:
    """The status an action is recorded with once policy has spoken."""
    match outcome:
        case Verdict.ALLOW | Verdict.BREAK_GLASS:
            return ActionStatus.EXECUTING  # recorded together with the start of its run
        case Verdict.APPROVE:
            return ActionStatus.PENDING_APPROVAL
        case Verdict.DENY:
            return ActionStatus.DENIED
        case unreachable:
            assert_never(unreachable)


class Gateway:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        connectors: Mapping[str, Connector],
        tokens: TokenStore,
        masking: MaskingEngine,
        oidc: AccessTokenVerifier | None = None,
        signer: CheckpointSigner | None = None,
    ) -> None:
        self._settings = settings
        self.db = db
        # With a signer the log signs checkpoints of its head (phigate.audit.schedule).
        self.audit = AuditLog(db, signer=signer)
        self.actions = ActionStore(db, self.audit)
        self.approvals = ApprovalService(db, self.audit)
        # Requests waiting on a decision, woken from any replica (LISTEN/NOTIFY).
        self.wakeups = DecisionWakeups(listen_url(db.url))
        # The per-action records, committed together (group commit).
        self.writes = GroupCommit(db, around=self.audit.batched)
        self.tokens = tokens
        self.masking = masking
        self.connectors = dict(connectors)
        self.oidc = oidc
        # Describe and decide, shared with `phigate policy check`; it owns the aliases.
        # Scrubbed: a parse error quotes the statement, and the reason reaches the audit log.
        self.decider = Decider(settings, self.connectors, lambda text: str(self.scrub(text)))
        self.people = self.decider.people
        self.workflow = ApprovalWorkflow(
            settings,
            db,
            approvals=self.approvals,
            wakeups=self.wakeups,
            actions=self.actions,
            audit=self.audit,
            tokens=tokens,
            people=self.people,
        )
        self.execution = Execution(
            self.connectors,
            masking,
            actions=self.actions,
            audit=self.audit,
            writes=self.writes,
            replica=lambda: self.approvals.replica,
        )
        # What the audit log and reviewers see of a request.
        self.views = ReviewerViews(masking)

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """Replaced settings (tests, a reload) reach the services that read them per
        request; the Decider keeps the ones it was built with, as before the split."""
        self._settings = settings
        self.workflow.settings = settings

    # ── authenticate ────────────────────────────────────────────────────────
    async def authenticate(self, credential: str) -> Principal:
        """An API token or an OIDC access token → Principal; anything else is refused."""
        credential = credential.strip()
        if not credential:
            raise AuthenticationError("missing credentials")
        if credential.startswith(PREFIX):
            principal = await asyncio.to_thread(self.tokens.authenticate, credential)
        elif self.oidc is None:
            raise AuthenticationError("not a phigate API token, and OIDC is not configured")
        else:
            principal = await self.oidc.verify(credential)
        return self.people.canonical(principal)

    # ── describe and decide ─────────────────────────────────────────────────
    def describe(self, action: Action) -> Description:
        """What the action would do, as its connector understands it; else `unknown`."""
        return self.decider.describe(action)

    def decide(
        self, action: Action, description: Description | None = None
    ) -> tuple[Description, Decision]:
        """Policy check without running or recording anything (`phigate.deciding`)."""
        return self.decider.decide(action, description)

    def prepare(self, action: Action) -> Action:
        """The action as it will run, before it is described or recorded.

        Refuses (InvalidRequestError) text no store or upstream protocol can carry.
        The connector may capture what it reads besides the body (an exec command's
        manifest file) into the action, so fingerprint and approval cover it and it
        runs as seen, or refuse input its own protocol cannot carry (an http header).
        """
        _refuse_unencodable(action)
        prepare = getattr(self.connectors[action.connection], "prepare", None)
        if prepare is None:
            return action
        prepared: Action = prepare(action)
        return prepared

    async def _refined(self, action: Action, description: Description) -> Description:
        """The description, refined by asking the upstream where the connector can
        (e.g. the planner's row estimate turns a bulk read into an export)."""
        connector = self.connectors[action.connection]
        if not isinstance(connector, RefiningConnector):
            return description
        try:
            refined = await connector.refine(action, description)
        except Exception as exc:  # cannot tell how much it reads: fail closed
            log.warning("refining the description failed: %s", exc)
            return replace(
                description,
                risk=RiskClass.UNKNOWN,
                reasons=(
                    *description.reasons,
                    f"could not estimate its size: {type(exc).__name__}",
                ),
            )
        return refined

    def _check_reveal(self, action: Action) -> None:
        """A reveal names entity types the masking engine knows (or `*`). An unknown
        name would otherwise reach reviewers as if it meant something."""
        known = self.masking.settings.known_types()
        unknown = sorted(set(action.reveal) - known - {"*"})
        if unknown:
            raise InvalidRequestError(
                f"unknown entity type(s) to reveal: {', '.join(unknown)}; "
                f'valid: {", ".join(sorted(known))} (or "*" for all)'
            )

    # ── submit ──────────────────────────────────────────────────────────────
    async def submit(self, action: Action, *, wait: float = 0.0) -> Outcome:
        """The whole pipeline for one action: decide, maybe wait for approval, run, mask."""
        started = time.monotonic()
        outcome = await self.admit(action, wait=wait)
        if outcome.status == "admitted":
            outcome = await self.execution.run(outcome.record)
        metrics.LATENCY.labels(action.front_door, outcome.status).observe(
            time.monotonic() - started
        )
        return outcome

    async def admit(
        self,
        action: Action,
        *,
        wait: float = 0.0,
        description: Description | None = None,
        decided: Decided | None = None,
    ) -> Outcome:
        """Decide and record; `admitted` means the caller may run it now, exactly once.

        Front doors that execute themselves (the PostgreSQL wire proxy) call this,
        run the action, then call `finish`. An identical action (same fingerprint)
        already approved and not yet run is claimed instead of asking again.
        `decided`: an earlier run's `Outcome.decided`, used only if it still holds.
        """
        metrics.REQUESTS.labels(action.front_door, action.kind).inc()
        if decided is not None and self._still_holds(decided, action, description):
            metrics.DECISIONS.labels(decided.decision.outcome, decided.description.risk.value).inc()
            record = await self._record_request(
                action, decided.description, decided.decision, decided.analysis_json
            )
            return Outcome("admitted", record, decided=decided)
        try:
            self.decider.check_connection(action)
            self._check_reveal(action)
            action = self.prepare(action)
            source = description  # as the caller classified it, before refining
            refined = await self._refined(action, description or self.describe(action))
            description, decision = self.decide(action, refined)
        except (NotFoundError, NotAllowedError, InvalidRequestError) as exc:
            await self.audit_refusal(
                "action.refused",
                exc.message,
                client_addr=action.client_addr,
                detail={
                    "who": action.principal.to_json(),
                    "connection": action.connection,
                    "front_door": action.front_door,
                },
            )
            raise
        if decision.outcome is not Verdict.ALLOW:
            # Only what needs a human can have an approved twin; an allowed action
            # runs as itself, which spares every routine statement this lookup.
            reused = await asyncio.to_thread(self._approved_twin, action)
            if reused is not None:
                return await self.workflow.claim(reused, action.principal)
        if action.break_glass:
            decision = break_glass_decision(action, decision)
        metrics.DECISIONS.labels(decision.outcome, description.risk.value).inc()
        reusable = self._reusable(action, source, description, decision)
        analysis_json = reusable.analysis_json if reusable is not None else None
        record = await self._record_request(action, description, decision, analysis_json)
        match decision.outcome:
            case Verdict.DENY:
                return Outcome("denied", record)
            case Verdict.APPROVE:
                return await self._pending(record, wait)
            case Verdict.ALLOW | Verdict.BREAK_GLASS:  # recorded as executing
                return Outcome("admitted", record, decided=reusable)
            case unreachable:
                assert_never(unreachable)

    def _reusable(
        self,
        action: Action,
        source: Description | None,
        description: Description,
        decision: Decision,
    ) -> Decided | None:
        """The decision as a `Decided` when later runs of the same text may reuse it."""
        if decision.outcome is not Verdict.ALLOW or action.break_glass or self._clock_matters():
            return None
        if action.kind != "sql" or action.sql is None or set(action.body) - {"sql", "params"}:
            return None  # the key speaks of the text alone
        refines_alike = getattr(self.connectors[action.connection], "refines_alike", None)
        if refines_alike is None or not refines_alike(action, description):
            return None
        analysis_json = json.dumps(description.to_json(), default=str)
        key = decision_key(action)
        return Decided(key, source, self.settings.policy, description, decision, analysis_json)

    def _still_holds(self, decided: Decided, action: Action, source: Description | None) -> bool:
        return (
            decided.policy is self.settings.policy
            and decided.source is source
            and set(action.body) <= {"sql", "params"}
            and decided.key == decision_key(action)
            and not self._clock_matters()
        )

    def _clock_matters(self) -> bool:
        """A rule with a time window decides differently as the clock moves."""
        return any(rule.match.time is not None for rule in self.settings.policy.rules)

    def _approved_twin(self, action: Action) -> ActionRecord | None:
        for action_id in self.actions.approved_with_fingerprint(action.fingerprint()):
            record = self.actions.get(action_id)
            if record.action.principal.is_same_caller(action.principal):
                return record
        return None

    async def _record_request(
        self,
        action: Action,
        description: Description,
        decision: Decision,
        analysis_json: str | None = None,
    ) -> ActionRecord:
        """Request, decision (and, for what runs at once, its start) in one transaction."""
        action_id = new_id("act")
        status = _status_after(decision.outcome)
        runs_now = status is ActionStatus.EXECUTING

        def write(conn: sa.Connection) -> tuple[ActionRecord, str | None]:
            fields = audit_fields(action, description, scrub=self.scrub)
            record = self.actions.insert(
                conn,
                action_id,
                action,
                description,
                decision,
                status,
                self.approvals.replica,
                analysis_json=analysis_json,
            )
            approval_id = None
            reviewed = decision.outcome in (Verdict.APPROVE, Verdict.BREAK_GLASS)
            if reviewed and decision.approvals is not None:
                purpose = (
                    BREAK_GLASS_REVIEW if decision.outcome is Verdict.BREAK_GLASS else "approval"
                )
                approval_id = self.approvals.create(
                    conn, action_id, action.principal, decision.approvals, purpose=purpose
                )
            entries = request_records(
                action, decision, fields, action_id, approval_id, self.approvals.replica
            )
            if runs_now:
                entries.append(
                    ("action.execution_started", {"action_id": action_id, "who": fields["who"]})
                )
            self.audit.append_many_in(conn, entries)
            return record, approval_id

        record, approval_id = await commit_recorded(self.writes, write)
        if approval_id is not None:
            approval = await asyncio.to_thread(self.approvals.get, approval_id)
            self.approvals.publish("approval.requested", approval)
        return record

    async def _pending(self, record: ActionRecord, wait: float) -> Outcome:
        approval = await asyncio.to_thread(self.approvals.for_action, record.id)
        if approval is not None and wait > 0:
            approval = await self.workflow.wait_for_decision(approval.id, wait)
        if approval is not None and approval.state is ApprovalState.APPROVED:
            return await self.workflow.claim(record, record.action.principal)
        record = await asyncio.to_thread(self.actions.get, record.id)
        status = (
            "pending_approval"
            if approval is None or approval.state is ApprovalState.PENDING
            else record.status
        )
        gap = None
        if approval is not None and approval.state is ApprovalState.PENDING:
            gap = await asyncio.to_thread(self.workflow.reviewer_shortfall, approval)
        return Outcome(status, record, approval=approval, no_reviewer=gap)

    # ── approvals ──────────────────────────────────────────────────────────
    async def wait_for_decision(
        self,
        approval_id: str,
        wait_seconds: float,
        *,
        progress: WaitProgress | None = None,
        progress_every: float = 0.0,
    ) -> Approval:
        """Wait until the request is decided or `wait_seconds` pass (`ApprovalWorkflow`)."""
        return await self.workflow.wait_for_decision(
            approval_id, wait_seconds, progress=progress, progress_every=progress_every
        )

    def reviewer_shortfall(self, approval: Approval) -> str | None:
        """Why nobody can decide `approval`, when that is knowable (blocking)."""
        return self.workflow.reviewer_shortfall(approval)

    async def vote(
        self,
        approval_id: str,
        voter: Principal,
        decision: str,
        *,
        comment: str = "",
        channel: str = "api",
    ) -> Approval:
        """One reviewer's vote, as one person (`ApprovalWorkflow.vote`)."""
        return await self.workflow.vote(
            approval_id, voter, decision, comment=comment, channel=channel
        )

    async def claim_approved(self, action_id: str, principal: Principal) -> Outcome:
        """`admitted`: the requester may run the approved action now, once (e.g. `stream` it)."""
        record = await asyncio.to_thread(self.actions.get, action_id)
        return await self.workflow.claim(record, principal)

    # ── execute ─────────────────────────────────────────────────────────────
    async def run_approved(self, action_id: str, principal: Principal) -> Outcome:
        """Run the stored action once, for its requester, after approval."""
        outcome = await self.claim_approved(action_id, principal)
        return await self.execution.run(outcome.record)

    async def finish(
        self,
        record: ActionRecord,
        summary: dict[str, Any],
        *,
        error: PhigateError | None = None,
        behind: bool = False,
    ) -> None:
        """Record how an admitted action ended (`Execution.finish`)."""
        await self.execution.finish(record, summary, error=error, behind=behind)

    def stream(self, record: ActionRecord) -> AsyncGenerator[dict[str, Any], None]:
        """Run an admitted action, yielding its masked output as it comes (`Execution.stream`)."""
        return self.execution.stream(record)

    async def copy_in(
        self, record: ActionRecord, data: AsyncIterator[bytes], began: CopyBegan
    ) -> Outcome:
        """Run an admitted COPY … FROM STDIN (`Execution.copy_in`)."""
        return await self.execution.copy_in(record, data, began)

    # ── reviewers ───────────────────────────────────────────────────────────
    def is_auditor(self, principal: Principal) -> bool:
        return principal.in_any(frozenset(self.settings.identity.auditor_groups))

    def is_admin(self, principal: Principal) -> bool:
        """A human in `identity.admin_groups`: agents and services never administer."""
        return principal.is_human and principal.in_any(
            frozenset(self.settings.identity.admin_groups)
        )

    def masker_for(self, record: ActionRecord) -> Masker:
        """The masker for one decided action (`Execution.masker_for`, the one rule)."""
        return self.execution.masker_for(record)

    def scrub(self, value: Any) -> Any:
        """Mask PHI and secrets in anything written to the audit log or shown to reviewers."""
        return self.views.scrub(value)

    def scrub_sql(self, text: str) -> str:
        """The statement text as reviewers and the audit log see it (`ReviewerViews`)."""
        return self.views.scrub_sql(text)

    def scrub_params(self, params: Any) -> Any:
        """Statement parameters as reviewers see them (`ReviewerViews`)."""
        return self.views.scrub_params(params)

    async def audit_refusal(
        self,
        event: str,
        reason: str,
        *,
        client_addr: str | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record a request refused before it became an action (bad token, bad input)."""
        fields = {
            "where": {"client_addr": client_addr},
            "why": {"reason": reason},
            **({"detail": self.scrub(detail)} if detail else {}),
        }
        try:
            await asyncio.to_thread(self.audit.append, event, fields)
        except AuditUnavailableError:
            log.error("could not audit %s: %s", event, reason)

    async def close(self) -> None:
        if self.oidc is not None:
            await self.oidc.aclose()
        for connector in self.connectors.values():
            await connector.close()
        await asyncio.to_thread(self.writes.close)
        self.db.dispose()


def _refuse_unencodable(action: Action) -> None:
    """A lone surrogate (`"\\ud800"` is legal JSON) is text no UTF-8 store, audit log
    or upstream can hold: the caller's own bad input (400), refused before anything
    tries to write it."""
    for text in _strings([action.body, action.reason, list(action.reveal)]):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidRequestError(
                "the request holds a lone surrogate (an unpaired \\ud800-\\udfff escape); "
                "send text that is valid Unicode"
            ) from None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
