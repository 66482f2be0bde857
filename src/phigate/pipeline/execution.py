"""Execution: run an admitted action upstream, mask what comes back, and record
how it ended. It owns the connectors' runs (`run`, `stream`, `copy_in`), the masker
a decided action gets (`masker_for`, the one rule, and `masker_before_run` for what a
door shows of a statement before a run of it is decided), and the end records: an outcome
is retried through a brief outage of the state store rather than left `executing`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from phigate.approvals.wakeups import POLL_SECONDS
from phigate.audit.chain import AuditLog
from phigate.connectors.base import Connector, CopyBegan, CopyInConnector, StreamingConnector
from phigate.core import clock, metrics
from phigate.core.action_store import ActionRecord, ActionStatus, ActionStore, commit_recorded
from phigate.core.errors import (
    AuditUnavailableError,
    MaskingFailedError,
    OutcomeUnrecordedError,
    PhigateError,
    UpstreamError,
)
from phigate.identity.principal import Principal
from phigate.masking.detect import MaskingError
from phigate.masking.engine import Masker, MaskingEngine
from phigate.pipeline.outcome import Outcome, OutcomeStatus
from phigate.store.group_commit import GroupCommit

log = logging.getLogger("phigate.pipeline.gateway")
# How long the outcome of a run that ended is retried while the state store is down.
OUTCOME_RETRY_SECONDS = 30.0
# Streamed runs outlive the response that started them long enough to record
# their end; kept here so they are never garbage-collected mid-run.
_STREAMED_RUNS: set[asyncio.Task[None]] = set()
# The end records of runs whose caller went away, written on while it is cancelled.
_ENDINGS: set[asyncio.Task[None]] = set()
_GONE = "the client went away; the run was stopped"


def _error_event(error: PhigateError) -> dict[str, Any]:
    """A streamed run's last event when it ends in an error: `failed`, except when it
    ran but its end could not be recorded, which the action's record calls
    `interrupted` too (a caller must not read "failed" as "it did not run")."""
    status = "interrupted" if isinstance(error, OutcomeUnrecordedError) else "failed"
    return {"status": status, "error": {"code": error.code, "message": error.message}}


class Execution:
    """Runs admitted actions and records their end; the only writer of an end."""

    def __init__(
        self,
        connectors: Mapping[str, Connector],
        masking: MaskingEngine,
        *,
        actions: ActionStore,
        audit: AuditLog,
        writes: GroupCommit,
        replica: Callable[[], str],
    ) -> None:
        self._connectors = connectors
        self._masking = masking
        self._actions = actions
        self._audit = audit
        self._writes = writes
        # Read at each end: the replica that records it (tests set it per replica).
        self._replica = replica

    def masker_for(self, record: ActionRecord) -> Masker:
        """The masker for one decided action: its profile, the caller's groups, and the
        reveal that was part of what policy (and any approval) decided — this run only."""
        reveal = set(record.action.reveal)
        if "*" in reveal:
            reveal = set(self._masking.settings.known_types())
        return self._masking.masker(
            record.masking, groups=record.action.principal.groups, reveal=reveal
        )

    def masker_before_run(self, principal: Principal, profile: str | None = None) -> Masker:
        """The masker for what a door shows of a statement before a run of it is
        decided (the wire's Describe of a prepared statement, and the session's masker
        for answers that belong to no statement): the profile policy chose (or, with
        none, the default), the caller's groups, and no reveal. A reveal holds only
        for the run policy decided it for, and a wire session's reveal may change
        between Parse and Execute, so what is shown before then masks the most.
        The engine keeps one masker per (profile, revealed), so this builds nothing
        per statement."""
        if profile is None:
            profile = self.default_profile()
        return self._masking.masker(profile, groups=principal.groups)

    def default_profile(self) -> str:
        """The profile for answers no decision names: the Safe Harbor one where it is
        configured, else the first."""
        profiles = self._masking.settings.profiles
        return "hipaa-safe-harbor" if "hipaa-safe-harbor" in profiles else next(iter(profiles))

    async def run(self, record: ActionRecord) -> Outcome:
        """Run an admitted action once, masked, and record how it ended."""
        connector, started = self._connectors[record.action.connection], time.monotonic()
        try:
            masker = self.masker_for(record)
            result = await connector.run(record.action, record.description, masker)
        except asyncio.CancelledError:
            await self._abandoned(record, _GONE, started)
            raise
        except MaskingError as exc:
            return await self.failed(record, MaskingFailedError(f"masking failed: {exc}"))
        except PhigateError as exc:
            return await self.failed(record, exc)
        except Exception as exc:
            log.exception("connector failed")
            return await self.failed(
                record, UpstreamError(f"the upstream action failed: {type(exc).__name__}")
            )
        for entity, count in result.masked.items():
            metrics.MASKED.labels(entity).inc(count)
        final = await self._finish(record, ActionStatus.EXECUTED, result.summary)
        return Outcome(OutcomeStatus.EXECUTED, final, result=result.payload)

    async def stream(self, record: ActionRecord) -> AsyncGenerator[dict[str, Any], None]:
        """Run an admitted action, yielding its masked output as it comes.

        The first event, `{"id", "status": "running"}`, comes once the run has
        started; then output events; the last is `{"status": "executed",
        **summary}` or `{"status": "failed", "error": {"code", "message"}}`,
        written to the audit log before it is yielded. The run is its own task,
        so a consumer that goes away (this generator closed, cancelled or
        collected) cancels it, and it still records itself as failed.
        """
        events: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=64)
        run = asyncio.create_task(self._stream_into(record, events), name=f"stream-{record.id}")
        _STREAMED_RUNS.add(run)
        run.add_done_callback(_STREAMED_RUNS.discard)
        try:
            yield {"id": record.id, "status": "running"}
            while "status" not in (event := await events.get()):
                yield event
            yield event
        finally:
            run.cancel()  # a no-op once it has ended

    async def _stream_into(
        self, record: ActionRecord, events: asyncio.Queue[dict[str, Any]]
    ) -> None:
        connector, started = self._connectors[record.action.connection], time.monotonic()
        if not isinstance(connector, StreamingConnector):  # one event: the whole result
            try:
                outcome = await self.run(record)
            except AuditUnavailableError as exc:  # its end cannot be recorded: say so
                await events.put(_error_event(exc))
                return
            end = {"status": outcome.status, "result": outcome.result}
            await events.put(_error_event(outcome.error) if outcome.error else end)
            return
        summary: dict[str, Any] = {}
        error: PhigateError | None = None
        try:
            output = connector.stream(record.action, record.description, self.masker_for(record))
            async with contextlib.aclosing(output):
                async for event in output:
                    if "stream" in event:
                        await events.put(event)
                    else:
                        summary = event
        except asyncio.CancelledError:
            await self._abandoned(record, _GONE, started)
            raise
        except MaskingError as exc:
            error = MaskingFailedError(f"masking failed: {exc}")
        except PhigateError as exc:
            error = exc
        except Exception as exc:
            log.exception("connector failed")
            error = UpstreamError(f"the upstream action failed: {type(exc).__name__}")
        await events.put(await self._streamed_end(record, summary, error))

    async def _streamed_end(
        self, record: ActionRecord, summary: dict[str, Any], error: PhigateError | None
    ) -> dict[str, Any]:
        if error is not None:
            await self.failed(record, error)
            return _error_event(error)
        for entity, count in summary.get("masked", {}).items():
            metrics.MASKED.labels(entity).inc(count)
        try:
            await self.finish(record, summary)
        except AuditUnavailableError as exc:
            return _error_event(exc)
        return {"status": "executed", **summary}

    async def copy_in(
        self, record: ActionRecord, data: AsyncIterator[bytes], began: CopyBegan
    ) -> Outcome:
        """Run an admitted COPY … FROM STDIN, fed `data` as the client sends it; recorded
        like any run (a client that goes away or aborts leaves it failed, rolled back)."""
        connector = self._connectors[record.action.connection]
        if not isinstance(connector, CopyInConnector):
            return await self.failed(record, UpstreamError("this connection cannot COPY in"))
        try:
            summary = await connector.copy_in(record.action, self.masker_for(record), data, began)
        except asyncio.CancelledError:
            gone = "the client went away; the COPY was stopped and rolled back"
            await self._abandoned(record, gone, None)
            raise
        except PhigateError as exc:
            return await self.failed(record, exc)
        except Exception as exc:
            log.exception("COPY FROM STDIN failed")
            return await self.failed(
                record, UpstreamError(f"the upstream action failed: {type(exc).__name__}")
            )
        final = await self._finish(record, ActionStatus.EXECUTED, summary)
        return Outcome(OutcomeStatus.EXECUTED, final, result=summary)

    async def _abandoned(self, record: ActionRecord, gone: str, started: float | None) -> None:
        """Record, once, that the caller went away mid-run (failed; `interrupted` if that
        cannot be recorded). The run is being cancelled, so the write is its own task,
        shielded: a second cancellation must not leave the action `executing`."""
        summary: dict[str, Any] = {"error_class": "client_disconnected", "error": gone}
        if started is not None:
            summary["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        ending = asyncio.create_task(
            self.finish(record, summary, error=UpstreamError(gone)), name=f"end-{record.id}"
        )
        _ENDINGS.add(ending)
        ending.add_done_callback(_ended)
        with contextlib.suppress(PhigateError):  # unrecorded: `_record_ending` said so
            await asyncio.shield(ending)

    async def failed(self, record: ActionRecord, error: PhigateError) -> Outcome:
        summary = {"error_class": error.code, "error": error.message}
        final = await self._finish(record, ActionStatus.FAILED, summary)
        return Outcome(OutcomeStatus.FAILED, final, error=error)

    async def _finish(
        self,
        record: ActionRecord,
        status: ActionStatus,
        summary: dict[str, Any],
        *,
        behind: bool = False,
    ) -> ActionRecord:
        await self._record_ending(record, status, summary, behind=behind)
        return replace(record, status=status, result_summary=summary, finished_at=clock.now())

    async def _record_ending(
        self, record: ActionRecord, status: ActionStatus, summary: dict[str, Any], *, behind: bool
    ) -> None:
        def write(conn: sa.Connection) -> None:
            self._actions.record_outcome(conn, record, status, summary, replica=self._replica())

        try:
            await self._record_outcome(write, behind=behind)
        except AuditUnavailableError as exc:
            await self._mark_unrecorded(record, status, summary)
            raise OutcomeUnrecordedError(_unrecorded_answer(record, status)) from exc

    async def _mark_unrecorded(
        self, record: ActionRecord, status: ActionStatus, summary: dict[str, Any]
    ) -> None:
        """Once, best effort: end the action `interrupted`, saying its outcome is not on
        record (`ActionStore.record_unrecorded`). When even that cannot be written it
        stays `executing`: never runnable again, and ended by recovery if this replica
        stops."""

        def write(conn: sa.Connection) -> None:
            self._actions.record_unrecorded(conn, record, status, summary, replica=self._replica())

        try:
            await commit_recorded(self._writes, write)
        except AuditUnavailableError:
            log.error(
                "action %s ended %s; neither that nor its interruption is on record",
                record.id,
                status,
            )

    async def _record_outcome(
        self, write: Callable[[sa.Connection], None], *, behind: bool = False
    ) -> None:
        """The run has ended and how is known: record it through a brief outage of the
        state store (a restart, a fail-over) rather than give up, which would leave the
        action `executing` on a live replica, where nothing would ever end it."""
        deadline = time.monotonic() + OUTCOME_RETRY_SECONDS
        while True:
            try:
                await commit_recorded(self._writes, write, behind=behind)
                return
            except AuditUnavailableError as exc:
                store_down = isinstance(exc.__cause__, sa.exc.DBAPIError)
                if not store_down or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(POLL_SECONDS)

    async def finish(
        self,
        record: ActionRecord,
        summary: dict[str, Any],
        *,
        error: PhigateError | None = None,
        behind: bool = False,
    ) -> None:
        """Record how an admitted action ended (result summary, never result data).
        `behind`: the caller does not wait on it to answer anyone (the wire records
        results beside the session), so it may share the next statement's commit."""
        status = ActionStatus.FAILED if error else ActionStatus.EXECUTED
        # No ended copy of the record is built: nobody here reads it (one per statement).
        await self._record_ending(record, status, summary, behind=behind)

    def finish_behind(
        self,
        record: ActionRecord,
        summary: dict[str, Any],
        *,
        error: PhigateError | None,
        on_error: Callable[[BaseException], None],
    ) -> None:
        """`finish(..., behind=True)` without waiting (`GroupCommit.put_behind`): the
        outcome's write is queued for the next commit and nothing on the event loop
        runs when it is committed. Only if that write fails is `on_error` called on
        the loop; the caller then records it through `finish`, which retries through
        an outage and marks the action unrecorded when it cannot (a write is safe to
        run again)."""
        status = ActionStatus.FAILED if error else ActionStatus.EXECUTED
        actions, replica = self._actions, self._replica

        def write(conn: sa.Connection) -> None:
            actions.record_outcome(conn, record, status, summary, replica=replica())

        self._writes.put_behind(write, on_error)


def _ended(ending: asyncio.Task[None]) -> None:
    """Forget an end record's task; its error, if any, was logged when it was raised."""
    _ENDINGS.discard(ending)
    if not ending.cancelled():
        ending.exception()


def _unrecorded_answer(record: ActionRecord, status: ActionStatus) -> str:
    """What the caller is told of a run whose outcome could not be recorded: what is
    known of it, never "not run" (asked again, a write would be made twice)."""
    if status is ActionStatus.EXECUTED:
        known = "the action ran and completed upstream"
    else:
        known = (
            "the action was sent upstream and ended with an error"
            " (whether it took effect is unknown)"
        )
    return (
        f"{known}, but the audit log cannot record its outcome: check before asking"
        f" for it again (action {record.id})"
    )
