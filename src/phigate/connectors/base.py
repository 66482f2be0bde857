"""The connector seam: one required method, `run`; `stream` and `refine` are optional."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from phigate.actions import Action, Description
from phigate.masking.engine import Masker


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


@runtime_checkable
class RefiningConnector(Protocol):
    """A connector that can sharpen a description by asking the upstream (planner
    estimates, the columns behind `*`) before policy decides."""

    async def refine(self, action: Action, description: Description) -> Description: ...
