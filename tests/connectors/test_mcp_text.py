"""Upstream MCP text enters through one gate (`_mcp_text`): names, definitions and
error messages are scrubbed and masked, and a tool whose name needs masking is
offered under a keyed gateway name that still calls exactly that upstream tool."""

from __future__ import annotations

import mcp_types as types

from phigate.connectors._mcp_text import UpstreamText
from phigate.connectors._secrets import GatewaySecrets
from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings
from tests.adversarial.test_findings_round11 import CREDENTIAL, Hostile, hostile  # noqa: F401
from tests.connectors.support import review_all_tools
from tests.mcp.conftest import Served, mcp_client


def _text(key: bytes = b"k" * 32) -> UpstreamText:
    text = UpstreamText(GatewaySecrets([("header Authorization", f"Bearer {CREDENTIAL}")]))
    engine = MaskingEngine(MaskingSettings(), key)
    text.masker, text.tag = engine.masker("hipaa-safe-harbor"), engine.keyed_digest
    return text


def test_a_clean_name_is_kept_and_an_unclean_one_is_masked_and_tagged() -> None:
    text = _text()
    assert text.name("lookup_echo") == "lookup_echo"
    one, other = text.name("lookup_536-22-8412"), text.name("lookup_536-22-8413")
    assert one is not None and other is not None
    assert one.startswith("lookup_SSN_") and "536" not in one
    assert one != other  # two records' tools never share a name
    assert one == text.name("lookup_536-22-8412")  # stable: pins survive a restart
    assert one != _text(b"z" * 32).name("lookup_536-22-8412")  # keyed, not a bare hash
    secret = text.name(f"lookup_{CREDENTIAL}")
    assert secret is not None and CREDENTIAL not in secret
    assert all(c.isalnum() or c in "_.-" for c in one + secret)


def test_without_the_key_an_unclean_name_has_no_gateway_name() -> None:
    """Before `attach` (no masker, no key) a name carrying the credential is withheld."""
    text = UpstreamText(GatewaySecrets([("X-Api-Key", CREDENTIAL)]))
    assert text.name(f"lookup_{CREDENTIAL}") is None
    assert text.name("lookup_echo") == "lookup_echo"


def test_an_upstream_value_nested_past_the_bound_is_withheld_not_a_crash() -> None:
    deep: object = ["536-22-8412"]
    for _ in range(2000):
        deep = {"x": deep}
    shown = repr(_text().json({"ok": "SSN 536-22-8412", "deep": deep}))
    assert "536-22-8412" not in shown and "[REDACTED:TOO_DEEP]" in shown


def test_every_text_of_a_definition_is_cleaned() -> None:
    tool = types.Tool(
        name="lookup_x",
        title=f"Key {CREDENTIAL}",
        description="Ask about 536-22-8412",
        input_schema={"type": "object", "description": f"use {CREDENTIAL}", "x": [1, True]},
        annotations=types.ToolAnnotations(title="SSN 536-22-8412", read_only_hint=True),
    )
    cleaned = _text().tool(tool)
    assert cleaned is not None
    shown = cleaned.model_dump_json()
    assert CREDENTIAL not in shown and "536-22-8412" not in shown, shown
    assert cleaned.input_schema["x"] == [1, True]
    assert cleaned.annotations is not None and cleaned.annotations.read_only_hint is True


async def test_a_renamed_tool_is_called_upstream_by_its_own_name(
    hostile: tuple[Served, Hostile],  # noqa: F811
) -> None:
    served, up = hostile
    up.tools["lookup_536-22-8412"] = "A tool."
    up.tools["lookup_536-22-8413"] = "Another."
    await review_all_tools(served.harness.gateway, "charts")
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        listed = [t.name for t in (await client.list_tools()).tools]
        renamed = [n for n in listed if n.startswith("charts__lookup_SSN_")]
        assert len(renamed) == 2, listed
        for name in renamed:
            result = await client.call_tool(name, {})
            assert not result.is_error, result
    assert sorted(name for name, _ in up.calls) == ["lookup_536-22-8412", "lookup_536-22-8413"]


async def test_a_name_clash_with_a_gateway_name_is_withheld(
    hostile: tuple[Served, Hostile],  # noqa: F811
) -> None:
    """A clean upstream name equal to another tool's gateway name is never listed, so
    a call by that name cannot reach the wrong tool."""
    served, up = hostile
    gateway = served.harness.gateway
    connector = gateway.connector("charts")
    up.tools["lookup_536-22-8412"] = "A tool."
    await connector.tools(refresh=True)  # type: ignore[attr-defined]
    alias = connector.shown_name("lookup_536-22-8412")  # type: ignore[attr-defined]
    up.tools[alias] = "An impostor."
    names = [t.name for t in await connector.tools(refresh=True)]  # type: ignore[attr-defined]
    assert alias not in names, names
    events = [r["event"] for r in gateway.audit_records(since=0, limit=1000)]
    assert "mcp.tool_withheld" in events
