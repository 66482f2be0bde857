"""The one module that touches sockets: wire listeners, client and upstream connections.

`start_listeners(gateway)` opens a listener for every `postgres` connection
with `listen: HOST:PORT`. Each client connection gets a `Session` (the state
machine) and, after authentication, its own upstream connection logged in with
the gateway's credentials: the `read_dsn` role when the connection has one (the
database is the second guard: whatever the client sends, that role can only
SELECT), otherwise `dsn`. A listener holds at most `max_sessions` sessions, and
one principal at most `max_sessions_per_principal` (53300 past either).
Two loops feed the session: client bytes → session, upstream bytes →
session.on_upstream. Writes are followed by drain(), so a
slow client slows the upstream read (backpressure; memory stays flat).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import ssl
import time

import psycopg
from psycopg.conninfo import conninfo_to_dict

from phigate.config import PostgresConnection, Settings
from phigate.connectors._pg_pool import check_reader
from phigate.core import clock
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._codec import Message, MessageReader, ProtocolViolation
from phigate.doors.pgwire._login import SessionLimitError, UpstreamLogin, UpstreamLoginError
from phigate.doors.pgwire.session import Session
from phigate.doors.pgwire.settings import PgWireSettings
from phigate.ops.workers import shares_ports
from phigate.pipeline.gateway import Gateway

log = logging.getLogger(__name__)
_CHUNK = 256 * 1024
_RUN = 512  # DataRows relayed in one call between the loop's turns
_UPSTREAM_MAX_MESSAGE = 1024 * 1024 * 1024 - 1
_TURN = 0.01  # seconds of inline masking before other tasks get the loop


def wire_settings(gateway: Gateway) -> PgWireSettings:
    return gateway.settings.pgwire


def listen_address(listen: str) -> tuple[str, int]:
    """(host, port) of a connection's `listen: HOST:PORT`."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


class Upstream:
    """Where and how the gateway connects for one connection (parsed from its DSN)."""

    def __init__(self, dsn: str) -> None:
        info = conninfo_to_dict(dsn)
        self.host = str(info.get("host") or "127.0.0.1")
        self.port = int(info.get("port") or 5432)
        self.user = str(info.get("user") or "postgres")
        self.password = str(info.get("password") or "")
        self.database = str(info.get("dbname") or self.user)
        self.sslmode = str(info.get("sslmode") or "prefer")
        self.sslrootcert = info.get("sslrootcert")

    def ssl_context(self) -> ssl.SSLContext:
        if self.sslmode in ("verify-ca", "verify-full"):
            ctx = ssl.create_default_context(
                cafile=str(self.sslrootcert) if self.sslrootcert else None
            )
            ctx.check_hostname = self.sslmode == "verify-full"
            return ctx
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # sslmode=require/prefer: encrypted, not verified
        return ctx


class WireListener:
    """Accepts wire clients for one connection."""

    connection_class: type[ClientConnection]  # set below; a bench swaps in its own

    def __init__(
        self,
        gateway: Gateway,
        connection: str,
        listen: str,
        dsn: str,
        *,
        settings: PgWireSettings | None = None,
        read_dsn: str | None = None,
    ) -> None:
        self.gateway = gateway
        self.connection = connection
        self.host, self.port = listen_address(listen)
        # What a session logs in as: the reader when there is one. The writer's DSN
        # is not kept here; approved non-reads run through the connector's writer pool.
        self.upstream = Upstream(read_dsn or dsn)
        self.reads_only = read_dsn is not None
        self._read_dsn = read_dsn
        self.settings = settings or wire_settings(gateway)
        self.sessions: dict[tuple[int, int], ClientConnection] = {}
        self.held: dict[str, int] = {}  # principal subject -> sessions holding an upstream
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._watch: asyncio.Task[None] | None = None
        self.tls = self._tls_context()

    def _tls_context(self) -> ssl.SSLContext | None:
        if not self.settings.tls_cert:
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.settings.tls_cert, self.settings.tls_key)
        return ctx

    async def start(self) -> WireListener:
        if self._read_dsn is not None:
            await _check_reader(self.connection, self._read_dsn)
        self._server = await asyncio.start_server(
            self._accept, self.host, self.port, reuse_port=shares_ports() or None
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._watch = asyncio.create_task(
            self._end_revoked_sessions(), name=f"pgwire-revocations-{self.connection}"
        )
        return self

    async def _end_revoked_sessions(self) -> None:
        """Revocation is immediate: every few seconds, open sessions are checked against
        the token store (shared by all replicas, so a revoke on one ends sessions on
        every other), and a session whose API token is revoked or expired is ended, as is
        one whose OIDC access token has expired."""
        while True:
            await asyncio.sleep(self.settings.revocation_check_seconds)
            try:
                await self.end_sessions_of_inactive_tokens()
            except Exception:  # the store is unreachable: retried at the next tick
                log.exception("checking wire sessions for revoked tokens failed")

    async def end_sessions_of_inactive_tokens(self) -> None:
        """End the sessions whose API token is revoked or expired, and those signed in
        with an OIDC access token that has expired since."""
        by_token: dict[str, list[ClientConnection]] = {}
        now = clock.latest()  # expiry, judged early by the clock's uncertainty
        for client in list(self.sessions.values()):
            principal = client.session.principal
            if principal is None:
                continue
            if principal.expired(now):
                await client.end_revoked(None)
            elif principal.token_id is not None:
                by_token.setdefault(principal.token_id, []).append(client)
        if not by_token:
            return
        inactive = await asyncio.to_thread(self.gateway.inactive_tokens, by_token)
        for token_id in inactive:
            for client in by_token[token_id]:
                await client.end_revoked(token_id)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = self.connection_class(self, reader, writer)
        task = asyncio.current_task()
        client.task = task
        if task is not None:
            self._tasks.add(task)
        try:
            await client.run()
        except asyncio.CancelledError:
            pass  # the listener is closing; the connection has been ended
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        if self._server is not None:
            await self._server.wait_closed()

    def hold_session(self, subject: str) -> None:
        """Count one more upstream session for `subject`, or refuse it (53300)."""
        limits = self.settings
        if sum(self.held.values()) >= limits.max_sessions:
            raise SessionLimitError(
                f"too many wire sessions on {self.connection!r} (the limit is "
                f"{limits.max_sessions}); try again shortly"
            )
        if self.held.get(subject, 0) >= limits.max_sessions_per_principal:
            raise SessionLimitError(
                f"too many wire sessions for {subject!r} on {self.connection!r} (the limit "
                f"is {limits.max_sessions_per_principal}); close one first"
            )
        self.held[subject] = self.held.get(subject, 0) + 1

    def release_session(self, subject: str) -> None:
        self.held[subject] -= 1
        if not self.held[subject]:
            del self.held[subject]


class ClientConnection:
    """One client socket and, once authenticated, its upstream socket."""

    def __init__(
        self, listener: WireListener, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.listener = listener
        self.reader, self.writer = reader, writer
        peer = writer.get_extra_info("peername")
        self.client_addr = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else None
        self.is_loopback = _loopback(peer[0] if isinstance(peer, tuple) else None)
        self.is_tls = False
        self.tls_available = listener.tls is not None
        self.reads_only = listener.reads_only
        self.session = Session(listener.gateway, listener.connection, self, listener.settings)
        self.messages = MessageReader(max_message=listener.settings.max_message_bytes, startup=True)
        self.up_reader: asyncio.StreamReader | None = None
        self.up_writer: asyncio.StreamWriter | None = None
        self.upstream_key: tuple[int, int] | None = None
        self.holder: str | None = None  # the subject whose session slot this holds
        self.task: asyncio.Task[None] | None = None  # the task serving this connection
        self._closing = False
        # While one upstream read is relayed, messages to the client are collected
        # and sent as one write (one syscall instead of one per message).
        self._corked: list[bytes] | None = None
        # Likewise what one client read forwards upstream (Bind, Execute, Sync: one write).
        self._up_corked: list[bytes] | None = None

    # -- SessionIo
    def to_client(self, data: bytes) -> None:
        if self._corked is not None:
            self._corked.append(data)
        elif not self.writer.is_closing():
            self.flush_upstream()  # what the client hears of was sent on first (a notice
            self.writer.write(data)  # before an approval wait, say)

    def to_upstream(self, data: bytes) -> None:
        if self._up_corked is not None:
            self._up_corked.append(data)
        elif self.up_writer is not None and not self.up_writer.is_closing():
            self.up_writer.write(data)

    def flush_upstream(self) -> None:
        corked, self._up_corked = self._up_corked, None
        if corked:
            self.to_upstream(b"".join(corked))
        if corked is not None:
            self._up_corked = []

    def close(self) -> None:
        self._closing = True
        if self._corked is None:
            # Not inside an upstream turn (whose collected answer is written after it):
            # close now, so a session ended from outside both loops (a write whose
            # outcome cannot be recorded) does not wait for the client's next message.
            # What was written goes out before the transport closes.
            self.writer.close()

    async def start_tls(self) -> None:
        # CVE-2021-23214: bytes that arrived before the handshake must not be read as
        # if they came over TLS. Anything already buffered ends the connection.
        if self.messages.buffered or len(getattr(self.reader, "_buffer", b"")):
            raise ProtocolViolation("data received before the TLS handshake completed")
        assert self.listener.tls is not None
        self.writer.write(b"S")
        await self.writer.drain()
        await self.writer.start_tls(self.listener.tls)
        self.is_tls = True

    async def open_upstream(self, params: dict[str, str]) -> dict[str, str]:
        principal = self.session.principal
        if principal is None:  # the session opens its upstream only once authenticated
            raise UpstreamLoginError("no principal for this session")
        self.listener.hold_session(principal.subject)
        self.holder = principal.subject
        up = self.listener.upstream
        timeout = self.listener.settings.upstream_connect_timeout_seconds
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(up.host, up.port, limit=_CHUNK)
            self.up_reader, self.up_writer = reader, writer
            if up.sslmode not in ("disable", "allow"):
                await self._upstream_tls(up)
            login = UpstreamLogin(up.user, up.password, up.database, params)
            await self._login(login)
        self.upstream_key = login.key
        return login.parameters

    async def _upstream_tls(self, up: Upstream) -> None:
        assert self.up_writer is not None and self.up_reader is not None
        self.up_writer.write(codec.request_code(codec.SSL_REQUEST))
        await self.up_writer.drain()
        answer = await self.up_reader.readexactly(1)
        if answer == b"S":
            await self.up_writer.start_tls(up.ssl_context(), server_hostname=up.host)
        elif up.sslmode != "prefer":
            raise UpstreamLoginError("the upstream does not offer TLS but the DSN requires it")

    async def _login(self, login: UpstreamLogin) -> None:
        assert self.up_writer is not None and self.up_reader is not None
        self.up_writer.write(login.startup())
        framer = MessageReader(max_message=_UPSTREAM_MAX_MESSAGE)
        while not login.ready:
            data = await self.up_reader.read(_CHUNK)
            if not data:
                raise UpstreamLoginError("the upstream closed the connection during login")
            framer.feed(data)
            for msg in framer:
                reply = login.handle(msg)
                if reply is not None:
                    self.up_writer.write(reply)
            await self.up_writer.drain()

    async def cancel(self, pid: int, secret: int) -> None:
        target = self.listener.sessions.get((pid, secret))
        if target is not None:
            await target.cancel_upstream()

    async def cancel_upstream(self) -> None:
        if self.session.cancel() or self.upstream_key is None:
            return
        up = self.listener.upstream
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(5):
                _, writer = await asyncio.open_connection(up.host, up.port)
                writer.write(codec.cancel_request(*self.upstream_key))
                await writer.drain()
                writer.close()
                await writer.wait_closed()

    async def end_revoked(self, token_id: str | None) -> None:
        """End this session now: its token was revoked or expired (`token_id` None: an
        OIDC access token, which expires but has no id here). The client hears why; a
        statement in flight is cancelled upstream; the connection task ends."""
        principal = self.session.principal
        await self.listener.gateway.audit_refusal(
            "pgwire.session_ended",
            "the API token this session signed in with is revoked or expired",
            client_addr=self.client_addr,
            detail={
                "who": principal.to_json() if principal is not None else None,
                "token_id": token_id,
                "connection": self.listener.connection,
                "front_door": "pgwire",
            },
        )
        if not self.writer.is_closing():
            self.writer.write(
                codec.error_response(
                    "57P01",
                    "terminating connection: the token this session signed in with "
                    "was revoked or has expired",
                    severity="FATAL",
                )
            )
        await self.cancel_upstream()
        if self.task is not None:
            self.task.cancel()

    # -- the loops
    async def run(self) -> None:
        recorder: asyncio.Task[None] | None = None
        try:
            async with asyncio.timeout(self.listener.settings.startup_timeout_seconds):
                await self._startup()
            if self.session.closed or self.up_reader is None:
                return
            self.listener.sessions[self.session.key] = self
            recorder = asyncio.create_task(
                self.session.record_results(), name=f"pgwire-audit-{self.session.key[0]}"
            )
            await self._relay_both_ways()
        except TimeoutError:
            self._fatal("08P01", "start-up took too long")
        except ProtocolViolation as exc:
            self._fatal("08P01", f"protocol violation: {exc}")
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        except Exception:  # a bug, not the client's doing: the client still hears why
            log.exception("wire session failed")
            self._fatal("XX000", "internal error; the session is closed (see the gateway log)")
        finally:
            await self._end(recorder)

    def _fatal(self, sqlstate: str, text: str) -> None:
        self.to_client(codec.error_response(sqlstate, text, severity="FATAL"))

    async def _startup(self) -> None:
        while not self.session.closed and self.session.state != self.session.state_ready:
            data = await self.reader.read(_CHUNK)
            if not data:
                self.session.state = self.session.state_closed
                return
            self.messages.feed(data)
            await self._feed_session()

    async def _feed_session(self) -> None:
        self._up_corked = []
        try:
            for msg in self.messages:
                await self.session.handle(msg)
                if self.messages.startup and not self.session.in_startup:
                    self.messages.startup = False
                if _backlogged(self.writer):
                    await self.writer.drain()
                if self._closing:
                    return
        finally:
            self.flush_upstream()
            self._up_corked = None

    async def _relay_both_ways(self) -> None:
        client = asyncio.create_task(self._client_loop(), name="pgwire-client")
        upstream = asyncio.create_task(self._upstream_loop(), name="pgwire-upstream")
        try:
            done, _ = await asyncio.wait({client, upstream}, return_when=asyncio.FIRST_COMPLETED)
            if (
                client in done
                and not upstream.done()
                and self.session.relay is not None
                and self.session.relay.queue
            ):
                await self.cancel_upstream()  # the client left mid-result: stop the query
            for task in done:
                task.result()
        finally:
            for task in (client, upstream):
                task.cancel()
            for task in (client, upstream):
                with contextlib.suppress(BaseException):
                    await task

    async def _client_loop(self) -> None:
        while not self._closing:
            data = await self.reader.read(_CHUNK)
            if not data:
                return
            self.messages.feed(data)
            await self._feed_session()
            if self.up_writer is not None and _backlogged(self.up_writer):
                await self.up_writer.drain()

    async def _upstream_loop(self) -> None:
        assert self.up_reader is not None
        # A message no cap could let through is refused from its header, unbuffered
        # (the session ends); smaller ones meet the caps row by row in the relay.
        limits = self.listener.gateway.settings.limits
        framer = MessageReader(max_message=limits.max_result_bytes + _CHUNK)
        while not self._closing:
            data = await self.up_reader.read(_CHUNK)
            if not data:
                return
            framer.feed(data)
            self._corked = []
            try:
                await self._relay_read(framer)
            finally:
                corked, self._corked = self._corked, None
                if corked and not self.writer.is_closing():
                    self.writer.write(b"".join(corked))
            if _backlogged(self.writer):
                await self.writer.drain()

    async def _relay_read(self, framer: MessageReader) -> None:
        """Relay what one read framed, in order. Large rows are masked on the masking
        pool; small ones here, giving the loop back every _TURN seconds, so one
        session's result cannot keep others (and /healthz) waiting."""
        # One read's whole messages; a violation is raised after what came before it
        # is relayed, as when they were framed one at a time. Consecutive small
        # DataRows come as runs (no message object each) and are masked together.
        session = self.session
        taken, refused = framer.take_runs(session.inline_below)
        turn_ends = time.monotonic() + _TURN
        for item in taken:
            for part in _parts(item) if isinstance(item, codec.RowRun) else (item,):
                if isinstance(part, codec.RowRun):
                    session.on_upstream_rows(part)
                elif session.masks_off_loop(part):
                    await session.on_upstream_off_loop(part)
                    turn_ends = time.monotonic() + _TURN
                    continue
                else:
                    session.on_upstream(part)
                if time.monotonic() < turn_ends:
                    continue
                await asyncio.sleep(0)
                turn_ends = time.monotonic() + _TURN
        if refused is not None:
            raise refused

    async def _end(self, recorder: asyncio.Task[None] | None) -> None:
        self.listener.sessions.pop(self.session.key, None)
        if self.holder is not None:
            self.listener.release_session(self.holder)
            self.holder = None
        await self.session.stop_copy()
        self.session.abandon()
        if self.up_writer is not None:
            with contextlib.suppress(Exception):
                self.up_writer.write(codec.TERMINATE)
                self.up_writer.close()
        with contextlib.suppress(Exception):
            self.writer.close()
        if recorder is not None:
            try:
                await recorder
            except Exception:
                log.exception("recording wire results in the audit log failed")


WireListener.connection_class = ClientConnection


def _backlogged(writer: asyncio.StreamWriter) -> bool:
    """Whether `writer.drain()` could do anything: wait for a peer that does not read
    (a transport pauses writing only with bytes in its buffer, and resumes once it is
    below the low mark), or raise for a closing transport (a connection lost with an
    error closes it). Otherwise the drain is a no-op, and an awaited coroutine or two
    for each of a statement's six (one per client message, one per read each way)."""
    transport = writer.transport
    return transport.get_write_buffer_size() > 0 or transport.is_closing()


def _parts(item: Message | codec.RowRun) -> list[Message | codec.RowRun]:
    """What the relay takes in one call: a message alone, a run of DataRows in runs of
    at most _RUN (the loop's turn is checked between them), a run of one row (alone,
    or left over) as the message it is (`Relay.handle`, as any lone row)."""
    if not isinstance(item, codec.RowRun):
        return [item]
    return [run if len(run) > 1 else Message(b"D", None, run.raw(0)) for run in item.split(_RUN)]


async def _check_reader(connection: str, dsn: str) -> None:
    """Refuse to listen when the role sessions log in as could write (fail closed)."""
    async with await psycopg.AsyncConnection.connect(dsn, connect_timeout=10) as conn:
        await check_reader(conn, connection)


def _loopback(host: str | None) -> bool:
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def with_listener(settings: Settings, connection: str, listen: str) -> Settings:
    """`settings` with `connections.<connection>.listen` set (the demo uses this)."""
    found = settings.connections[connection]
    updated = found.model_copy(update={"listen": listen})
    return settings.model_copy(
        update={"connections": {**settings.connections, connection: updated}}
    )


async def start_listeners(gateway: Gateway) -> list[WireListener]:
    """A listener for every postgres connection that declares `listen`."""
    listeners = []
    for name, connection in gateway.settings.connections.items():
        if isinstance(connection, PostgresConnection) and connection.listen:
            read_dsn = connection.read_dsn.reveal() if connection.read_dsn else None
            listener = WireListener(
                gateway, name, connection.listen, connection.dsn.reveal(), read_dsn=read_dsn
            )
            listeners.append(await listener.start())
    return listeners
