"""One long-lived MCP client session per upstream connection, owned by a background task.

The SDK's `Client` (and the anyio task groups inside it) must be entered and exited
in the same task, so a dedicated owner task enters it, publishes the connected
client and waits until told to stop. Requests are sent from the callers' own tasks:
the SDK's JSON-RPC dispatcher gives every request its own response stream keyed by
request id, so concurrent requests on one session are safe and need no queue.

A session that died (stdio process exit, HTTP transport failure) answers with
CONNECTION_CLOSED; it is discarded and the next request opens a fresh one. A
listing is idempotent and is retried once on the fresh session; a tool call never
is (it may not be idempotent): it fails with `UpstreamError`. Every request and
every connect is bounded by the connection's `timeout_seconds`. At most
`max_concurrent_calls` tool calls are in flight on the session; more wait for a
slot, up to `timeout_seconds`, then fail as busy (the upstream is not asked).

`fresh_tools()` serves the connector's pre-call rug-pull check: a listing sent
after the caller asked, shared by callers arriving together (listing rounds).
`verified_tools(max_age)` spares that round trip when nothing can have changed
unseen: the last listing came from the live session of an upstream that declared
`tools.listChanged`, no `notifications/tools/list_changed` arrived since it was
sent, and it is younger than `max_age`. A reconnect, a change notice or the age
limit sends the pre-call listing again; an upstream that does not announce its
changes is listed before every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import mcp_types as types
from mcp.client.client import Client
from mcp.client.session import IncomingMessage
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

from phigate.config import McpConnection
from phigate.connectors._mcp_http import keep_alive_hooks
from phigate.connectors._mcp_text import UpstreamText
from phigate.connectors.held_secrets import HeldSecrets
from phigate.core.errors import UpstreamBusyError, UpstreamError

log = logging.getLogger(__name__)

# A tool call's own read timeout is `timeout_seconds`; the outer bound adds this much so
# a blocked write (a wedged transport) still ends, after the SDK's timeout had its turn.
_CALL_GRACE_SECONDS = 5.0
# Closing a stdio session closes stdin, waits 2 s, then kills the process tree.
_CLOSE_SECONDS = 10.0
# A paginated listing that never ends must not hang a call.
_MAX_PAGES = 100


@dataclass(frozen=True)
class _Live:
    client: Client
    stop: asyncio.Event
    owner: asyncio.Task[None]

    def usable(self) -> bool:
        return not self.owner.done() and not self.stop.is_set()

    def transport_closed(self) -> bool:
        """The SDK saw this session's transport end (a stdio EOF, a closed stream):
        nothing sent on it now can arrive. mcp 2.3 has no public flag for it, so it
        is read from the session's dispatcher; where that is missing, say closed, so
        the caller probes with a listing instead of trusting the session."""
        dispatcher = getattr(self.client.session, "_dispatcher", None)
        return getattr(dispatcher, "_closed", None) is not False

    def announces_changes(self) -> bool:
        """The upstream declared it sends `notifications/tools/list_changed`."""
        try:
            tools = self.client.server_capabilities.tools
        except RuntimeError:  # not initialized (cannot happen once published)
            return False
        return bool(tools is not None and tools.list_changed)


@dataclass(frozen=True)
class _Listing:
    """A complete listing and what it can vouch for: the session it came from, the
    change notices counted when it was sent, and when it was sent."""

    live: _Live
    notices: int
    sent: float
    tools: list[types.Tool]


class UpstreamSession:
    """The persistent session to one upstream MCP server, reopened on demand."""

    def __init__(
        self,
        name: str,
        settings: McpConnection,
        *,
        on_tools_changed: Callable[[], None] = lambda: None,
        on_withheld: Callable[[str], None] = lambda _name: None,
        held: HeldSecrets | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        # Everything the upstream says passes here as it arrives (`_mcp_text`), scrubbed
        # of every secret the gateway holds, this connection's own first.
        registry, own = held or HeldSecrets(), own_secrets(settings)
        self.text = UpstreamText(lambda: registry.scrubber(own))
        self._on_withheld = on_withheld
        self._upstream_names: dict[str, str] = {}  # gateway name → upstream's, where they differ
        self.opened = 0  # sessions opened so far: one per (re)connect
        self._on_tools_changed = on_tools_changed
        self._live: _Live | None = None
        self._owners: set[asyncio.Task[None]] = set()
        self._connecting = asyncio.Lock()
        self._closed = False
        self.listings = 0  # listing rounds sent (each may serve several callers)
        self.notices = 0  # `tools/list_changed` notifications received, on any session
        self._round: asyncio.Task[list[types.Tool]] | None = None
        self._next_round: asyncio.Future[list[types.Tool]] | None = None
        self._last: _Listing | None = None
        self._call_slots = asyncio.Semaphore(settings.max_concurrent_calls)

    # ── requests ────────────────────────────────────────────────────────────
    async def list_tools(self) -> list[types.Tool]:
        """Every tool the upstream lists (all pages); retried once on a fresh session."""
        try:
            return await self._list_once()
        except _SessionLost:
            log.info("MCP upstream %r: session lost while listing; reconnecting", self.name)
        try:
            return await self._list_once()
        except _SessionLost as lost:
            raise UpstreamError(f"MCP upstream {self.name!r} {lost}") from None

    def lost(self) -> bool:
        """The current session's transport has ended; the next request reconnects."""
        live = self._live
        return live is not None and live.transport_closed()

    async def call_tool(self, tool: str, arguments: dict[str, Any]) -> types.CallToolResult:
        """Call a tool (by its gateway name) once, in one of the connection's call slots."""
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                await self._call_slots.acquire()
        except TimeoutError:
            raise UpstreamBusyError(
                f"MCP upstream {self.name!r} already runs {self.settings.max_concurrent_calls} "
                "tool calls (max_concurrent_calls); try again shortly"
            ) from None
        try:
            return await self._call_once(tool, arguments)
        finally:
            self._call_slots.release()

    async def _call_once(self, tool: str, arguments: dict[str, Any]) -> types.CallToolResult:
        """Never retried: a failed call may already have had effects."""
        live = await self._session()
        timeout = self.settings.timeout_seconds
        upstream_name = self._upstream_names.get(tool, tool)
        try:
            async with asyncio.timeout(timeout + _CALL_GRACE_SECONDS):
                return await live.client.call_tool(
                    upstream_name, arguments, read_timeout_seconds=timeout
                )
        except MCPError as exc:
            if exc.code == CONNECTION_CLOSED:
                self._discard(live)
                raise UpstreamError(
                    f"MCP upstream {self.name!r} closed the session during tool {tool!r}; "
                    "not retried (the call may have run)"
                ) from None
            if exc.code == REQUEST_TIMEOUT:
                raise UpstreamError(f"tool {tool!r} timed out after {timeout:g} s") from None
            raise UpstreamError(
                f"MCP upstream {self.name!r} refused tool {tool!r}: {self.text.text(str(exc))}"
            ) from None
        except TimeoutError:
            self._discard(live)  # the write itself hung: the transport is wedged
            raise UpstreamError(f"tool {tool!r} timed out after {timeout:g} s") from None
        except RuntimeError:
            # The SDK's output-schema check; its message can quote result values (PHI).
            raise UpstreamError(
                f"tool {tool!r} returned a result its output schema does not allow"
            ) from None

    async def fresh_tools(self) -> list[types.Tool]:
        """A listing sent after this call was made; concurrent callers share one.

        A listing already in flight may predate the caller (it could miss a change made
        just before), so latecomers wait for the next round, which starts when the
        current one ends and then serves all of them."""
        if self._round is None:
            return await asyncio.shield(self._start_round())
        if self._next_round is None:
            self._next_round = asyncio.get_running_loop().create_future()
            self._next_round.add_done_callback(_retrieve)
        return await asyncio.shield(self._next_round)

    async def verified_tools(self, max_age: float) -> list[types.Tool]:
        """The tools as they are now: the last listing when nothing can have changed
        unseen since it was sent (see the module docstring), else `fresh_tools()`."""
        last = self._last
        if last is not None and self._vouches(last, max_age):
            return last.tools
        return await self.fresh_tools()

    def _vouches(self, last: _Listing, max_age: float) -> bool:
        return (
            last.live is self._live
            and last.live.usable()
            and not last.live.transport_closed()  # else the listing reconnects first
            and last.live.announces_changes()
            and last.notices == self.notices
            and time.monotonic() - last.sent < max_age
        )

    def _start_round(self) -> asyncio.Task[list[types.Tool]]:
        self.listings += 1
        task = asyncio.create_task(self.list_tools(), name=f"mcp-upstream-{self.name}-listing")
        task.add_done_callback(self._round_ended)
        self._round = task
        return task

    def _round_ended(self, task: asyncio.Task[list[types.Tool]]) -> None:
        _retrieve(task)  # every waiter may have been cancelled
        self._round = None
        waiting, self._next_round = self._next_round, None
        if waiting is None or waiting.done():
            return
        if self._closed:
            waiting.set_exception(UpstreamError(f"MCP connection {self.name!r} is closed"))
            return
        self._start_round().add_done_callback(lambda done: _settle(waiting, done))

    async def _list_once(self) -> list[types.Tool]:
        live = await self._session()
        notices, sent = self.notices, time.monotonic()  # before the request goes out
        tools: list[types.Tool] = []
        cursor: str | None = None
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                for _ in range(_MAX_PAGES):
                    page = await live.client.list_tools(cursor=cursor)
                    tools.extend(self._admitted(page.tools))
                    cursor = page.next_cursor
                    if cursor is None:
                        self._remember(_Listing(live, notices, sent, tools))
                        return tools
        except MCPError as exc:
            if exc.code not in (CONNECTION_CLOSED, REQUEST_TIMEOUT):
                raise UpstreamError(
                    f"MCP upstream {self.name!r} refused to list tools: {self.text.text(str(exc))}"
                ) from None
            self._discard(live)
            raise _SessionLost(
                f"lost its session while listing tools ({self.text.text(str(exc))})"
            ) from None
        except TimeoutError:
            self._discard(live)  # a listing should be quick: treat the upstream as wedged
            raise _SessionLost("did not list its tools in time") from None
        raise UpstreamError(f"MCP upstream {self.name!r} lists more than {_MAX_PAGES} pages")

    def _admitted(self, tools: list[types.Tool]) -> list[types.Tool]:
        """The listed tools under their gateway names with their text cleaned. A tool
        whose gateway name another listed tool (or a renamed one) already answers to is
        withheld, so a call always reaches exactly the tool its name was listed for."""
        admitted: dict[str, types.Tool] = {}
        clashing: set[str] = set()
        for tool in tools:
            cleaned = self.text.tool(tool)
            if cleaned is None:
                self._on_withheld("(a tool whose name needs masking or hides characters)")
                continue
            name = cleaned.name
            renamed_elsewhere = self._upstream_names.get(name, tool.name) != tool.name
            if name in admitted or renamed_elsewhere or name in clashing:
                admitted.pop(name, None)
                clashing.add(name)
                self._on_withheld(name)
                continue
            admitted[name] = cleaned
            if name != tool.name:
                self._upstream_names[name] = tool.name
        return list(admitted.values())

    def _remember(self, listing: _Listing) -> None:
        """Keep the most recently sent listing (concurrent ones may end out of order)."""
        if self._last is None or listing.sent >= self._last.sent:
            self._last = listing

    # ── the session and its owner task ──────────────────────────────────────
    async def _session(self) -> _Live:
        live = self._live
        if live is not None and live.usable() and not live.transport_closed():
            return live
        if live is not None and live.transport_closed():
            self._discard(live)  # ended between requests: nothing was sent on it
        async with self._connecting:  # concurrent first calls share one connect
            if self._closed:
                raise UpstreamError(f"MCP connection {self.name!r} is closed")
            live = self._live
            if live is not None and live.usable() and not live.transport_closed():
                return live
            self._live = await self._connect()
            self.opened += 1
            return self._live

    async def _connect(self) -> _Live:
        ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
        ready.add_done_callback(_retrieve)
        stop = asyncio.Event()
        owner = asyncio.create_task(self._own(ready, stop), name=f"mcp-upstream-{self.name}")
        self._owners.add(owner)
        owner.add_done_callback(self._owners.discard)
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                client = await asyncio.shield(ready)
        except TimeoutError:
            owner.cancel()
            raise UpstreamError(
                f"MCP upstream {self.name!r} did not complete its handshake in "
                f"{self.settings.timeout_seconds:g} s"
            ) from None
        except asyncio.CancelledError:
            owner.cancel()
            raise
        return _Live(client, stop, owner)

    async def _own(self, ready: asyncio.Future[Client], stop: asyncio.Event) -> None:
        """Enter, hold and exit the SDK client, all in this one task."""
        try:
            async with self._open() as client:
                if ready.done():  # the caller gave up waiting
                    return
                ready.set_result(client)
                await stop.wait()
        except Exception as exc:  # a background task: report, never raise
            reason = self.text.text(_describe(exc))[:200]  # cut after scrubbing
            if not ready.done():
                ready.set_exception(
                    UpstreamError(f"cannot reach MCP upstream {self.name!r}: {reason}")
                )
            else:
                log.info("MCP upstream %r: session ended: %s", self.name, reason)
        finally:
            if not ready.done():
                ready.set_exception(UpstreamError(f"MCP connection {self.name!r} is closed"))

    @contextlib.asynccontextmanager
    async def _open(self) -> AsyncIterator[Client]:
        """An MCP session to the upstream with the gateway's credentials (no caller token)."""
        async with contextlib.AsyncExitStack() as stack:
            if self.settings.url is not None:
                headers = {k: v.reveal() for k, v in self.settings.headers.items()}
                http = await stack.enter_async_context(
                    httpx2.AsyncClient(
                        headers=headers,
                        timeout=httpx2.Timeout(self.settings.timeout_seconds),
                        event_hooks=keep_alive_hooks(),
                    )
                )
                server: Any = streamable_http_client(self.settings.url, http_client=http)
            else:
                env = {k: v.reveal() for k, v in self.settings.env.items()}
                server = StdioServerParameters(
                    command=self.settings.command[0],
                    args=list(self.settings.command[1:]),
                    env=env,
                )
            client = Client(server, cache=None, mode="legacy", message_handler=self._on_message)
            yield await stack.enter_async_context(client)

    async def _on_message(self, message: IncomingMessage) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            self.notices += 1  # no listing sent before now vouches for the tools any more
            self._on_tools_changed()
        elif isinstance(message, Exception):
            reason = self.text.text(_describe(message))[:200]
            log.info("MCP upstream %r: transport error: %s", self.name, reason)

    def _discard(self, live: _Live) -> None:
        """Stop a dead session's owner (it exits the client in its own task)."""
        if self._live is live:
            self._live = None
        live.stop.set()

    async def close(self) -> None:
        """Close the session and wait for its owner task (and any stdio process) to end."""
        async with self._connecting:
            self._closed = True
            if self._live is not None:
                self._discard(self._live)
            listing, self._round = self._round, None
            if listing is not None:
                listing.cancel()
        if listing is not None:
            await asyncio.wait([listing])
        owners = set(self._owners)
        if not owners:
            return
        _done, pending = await asyncio.wait(owners, timeout=_CLOSE_SECONDS)
        for owner in pending:
            owner.cancel()
        if pending:
            await asyncio.wait(pending)


class _SessionLost(Exception):
    """The session died under a request; the request may be retried if idempotent."""


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark an outcome retrieved even when every caller stopped waiting for it."""
    if not future.cancelled():
        future.exception()


def _settle(
    waiting: asyncio.Future[list[types.Tool]], done: asyncio.Task[list[types.Tool]]
) -> None:
    """Hand a finished listing round's outcome to the callers waiting for it."""
    if waiting.done():
        return
    if done.cancelled():
        waiting.set_exception(UpstreamError("the tool listing was cancelled (connection closed)"))
    elif (error := done.exception()) is not None:
        waiting.set_exception(error)
    else:
        waiting.set_result(done.result())


def own_secrets(settings: McpConnection) -> list[tuple[str, str]]:
    """The credentials a connection hands its upstream (headers, stdio env)."""
    named = [(f"header {k}", v.reveal()) for k, v in settings.headers.items()]
    named += [(k, v.reveal()) for k, v in settings.env.items()]
    return named


def _describe(exc: BaseException) -> str:
    """The first leaf exception's type and message, for logs and errors (no payloads);
    upstream text: the caller cleans it, then cuts it short."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, httpx2.HTTPError | OSError):
        return type(exc).__name__
    return f"{type(exc).__name__}: {exc}"
