"""THE pipeline's front. Every front door turns its input into an `Action` and calls it.

    authenticate → describe → policy → [approval] → execute upstream → mask → answer
                     every step writes to the hash-chained audit log

Nothing runs unless its records were written; any failure in describing,
deciding, masking or recording denies the action. `Gateway` builds the stores
and the services that do the work (`phigate.pipeline`: `Admission`,
`ApprovalWorkflow`, `Execution`, `ReviewerViews`) and delegates to them; doors
ask it by name for what they read (`approval`, `action`, `audit_records`, …)
rather than reaching into a store.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from phigate.approvals import Approval, ApprovalService
from phigate.approvals.service import ApprovalEvent
from phigate.approvals.wakeups import DecisionWakeups, listen_url
from phigate.audit.chain import AuditLog
from phigate.audit.checkpoint import Checkpoint, CheckpointSigner
from phigate.audit.verification import Verification
from phigate.config import Settings
from phigate.connectors.base import (
    Connector,
    CopyBegan,
    StatefulConnector,
)
from phigate.core import metrics
from phigate.core.action_store import (
    ActionRecord,
    ActionStore,
)
from phigate.core.actions import Action, Description
from phigate.core.errors import (
    AuthenticationError,
    PhigateError,
)
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.tokens import PREFIX, TokenStore, acting_for_non_human
from phigate.identity.verifier import AccessTokenVerifier
from phigate.masking.engine import Masker, MaskingEngine
from phigate.ops.replicas import ReplicaRegistry
from phigate.pipeline.admission import Admission
from phigate.pipeline.deciding import Decider
from phigate.pipeline.execution import Execution
from phigate.pipeline.outcome import Decided, Outcome, OutcomeStatus, WaitProgress
from phigate.pipeline.views import AUDIT_PROFILE, ReviewerViews, audit_masker
from phigate.pipeline.workflow import ApprovalWorkflow
from phigate.policy import Decision
from phigate.reports.evidence import build_evidence
from phigate.reports.model import Evidence
from phigate.store import Database
from phigate.store.group_commit import GroupCommit

if TYPE_CHECKING:  # the MCP client SDK loads only when a tool is re-pinned (see repin)
    from phigate.connectors.mcp import McpConnector
    from phigate.connectors.mcp_pins import Repinned

__all__ = ["AUDIT_PROFILE", "Decided", "Gateway", "Outcome", "OutcomeStatus", "WaitProgress"]

log = logging.getLogger(__name__)


class Gateway:
    """The typed front every door calls; it assembles the pipeline's services."""

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
        trusted_keys: frozenset[str] | None = None,
    ) -> None:
        self._settings = settings
        self.db = db
        # With a signer the log signs checkpoints of its head (phigate.audit.schedule);
        # verification insists on `trusted_keys` when they are configured.
        self._audit = AuditLog(db, signer=signer, trusted=trusted_keys)
        self._actions = ActionStore(db, self._audit)
        # Requests waiting on a decision, woken from any replica (LISTEN/NOTIFY).
        self.wakeups = DecisionWakeups(listen_url(db.url))
        # The per-action records, committed together (group commit).
        self.writes = GroupCommit(db, around=self._audit.batched)
        self._tokens = tokens
        self.masking = masking
        self._connectors = dict(connectors)
        for connector in self._connectors.values():
            if isinstance(connector, StatefulConnector):  # MCP tool pins live in the state
                masker = audit_masker(masking)
                connector.attach(db, self._audit, masker, masking.keyed_digest)
        self.oidc = oidc
        # What the audit log and reviewers see of a request.
        self.views = ReviewerViews(masking)
        # Every record's free text is masked like the reviewer's view of it.
        self._audit.mask_text = self.views.scrub_text
        # Describe and decide, shared with `phigate policy check`; it owns the aliases.
        # Scrubbed: a parse error quotes the statement, and the reason reaches the audit log.
        self.decider = Decider(settings, self._connectors, lambda text: str(self.scrub(text)))
        self.people = self.decider.people
        self._approvals = ApprovalService(db, self._audit, people=self.people)
        self.workflow = ApprovalWorkflow(
            settings,
            db,
            approvals=self._approvals,
            wakeups=self.wakeups,
            actions=self._actions,
            audit=self._audit,
            tokens=tokens,
            people=self.people,
            decide_now=lambda record: self.decider.decide(record.action, record.description)[1],
        )
        self.execution = Execution(
            self._connectors,
            masking,
            actions=self._actions,
            audit=self._audit,
            writes=self.writes,
            replica=lambda: self._approvals.replica,
        )
        self.admission = Admission(
            settings,
            self.decider,
            self._connectors,
            masking,
            actions=self._actions,
            approvals=self._approvals,
            audit=self._audit,
            writes=self.writes,
            workflow=self.workflow,
            scrub=self.views.scrub,
        )

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """Replaced settings (tests, a reload) reach the services that read them per
        request; the Decider keeps the ones it was built with, as before the split."""
        self._settings = settings
        self.workflow.settings = settings
        self.admission.settings = settings

    # ── reads and events the doors need (instead of reaching into the stores) ──
    def action(self, action_id: str) -> ActionRecord:
        """One recorded action (NotFoundError if there is none; blocking)."""
        return self._actions.get(action_id)

    def recent_actions(self, *, limit: int = 100) -> list[ActionRecord]:
        """The latest recorded actions, newest first (blocking)."""
        return self._actions.list(limit=limit)

    def approval(self, approval_id: str) -> Approval:
        """One approval as stored (NotFoundError if there is none; blocking)."""
        return self.workflow.approval(approval_id)

    def approval_for_action(self, action_id: str) -> Approval | None:
        """The approval an action waits on or ran under, if it needed one (blocking)."""
        return self.workflow.approval_for_action(action_id)

    def list_approvals(self, *, state: str | None = None, limit: int = 200) -> list[Approval]:
        """Approvals, newest first, optionally in one state (blocking)."""
        return self.workflow.approvals(state=state, limit=limit)

    def expire_due(self) -> list[Approval]:
        """Expire pending approvals whose time is up, before reading or acting (blocking)."""
        return self.workflow.expire_due()

    def requester_disconnected(self, approval_id: str, front_door: str) -> None:
        """The requester stopped waiting on `approval_id` (recorded; blocking)."""
        self.workflow.requester_disconnected(approval_id, front_door)

    def subscribe_approvals(self, listener: Callable[[ApprovalEvent], None]) -> None:
        """Hear approval events raised on this replica (the chat dispatcher)."""
        self.workflow.subscribe(listener)

    @property
    def replica(self) -> str:
        """The replica this process records its approvals and runs under."""
        return self.workflow.replica

    @replica.setter
    def replica(self, name: str) -> None:
        """Name this replica (REPLICA_ID names it in production; tests run two in one
        process)."""
        self._approvals.replica = name

    def connector(self, connection: str) -> Connector | None:
        """The connector of a configured connection, or None."""
        return self._connectors.get(connection)

    def connections(self) -> list[tuple[str, Connector]]:
        """The configured connections and their connectors, by name."""
        return sorted(self._connectors.items())

    def inactive_tokens(self, token_ids: Iterable[str]) -> set[str]:
        """Which of `token_ids` are revoked, expired or gone (blocking)."""
        return self._tokens.inactive(token_ids)

    def token_kinds(self, subject: str) -> set[PrincipalKind]:
        """The kinds of principal `subject`'s API tokens make it (blocking)."""
        return self._tokens.kinds_of(subject)

    def record_event(self, event: str, fields: Mapping[str, Any]) -> int:
        """Append one record to the audit log (AuditUnavailableError if it cannot)."""
        return self._audit.append(event, fields)

    def record_event_in(self, conn: sa.Connection, event: str, fields: Mapping[str, Any]) -> int:
        """Append one record inside the caller's transaction on the state database, so a
        state change and its record commit together (the console's sign-in sessions)."""
        return self._audit.append_in(conn, event, fields)

    @property
    def signs_checkpoints(self) -> bool:
        """Whether this gateway has a key to sign audit checkpoints with."""
        return self._audit.signer is not None

    def replica_registry(self) -> ReplicaRegistry:
        """This replica's heartbeat and recovery, over the gateway's own audit log (its
        records join the same chain as everything else this process writes)."""
        return ReplicaRegistry(self.db, self._audit, self.replica)

    def audit_records(self, *, since: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """Audit records after `since`, oldest first (blocking)."""
        return self._audit.records(since=since, limit=limit)

    def audit_head(self) -> tuple[int, str]:
        """The audit log's last sequence number and hash (blocking)."""
        return self._audit.head()

    def verify_audit(self) -> Verification:
        """Verify the audit chain as stored (blocking)."""
        return self._audit.verify()

    def checkpoint_audit(self) -> Checkpoint:
        """Sign a checkpoint of the audit log's head now (blocking; needs a signer)."""
        return self._audit.checkpoint()

    def evidence(
        self, start: datetime, end: datetime, *, policy_hash: str | None = None
    ) -> Evidence:
        """The evidence report for [start, end] from the audit log (blocking)."""
        return build_evidence(self._audit, start, end, policy_hash=policy_hash)

    async def repin(
        self,
        connector: McpConnector,
        tool: str,
        *,
        expected_digest: str,
        by: Mapping[str, Any],
        reason: str,
    ) -> Repinned:
        """Pin the reviewed upstream definition of an MCP tool (audited, scrubbed)."""
        # Imported here: the MCP client SDK is heavy, and `phigate --help` imports the
        # gateway (through the reviewer view the approvals CLI prints).
        from phigate.connectors.mcp_pins import repin

        return await repin(
            connector,
            self.db,
            self._audit,
            tool,
            expected_digest=expected_digest,
            by=by,
            reason=reason,
            scrub=self.scrub,
        )

    # ── authenticate ────────────────────────────────────────────────────────
    async def authenticate(self, credential: str, *, rechecked: bool = False) -> Principal:
        """An API token or an OIDC access token → Principal; anything else is refused.

        `rechecked`: the caller only submits actions with it (`POST /v1/actions`),
        whose records re-read the token, so an API token seen in the last few seconds
        is taken without a lookup (`phigate.identity.recent_tokens`)."""
        credential = credential.strip()
        if not credential:
            raise AuthenticationError("missing credentials")
        if credential.startswith(PREFIX):
            recent = self._tokens.recent(credential) if rechecked else None
            if recent is None:
                principal = await asyncio.to_thread(self._tokens.authenticate, credential)
            else:
                principal = recent
        elif self.oidc is None:
            raise AuthenticationError("not a phigate API token, and OIDC is not configured")
        else:
            principal = self.people.canonical(await self.oidc.verify(credential))
            await asyncio.to_thread(self._tokens.signed_in_by_idp, principal)
        principal = self.people.canonical(principal)
        person = principal.on_behalf_of
        if person is not None and person in self.settings.non_human_subjects():
            raise AuthenticationError(acting_for_non_human(person))
        return principal

    # ── describe and decide ─────────────────────────────────────────────────
    def describe(self, action: Action) -> Description:
        """What the action would do, as its connector understands it; else `unknown`."""
        return self.admission.describe(action)

    def decide(
        self, action: Action, description: Description | None = None
    ) -> tuple[Description, Decision]:
        """Policy check without running or recording anything (`phigate.pipeline.deciding`)."""
        return self.admission.decide(action, description)

    def prepare(self, action: Action) -> Action:
        """The action as it will run, before it is described or recorded (`Admission`)."""
        return self.admission.prepare(action)

    # ── submit ──────────────────────────────────────────────────────────────
    async def submit(self, action: Action, *, wait: float = 0.0) -> Outcome:
        """The whole pipeline for one action: decide, maybe wait for approval, run, mask."""
        started = time.monotonic()
        outcome = await self.admit(action, wait=wait)
        if outcome.status is OutcomeStatus.ADMITTED:
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
        run the action, then call `finish` (`Admission.admit`)."""
        return await self.admission.admit(
            action, wait=wait, description=description, decided=decided
        )

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

    async def claim(
        self, record: ActionRecord, principal: Principal, approved: Approval
    ) -> Outcome:
        """`admitted`: the requester claims the approved `record` it is holding (a wire
        session woken by the decision, `approved` what it read) to run it now, once
        (`ApprovalWorkflow.claim`)."""
        return await self.workflow.claim(record, principal, approved)

    async def claim_approved(self, action_id: str, principal: Principal) -> Outcome:
        """`admitted`: the requester may run the approved action now, once (e.g. `stream` it)."""
        return await self.workflow.claim_approved(action_id, principal)

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

    def finish_behind(
        self,
        record: ActionRecord,
        summary: dict[str, Any],
        *,
        error: PhigateError | None,
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Queue how an admitted action ended, without waiting (`Execution.finish_behind`)."""
        self.execution.finish_behind(record, summary, error=error, on_error=on_error)

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

    def masker_before_run(self, principal: Principal, profile: str | None = None) -> Masker:
        """The masker for what a door shows before a run is decided
        (`Execution.masker_before_run`: no reveal; the default profile without one)."""
        return self.execution.masker_before_run(principal, profile)

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
        source: str | None = None,
    ) -> None:
        """Record a request refused before it became an action (bad token, bad input);
        with `source`, capped per sender address (phigate.pipeline.floods)."""
        await self.admission.audit_refusal(
            event, reason, client_addr=client_addr, detail=detail, source=source
        )

    async def close(self) -> None:
        await self.admission.flush_refusals()  # counted refusals are written, not lost
        if self.oidc is not None:
            await self.oidc.aclose()
        for connector in self._connectors.values():
            await connector.close()
        await asyncio.to_thread(self.writes.close)
        self.db.dispose()
