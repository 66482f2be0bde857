"""Asking the gateway whether a statement may run, on the wire's terms.

`Admission.admit` returns the admitted `ActionRecord`, or the ErrorResponse
that tells the client why not: denied (42501, naming the rule and reason),
still waiting for approval (55000), or the gateway failing (fail closed).
A statement that needs approval sends a NoticeResponse with the approval's
URL and id, then waits in the session up to `approval_wait_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from dataclasses import dataclass
from typing import Any

from phigate.approvals import Approval, ApprovalState
from phigate.core.action_store import ActionRecord
from phigate.core.actions import Action, Description
from phigate.core.errors import AuthenticationError, NotAllowedError, PhigateError
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._session_settings import SessionSettings
from phigate.identity.principal import Principal
from phigate.pipeline.gateway import Decided, Gateway, OutcomeStatus
from phigate.reviewing.view import approval_url

log = logging.getLogger(__name__)

DENIED = "42501"
PENDING = "55000"
CANCELED = "57014"


@dataclass
class Refusal:
    """An ErrorResponse for the client instead of running the statement."""

    error: bytes


class Admission:
    """Admits statements for one wire session (one principal, one connection)."""

    def __init__(
        self,
        gateway: Gateway,
        connection: str,
        principal: Principal,
        client_addr: str | None,
        wait_seconds: float,
        notify: Any,
    ) -> None:
        self.gateway = gateway
        self.connection = connection
        self.principal = principal
        self.client_addr = client_addr
        self.wait_seconds = wait_seconds
        self._notify = notify  # callable(bytes): a NoticeResponse to the client, now
        self.waiting: asyncio.Task[Approval] | None = None
        # `SET phigate.reveal = 'DATE,PERSON'`: asked for on every later statement,
        # decided (and usually sent for approval) per statement like any reveal.
        self.reveal: tuple[str, ...] = ()
        # What the session set that a write on the writer must carry (`_session_settings`).
        self.session_settings = SessionSettings({}, {})

    def action(
        self,
        sql: str,
        params: list[Any],
        settings: dict[str, str] | None = None,
        *,
        types: tuple[int, ...] = (),
        names: Description | None = None,
    ) -> Action:
        """The action for `sql`; `settings`: the session's, for a write on the writer
        (shown to the reviewer, bound into the approval, applied where it runs).
        `types`: the parameter types the Parse declared (type OIDs, 0 left open), kept
        in the body when it declared any, so they are shown, approved and run with
        (`connectors/_pg_values.typed_params`); a Parse that declared none adds nothing.
        `names`: for a text that runs a cursor or prepared statement by name (FETCH,
        MOVE, EXECUTE), what that name runs now (`runs_json`)."""
        self.session_settings.observe(sql)
        body: dict[str, Any] = {"sql": sql, "params": params}
        if settings:
            body["settings"] = settings
        if any(types):
            body["param_types"] = list(types)
        if names is not None:
            body["runs"] = runs_json(names)
        return Action(
            self.connection,
            "sql",
            body,
            self.principal,
            "pgwire",
            client_addr=self.client_addr,
            reveal=self.reveal,
        )

    async def admit(
        self, action: Action, description: Description | None = None
    ) -> ActionRecord | Refusal:
        admitted, _ = await self.admit_reusing(action, description, None)
        return admitted

    async def admit_reusing(
        self, action: Action, description: Description | None, decided: Decided | None
    ) -> tuple[ActionRecord | Refusal, Decided | None]:
        """`admit`, handing the gateway an earlier run's decision (it reuses it only
        where it still holds) and returning the decision the next run may reuse."""
        try:
            outcome = await self.gateway.admit(
                action, wait=0, description=description, decided=decided
            )
            if outcome.status is OutcomeStatus.PENDING_APPROVAL and outcome.approval is not None:
                waited = await self._await_approval(action, outcome.approval, outcome.record)
                return waited, None
        except PhigateError as exc:
            return Refusal(_error_for(exc)), None
        except Exception:  # fail closed: a gateway bug must not let a statement through
            log.exception("admitting a wire statement failed")
            error = codec.error_response("XX000", "phigate could not check this statement")
            return Refusal(error), None
        if outcome.status is OutcomeStatus.ADMITTED:
            return outcome.record, outcome.decided
        return Refusal(denied(outcome.record)), None

    async def _await_approval(
        self, action: Action, approval: Approval, record: ActionRecord
    ) -> ActionRecord | Refusal:
        url = approval_url(self.gateway, approval.id)
        if self.wait_seconds <= 0:
            return Refusal(_pending(approval, url))
        self._notify(
            codec.notice_response(
                f"phigate: this statement needs approval ({record.rule}); waiting up to "
                f"{self.wait_seconds:g}s. Approval {approval.id}: {url}",
                detail=f"action {record.id}: {record.decision_reason}",
            )
        )
        self.waiting = asyncio.create_task(
            self.gateway.wait_for_decision(approval.id, self.wait_seconds),
            name=f"pgwire-approval-{approval.id}",
        )
        try:
            decided = await self.waiting
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if me is not None and me.cancelling():
                raise  # the session itself is closing
            return Refusal(
                codec.error_response(
                    CANCELED,
                    f"canceling statement due to user request (approval {approval.id} "
                    "stays open; re-issue the identical statement after approval)",
                )
            )
        finally:
            self.waiting = None
        if decided.state is ApprovalState.APPROVED:
            # The approval is bound to this very record: claim it (requester, fingerprint,
            # once), without describing and deciding the statement again.
            return (await self.gateway.claim(record, self.principal, decided)).record
        if decided.state is ApprovalState.PENDING:
            return Refusal(_pending(decided, url))
        return Refusal(
            codec.error_response(
                DENIED,
                f"phigate: approval {decided.id} ended {decided.state.value}; "
                "the statement did not run",
                detail=f"action {record.id}",
            )
        )

    def cancel_wait(self) -> bool:
        if self.waiting is not None and not self.waiting.done():
            self.waiting.cancel()
            return True
        return False


def runs_json(description: Description) -> dict[str, Any]:
    """What a cursor or prepared statement runs, as the action's body carries it.

    `FETCH ALL FROM "K"` means whatever "K" was declared for when it runs: CLOSE and
    DECLARE it again over other columns and the same text runs something else. Bound
    into the body, it is in the fingerprint an approval binds to (and shown to the
    reviewer and audited): an approval granted for one declaration is never claimed by
    the same text over another. `defined_as` is each name's definition (deparsed, its
    filters and values, a Parse's types, a portal's bound values): the same columns
    under another WHERE are another action. Reasons are left out: they word the
    statement, not what it reads."""
    return {
        "risk": description.risk.value,
        "tables": list(description.tables),
        "columns": list(description.columns),
        "functions": list(description.functions),
        "lineage": list(description.detail.get("lineage") or []),
        "predicate_columns": list(description.detail.get("predicate_columns") or []),
        "defined_as": list(description.detail.get("runs") or []),
    }


def denied(record: ActionRecord) -> bytes:
    return codec.error_response(
        DENIED,
        f'phigate denied this statement: rule "{record.rule or "(no rule matched)"}": '
        f"{record.decision_reason}",
        detail=f"action {record.id}",
    )


def _pending(approval: Approval, url: str) -> bytes:
    return codec.error_response(
        PENDING,
        f"phigate: this statement is waiting for approval {approval.id}; re-issue the "
        "identical statement once it is approved",
        detail=url,
    )


def _error_for(exc: PhigateError) -> bytes:
    if isinstance(exc, NotAllowedError):
        return codec.error_response(DENIED, f"phigate: {exc.message}")
    if isinstance(exc, AuthenticationError):
        return codec.error_response("28000", f"phigate: {exc.message}")
    return codec.error_response(
        "58000", f"phigate could not run this statement: {exc.message}", detail=exc.code
    )


def bound_params(bind: codec.Bind, types: tuple[int, ...]) -> list[Any]:
    """Parameters as the audit records them: text as text, known binary types decoded.

    Binary values of other types are kept as tagged hex, so two different
    byte strings never record (or fingerprint) the same.
    """
    out: list[Any] = []
    for i, value in enumerate(bind.params):
        oid = types[i] if i < len(types) else 0
        out.append(_param(value, bind.param_format(i), oid))
    return out


def _param(value: bytes | None, fmt: int, oid: int) -> Any:
    if value is None:
        return None
    if fmt == 0:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"format": "text", "hex": value.hex()}
    decoded = _binary_value(value, oid)
    if decoded is not None:
        return decoded
    return {"format": "binary", "type": oid, "hex": value.hex()}


def _binary_value(value: bytes, oid: int) -> Any:
    ints = {21: "!h", 23: "!i", 20: "!q"}
    floats = {700: "!f", 701: "!d"}
    try:
        if oid in ints and len(value) == struct.calcsize(ints[oid]):
            return struct.unpack(ints[oid], value)[0]
        if oid in floats and len(value) == struct.calcsize(floats[oid]):
            return struct.unpack(floats[oid], value)[0]
        if oid == 16 and len(value) == 1:
            return value != b"\x00"
        if oid in (25, 1043, 19, 1042, 114):
            return value.decode("utf-8")
    except (UnicodeDecodeError, struct.error):
        return None
    return None
