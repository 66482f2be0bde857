"""The connector seam: one required method, `run`; `stream` and `refine` are optional."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from phigate.audit.chain import AuditLog
from phigate.core.actions import Action, Description
from phigate.masking.engine import Masker
from phigate.store import Database


@dataclass
class Result:
    """A masked result. `payload` goes to the caller; `summary` to the audit log."""

    payload: dict[str, Any]
    masked: dict[str, int] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


class Connector(Protocol):
    kind: str  # the action kind it runs: "sql", "exec", "http", "mcp_tool"

    def describe(self, action: Action) -> Description:
        """What the action would do: risk class, objects touched, reasons. Pure."""
        ...

    async def run(self, action: Action, description: Description, masker: Masker) -> Result:
        """Run `action` upstream with the gateway's own credentials; mask before returning."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class StreamingConnector(Protocol):
    """A connector that can also hand out its masked output while the action runs."""

    def stream(
        self, action: Action, description: Description, masker: Masker
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Masked output events (`{"stream": name, "text": …}`) as they come, then one
        summary event without a "stream" key: what the audit log records. Closing or
        cancelling the generator stops the action upstream."""
        ...


# Told when the upstream has entered COPY IN: its overall format and column formats.
CopyBegan = Callable[[int, tuple[int, ...]], None]


@runtime_checkable
class CopyInConnector(Protocol):
    """A connector that can stream a client's COPY … FROM STDIN data upstream."""

    async def copy_in(
        self, action: Action, masker: Masker, data: AsyncIterator[bytes], began: CopyBegan
    ) -> dict[str, Any]:
        """Run the COPY with the gateway's writer credentials, feeding it `data` as it
        comes (never all of it in memory); an exception raised by `data` aborts it (the
        transaction rolls back). Returns the summary the audit records."""
        ...


@runtime_checkable
class StatefulConnector(Protocol):
    """A connector that keeps state of its own in the gateway's state store, recorded in
    its audit log (the MCP connector's tool pins), and shows what a remote side chose
    only through the audit masker (and a keyed digest, `MaskingEngine.keyed_digest`).
    The gateway hands them over as it builds
    itself, so nothing reaches into its stores afterwards."""

    def attach(
        self, db: Database, audit: AuditLog, masker: Masker, tag: Callable[[str, str], str]
    ) -> None: ...


@runtime_checkable
class RefiningConnector(Protocol):
    """A connector that can sharpen a description by asking the upstream (planner
    estimates, the columns behind `*`) before policy decides."""

    async def refine(self, action: Action, description: Description) -> Description: ...

    def refines_alike(self, action: Action, description: Description) -> bool:
        """Whether `refine` gives the same answer for every run of this statement text;
        only then may a decision on the refined description be reused
        (`phigate.pipeline.outcome.Decided`)."""
        ...

    def decided_on(self) -> object:
        """What `refines_alike` rests on now (the catalog in force, by its generation):
        a reused decision holds only while this compares equal to what it recorded."""
        ...
