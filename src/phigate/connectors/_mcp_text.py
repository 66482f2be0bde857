"""The one gate for text an upstream MCP server chooses.

Tool names, titles, descriptions and schemas, and the messages of its errors (a
refused `initialize`, a failed listing, a failed call) all pass here as they enter
the gateway, before anything shows them to an agent, a reviewer or the audit log:
the gateway's own credentials for the connection are scrubbed (every form
`_secrets` knows), then the audit masker masks what it detects.

A tool whose *name* carries either is renamed, not dropped: an upstream may offer
one tool per record, and an agent may still need it (held for review as any new
tool). Its gateway name is the masked name made MCP-safe plus a tag keyed by the
masking key (`lookup_SSN_3fa2b1c4d5e6`): the masked part tells a reviewer what was
there, the tag makes it one tool's name (every `lookup_[SSN]` differs) without
being reversible (an unkeyed hash of an SSN is). The session maps the gateway name
back to the upstream's only when calling, so pins, decisions, approvals and audit
records all carry the gateway name; the pre-call check binds a call to exactly the
pinned tool. A name that would clash with another listed tool is withheld.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import mcp_types as types

from phigate.connectors._secrets import GatewaySecrets
from phigate.masking._json import TOO_DEEP
from phigate.masking._json_text import DRIVER_DEPTH
from phigate.masking.engine import Masker

# Separators MCP allows in a name; detectors want word boundaries around a value.
_NAME_SEPARATORS = re.compile(r"[_.]")
_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")
_TAG_CHARS = 12
_PURPOSE = "phigate.mcp.tool-name"
# Cleaned definitions kept, by the upstream's own: the pre-call check lists before
# calls, and masking every description each time would cost more than the listing.
_KEPT = 4096


class UpstreamText:
    """Scrubs and masks upstream text; masks once the gateway hands over its masker."""

    def __init__(self, secrets: GatewaySecrets | Callable[[], GatewaySecrets]) -> None:
        # A callable: the registry of every secret the gateway holds (`held_secrets`),
        # filled after this connection is built and read again as its files change.
        self._secrets = secrets
        self.masker: Masker | None = None  # set by `McpConnector.attach`
        self.tag: Callable[[str, str], str] | None = None  # keyed digest, idem
        self._cleaned: dict[str, types.Tool | None] = {}

    @property
    def secrets(self) -> GatewaySecrets:
        return self._secrets if isinstance(self._secrets, GatewaySecrets) else self._secrets()

    def text(self, text: str) -> str:
        scrubbed = self.secrets.scrub(text, {})
        return self.masker.mask_text(scrubbed).text if self.masker is not None else scrubbed

    def json(self, value: Any, depth: int = DRIVER_DEPTH) -> Any:
        """Every string of a JSON value, keys included; structure (and types) kept. A
        list or object nested deeper than `depth` (the upstream's) is withheld whole."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | dict) and depth <= 0:
            return TOO_DEEP
        if isinstance(value, list):
            return [self.json(v, depth - 1) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v, depth - 1) for k, v in value.items()}
        return value

    def name(self, name: str) -> str | None:
        """The gateway's name for an upstream tool: itself when clean, else its masked
        form plus a keyed tag (see the module docstring); None without the key."""
        spaced = _NAME_SEPARATORS.sub(" ", name)
        shown = self.text(spaced)
        if self.secrets.scrub(name, {}) == name and shown == spaced:
            return name
        if self.tag is None:  # not attached: no key, so no stable name to offer
            return None
        masked = _NOT_NAME.sub("_", shown).strip("_")[:100]
        return f"{masked}_{self.tag(_PURPOSE, name)[:_TAG_CHARS]}"

    def tool(self, tool: types.Tool) -> types.Tool | None:
        """The tool under its gateway name, with every text it carries cleaned; None
        when it has no gateway name (withheld)."""
        if self.masker is None:  # not attached yet: nothing kept from before the key
            return self._clean(tool)
        raw = tool.model_dump_json(by_alias=True)
        if raw not in self._cleaned:
            if len(self._cleaned) >= _KEPT:
                self._cleaned.clear()
            self._cleaned[raw] = self._clean(tool)
        return self._cleaned[raw]

    def _clean(self, tool: types.Tool) -> types.Tool | None:
        name = self.name(tool.name)
        if name is None:
            return None
        fields: dict[str, Any] = {
            "name": name,
            "title": self.text(tool.title) if tool.title is not None else None,
            "description": self.text(tool.description) if tool.description is not None else None,
            "input_schema": self.json(tool.input_schema),
            "output_schema": self.json(tool.output_schema),
        }
        if tool.annotations is not None:
            dumped = tool.annotations.model_dump(mode="json", by_alias=True, exclude_none=True)
            fields["annotations"] = types.ToolAnnotations.model_validate(self.json(dumped))
        return tool.model_copy(update=fields)
