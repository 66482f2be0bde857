"""Admission: from a front door's `Action` to a recorded request. It prepares the
action (refusing text nothing can carry), describes and refines it, decides it
(`phigate.pipeline.deciding`), reuses an approved twin or a still-valid `Decided`, and records
request, decision and, for what runs at once, its start in one transaction: nothing
runs unless those records were written. Refusals before an action exists are
audited here too (`audit_refusal`)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any, assert_never

import sqlalchemy as sa
from pglast.parser import ParseError

from phigate.approvals import ApprovalService, ApprovalState
from phigate.approvals.model import BREAK_GLASS_REVIEW
from phigate.audit.chain import AuditLog
from phigate.config import PolicySettings, Settings
from phigate.connectors.base import Connector, RefiningConnector
from phigate.core import metrics
from phigate.core.action_store import (
    ActionRecord,
    ActionStatus,
    ActionStore,
    audit_fields,
    commit_recorded,
    request_records,
)
from phigate.core.actions import Action, Description, new_id
from phigate.core.errors import (
    AuditUnavailableError,
    AuthenticationError,
    AwaitingApprovalError,
    InvalidRequestError,
    NotAllowedError,
    NotFoundError,
)
from phigate.core.risk import RiskClass
from phigate.identity.principal import Principal
from phigate.identity.tokens import TokenStore
from phigate.masking.engine import MaskingEngine
from phigate.pipeline._text import refuse_unstorable
from phigate.pipeline.deciding import Decider
from phigate.pipeline.floods import EVENT, Count, FloodAccount
from phigate.pipeline.nesting import refuse_deep
from phigate.pipeline.outcome import Decided, Outcome, OutcomeStatus, decision_key
from phigate.pipeline.workflow import ApprovalWorkflow
from phigate.policy import Decision, Verdict, break_glass_decision
from phigate.sql.split import client_copies, split_statements
from phigate.sql.transaction_control import transaction_control
from phigate.store.group_commit import GroupCommit
from phigate.store.json_columns import column_json

log = logging.getLogger("phigate.pipeline.gateway")
_RECENT_KEPT = 4096  # decided texts (caller, connection, text, reveal) kept for reuse


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


class Admission:
    """Describe, decide and record a request; the only writer of a request's records."""

    def __init__(
        self,
        settings: Settings,
        decider: Decider,
        connectors: Mapping[str, Connector],
        masking: MaskingEngine,
        *,
        actions: ActionStore,
        approvals: ApprovalService,
        audit: AuditLog,
        writes: GroupCommit,
        workflow: ApprovalWorkflow,
        scrub: Callable[[Any], Any],
    ) -> None:
        self.settings = settings  # the front replaces it when its settings change
        self._decider = decider
        self._connectors = connectors
        self._masking = masking
        self._actions = actions
        self._approvals = approvals
        self._audit = audit
        self._writes = writes
        self._workflow = workflow
        self._scrub = scrub
        self.floods = FloodAccount()  # refusals before authentication, per source
        self._flood_timer: asyncio.TimerHandle | None = None
        self._flood_writes: set[asyncio.Task[None]] = set()
        # `_clock_matters` of the policy object it was asked for last (frozen: its rules
        # cannot change under it; a new policy is a new object).
        self._clocked: tuple[PolicySettings, bool] | None = None
        self._recent: dict[tuple[Any, ...], Decided] = {}  # allows for the next run (`admit`)

    def describe(self, action: Action) -> Description:
        """What the action would do, as its connector understands it; else `unknown`."""
        return self._decider.describe(action)

    def decide(
        self, action: Action, description: Description | None = None
    ) -> tuple[Description, Decision]:
        """Policy check without running or recording anything (`phigate.pipeline.deciding`)."""
        return self._decider.decide(action, description)

    def prepare(self, action: Action) -> Action:
        """The action as it will run, before it is described or recorded.

        Refuses (InvalidRequestError) text no store or upstream protocol can carry.
        The connector may capture what it reads besides the body (an exec command's
        manifest file) into the action, so fingerprint and approval cover it and it
        runs as seen, or refuse input its own protocol cannot carry (an http header).
        Nesting is checked first: every later step walks the body recursively.
        """
        refuse_deep(action.body, "the request's body")
        _refuse_unencodable(action)
        if action.kind == "sql":
            _refuse_uncarriable_sql(action)
        prepare = getattr(self._connectors[action.connection], "prepare", None)
        if prepare is None:
            return action
        prepared: Action = prepare(action)
        return prepared

    async def _refined(self, action: Action, description: Description) -> Description:
        """The description, refined by asking the upstream where the connector can
        (e.g. the planner's row estimate turns a bulk read into an export)."""
        connector = self._connectors[action.connection]
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
        known = self._masking.settings.known_types()
        unknown = sorted(set(action.reveal) - known - {"*"})
        if unknown:
            raise InvalidRequestError(
                f"unknown entity type(s) to reveal: {', '.join(unknown)}; "
                f'valid: {", ".join(sorted(known))} (or "*" for all)'
            )

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
        metrics.labelled(metrics.REQUESTS, action.front_door, action.kind).inc()
        if decided is not None and self._still_holds(decided, action, description):
            return await self._admit_decided(action, decided)
        try:
            self._decider.check_connection(action)
            self._check_reveal(action)
            action = self.prepare(action)
            source = description  # as the caller classified it, before refining
            recent = self._recent_allow(action) if description is None else None
            if recent is None:
                refined = await self._refined(action, description or self.describe(action))
                judged = self.decide(action, refined)
        except (NotFoundError, NotAllowedError, InvalidRequestError) as exc:
            await self._recheck_token(action)  # a revoked token learns nothing
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
        if recent is not None:
            return await self._admit_decided(action, recent)
        description, decision = judged
        if action.break_glass:
            # Before any twin: break-glass runs at once (or is refused), with its own
            # record and reason, even while the same action waits the ordinary way.
            decision = break_glass_decision(action, decision)
        if decision.outcome is Verdict.APPROVE:
            # Only what needs a human now can use an approved twin: an allowed action
            # runs as itself (which spares every routine statement this lookup), and a
            # denied one is denied, whatever was approved before (a freeze window).
            twin = await asyncio.to_thread(self._twin, action, description)
            if twin is not None:
                # A twin is answered without the request's own record, whose transaction
                # re-reads the token: a token revoked since it was cached learns nothing.
                await self._recheck_token(action)
                reused, approved = twin
                if not approved:  # waits on that request, as if asked again
                    return await self._pending(reused, action.principal, wait)
                return await self._claim_twin(reused, action.principal, wait)
        metrics.labelled(metrics.DECISIONS, decision.outcome, description.risk.value).inc()
        reusable = self._reusable(action, source, description, decision)
        analysis_json = reusable.analysis_json if reusable is not None else None
        if reusable is not None and source is None:
            self._remember(reusable)
        record = await self._record_request(action, description, decision, analysis_json)
        match decision.outcome:
            case Verdict.DENY:
                return Outcome(OutcomeStatus.DENIED, record)
            case Verdict.APPROVE:
                return await self._pending(record, action.principal, wait)
            case Verdict.ALLOW | Verdict.BREAK_GLASS:  # recorded as executing
                return Outcome(OutcomeStatus.ADMITTED, record, decided=reusable)
            case unreachable:
                assert_never(unreachable)

    async def _admit_decided(self, action: Action, decided: Decided) -> Outcome:
        """Record and admit `action` under an allow that still holds for it."""
        metrics.labelled(
            metrics.DECISIONS, decided.decision.outcome, decided.description.risk.value
        ).inc()
        record = await self._record_request(
            action, decided.description, decided.decision, decided.analysis_json
        )
        return Outcome(OutcomeStatus.ADMITTED, record, decided=decided)

    def _recent_allow(self, action: Action) -> Decided | None:
        """The allow decided for the same caller's same text lately (REST and MCP send
        no description of their own), while it holds as a wire statement's would:
        same policy object, no time-window rule, a refinement that does not depend on
        the run (`_reusable`, `_still_holds`). Only classifying, refining and deciding
        are spared: the action was checked and prepared above and is recorded below."""
        recent = self._recent.get(decision_key(action))
        if recent is None or not self._still_holds(recent, action, None):
            return None
        return recent

    def _remember(self, decided: Decided) -> None:
        if len(self._recent) >= _RECENT_KEPT:
            self._recent.clear()
        self._recent[decided.key] = decided

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
        connector = self._connectors[action.connection]
        # What no connector refines is not reused either: nothing says it would hold.
        if not isinstance(connector, RefiningConnector):
            return None
        # Read with `refines_alike`, no await between: the catalog it judged by.
        basis = connector.decided_on()
        if not connector.refines_alike(action, description):
            return None
        analysis_json = column_json(description.to_json())
        key = decision_key(action)
        return Decided(
            key, source, self.settings.policy, description, decision, analysis_json, basis
        )

    def _still_holds(self, decided: Decided, action: Action, source: Description | None) -> bool:
        """Whether nothing `decided` rests on has changed, the catalog included: a
        reload may have made a plain table a view over PHI."""
        # (getattr, not isinstance on the protocol: this runs on every reused statement.)
        decided_on = getattr(self._connectors.get(action.connection), "decided_on", None)
        return (
            decided.policy is self.settings.policy
            and decided.source is source
            and set(action.body) <= {"sql", "params"}
            and decided.key == decision_key(action)
            and decided_on is not None
            and decided.basis == decided_on()
            and not self._clock_matters()
        )

    def _clock_matters(self) -> bool:
        """A rule with a time window decides differently as the clock moves."""
        policy, clocked = self.settings.policy, self._clocked
        if clocked is None or clocked[0] is not policy:
            clocked = self._clocked = (
                policy,
                any(rule.match.time is not None for rule in policy.rules),
            )
        return clocked[1]

    def _twin(self, action: Action, description: Description) -> tuple[ActionRecord, bool] | None:
        """The caller's identical action still to run, and whether it is approved: one
        approved and not run, or else one waiting for votes (asked, or sent back for
        more at run time), so that sending it again waits on that request rather than
        asking reviewers a second time (and running the write twice once both are
        approved). One whose approval has expired is recorded `expired` on the way (it
        ends that action): the identical request is then a new one, asked again.

        Only a twin read as `description` reads (`Description.reads_as`) is one: the
        claimed record's description is what the run is masked by, so a view or a name
        redefined since the reviewer saw it (same text, other columns) is asked anew,
        whichever door it came through."""
        for action_id in self._actions.approved_with_fingerprint(action.fingerprint()):
            record = self._actions.get(action_id)
            if not self._is_twin(record, action, description):
                continue
            approval = self._approvals.for_action(record.id)
            if approval is not None and approval.is_expired():
                self._approvals.expire_unrun(approval.id)
                continue
            return record, True
        for action_id in self._approvals.pending_with_fingerprint(action.fingerprint()):
            record = self._actions.get(action_id)
            if not self._is_twin(record, action, description):
                continue
            approval = self._approvals.for_action(record.id)
            if approval is None or approval.is_expired():
                continue  # its expiry is recorded by the sweep; this one is asked anew
            return record, False
        return None

    @staticmethod
    def _is_twin(record: ActionRecord, action: Action, description: Description) -> bool:
        return record.action.principal.is_same_caller(
            action.principal
        ) and record.description.reads_as(description)

    async def _claim_twin(self, twin: ActionRecord, principal: Principal, wait: float) -> Outcome:
        """Claim the approved twin; when policy now needs more votes than it has, it waits
        for them again, and the caller gets it as a pending request (`wait` honoured)."""
        try:
            return await self._workflow.claim(twin, principal)
        except AwaitingApprovalError:
            return await self._pending(twin, principal, wait)

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

        def write(conn: sa.Connection) -> tuple[ActionRecord | str, str | None]:
            if action.principal.token_rechecked:
                TokenStore.refuse_inactive_in(conn, action.principal)
            if decision.outcome is Verdict.APPROVE:
                # Sent at once, identical requests each found no twin before; the
                # first recorded is the one request, the others wait on it.
                twin = self._approvals.pending_twin_in(conn, action.fingerprint())
                if twin is not None and self._actions.get_in(conn, twin).description.reads_as(
                    description
                ):
                    return twin, None
            fields = audit_fields(action, description, scrub=self._scrub)
            record = self._actions.insert(
                conn,
                action_id,
                action,
                description,
                decision,
                status,
                self._approvals.replica,
                analysis_json=analysis_json,
            )
            approval_id = None
            reviewed = decision.outcome in (Verdict.APPROVE, Verdict.BREAK_GLASS)
            if reviewed and decision.approvals is not None:
                purpose = (
                    BREAK_GLASS_REVIEW if decision.outcome is Verdict.BREAK_GLASS else "approval"
                )
                approval_id = self._approvals.create(
                    conn,
                    action_id,
                    action.principal,
                    decision.requirements,
                    purpose=purpose,
                    rules=decision.requirement_rules,
                )
            entries = request_records(
                action,
                decision,
                fields,
                action_id,
                approval_id,
                self._approvals.replica,
                runs_now=runs_now,
            )
            if runs_now and decision.outcome is not Verdict.ALLOW:  # break-glass
                entries.append(
                    ("action.execution_started", {"action_id": action_id, "who": fields["who"]})
                )
            self._audit.append_many_in(conn, entries)
            return record, approval_id

        try:
            record, approval_id = await commit_recorded(self._writes, write)
        except AuthenticationError as exc:
            await self._refuse_token(action, exc)
            raise
        if isinstance(record, str):  # the twin's action: nothing of this one was written
            return await asyncio.to_thread(self._actions.get, record)
        if approval_id is not None:
            approval = await asyncio.to_thread(self._approvals.get, approval_id)
            self._approvals.publish("approval.requested", approval)
        return record

    async def _recheck_token(self, action: Action) -> None:
        """For a principal from the recent-token cache, the token's state before a
        refusal tells it anything (rare: on the path of every action the record's own
        transaction reads it)."""
        if not action.principal.token_rechecked:
            return

        def read(conn: sa.Connection) -> None:
            TokenStore.refuse_inactive_in(conn, action.principal)

        try:
            await commit_recorded(self._writes, read)
        except AuthenticationError as exc:
            await self._refuse_token(action, exc)
            raise

    async def _refuse_token(self, action: Action, error: AuthenticationError) -> None:
        await self.audit_refusal(
            "auth.refused",
            error.message,
            client_addr=action.client_addr,
            detail={"front_door": action.front_door, "connection": action.connection},
        )

    async def _pending(self, record: ActionRecord, principal: Principal, wait: float) -> Outcome:
        approval = await asyncio.to_thread(self._approvals.for_action, record.id)
        if approval is not None and wait > 0:
            approval = await self._workflow.wait_for_decision(approval.id, wait)
        if approval is not None and approval.state is ApprovalState.APPROVED:
            # The caller as it authenticated (with its token), not the stored form.
            try:
                return await self._workflow.claim(record, principal, approval)
            except AwaitingApprovalError:  # policy needs more votes now: it waits again
                approval = await asyncio.to_thread(self._approvals.for_action, record.id)
        record = await asyncio.to_thread(self._actions.get, record.id)
        status = (
            OutcomeStatus.PENDING_APPROVAL
            if approval is None or approval.state is ApprovalState.PENDING
            else OutcomeStatus.of_action(record.status)
        )
        gap = None
        if approval is not None and approval.state is ApprovalState.PENDING:
            gap = await asyncio.to_thread(self._workflow.reviewer_shortfall, approval)
        return Outcome(status, record, approval=approval, no_reviewer=gap)

    async def audit_refusal(
        self,
        event: str,
        reason: str,
        *,
        client_addr: str | None,
        detail: dict[str, Any] | None = None,
        source: str | None = None,
    ) -> None:
        """Record a request refused before it became an action (bad token, bad input).
        With `source` (the sender's address, for refusals anyone can cause without a
        credential), the first few a minute are recorded in full and the rest counted
        (phigate.pipeline.floods)."""
        counts: list[Count] = []
        if source is not None:
            recorded, counts = self.floods.refused(event, source, reason)
            if not recorded:
                log.info("%s from %s counted, not recorded in full: %s", event, source, reason)
                self._write_counts_later()
        else:
            recorded = True
        entries = [(EVENT, count.fields()) for count in counts]
        if recorded:
            entries.append(
                (
                    event,
                    {
                        "where": {"client_addr": client_addr},
                        "why": {"reason": reason},
                        **({"detail": self._scrub(detail)} if detail else {}),
                    },
                )
            )
        await self._append(entries)

    async def flush_refusals(self) -> None:
        """Write the refusals counted and not yet written (at shutdown)."""
        if self._flood_timer is not None:
            self._flood_timer.cancel()
            self._flood_timer = None
        await asyncio.gather(*self._flood_writes)
        await self._append([(EVENT, count.fields()) for count in self.floods.drain()])

    def _write_counts_later(self) -> None:
        """Once a window's length from now (the first window counting has closed by
        then), write the counts closed, so a flood that stops is still written."""
        if self._flood_timer is None:
            loop = asyncio.get_running_loop()
            self._flood_timer = loop.call_later(self.floods.seconds, self._write_closed_counts)

    def _write_closed_counts(self) -> None:
        self._flood_timer = None
        entries = [(EVENT, count.fields()) for count in self.floods.closed()]
        if entries:
            task = asyncio.get_running_loop().create_task(self._append(entries))
            self._flood_writes.add(task)
            task.add_done_callback(self._flood_writes.discard)
        if self.floods.counting():
            self._write_counts_later()

    async def _append(self, entries: list[tuple[str, dict[str, Any]]]) -> None:
        for event, fields in entries:
            try:
                await asyncio.to_thread(self._audit.append, event, fields)
            except AuditUnavailableError:
                log.error("could not audit %s: %s", event, fields.get("why"))


def _refuse_unencodable(action: Action) -> None:
    """A lone surrogate (`"\\ud800"` is legal JSON) is text no UTF-8 store, audit log
    or upstream can hold: the caller's own bad input (400), refused before anything
    tries to write it."""
    refuse_unstorable(action.reason or "", "the reason")
    for text in _strings([action.body, list(action.reveal)]):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidRequestError(
                "the request holds a lone surrogate (an unpaired \\ud800-\\udfff escape); "
                "send text that is valid Unicode"
            ) from None


def _refuse_uncarriable_sql(action: Action) -> None:
    """SQL input no PostgreSQL upstream can carry is the caller's own bad input (400),
    refused before policy: sent on, it fails upstream as an opaque error after being
    recorded as running, or reaches reviewers, who could only approve what cannot
    run. A NUL (text and query strings cannot hold one), a JSON object as a value (no
    SQL type: send it as text and cast, `$1::jsonb`), or a text with no statement in
    it (only `;`, spaces or comments; the wire protocol has its own answer to that),
    or a COPY to or from the client, which only the wire protocol carries."""
    sql = action.sql or ""
    if "\x00" in sql:
        raise InvalidRequestError("the statement holds a NUL character (\u0000)")
    for index, value in enumerate(action.params, 1):
        if any("\x00" in text for text in _strings(value)):
            raise InvalidRequestError(
                f"parameter ${index} holds a NUL character (\u0000), which PostgreSQL "
                "text cannot hold; send bytes as hex or base64 text"
            )
        # On the wire a value the audit cannot decode is recorded as {"format": "binary",
        # …}: the client's own bytes go upstream, not this JSON form.
        if action.front_door != "pgwire" and _holds_object(value):
            raise InvalidRequestError(
                f"parameter ${index} is a JSON object, which has no SQL type; "
                f"send it as a string and cast it in the statement (${index}::jsonb)"
            )
    if action.front_door != "pgwire":
        problem = _uncarriable_text(sql)
        if problem is not None:
            raise InvalidRequestError(problem)


@functools.lru_cache(maxsize=4096)
def _uncarriable_text(sql: str) -> str | None:
    """Why a REST or MCP text cannot be carried, or None; a function of the text
    alone, so cached like the classifier's parse: each check parses the text, and an
    agent sends the same few texts again and again."""
    if _no_statement(sql):
        return "the text holds no statement (only ;, spaces or comments)"
    if _copies_with_client(sql):
        return (
            "COPY … TO STDOUT and COPY … FROM STDIN stream through the PostgreSQL wire "
            "protocol: send them through the wire door (psql, a driver), or send the "
            "query itself (a SELECT) here"
        )
    return _transaction_control_problem(sql)


def _transaction_control_problem(sql: str) -> str | None:
    """On REST and MCP the gateway owns the action's transaction: it begins it, commits
    it when the whole text ran and rolls it back on any error, and the outcome it records
    says which. A COMMIT, ROLLBACK, SAVEPOINT… in the text would end it early, so a
    change could commit and still be recorded `failed` (phigate.sql.transaction_control).
    The wire door sends no such text to the writer: a write there runs alone."""
    found = transaction_control(sql)
    if found is None:
        return None
    return (
        f"the text holds {found}, which would end the transaction the gateway runs "
        "the action in (it commits the whole text when it succeeds and rolls it all "
        "back on an error); send the statements without BEGIN, COMMIT, END, "
        "ROLLBACK, ABORT, SAVEPOINT, RELEASE or PREPARE TRANSACTION"
    )


def _holds_object(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list | tuple) and any(_holds_object(item) for item in value)


def _no_statement(sql: str) -> bool:
    """Whether the server's own parser finds no statement at all in `sql` (text it
    cannot parse is not this case: it is classified `unknown` and decided so)."""
    try:
        return not split_statements(sql)
    except ParseError:
        return False


def _copies_with_client(sql: str) -> bool:
    """Whether the server's own parser finds a COPY to or from the client in `sql`."""
    try:
        return bool(client_copies(sql))
    except ParseError:
        return False


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
