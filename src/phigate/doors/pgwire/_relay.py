"""What the upstream answers, matched to what was sent, masked, and passed on.

Every message the proxy forwards to the upstream pushes an `Expect` on a queue;
the upstream answers strictly in order, so each answer is matched to the head
of the queue. That tells the relay which result a DataRow belongs to (and so
how to mask it), which answers belong to messages the proxy injected itself
(hidden: swallowed), and where an upstream error ends the skip-until-Sync.
Sans-IO: `handle` takes one upstream message and returns bytes for the client.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, assert_never

from phigate.core.action_store import ActionRecord
from phigate.core.actions import Description
from phigate.core.errors import ResultTooLargeError
from phigate.core.limits import LimitsSettings
from phigate.doors.pgwire import _caps, _session_settings
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._codec import Message, ProtocolViolation
from phigate.doors.pgwire._wiremask import CopyMasker, ResultMasker, scrub_fields
from phigate.masking.detect import MaskingError
from phigate.masking.engine import Masker
from phigate.pipeline.gateway import Decided
from phigate.sql import SqlAnalysis


@dataclass(eq=False)
class Statement:
    """A prepared statement as the client named it, with what the gateway made of it."""

    name: str
    text: str
    param_types: tuple[int, ...]
    lineage: list[Any]
    masker: Masker | None = None
    fields: list[codec.Field] | None = None  # from the upstream's RowDescription
    result: ResultMasker | None = None
    dead: bool = False  # the upstream rejected its Parse: it does not hold this text
    description: Description | None = None  # as the session's classifier understood it
    analysis: SqlAnalysis | None = None  # the same, with lineage, for FETCH in its portals
    kept: ResultMasker | None = None  # its last run's masker, for the next run
    decided: Decided | None = None  # its last run's decision, for the next run
    # What every run shares, worked out from `analysis` (fixed at Parse) at its first
    # run (`Session._execute`): its COPY statements in CSV format, and whether it surely
    # leaves the transaction block as it was.
    shape: tuple[frozenset[int], bool, bool] | None = None
    # The reported session settings at its Parse (`_session_settings.at_parse`; None:
    # not known then): its constants were read under them, so a write runs only under
    # the same.
    parsed_under: dict[str, str] | None = None
    # The types the client's Parse declared for its parameters (0: left open), as sent:
    # `param_types` may be filled in later by a Describe. Part of what a run means
    # (`$1 / 2` with `$1` numeric is not integer division), so bound into its action.
    declared_types: tuple[int, ...] = ()
    # Its text names a cursor or a prepared statement (FETCH, MOVE, EXECUTE): what it
    # runs is decided by that name at each Bind (`Session._rederive`), and its fields
    # above describe that.
    names_others: bool = False

    def result_for(
        self, masker: Masker, fields: list[codec.Field], lineage: list[Any]
    ) -> ResultMasker:
        """The row masker for one run: the last run's, started over, when it is the one
        a new masker would be (same caller's masker, columns and lineage); else new.
        Runs of one statement follow each other on the wire, never interleave rows."""
        kept = self.kept
        if kept is not None and kept.serves(masker, fields, lineage):
            return kept.restart()
        self.kept = ResultMasker(masker, fields, lineage)
        return self.kept


@dataclass(eq=False)
class Portal:
    name: str
    statement: Statement
    bind: codec.Bind
    params: list[Any]
    batch: int = 0  # Syncs sent before its Bind: it dies with that batch's transaction
    fields: list[codec.Field] | None = None
    described: bool = False
    dead: bool = False
    declared: bool = False  # a cursor SQL declared: its formats are its own, not a Bind's
    ran_on_writer: bool = False  # its write ran (approved, once): it does not run again
    bound: bool = False  # the upstream acknowledged its Bind (BindComplete)
    ran: bool = False  # an Execute of it was admitted and forwarded
    # For a statement that names another (`Statement.names_others`): what that name
    # meant at its Bind, which its first Execute checks and its later Executes read.
    analysis: SqlAnalysis | None = None


@dataclass(eq=False)
class Execution:
    """One admitted statement (or simple Query text) in flight: its record, masker,
    the position of the statement being answered, and a running summary."""

    record: ActionRecord
    masker: Masker
    lineage: list[Any]
    analysis: SqlAnalysis | None = None
    started: float = field(default_factory=time.monotonic)
    rows: int = 0
    tag: str = ""
    error: str | None = None
    result: ResultMasker | None = None
    copy: CopyMasker | None = None
    csv_statements: frozenset[int] = frozenset()  # COPY statements in CSV format
    masked: dict[str, int] = field(default_factory=dict)
    statement_pos: int = 0  # statements of a Query completed so far
    # Reported done only once its outcome is on record (`_held_answers.recorded_first`).
    recorded_first: bool = False

    def statement_lineage(self) -> list[Any]:
        """The lineage of the statement now answering (each Query statement has its own)."""
        pos = self.statement_pos
        return [e for e in self.lineage if isinstance(e, dict) and e.get("statement", 0) == pos]

    received: int = 0  # bytes of rows the upstream sent, against limits.max_result_bytes

    def summary(self) -> dict[str, Any]:
        self._collect()
        out: dict[str, Any] = {
            "rows": self.rows,
            "masked": dict(self.masked),
            "duration_ms": round((time.monotonic() - self.started) * 1000, 2),
            "status": self.tag,
        }
        if self.error is not None:
            out["error_class"] = self.error
        return out

    def done(self) -> None:
        """Its answer is complete: take its counts now, and let go of its maskers
        (a statement's next run may reuse them)."""
        self._collect()
        self.result = None
        self.copy = None

    def _collect(self) -> None:
        for source in (
            self.result.rows.counts if self.result else {},
            self.copy.rows.counts if self.copy else {},
        ):
            for key, n in source.items():
                self.masked[key] = self.masked.get(key, 0) + n
            source.clear()


class ExpectKind(enum.StrEnum):
    """Which client message (or the proxy's own) an `Expect` waits on the answer to."""

    PARSE = "parse"
    BIND = "bind"
    DESCRIBE_S = "describe_s"  # Describe of a statement
    DESCRIBE_P = "describe_p"  # Describe of a portal
    EXECUTE = "execute"
    CLOSE = "close"
    SYNC = "sync"
    QUERY = "query"  # a simple-protocol Query (or what stands in for one)

    @property
    def runs_statement(self) -> bool:
        """Whether the message may run a statement, and so open or close a transaction
        block (`_runs_statement`, looked up: asked for every message queued)."""
        return _RUNS_STATEMENT[self]

    def _runs_statement(self) -> bool:
        """A new kind is a type error here until someone decides."""
        match self:
            case ExpectKind.EXECUTE | ExpectKind.QUERY:
                return True
            case (
                ExpectKind.PARSE
                | ExpectKind.BIND
                | ExpectKind.DESCRIBE_S
                | ExpectKind.DESCRIBE_P
                | ExpectKind.CLOSE
                | ExpectKind.SYNC
            ):
                return False
            case unreachable:
                assert_never(unreachable)


_RUNS_STATEMENT = {kind: kind._runs_statement() for kind in ExpectKind}


@dataclass(eq=False)
class Expect:
    kind: ExpectKind
    hidden: bool = False
    statement: Statement | None = None
    portal: Portal | None = None
    execution: Execution | None = None
    substitute: bytes | None = None  # our ErrorResponse in place of the upstream's
    waiter: asyncio.Future[None] | None = None
    batch: int = 0
    # What it runs is known to leave the transaction block as it was (a SELECT, the
    # proxy's own no-op): see `Relay.idle`.
    keeps_transaction: bool = False
    # ... and to leave the session's settings alone: see `Relay.settings_unreported`.
    keeps_settings: bool = False
    seq: int = 0  # its place among everything queued (`Relay.expect`)


class Relay:
    """Matches upstream answers to the `Expect` queue and masks them for the client."""

    def __init__(self, fallback: Masker, limits: LimitsSettings | None = None) -> None:
        self.queue: deque[Expect] = deque()
        self.fallback = fallback
        self.limits = limits or LimitsSettings()
        self.finished: list[Execution] = []
        # Writes whose report (CommandComplete) the last answer carried: the session
        # holds it until their outcome is recorded (`_held_answers`).
        self.reports: list[Execution] = []
        self.parameters: dict[str, str] = {}
        self.status = b"I"
        self._swallow = False  # drop answers until ReadyForQuery (a refused binary COPY)
        self.skipping = False  # the upstream ignores everything until the next Sync
        self.idle_after_batch: int | None = None  # set when a transaction ended
        # The transaction state is what the last ReadyForQuery said only when nothing
        # that may have changed it was queued after what that ReadyForQuery answered.
        self._queued = 0  # Expects numbered so far
        self._changed_at = 0  # the last one that may have changed the transaction state
        self._reported_at = 0  # the last one a ReadyForQuery answered
        self._settings_at = 0  # the last one that may have changed a session setting
        # What the upstream confirmed, for the session to learn from (in order):
        # ("parse", Statement), ("bind", Portal), ("executed", Portal),
        # ("statement", Execution, index of the Query statement completed).
        self.acks: list[tuple[Any, ...]] = []
        self._described_body: bytes | None = None  # the last RowDescription, parsed
        self._described: list[codec.Field] = []

    def expect(self, item: Expect) -> None:
        if self.skipping and item.kind is not ExpectKind.SYNC:
            self._dropped(item)  # the upstream will ignore it: nothing will answer
            return
        self._queued += 1
        item.seq = self._queued
        if item.kind.runs_statement and not item.keeps_transaction:
            self._changed_at = item.seq  # not known to leave it alone: refuse to assume
        if item.kind.runs_statement and not item.keeps_settings:
            self._settings_at = item.seq
        self.queue.append(item)

    @property
    def idle(self) -> bool:
        """Whether the upstream is known to be outside any transaction block: every answer
        is in, the last ReadyForQuery said `I`, and nothing sent since could have run a
        BEGIN (an Execute not followed by Sync reports no state of its own)."""
        return not self.queue and self.status == b"I" and self._changed_at <= self._reported_at

    @property
    def state_unreported(self) -> bool:
        """Something sent since the last ReadyForQuery may have changed the transaction
        state, so `status` may be out of date."""
        return self._changed_at > self._reported_at

    @property
    def settings_unreported(self) -> bool:
        """Something sent since the last ReadyForQuery may have changed a session setting:
        the server reports it (ParameterStatus) only at the next ReadyForQuery, so
        `parameters` may be out of date."""
        return self._settings_at > self._reported_at

    def _dropped(self, item: Expect) -> None:
        _wake(item)
        if item.kind is ExpectKind.PARSE and item.statement is not None:
            item.statement.dead = True
        if item.kind is ExpectKind.BIND and item.portal is not None:
            item.portal.dead = True
        if item.execution is not None:
            item.execution.error = item.execution.error or "skipped after an error"
            item.execution.done()
            self.finished.append(item.execution)

    def handle(self, msg: Message, masked: bytes | MaskingError | None = None) -> list[bytes]:
        """Bytes for the client; `masked`: this row as `row_work` made it off the loop
        (or how masking it there failed)."""
        kind = msg.type
        if kind in (b"N", b"S", b"A"):
            return self._asynchronous(msg)
        if not self.queue:
            raise ProtocolViolation(f"upstream sent {kind!r} when nothing was pending")
        if self._swallow and kind != b"Z":
            return []
        if masked is not None and kind in (b"D", b"d"):
            made = masked
            return self._row(msg, lambda: _made(made))
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise ProtocolViolation(f"unexpected upstream message {kind!r}")
        return handler(self, msg)

    # -- asynchronous messages
    def _asynchronous(self, msg: Message) -> list[bytes]:
        if msg.type == b"A":
            return []  # notifications may carry data from other sessions: never relayed
        if msg.type == b"S":
            name, _, rest = msg.body.partition(b"\x00")
            self.parameters[name.decode()] = rest.rstrip(b"\x00").decode()
            if name == b"client_encoding" and rest.rstrip(b"\x00").upper() != b"UTF8":
                raise ProtocolViolation("client_encoding must stay UTF8 (masking reads UTF-8)")
            if name == b"standard_conforming_strings" and rest.rstrip(b"\x00") != b"on":
                # The classifier reads literals as standard SQL; the server must too.
                raise ProtocolViolation("standard_conforming_strings must stay on")
            return [
                _session_settings.parameter_status(name.decode(), self.parameters[name.decode()])
            ]
        return [scrub_fields(msg.raw(), self._masker(), self._statement_text())]

    def _statement_text(self) -> str:
        """The text the caller sent for what is answered now: quoting it is not a leak."""
        head = self.queue[0] if self.queue else None
        if head is None:
            return ""
        if head.execution is not None:
            return str(head.execution.record.action.body.get("sql", ""))
        statement = head.statement or (head.portal.statement if head.portal else None)
        return statement.text if statement is not None else ""

    def _masker(self) -> Masker:
        head = self.queue[0] if self.queue else None
        if head is not None and head.execution is not None:
            return head.execution.masker
        return self.fallback

    def _pop(self, *kinds: ExpectKind) -> Expect:
        head = self.queue.popleft()
        if head.kind not in kinds:
            raise ProtocolViolation(f"upstream answered {kinds} while {head.kind} was pending")
        return head

    def _out(self, head: Expect, data: bytes) -> list[bytes]:
        return [] if head.hidden else [data]

    # -- simple completions
    def _parse_complete(self, msg: Message) -> list[bytes]:
        head = self._pop(ExpectKind.PARSE)
        _expected_to_fail(head)
        if head.statement is not None:
            self.acks.append(("parse", head.statement))
        return self._out(head, msg.raw())

    def _bind_complete(self, msg: Message) -> list[bytes]:
        head = self._pop(ExpectKind.BIND)
        _expected_to_fail(head)
        if head.portal is not None:
            self.acks.append(("bind", head.portal))
        return self._out(head, msg.raw())

    def _close_complete(self, msg: Message) -> list[bytes]:
        return self._out(self._pop(ExpectKind.CLOSE), msg.raw())

    def _parameter_description(self, msg: Message) -> list[bytes]:
        head = self.queue[0]
        if head.kind is not ExpectKind.DESCRIBE_S:
            raise ProtocolViolation("ParameterDescription without Describe")
        if head.statement is not None:
            # The types the server will read the values as (a Parse may leave them 0):
            # binary values are recorded, and approved, decoded as these types.
            head.statement.param_types = codec.parse_parameter_description(msg.body)
        return self._out(head, msg.raw())

    def _no_data(self, msg: Message) -> list[bytes]:
        head = self._pop(ExpectKind.DESCRIBE_S, ExpectKind.DESCRIBE_P)
        _wake(head)
        return self._out(head, msg.raw())

    # -- results
    def _row_description(self, msg: Message) -> list[bytes]:
        fields = self._fields_of(msg.body)
        head = self.queue[0]
        if head.kind is ExpectKind.QUERY and head.execution is not None:
            return [self._query_result(head.execution, fields)]
        head = self._pop(ExpectKind.DESCRIBE_S, ExpectKind.DESCRIBE_P)
        _wake(head)
        if head.kind is ExpectKind.DESCRIBE_S and head.statement is not None:
            return self._out(head, self._describe_statement(head.statement, fields))
        if head.portal is not None:
            return self._out(head, self._describe_portal(head.portal, fields))
        raise ProtocolViolation("RowDescription for nothing described")

    def _fields_of(self, body: bytes) -> list[codec.Field]:
        """A RowDescription's fields. Each run of a prepared statement is described
        again (libpq's Describe before every Execute): the same bytes as the last one's
        are not parsed again."""
        if body != self._described_body:
            self._described = codec.parse_row_description(body)
            self._described_body = body
        return list(self._described)

    def _describe_statement(self, statement: Statement, fields: list[codec.Field]) -> bytes:
        statement.fields = fields
        if statement.masker is None:
            raise ProtocolViolation("statement without a masker")
        statement.result = ResultMasker(statement.masker, fields, statement.lineage)
        return statement.result.description_for_client()

    def _describe_portal(self, portal: Portal, fields: list[codec.Field]) -> bytes:
        portal.fields = fields
        statement = portal.statement
        if statement.result is None or statement.fields is None:
            self._describe_statement(statement, fields)
        assert statement.result is not None
        if portal.declared:
            return statement.result.description_for_client()
        formats = [portal.bind.result_format(i) for i in range(len(fields))]
        return statement.result.description_for_client(formats)

    def _query_result(self, execution: Execution, fields: list[codec.Field]) -> bytes:
        execution._collect()
        execution.result = ResultMasker(execution.masker, fields, execution.statement_lineage())
        return execution.result.description_for_client()

    def data_rows(self, run: codec.RowRun, out: list[bytes]) -> None:
        """`handle` for a run of whole DataRows (`RowRun`: their bytes and where each
        starts, no message object each), the bytes for the client appended to `out` as
        they are made (so what came before a violation still goes out): the result is
        looked up once, the rows within the caps are counted, then masked together
        (`ResultMasker.run_rows`: located in place, their scanned values primed in one
        pass, quiet rows relayed as one slice). From a refusal on, the rest go through
        `handle`. Counts end as row by row: a row whose masking failed was counted, the
        rows after it were not."""
        n = len(run)
        if not n:
            return
        if not self.queue or self._swallow:
            for index in range(n):
                out.extend(self.handle(_row_message(run.raw(index))))
            return
        self.row_work(_row_message(run.raw(0)))  # the same checks, once: the same head for all
        execution = self.queue[0].execution
        assert execution is not None and execution.result is not None  # row_work saw to it
        sizes = run.sizes()
        fit = self._within_caps(execution.received, run, sizes)
        result = execution.result
        result.made = 0
        try:
            if fit:
                within = run if fit == n else codec.RowRun(run.data, run.bounds[: fit + 1])
                result.run_rows(within, out)
        except MaskingError as exc:
            out.extend(self._refuse_unmaskable(self.queue[0], execution, exc))
        finally:
            made = result.made
            counted = made if made == fit else made + 1
            execution.rows += counted
            execution.received += sum(sizes[:counted]) - 5 * counted
        for index in range(fit, n):
            out.extend(self.handle(_row_message(run.raw(index))))

    def _within_caps(self, received: int, run: codec.RowRun, sizes: list[int]) -> int:
        """How many of these rows fit the caps (`_caps.check` row by row), given the
        result's bytes so far. Rows that all fit well, as a result's rows do, are
        measured together: none over the value cap and their sum under the result cap."""
        limits, n = self.limits, len(sizes)
        if (
            max(sizes) - 5 <= limits.max_value_bytes
            and received + (run.bounds[-1] - run.bounds[0]) - 5 * n <= limits.max_result_bytes
        ):
            return n
        for fit in range(n):
            try:
                received = _caps.check(limits, received, _row_message(run.raw(fit)))
            except ResultTooLargeError:
                return fit
        return n

    def _data_row(self, msg: Message) -> list[bytes]:
        work = self.row_work(msg)
        return self._row(msg, lambda: work(msg))

    def row_work(self, msg: Message) -> Callable[[Message], bytes]:
        """How to mask this DataRow or CopyData: pure, so it may run off the event loop."""
        head = self.queue[0]
        execution = head.execution
        if msg.type == b"d":
            if execution is None or execution.copy is None:
                raise ProtocolViolation("CopyData outside COPY OUT")
            copy = execution.copy
            return lambda m: codec.message(b"d", copy.line(m.body))
        if head.kind not in (ExpectKind.EXECUTE, ExpectKind.QUERY) or execution is None:
            raise ProtocolViolation("DataRow outside a result")
        if execution.result is None:
            execution.result = self._portal_result(head, execution)
        result = execution.result
        return lambda m: result.data_row(m.raw())

    def worth_masking(self, msg: Message) -> bool:
        """Whether this row will reach the client: within the caps, not being dropped."""
        execution = self.queue[0].execution if self.queue else None
        if execution is None or self._swallow or self.skipping:
            return False
        try:
            _caps.check(self.limits, execution.received, msg)
        except ResultTooLargeError:
            return False
        return True

    def _row(self, msg: Message, masked: Callable[[], bytes]) -> list[bytes]:
        head = self.queue[0]
        execution = head.execution
        if execution is None:
            raise ProtocolViolation("a row outside an admitted statement")
        try:
            execution.received = _caps.check(self.limits, execution.received, msg)
        except ResultTooLargeError as exc:
            return self._refuse_too_large(head, execution, exc)
        execution.rows += 1
        try:
            return [masked()]
        except MaskingError as exc:
            return self._refuse_unmaskable(head, execution, exc)

    def _refuse_too_large(
        self, head: Expect, execution: Execution, exc: ResultTooLargeError
    ) -> list[bytes]:
        """Past a cap: the client gets 54000 and nothing more of this result; the rest
        the upstream sends is dropped until ReadyForQuery, as for a refused binary COPY."""
        self._swallow = True
        execution.error = exc.code
        if head.kind is not ExpectKind.QUERY:
            self._drop_until_sync(head)
        return [codec.error_response(exc.sqlstate, exc.message)]

    def _refuse_unmaskable(
        self, head: Expect, execution: Execution, exc: MaskingError
    ) -> list[bytes]:
        """A row that could not be masked does not leave, and neither does the rest of
        its result: the client gets XX000 in its place, the audit record says why, and
        the session goes on (the upstream's own state is untouched: the statement ran)."""
        self._swallow = True
        execution.error = "masking_failed"
        if head.kind is not ExpectKind.QUERY:
            self._drop_until_sync(head)
        text = f"phigate could not mask this result ({exc}); the rest of it is withheld"
        return [codec.error_response("XX000", text)]

    def _portal_result(self, head: Expect, execution: Execution) -> ResultMasker:
        portal = head.portal
        if portal is None or portal.fields is None:
            raise ProtocolViolation("rows for a portal that was never described")
        return portal.statement.result_for(execution.masker, portal.fields, execution.lineage)

    def _command_complete(self, msg: Message) -> list[bytes]:
        head = self.queue[0]
        if head.execution is not None:
            head.execution.tag = codec.parse_cstring(msg.body)
            head.execution.copy = None
            self._report(head.execution)
        if head.kind is ExpectKind.EXECUTE:
            self._executed(head)
            self._finish(self.queue.popleft())
            if head.substitute is not None:  # a no-op for a write run on the writer
                return [head.substitute]
        elif head.kind is ExpectKind.QUERY:
            self._statement_done(head)
            if head.substitute is not None:  # a placeholder for a statement run elsewhere
                return [head.substitute]
        else:
            raise ProtocolViolation(f"CommandComplete while {head.kind} was pending")
        return [msg.raw()]

    def _report(self, execution: Execution) -> None:
        if execution.recorded_first:
            self.reports.append(execution)

    def _statement_done(self, head: Expect) -> None:
        execution = head.execution
        if execution is not None:
            self.acks.append(("statement", execution, execution.statement_pos))
            execution.statement_pos += 1
            execution._collect()  # the next statement's rows get a masker of their own
            execution.result = None

    def _executed(self, head: Expect) -> None:
        if head.portal is not None:
            self.acks.append(("executed", head.portal))

    def _empty_query(self, msg: Message) -> list[bytes]:
        head = self.queue[0]
        if head.kind is ExpectKind.EXECUTE:
            self._finish(self.queue.popleft())
        elif head.kind is not ExpectKind.QUERY:
            raise ProtocolViolation("EmptyQueryResponse for nothing")
        return [msg.raw()]

    def _portal_suspended(self, msg: Message) -> list[bytes]:
        head = self._pop(ExpectKind.EXECUTE)
        if head.execution is not None:
            head.execution.tag = "suspended"
            self._report(head.execution)
        self._executed(head)
        self._finish(head)
        return [msg.raw()]

    def _finish(self, head: Expect) -> None:
        if head.execution is not None:
            head.execution.done()
            self.finished.append(head.execution)

    # -- COPY
    def _copy_out(self, msg: Message) -> list[bytes]:
        head = self.queue[0]
        execution = head.execution
        overall, formats = codec.parse_copy_response(msg.body)
        if execution is None:
            raise ProtocolViolation("COPY without an admitted statement")
        if overall != 0:
            return self._refuse_binary_copy(head, execution)
        csv = execution.statement_pos in execution.csv_statements
        lineage = execution.statement_lineage()
        execution.copy = CopyMasker(execution.masker, len(formats), lineage, csv)
        return [msg.raw()]

    def _refuse_binary_copy(self, head: Expect, execution: Execution) -> list[bytes]:
        self._swallow = True
        execution.error = "binary_copy_refused"
        if head.kind is not ExpectKind.QUERY:
            self._drop_until_sync(head)
        return [
            codec.error_response(
                "0A000",
                "phigate does not pass binary COPY output: it cannot be masked; "
                "use COPY … TO STDOUT in text or CSV format",
            )
        ]

    def _copy_data(self, msg: Message) -> list[bytes]:
        work = self.row_work(msg)
        return self._row(msg, lambda: work(msg))

    def _copy_done(self, msg: Message) -> list[bytes]:
        return [msg.raw()]

    def _copy_in(self, msg: Message) -> list[bytes]:
        if self.queue[0].execution is None:
            raise ProtocolViolation("COPY FROM STDIN without an admitted statement")
        return [msg.raw()]

    # -- errors and the end of a batch
    def _error(self, msg: Message) -> list[bytes]:
        head = self.queue[0]
        if head.substitute is not None:
            out = head.substitute
        else:
            out = scrub_fields(msg.raw(), self._masker(), self._statement_text())
        if head.execution is not None:
            head.execution.error = dict(codec.parse_fields(msg.body)).get("C", "XX000")
        if head.kind is ExpectKind.QUERY:
            return [out]
        self._drop_until_sync(head)
        return [out]

    def _drop_until_sync(self, head: Expect) -> None:
        """After an error the upstream skips everything up to the next Sync."""
        self.skipping = True
        while self.queue and self.queue[0].kind is not ExpectKind.SYNC:
            self._dropped(self.queue.popleft())

    def _ready(self, msg: Message) -> list[bytes]:
        head = self._pop(ExpectKind.SYNC, ExpectKind.QUERY)
        self._swallow = False
        self.skipping = False
        self.status = msg.body[:1]
        self._reported_at = head.seq
        if self.status == b"I":
            self.idle_after_batch = head.batch
        if head.kind is ExpectKind.QUERY:
            self._finish(head)
        return self._out(head, msg.raw())


def _made(masked: bytes | MaskingError) -> bytes:
    """A row masked off the loop, or how masking it failed, raised here in order."""
    if isinstance(masked, MaskingError):
        raise masked
    return masked


def _expected_to_fail(head: Expect) -> None:
    """A message forwarded so the upstream fails it (a refusal) succeeded: what the
    upstream holds is no longer what the proxy thinks; end the session, never guess."""
    if head.substitute is not None:
        raise ProtocolViolation(f"the upstream accepted a {head.kind} phigate sent to fail")


def _wake(item: Expect) -> None:
    if item.waiter is not None and not item.waiter.done():
        item.waiter.set_result(None)


_HANDLERS = {
    b"1": Relay._parse_complete,
    b"2": Relay._bind_complete,
    b"3": Relay._close_complete,
    b"t": Relay._parameter_description,
    b"n": Relay._no_data,
    b"T": Relay._row_description,
    b"D": Relay._data_row,
    b"C": Relay._command_complete,
    b"I": Relay._empty_query,
    b"s": Relay._portal_suspended,
    b"H": Relay._copy_out,
    b"d": Relay._copy_data,
    b"c": Relay._copy_done,
    b"G": Relay._copy_in,
    b"E": Relay._error,
    b"Z": Relay._ready,
}


def _row_message(raw: bytes) -> Message:
    """A whole DataRow framed in a run, as a message, for the paths that take one."""
    return Message(b"D", None, raw)
