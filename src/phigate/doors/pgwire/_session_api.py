"""What the parts of a wire session see of it, kept apart from `session` so the
parts (`_writes`) and the state machine do not import each other.

`SessionIo` is what a session needs from the connection around it; `WriteSession`
is what the writer path (`_writes`) uses of a `Session`; `Held` is an extended-protocol
write waiting for the client's Sync.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from phigate.core.actions import Description
from phigate.doors.pgwire._admission import Admission
from phigate.doors.pgwire._codec import Message
from phigate.doors.pgwire._copyin import CopyIn
from phigate.doors.pgwire._relay import Expect, Portal, Relay, Statement
from phigate.doors.pgwire.settings import PgWireSettings
from phigate.identity.principal import Principal
from phigate.pipeline.gateway import Gateway


class SessionIo(Protocol):
    """What the session needs from the connection around it."""

    client_addr: str | None
    is_tls: bool
    is_loopback: bool
    tls_available: bool
    reads_only: bool  # the upstream logs in as the reader role (see _writer)

    def to_client(self, data: bytes) -> None: ...
    def to_upstream(self, data: bytes) -> None: ...
    def flush_upstream(self) -> None: ...  # send what to_upstream collected, now
    async def start_tls(self) -> None: ...
    async def open_upstream(self, params: dict[str, str]) -> dict[str, str]: ...
    async def cancel(self, pid: int, secret: int) -> None: ...
    def close(self) -> None: ...


State = Callable[[Message], Awaitable[None]]


@dataclass(eq=False)
class Held:
    """An extended-protocol write whose Execute arrived, waiting for the client's next
    message: it runs only if that is Sync (see `held_message`)."""

    portal: Portal
    description: Description


class WriteSession(Protocol):
    """What the writer path (`_writes`) reads and drives of a `Session`."""

    gateway: Gateway
    connection: str
    io: SessionIo
    settings: PgWireSettings
    state: State
    principal: Principal | None
    relay: Relay | None
    admission: Admission | None
    syncs_sent: int
    copy: CopyIn | None
    held: Held | None  # an extended-protocol write waiting for its Sync (`_writes`)
    _answered: asyncio.Event

    def state_ready(self, msg: Message) -> Awaitable[None]: ...
    async def state_copy_in(self, msg: Message) -> None: ...
    async def state_write_held(self, msg: Message) -> None: ...
    def _forward(self, data: bytes, expect: Expect | None) -> None: ...
    def _refuse_extended(self, error: bytes) -> None: ...
    def _refuse_query(self, error: bytes) -> None: ...
    def _on_writer(self, description: Description) -> bool: ...
    async def _describe_hidden(self, statement: Statement) -> None: ...
    def _close(self) -> None: ...
