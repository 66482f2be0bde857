"""The one gate for text an upstream MCP server chooses.

Tool names, titles, descriptions and schemas, and the messages of its errors (a
refused `initialize`, a failed listing, a failed call) all pass here as they enter
the gateway, before anything shows them to an agent, a reviewer or the audit log:
the gateway's own credentials for the connection are scrubbed (every form
`_secrets` knows), encoded bytes pass the byte guard, then the audit masker masks
what it detects (`GuardedMasker`).

A tool whose *name* carries either is renamed, not dropped: an upstream may offer
one tool per record, and an agent may still need it (held for review as any new
tool). Its gateway name is the masked name made MCP-safe plus a tag keyed by the
masking key (`lookup_SSN_3fa2b1c4d5e6`): the masked part tells a reviewer what was
there, the tag makes it one tool's name (every `lookup_[SSN]` differs) without
being reversible (an unkeyed hash of an SSN is). The session maps the gateway name
back to the upstream's only when calling, so pins, decisions, approvals and audit
records all carry the gateway name; the pre-call check binds a call to exactly the
pinned tool. A name that would clash with another listed tool is withheld, and so
is a name a reviewer cannot read as it is (a zero-width space, a direction override,
a look-alike letter: anything the reviewer rendering, `phigate.reviewing.reveal`,
escapes): it could not be told apart from another, so it cannot be pinned.

A cleaned tool carries the digest of the definition *as the upstream sent it*
(`upstream_digest`): pins and the pre-call check compare that, so a change the
masking hides (a default address swapped inside `[EMAIL]`) is still a change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import mcp_types as types
from pydantic import PrivateAttr

from phigate.connectors._byte_guard import GuardedMasker
from phigate.connectors._secrets import GatewaySecrets
from phigate.masking._json import TOO_DEEP
from phigate.masking._json_text import DRIVER_DEPTH
from phigate.masking.engine import Masker
from phigate.reviewing import reveal

# Separators MCP allows in a name; detectors want word boundaries around a value.
_NAME_SEPARATORS = re.compile(r"[_.]")
_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")
_TAG_CHARS = 12
_PURPOSE = "phigate.mcp.tool-name"
# Cleaned definitions kept, by the upstream's own: the pre-call check lists before
# calls, and masking every description each time would cost more than the listing.
_KEPT = 4096


def tool_definition(tool: types.Tool) -> dict[str, Any]:
    """What an agent is told about a tool: everything a poisoned update could change."""
    return {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "input_schema": tool.input_schema,
        "output_schema": tool.output_schema,
        "annotations": tool.annotations.model_dump(mode="json") if tool.annotations else None,
    }


def digest(definition: dict[str, Any]) -> str:
    encoded = json.dumps(definition, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def shown_json(value: Any, hidden: list[str] | None = None) -> Any:
    """An upstream's JSON value (a tool definition) as a person or an agent is shown
    it: every string, keys too, through the reviewer's escaping rule (`reveal`), so a
    tag character, direction override or zero-width space reads as its escape.
    Why each character was escaped is added to `hidden`."""
    if isinstance(value, str):
        text = reveal(value, keep_breaks=True)
        if hidden is not None:
            hidden.extend(text.hidden)
        return text.text
    if isinstance(value, list):
        return [shown_json(v, hidden) for v in value]
    if isinstance(value, dict):
        return {shown_json(str(k), hidden): shown_json(v, hidden) for k, v in value.items()}
    return value


class CleanedTool(types.Tool):
    """A tool as the gateway shows it (cleaned), with the digest of its upstream form."""

    _upstream_digest: str = PrivateAttr(default="")


def upstream_digest(tool: types.Tool) -> str:
    """The digest pins bind to: of the definition as the upstream sent it, before any
    scrubbing or masking. A tool not cleaned here is taken as it is (its own form)."""
    if isinstance(tool, CleanedTool) and tool._upstream_digest:
        return tool._upstream_digest
    return digest(tool_definition(tool))


class UpstreamText:
    """Scrubs and masks upstream text; masks once the gateway hands over its masker."""

    def __init__(self, secrets: GatewaySecrets | Callable[[], GatewaySecrets]) -> None:
        # A callable: the registry of every secret the gateway holds (`held_secrets`),
        # filled after this connection is built and read again as its files change.
        self._secrets = secrets
        self.masker: Masker | None = None  # set by `McpConnector.attach`
        self.tag: Callable[[str, str], str] | None = None  # keyed digest, idem
        self._cleaned: dict[str, CleanedTool | None] = {}

    @property
    def secrets(self) -> GatewaySecrets:
        return self._secrets if isinstance(self._secrets, GatewaySecrets) else self._secrets()

    def text(self, text: str) -> str:
        secrets = self.secrets
        scrubbed = secrets.scrub(text, {})
        if self.masker is None:
            return scrubbed
        return GuardedMasker(self.masker, secrets, keep_blobs=False).text(scrubbed, {})

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
        form plus a keyed tag (see the module docstring); None without the key, or when
        a reviewer could not read the name as it is."""
        if reveal(name).hidden:
            return None
        spaced = _NAME_SEPARATORS.sub(" ", name)
        shown = self.text(spaced)
        if self.secrets.scrub(name, {}) == name and shown == spaced:
            return name
        if self.tag is None:  # not attached: no key, so no stable name to offer
            return None
        masked = _NOT_NAME.sub("_", shown).strip("_")[:100]
        return f"{masked}_{self.tag(_PURPOSE, name)[:_TAG_CHARS]}"

    def tool(self, tool: types.Tool) -> CleanedTool | None:
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

    def _clean(self, tool: types.Tool) -> CleanedTool | None:
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
        cleaned = CleanedTool.model_construct(tool.model_fields_set, **{**dict(tool), **fields})
        cleaned._upstream_digest = digest(tool_definition(tool))
        return cleaned
