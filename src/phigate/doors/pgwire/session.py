"""One wire session as a state machine: start-up, authentication, then statements.

The state is the handler waiting for the next client message (`state_wait_for_
startup`, `state_wait_for_password`, `state_ready`, `state_skip_until_sync`,
`state_write_held`, `state_closed`); handlers switch state by assigning the next
one. The session never touches a socket: it writes through the `SessionIo` seam and is fed
upstream answers through `on_upstream`. It awaits only the gateway.

Every simple Query and every Execute is admitted by the gateway before it is
forwarded; Parse is checked against policy (and a denial recorded) before it
is forwarded. What the audit records is the exact text and parameters the
upstream runs: the session forwards Bind/Execute only for statements and
portals it saw being created, and forgets them when the upstream does.

What a name means (prepared statements, cursors, portals SQL may FETCH from)
is learnt from the upstream's answers, never from what was sent: the relay
reports each acknowledgement (`Relay.acks`) and `_learn` applies it, so a
PREPARE or Parse the upstream refused leaves the old meaning in place, and a
name that is live is not redefined.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from phigate.core.action_store import ActionRecord
from phigate.core.actions import Action, Description
from phigate.core.errors import AuditUnavailableError, AuthenticationError, PhigateError
from phigate.core.limits import off_loop
from phigate.core.risk import RiskClass, runs_as_reader
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire import _writer, _writes
from phigate.doors.pgwire._admission import DENIED, Admission, Refusal, bound_params, denied
from phigate.doors.pgwire._codec import Message, ProtocolViolation
from phigate.doors.pgwire._copyin import CopyIn
from phigate.doors.pgwire._held_answers import HeldAnswers, recorded_first
from phigate.doors.pgwire._login import SessionLimitError
from phigate.doors.pgwire._names import server_name, unknown_name
from phigate.doors.pgwire._relay import (
    Execution,
    Expect,
    ExpectKind,
    Portal,
    Relay,
    Statement,
)
from phigate.doors.pgwire._session_api import Held, SessionIo, State
from phigate.doors.pgwire._session_settings import (
    SessionSettings,
    at_parse,
    keeps_settings,
    parameter_status,
)
from phigate.doors.pgwire.settings import PgWireSettings
from phigate.identity.principal import Principal
from phigate.masking.detect import MaskingError
from phigate.pipeline.gateway import Gateway
from phigate.sql import SessionClassifier, SqlAnalysis, ends_portals, refers_to_names
from phigate.sql.copy_format import copy_csv_statements
from phigate.sql.describe import description_of
from phigate.sql.identifiers import quoted_identifier
from phigate.sql.model import Effect
from phigate.sql.runtime_reveal import reveal_setting
from phigate.sql.session_generator import seeds_from_data

log = logging.getLogger(__name__)

# Forwarded instead of a refused statement: the upstream answers with an error
# (which the relay replaces by ours), so it enters the same state the client
# expects after an error: skip until Sync, abort an open transaction. The text is
# not SQL, so it fails whatever names the client holds (a syntax error comes before
# any name is looked at); should it ever succeed, the relay ends the session.
_REFUSED_SQL = "phigate refused this statement"
_REFUSED_QUERY = codec.query(_REFUSED_SQL)
_REVEAL_ACK = codec.query("SET phigate_wire.noop TO DEFAULT")
# A prepared FETCH, MOVE or EXECUTE whose name changed meaning between its Bind (which
# chose the result formats by it) and its portal's first Execute.
_NAME_CHANGED = codec.error_response(
    "55000",
    "phigate: the cursor or prepared statement this portal's FETCH, MOVE or EXECUTE names "
    "changed since its Bind; bind it again",
)


class Session:
    def __init__(
        self, gateway: Gateway, connection: str, io: SessionIo, settings: PgWireSettings
    ) -> None:
        self.gateway = gateway
        self.connection = connection
        self.io = io
        self.settings = settings
        self.state: State = self.state_wait_for_startup
        self.key = (secrets.randbelow(2**31 - 1) + 1, secrets.randbelow(2**31))
        self.user = ""
        self.client_params: dict[str, str] = {}
        self.principal: Principal | None = None
        self.classifier = SessionClassifier()
        self.statements: dict[str, Statement] = {}
        self.portals: dict[str, Portal] = {}
        self.relay: Relay | None = None
        self.admission: Admission | None = None
        self._ended = asyncio.Event()  # `abandon`: no execution finishes after it
        # Outcomes recorded again (`_record_again`) or awaited before an answer goes out
        # (`_record_first`): kept until done, awaited when the session ends.
        self._retries: set[asyncio.Task[None]] = set()
        self._settled = False  # `record_results` returned: no outcome task starts after it
        self.answers = HeldAnswers(io.to_client)  # a write's report waits for its record
        self._recorded = False  # any outcome queued (`_record`): the end waits for them
        self._outcomes: list[Execution] = []  # finished, queued once the answer is sent
        self.syncs_sent = 0
        self.syncs_done = 0
        self._answered = asyncio.Event()  # set after each upstream answer (see _writes.settle)
        self.copy: CopyIn | None = None  # a COPY FROM STDIN streaming to the writer
        self.held: Held | None = None  # a write's Execute, waiting for Sync (_writes)
        self._off_loop_from = gateway.settings.limits.inline_mask_bytes  # asked per message

    @property
    def in_startup(self) -> bool:
        return self.state == self.state_wait_for_startup

    def handle(self, msg: Message) -> Awaitable[None]:
        """The current state's handling of `msg`, for the caller to await. Neither this
        nor `state_ready` is a coroutine of its own: each client message awaits its
        handler's coroutine alone (three coroutine frames per message were two too many
        on every statement's four messages)."""
        return self.state(msg)

    # ── start-up and authentication ─────────────────────────────────────────
    async def state_wait_for_startup(self, msg: Message) -> None:
        startup = codec.parse_startup(msg.body)
        if startup.code == codec.SSL_REQUEST:
            await self._ssl_request()
        elif startup.code == codec.GSSENC_REQUEST:
            self.io.to_client(b"N")
        elif startup.code == codec.CANCEL_REQUEST:
            pid, secret = codec.parse_cancel(startup)
            await self.io.cancel(pid, secret)
            self._close()
        elif startup.code >> 16 == 3:
            self._startup(startup)
        else:
            self._fatal(
                "0A000",
                f"unsupported frontend protocol {startup.code >> 16}.{startup.code & 0xFFFF}",
            )

    async def _ssl_request(self) -> None:
        if self.io.tls_available and not self.io.is_tls:
            await self.io.start_tls()  # answers "S" once nothing else was sent before it
        else:
            self.io.to_client(b"N")

    def _startup(self, startup: codec.Startup) -> None:
        self.user = startup.params.get("user", "")
        # A newer 3.x, or protocol options (`_pq_.*`, none known here): say we speak 3.0
        # and which options we ignore, then carry on in 3.0, as PostgreSQL does.
        unknown = [k for k in startup.params if k.startswith("_pq_.")]
        if startup.code != codec.PROTOCOL_3 or unknown:
            self.io.to_client(codec.negotiate_protocol_version(unknown))
        self.client_params = {
            k: v
            for k, v in startup.params.items()
            if k
            in ("application_name", "DateStyle", "TimeZone", "extra_float_digits", "IntervalStyle")
        }
        if not self.user:
            self._fatal("28000", "no user name given: use your phigate subject")
        elif self.io.is_tls or (self.io.is_loopback and self.settings.allow_cleartext_on_loopback):
            self.io.to_client(codec.auth_request(3))
            self.state = self.state_wait_for_password
        else:
            self._fatal(
                "28000",
                "phigate accepts the token as a password only over TLS: "
                "connect with sslmode=verify-full",
            )

    async def state_wait_for_password(self, msg: Message) -> None:
        if msg.type != b"p":
            raise ProtocolViolation(f"expected a password message, got {msg.type!r}")
        token = codec.parse_cstring(msg.body)
        try:
            principal = await self.gateway.authenticate(token)
            if principal.subject != self.gateway.people.of(self.user):  # aliases: one person
                raise AuthenticationError("the token belongs to another subject")
        except AuthenticationError as exc:
            await self.gateway.audit_refusal(  # the same record as REST and MCP refusals
                "auth.refused",
                exc.message,
                client_addr=self.io.client_addr,
                detail={"front_door": "pgwire", "connection": self.connection, "user": self.user},
                source=_host(self.io.client_addr),  # anyone can cause it: capped
            )
            self._fatal("28P01", f'password authentication failed for user "{self.user}"')
            return
        self.principal = principal
        await self._open(principal)

    async def _open(self, principal: Principal) -> None:
        try:
            upstream = await self.io.open_upstream(self.client_params)
        except SessionLimitError as exc:
            self._fatal(exc.sqlstate, f"phigate: {exc}")
            return
        except Exception as exc:
            log.warning("upstream connection for %s failed: %s", self.connection, exc)
            self._fatal("08006", f"phigate could not connect to the upstream {self.connection!r}")
            return
        self.relay = Relay(self.gateway.masker_before_run(principal), self.gateway.settings.limits)
        self.relay.parameters.update(upstream)  # later ParameterStatus messages update it
        self.admission = Admission(
            self.gateway,
            self.connection,
            principal,
            self.io.client_addr,
            self.settings.approval_wait_seconds,
            self.io.to_client,
        )
        self.admission.session_settings = SessionSettings(upstream, self.client_params)
        await self._audit("pgwire.session_started", {"who": principal.to_json()})
        out = [codec.auth_request(0)]
        out += [parameter_status(k, v) for k, v in upstream.items()]
        out += [codec.backend_key_data(*self.key), codec.ready_for_query(b"I")]
        self.io.to_client(b"".join(out))
        self.state = self.state_ready

    async def _audit(self, event: str, fields: dict[str, Any]) -> None:
        where = {
            "connection": self.connection,
            "front_door": "pgwire",
            "client_addr": self.io.client_addr,
        }
        await asyncio.to_thread(self.gateway.record_event, event, {**fields, "where": where})

    # ── statements ──────────────────────────────────────────────────────────
    def state_ready(self, msg: Message) -> Awaitable[None]:
        handler = _READY.get(msg.type)
        if handler is None:
            raise ProtocolViolation(f"unexpected message type {msg.type!r}")
        return handler(self, msg)

    async def state_skip_until_sync(self, msg: Message) -> None:
        """After an error in an extended-protocol batch: discard until Sync, like the server."""
        if msg.type == b"S":
            self.state = self.state_ready
            await self._sync(msg)
        elif msg.type == b"X":
            self._close()

    async def state_write_held(self, msg: Message) -> None:
        """After an extended-protocol write's Execute: it runs only if Sync comes next."""
        await _writes.held_message(self, msg)

    async def state_closed(self, msg: Message) -> None:
        return None

    def _forward(self, data: bytes, expect: Expect | None) -> None:
        assert self.relay is not None
        if expect is not None:
            self.relay.expect(expect)
        self.io.to_upstream(data)

    def _refuse_extended(self, error: bytes) -> None:
        refused = codec.build_parse(_writer.own_name(), _REFUSED_SQL)
        self._forward(refused, Expect(ExpectKind.PARSE, substitute=error))
        self.state = self.state_skip_until_sync

    async def _query(self, msg: Message) -> None:
        assert self.admission is not None
        text = codec.parse_cstring(msg.body)
        reveal = reveal_setting(text)
        if reveal is not None:
            await self._set_reveal(reveal)
            return
        analysis = self.classifier.classify(text)
        description = description_of(analysis)
        writes = self._on_writer(description) and not _writes.denied_outright(
            self, text, description
        )
        if writes and not await _writes.ready_for_write(self, text):
            return
        if not writes and _writes_here(description) and await _writes.skipped(self):
            return  # the server skips it after an earlier error: nothing asked or recorded
        if writes and _writer.copies_in(text):
            await _writes.copy_in(self, text, description)
            return
        admitted = await _writes.admit_query(self, text, description, refers_to_names(analysis))
        if isinstance(admitted, Refusal):
            self._refuse_query(admitted.error)
            return
        if self._on_writer(admitted.description):
            await _writes.run_query(self, admitted)
            return
        execution = self._execution(admitted, analysis)
        self._forward(
            msg.raw(), Expect(ExpectKind.QUERY, execution=execution, batch=self.syncs_sent + 1)
        )

    def _refuse_query(self, error: bytes) -> None:
        """`error` answers a simple Query; the upstream fails a statement in its place, so
        a transaction block it is in is aborted, as the client expects after an error."""
        self._forward(
            _REFUSED_QUERY, Expect(ExpectKind.QUERY, substitute=error, batch=self.syncs_sent + 1)
        )

    def _on_writer(self, description: Description) -> bool:
        """A read-only session runs what needs more than the reader on the writer; any
        session runs there what may seed its random generator from data
        (`phigate.sql.session_generator`), so no later statement of it draws from it."""
        if seeds_from_data(description):
            return True
        return self.io.reads_only and not runs_as_reader(description.risk)

    async def state_copy_in(self, msg: Message) -> None:
        """Client messages while its COPY data streams to the writer (_writes, _copyin)."""
        await _writes.copy_in_message(self, msg)

    async def stop_copy(self) -> None:
        """The session ends: a COPY in progress is aborted (it rolls back, recorded), and
        a write still waiting for its Sync never runs (its refusal recorded)."""
        await _writes.drop_held(self)
        copy, self.copy = self.copy, None
        if copy is not None:
            await copy.abort()

    async def _set_reveal(self, reveal: tuple[str, ...]) -> None:
        """Intercepted, never sent upstream: the reveal joins every later statement's action."""
        assert self.admission is not None and self.principal is not None
        await self._audit(
            "pgwire.reveal_requested", {"who": self.principal.to_json(), "reveal": list(reveal)}
        )
        self.admission.reveal = reveal  # only once the request is on record
        # A no-op with the same command tag keeps the client's pipeline in order.
        self._forward(_REVEAL_ACK, Expect(ExpectKind.QUERY, batch=self.syncs_sent + 1))

    def _execution(
        self, record: ActionRecord, analysis: SqlAnalysis | None, csv: frozenset[int] | None = None
    ) -> Execution:
        masker = self.gateway.masker_for(record)  # the one rule, `*` reveal included
        lineage = list(record.description.detail.get("lineage") or [])
        if csv is None:
            csv = copy_csv_statements(analysis) if analysis is not None else frozenset()
        return Execution(
            record,
            masker,
            lineage,
            analysis,
            csv_statements=csv,
            recorded_first=recorded_first(record),
        )

    async def _parse(self, msg: Message) -> None:
        assert self.admission is not None and self.principal is not None
        assert self.relay is not None
        parse = codec.parse_parse(msg.body)
        name = server_name(parse.statement)
        if name is None:
            self._refuse_extended(unknown_name(parse.statement))
            return
        if name and self.classifier.has_prepared(name):
            self._refuse_extended(
                codec.error_response("42P05", f'prepared statement "{name}" already exists')
            )
            return
        if not name:
            self.classifier.forget("")  # the server drops the unnamed statement at once
        analysis = self.classifier.prepare(name, parse.query)
        prepared = description_of(analysis)
        action = self.admission.action(parse.query, [])
        try:
            description, decision = self.gateway.decide(action, prepared)
        except PhigateError as exc:
            self._refuse_extended(codec.error_response(DENIED, f"phigate: {exc.message}"))
            return
        if decision.outcome == "deny":
            admitted = await self.admission.admit(action, prepared)  # records the denial
            error = admitted.error if isinstance(admitted, Refusal) else None
            if isinstance(admitted, ActionRecord):  # policy changed in between: do not run it
                await self.gateway.finish(admitted, {"rows": 0, "status": "not run"})
                error = denied(admitted)
            self._refuse_extended(error or codec.error_response(DENIED, "phigate denied this"))
            return
        # Built once per prepared statement, here; its runs mask with `masker_for`.
        masker = self.gateway.masker_before_run(self.principal, decision.masking)
        statement = Statement(
            name,
            parse.query,
            parse.param_types,
            list(description.detail.get("lineage") or []),
            masker,
            description=prepared,
            analysis=analysis,
            parsed_under=at_parse(self.relay.parameters, self.relay.settings_unreported),
            declared_types=parse.param_types,
            names_others=refers_to_names(analysis),
        )
        self.statements[name] = statement
        self._forward(msg.raw(), Expect(ExpectKind.PARSE, statement=statement))

    async def _settle_names(self) -> None:
        """A statement in flight may end or redefine names (CLOSE, DECLARE, DEALLOCATE,
        a transaction's end, code the gateway cannot see): the proxy learns that only
        from its answer, so a name is read only once those answers are in. A client
        that sends `CLOSE c; DECLARE c …` and an Execute of `c` back to back waits the
        round trip; any other pipeline goes on unhindered."""
        assert self.relay is not None
        if not self.relay.skipping and any(map(_renames, self.relay.queue)):
            await _writes.settle(self)

    async def _bind(self, msg: Message) -> None:
        await self._settle_names()
        bind = codec.parse_bind(msg.body)
        portal_name, statement_name = server_name(bind.portal), server_name(bind.statement)
        if portal_name is None or statement_name is None:
            unplaced = bind.portal if portal_name is None else bind.statement
            self._refuse_extended(unknown_name(unplaced))
            return
        statement = self.statements.get(statement_name)
        if statement is None or statement.dead:
            self._refuse_extended(
                codec.error_response(
                    "26000",
                    f'prepared statement "{statement_name}" does not exist (statements must '
                    "be prepared through phigate with Parse)",
                )
            )
            return
        if statement.names_others:
            refused = self._rederive(statement)
            if refused is not None:
                self._refuse_extended(refused)
                return
        params = bound_params(bind, statement.param_types)
        portal = Portal(portal_name, statement, bind, params, batch=self.syncs_sent)
        portal.analysis = statement.analysis if statement.names_others else None
        upstream_bind = await self._upstream_bind(statement, bind)
        self.portals[portal_name] = portal
        # Unchanged, the client's bytes are what parse_bind read (and build_bind would
        # write again: held by a property test); changed, the Bind is built anew.
        raw = msg.raw() if upstream_bind is bind else codec.build_bind(upstream_bind)
        self._forward(raw, Expect(ExpectKind.BIND, portal=portal))

    def _rederive(self, statement: Statement) -> bytes | None:
        """A statement that names a cursor or a prepared statement (FETCH, MOVE,
        EXECUTE) is understood again at each Bind, against what that name means now:
        its lineage and masker, and the result formats asked of the upstream (its
        columns are described again), are those of what its portal will run. Its
        Execute is admitted as that, once the name is seen not to have changed since."""
        assert self.admission is not None and self.principal is not None
        analysis = self.classifier.prepare(statement.name, statement.text)
        if analysis == statement.analysis and statement.masker is not None:
            return None  # as at its Parse or last Bind: what was worked out still holds
        prepared = description_of(analysis)
        try:
            description, decision = self.gateway.decide(
                self.admission.action(statement.text, []), prepared
            )
        except PhigateError as exc:
            return codec.error_response(DENIED, f"phigate: {exc.message}")
        statement.analysis, statement.description = analysis, prepared
        statement.lineage = list(description.detail.get("lineage") or [])
        statement.masker = self.gateway.masker_before_run(self.principal, decision.masking)
        statement.fields = statement.result = statement.kept = None
        statement.decided = statement.shape = None
        return None

    async def _upstream_bind(self, statement: Statement, bind: codec.Bind) -> codec.Bind:
        """The client's Bind, asking the upstream for text in every column that is masked."""
        if not any(bind.result_formats):
            return bind
        if statement.result is None:
            await self._describe_hidden(statement)
        if statement.result is None or statement.fields is None:
            return bind  # the upstream is skipping after an error: this Bind will not run
        formats = _upstream_formats(statement, bind)
        return codec.Bind(bind.portal, bind.statement, bind.param_formats, bind.params, formats)

    async def _describe_hidden(self, statement: Statement) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._forward(
            codec.describe("S", statement.name) + codec.FLUSH,
            Expect(ExpectKind.DESCRIBE_S, hidden=True, statement=statement, waiter=waiter),
        )
        self.io.flush_upstream()  # the answer is awaited here, so the question must go now
        await waiter

    async def _describe(self, msg: Message) -> None:
        await self._settle_names()
        what, sent = codec.parse_target(msg.body)
        name = server_name(sent)
        if name is None:
            self._refuse_extended(unknown_name(sent))
            return
        if what == "S":
            statement = self.statements.get(name)
            if statement is None or statement.dead:
                self._refuse_extended(
                    codec.error_response("26000", f'prepared statement "{name}" does not exist')
                )
                return
            self._forward(msg.raw(), Expect(ExpectKind.DESCRIBE_S, statement=statement))
            return
        portal = self.portals.get(name) or self._declared_cursor(name)
        if portal is None or portal.dead:
            self._refuse_extended(codec.error_response("34000", f'portal "{name}" does not exist'))
            return
        portal.described = True
        self._forward(msg.raw(), Expect(ExpectKind.DESCRIBE_P, portal=portal))

    def _declared_cursor(self, name: str) -> Portal | None:
        """A cursor SQL declared, as a portal to describe (psycopg's server-side cursors
        ask for its columns before fetching): masked as what it runs, like its FETCH."""
        assert self.admission is not None and self.principal is not None
        analysis = self.classifier.cursor(name)
        if analysis is None:
            return None
        description = description_of(analysis)
        action = self.admission.action(f"FETCH ALL FROM {quoted_identifier(name)}", [])
        try:
            description, decision = self.gateway.decide(action, description)
        except PhigateError:
            return None
        if decision.outcome == "deny":
            return None  # its FETCH is refused as well; say it does not exist
        masker = self.gateway.masker_before_run(self.principal, decision.masking)
        statement = Statement(
            "",
            action.body["sql"],
            (),
            list(description.detail.get("lineage") or []),
            masker,
            description=description,
        )
        return Portal(name, statement, codec.Bind(name, "", (), (), ()), [], declared=True)

    async def _execute(self, msg: Message) -> None:
        assert self.admission is not None and self.relay is not None
        await self._settle_names()
        sent, _max_rows = codec.parse_execute(msg.body)
        name = server_name(sent)
        if name is None:
            self._refuse_extended(unknown_name(sent))
            return
        portal = self.portals.get(name) or self._declared_cursor(name)
        if portal is None or portal.dead:
            self._refuse_extended(codec.error_response("34000", f'portal "{name}" does not exist'))
            return
        statement = portal.statement
        analysis, description = self._meaning_now(portal)
        if description is not None and self._on_writer(description):
            await _writes.execute(self, msg, portal, description)
            return
        writes = description is None or _writes_here(description)
        if self.relay.skipping or (writes and await _writes.skipped(self)) or portal.dead:
            self._forward(msg.raw(), None)  # the upstream ignores it until Sync, and so do we
            return
        names = description if statement.names_others or portal.declared else None
        action = self._execute_action(portal, names, writes)
        if isinstance(action, bytes):
            await _writes.audit_refused(self, statement.text, action)
            self._refuse_extended(action)  # before an approval is spent on it
            return
        if statement.names_others:  # its decision holds for this meaning only
            if not portal.ran and self._name_changed(portal):
                self._refuse_extended(_NAME_CHANGED)
                return
            admitted, _ = await self.admission.admit_reusing(action, description, None)
        else:
            admitted, statement.decided = await self.admission.admit_reusing(
                action, description, statement.decided
            )
        if isinstance(admitted, Refusal):
            self._refuse_extended(admitted.error)
            return
        portal.ran = True
        if not portal.described:
            portal.described = True
            self._forward(
                codec.describe("P", portal.name),
                Expect(ExpectKind.DESCRIBE_P, hidden=True, portal=portal),
            )
        shape = statement.shape
        if shape is None or statement.names_others:
            shape = _run_shape(statement.text, analysis)
            statement.shape = None if statement.names_others else shape
        csv, keeps_transaction, keeps_session_settings = shape
        execution = self._execution(admitted, analysis, csv)
        expect = Expect(
            ExpectKind.EXECUTE,
            portal=portal,
            execution=execution,
            keeps_transaction=keeps_transaction,
            keeps_settings=keeps_session_settings,
        )
        self._forward(msg.raw(), expect)

    def _execute_action(
        self, portal: Portal, names: Description | None, writes: bool
    ) -> Action | bytes:
        """The action of an Execute run in the client's session; a write's carries the
        session's settings (`_writes.in_session_action`), or says why it cannot."""
        assert self.admission is not None
        if writes:
            return _writes.in_session_action(self, portal, names)
        statement = portal.statement
        return self.admission.action(
            statement.text, portal.params, types=statement.declared_types, names=names
        )

    def _meaning_now(self, portal: Portal) -> tuple[SqlAnalysis | None, Description | None]:
        """What an Execute of `portal` runs. A statement that names a cursor or a prepared
        statement (FETCH, MOVE, EXECUTE) means what that name meant at the portal's
        Bind (`_rederive`), which its first Execute checks still holds
        (`_name_changed`): the server runs it to the end then and keeps its rows for
        the portal's later Executes. Anything else means what its Parse meant."""
        statement = portal.statement
        if not statement.names_others or portal.analysis is None:
            return statement.analysis, statement.description
        return portal.analysis, description_of(portal.analysis)

    def _name_changed(self, portal: Portal) -> bool:
        """Whether what the portal's FETCH, MOVE or EXECUTE names means something else
        now than at its Bind: a CLOSE and DECLARE, or DEALLOCATE and PREPARE, since."""
        now = self.classifier.prepare(portal.statement.name, portal.statement.text)
        return portal.analysis is None or now != portal.analysis

    async def _close_target(self, msg: Message) -> None:
        what, sent = codec.parse_target(msg.body)
        name = server_name(sent)
        if name is None:
            self._refuse_extended(unknown_name(sent))
            return
        if what == "S":
            self.statements.pop(name, None)
            self.classifier.forget(name)
        else:
            self.portals.pop(name, None)
            self.classifier.forget_cursor(name)
        self._forward(msg.raw(), Expect(ExpectKind.CLOSE))

    async def _sync(self, msg: Message) -> None:
        self.syncs_sent += 1
        self._forward(msg.raw(), Expect(ExpectKind.SYNC, batch=self.syncs_sent))

    async def _flush(self, msg: Message) -> None:
        self._forward(msg.raw(), None)

    async def _copy_from_client(self, msg: Message) -> None:
        self._forward(msg.raw(), None)

    async def _function_call(self, msg: Message) -> None:
        self._forward(
            _REFUSED_QUERY,
            Expect(
                ExpectKind.QUERY,
                substitute=codec.error_response(
                    DENIED, "phigate does not allow the FunctionCall protocol message"
                ),
            ),
        )

    async def _terminate(self, msg: Message) -> None:
        self._close()

    # ── answers from the upstream ───────────────────────────────────────────
    def masks_off_loop(self, msg: Message) -> bool:
        """A row big enough that masking it on the event loop would stall other sessions
        (the type is asked first: most messages are not rows, and the size is a property)."""
        return msg.type in (b"D", b"d") and msg.size >= self._off_loop_from

    async def on_upstream_off_loop(self, msg: Message) -> None:
        """`on_upstream` for a large row: masked on the masking pool, relayed in order."""
        assert self.relay is not None
        masked: bytes | MaskingError | None = None
        if self.relay.worth_masking(msg):
            work = self.relay.row_work(msg)
            try:
                masked = await off_loop(self.gateway.settings.limits, work, msg)
            except MaskingError as exc:  # answered in order, as the relay answers any
                masked = exc
        self.on_upstream(msg, masked)

    @property
    def inline_below(self) -> int:
        """DataRows with bodies shorter than this are masked here, on the event loop."""
        return self._off_loop_from

    def on_upstream_rows(self, run: codec.RowRun) -> None:
        """`on_upstream` for a run of small whole DataRows: relayed as one write."""
        assert self.relay is not None
        out: list[bytes] = []
        try:
            self.relay.data_rows(run, out)
        finally:
            self._to_client(out)
            self._after_upstream()

    def on_upstream(self, msg: Message, masked: bytes | MaskingError | None = None) -> None:
        assert self.relay is not None
        out = self.relay.handle(msg, masked)
        self._to_client(out)
        self._after_upstream()

    def _to_client(self, out: list[bytes]) -> None:
        """An answer for the client: held from a write's report until its outcome is on
        record (`HeldAnswers`); most answers report none and nothing is held."""
        assert self.relay is not None
        reports = self.relay.reports
        if reports or self.answers.holding:
            self.answers.out(out, reports)
            reports.clear()
        elif out:
            self.io.to_client(b"".join(out))

    def _after_upstream(self) -> None:
        """After each upstream message: learn what it confirmed, queue what finished,
        forget what ended. Most messages (a row, a RowDescription) did none of it."""
        relay = self.relay
        assert relay is not None
        if relay.acks:
            for ack in relay.acks:
                self._learn(ack)
            relay.acks.clear()
        if relay.finished:
            if self.answers.holding:
                self._record_held(relay.finished)
            if relay.finished:
                if not self._outcomes:
                    asyncio.get_running_loop().call_soon(self._record_outcomes)
                self._outcomes += relay.finished
            relay.finished.clear()
        if relay.idle_after_batch is not None:
            self._forget_dead_portals()
        self._answered.set()

    def _learn(self, ack: tuple[Any, ...]) -> None:
        """The upstream confirmed something: now, and only now, names change meaning."""
        kind, subject = ack[0], ack[1]
        if kind == "parse" and subject.analysis is not None:
            self.classifier.acknowledge_parse(
                subject.name, subject.analysis, subject.text, subject.declared_types
            )
        elif kind == "bind":
            # The upstream holds a new portal under this name; SQL may FETCH from it
            # only once its own Execute was admitted and completed.
            subject.bound = True
            self.classifier.forget_cursor(subject.name)
        elif kind == "executed" and (subject.analysis or subject.statement.analysis):
            ran = subject.analysis or subject.statement.analysis
            self._learn_statement(ran, 0)  # e.g. a DECLARE it ran
            statement = subject.statement
            self.classifier.open_portal(
                subject.name, ran, statement.text, statement.declared_types, subject.params
            )
        elif kind == "statement" and subject.analysis is not None:
            self._learn_statement(subject.analysis, ack[2])

    def _learn_statement(self, analysis: SqlAnalysis, index: int) -> None:
        if index >= len(analysis.effects):
            return
        effect = analysis.effects[index]
        self.classifier.acknowledge(analysis, index)
        # A protocol statement of the same name is gone or replaced upstream.
        if effect.kind == "PrepareStmt" or effect.kind == "DeallocateStmt":
            name = effect.fields.get("name")
            if name is None or effect.fields.get("isall"):
                self.statements.clear()
            else:
                self.statements.pop(str(name), None)
        elif effect.kind == "DiscardStmt" and effect.fields.get("target") == "DISCARD_ALL":
            self.statements.clear()
            self._end_portals(None)
        self._follow_portals(effect)

    def _follow_portals(self, effect: Effect) -> None:
        """A statement of SQL the upstream completed ends protocol portals as it ends
        cursors (a portal is a cursor to the server): CLOSE of its name or CLOSE ALL,
        a DECLARE that took its name, the end of its transaction or of a subtransaction
        (COMMIT, ROLLBACK, ROLLBACK TO: which portals survive is not followed, so none
        is kept), and code the gateway cannot see (DO, CALL, a function off the
        allow-list), which may close and open any. When unsure, forget: an Execute of
        a forgotten name is refused, or read as the cursor SQL declared under it."""
        if effect.kind == "ClosePortalStmt":
            name = effect.fields.get("portalname")
            self._end_portals(None if name is None else str(name))
        elif effect.kind == "DeclareCursorStmt":
            self._end_portals(str(effect.fields.get("portalname") or ""))
        elif effect.kind == "TransactionStmt" and ends_portals(effect.node):
            self._end_portals(None)
        elif effect.analysis.risk is RiskClass.UNKNOWN:
            self._end_portals(None)
            self.classifier.forget_cursors()

    def _end_portals(self, name: str | None) -> None:
        """Forget the portal `name` (None: every one) if the upstream held it when the
        statement that ended it ran: one bound since (its BindComplete not yet
        read) is a new portal, which the statement did not touch."""
        for key, portal in list(self.portals.items()):
            if portal.bound and (name is None or key == name):
                del self.portals[key]

    def _forget_dead_portals(self) -> None:
        """Portals end with their transaction; forget them when the upstream does."""
        assert self.relay is not None
        done = self.relay.idle_after_batch
        if done is None:
            return
        self.relay.idle_after_batch = None
        for name, portal in list(self.portals.items()):
            if portal.batch < done:
                del self.portals[name]
                self.classifier.forget_cursor(name)

    def _record_outcomes(self) -> None:
        """Queue the outcomes finished while relaying an answer, after the answer went
        out: put first, they woke the writer thread to take the interpreter lock just
        before the loop's write to the client."""
        outcomes, self._outcomes = self._outcomes, []
        for execution in outcomes:
            self._record(execution)

    def _record(self, execution: Execution) -> None:
        """Queue a finished execution's outcome for the next commit, in order, without
        waiting on it (`Gateway.finish_behind`): nobody is answered later for it, and a
        task woken per statement to await its commit cost the event loop more than the
        write's hand-off. Only a failed write comes back here (`_record_again`)."""
        summary = execution.summary()
        error = PhigateError(execution.error) if execution.error else None
        self._recorded = True
        self.gateway.finish_behind(
            execution.record,
            summary,
            error=error,
            on_error=lambda exc: self._record_again(execution, summary, error, exc),
        )

    def _record_held(self, finished: list[Execution]) -> None:
        """Take the writes whose report is held out of `finished`: each is recorded now,
        and its report goes out only once that record is committed."""
        for execution in [e for e in finished if self.answers.holds(e)]:
            finished.remove(execution)
            task = asyncio.get_running_loop().create_task(
                self._record_first(execution), name="pgwire-outcome-first"
            )
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)

    async def _record_first(self, execution: Execution) -> None:
        """Record a write's outcome, then release its report. When it cannot be recorded
        (`Gateway.finish` has marked the action interrupted, once, on record), the client
        hears 08007 in place of the report and the session ends: its upstream connection
        closes, so a transaction block left open is rolled back; in autocommit the write
        has committed."""
        summary = execution.summary()
        error = PhigateError(execution.error) if execution.error else None
        try:
            await self.gateway.finish(execution.record, summary, error=error)
        except AuditUnavailableError as exc:
            log.error(
                "wire write %s ran; its outcome is not recorded: %s", execution.record.id, exc
            )
            self.answers.unrecorded(execution)
            self._fatal("08007", _unrecorded_text(execution))
            return
        self.answers.recorded(execution)

    def _record_again(
        self,
        execution: Execution,
        summary: dict[str, Any],
        error: PhigateError | None,
        exc: BaseException,
    ) -> None:
        """The outcome's write failed: record it through `Gateway.finish`, which retries
        through an outage of the state store and else ends the action `interrupted`."""
        log.debug("wire outcome of %s not written (%s): again", execution.record.id, exc)
        if self._settled:  # the session's end no longer waits: nothing would await it
            log.error("wire outcome of %s not recorded at shutdown: %s", execution.record.id, exc)
            return
        task = asyncio.get_running_loop().create_task(
            self._finish(execution, summary, error), name="pgwire-outcome-again"
        )
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _finish(
        self, execution: Execution, summary: dict[str, Any], error: PhigateError | None
    ) -> None:
        try:
            await self.gateway.finish(execution.record, summary, error=error, behind=True)
        except AuditUnavailableError as exc:
            # Answered already; the action is ended `interrupted` saying its outcome
            # is not on record (best effort). The next ones are still recorded.
            log.error("wire outcome of %s not recorded: %s", execution.record.id, exc)

    async def record_results(self) -> None:
        """Runs beside the session: once it ended (`abandon`), waits until every outcome
        it queued is committed, or recorded again after a failed write."""
        await self._ended.wait()
        if self._recorded:
            try:  # one queue, settled in order: every outcome before this one is settled
                await self.gateway.writes.run(_no_write, behind=True)
            except Exception:  # the writer is closed: each write behind was failed too
                log.debug("state store writer closed at the end of a wire session")
        try:
            while self._retries:
                await asyncio.gather(*self._retries, return_exceptions=True)
        finally:
            self._settled = True
            for task in self._retries:  # only when this wait itself was cancelled
                task.cancel()

    def abandon(self) -> None:
        """The session ends: whatever was still in flight is recorded as not completed."""
        self._record_outcomes()  # those finished before it, in order
        if self.relay is not None:
            for item in self.relay.queue:
                if item.execution is not None:
                    item.execution.error = item.execution.error or "client or upstream disconnected"
                    self._record(item.execution)
            self.relay.queue.clear()
        self._ended.set()

    def cancel(self) -> bool:
        """A CancelRequest for this session: stop a COPY streaming to the writer or an
        approval wait; else the upstream's turn."""
        if self.copy is not None and self.copy.cancel():
            return True
        return self.admission is not None and self.admission.cancel_wait()

    # ── endings ─────────────────────────────────────────────────────────────
    def _fatal(self, sqlstate: str, text: str) -> None:
        self.io.to_client(codec.error_response(sqlstate, text, severity="FATAL"))
        self._close()

    def protocol_violation(self, text: str) -> None:
        self._fatal("08P01", f"protocol violation: {text}")

    def _close(self) -> None:
        self.state = self.state_closed
        self.io.close()

    @property
    def closed(self) -> bool:
        return self.state == self.state_closed


def _run_shape(text: str, analysis: SqlAnalysis | None) -> tuple[frozenset[int], bool, bool]:
    """What every run of a prepared statement shares (`Statement.shape`): its COPY
    statements in CSV, whether it keeps the transaction, whether it surely keeps
    every session setting."""
    csv = copy_csv_statements(analysis) if analysis is not None else frozenset()
    kinds = [s.kind for s in analysis.statements] if analysis is not None else None
    return csv, _writer.keeps_transaction(kinds), keeps_settings(text, kinds)


_RENAMING = frozenset({"PrepareStmt", "DeallocateStmt", "DeclareCursorStmt", "ClosePortalStmt"})


def _renames(item: Expect) -> bool:
    """Whether what `item` awaits the answer to may end or redefine a session name."""
    analysis = item.execution.analysis if item.execution is not None else None
    if analysis is None:
        return False
    if analysis.risk is RiskClass.UNKNOWN:
        return True
    return any(
        e.kind in _RENAMING
        or e.kind == "DiscardStmt"
        or (e.kind == "TransactionStmt" and ends_portals(e.node))
        for e in analysis.effects
    )


def _writes_here(description: Description) -> bool:
    """Whether a statement run in the client's own session is a write: anything the
    reader role would not run (unknown included), whose action is bound to the
    session's settings and whose approval must not be spent on a skipped run."""
    return not runs_as_reader(description.risk)


def _upstream_formats(statement: Statement, bind: codec.Bind) -> tuple[int, ...]:
    assert statement.result is not None and statement.fields is not None
    n = len(statement.fields)
    if len(bind.result_formats) > 1 and len(bind.result_formats) != n:
        return bind.result_formats  # the upstream rejects the mismatch itself
    wanted = [bind.result_format(i) for i in range(n)]
    return tuple(0 if i in statement.result.masked else f for i, f in enumerate(wanted))


def _unrecorded_text(execution: Execution) -> str:
    """What the client hears of a write that ran but whose outcome is not on record."""
    return (
        f"phigate: this statement ran upstream ({execution.tag or 'no command tag'}) but the "
        f"audit log cannot record its outcome; action {execution.record.id} is marked "
        "interrupted. In autocommit it has committed; a transaction block still open is "
        "rolled back as this connection closes. Check before sending it again (its "
        "approval is spent)."
    )


def _no_write(conn: object) -> None:
    """Written behind a session's outcomes: its commit says theirs are settled."""


_Handler = Callable[[Session, Message], Awaitable[None]]
_READY: dict[bytes, _Handler] = {
    b"Q": Session._query,
    b"P": Session._parse,
    b"B": Session._bind,
    b"D": Session._describe,
    b"E": Session._execute,
    b"C": Session._close_target,
    b"S": Session._sync,
    b"H": Session._flush,
    b"d": Session._copy_from_client,
    b"c": Session._copy_from_client,
    b"f": Session._copy_from_client,
    b"F": Session._function_call,
    b"X": Session._terminate,
}


def _host(client_addr: str | None) -> str:
    """The sender's address without its port (`host:port`, IPv6 hosts included)."""
    return client_addr.rsplit(":", 1)[0] if client_addr else "unknown"
