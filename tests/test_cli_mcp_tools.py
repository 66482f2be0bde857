"""`phigate mcp-tools list|show|repin` over a real state store and a real upstream MCP server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from phigate.audit.chain import AuditLog
from phigate.cli import main
from phigate.store import Database
from tests.conftest import demo_config
from tests.connectors.test_mcp_repin import POISONED, POISONED_SEEN, charts_connection
from tests.mcp.conftest import serve_app
from tests.mcp.upstream_server import Upstream


@dataclass
class Setup:
    config: Path
    state_url: str
    upstream: Upstream

    async def run(self, *args: str, answer: str | None = None) -> tuple[int, str]:
        """The CLI in a thread: it runs its own event loop; the upstream is served in ours."""
        argv = [*args[:2], "--config", str(self.config), *args[2:]]
        result = await asyncio.to_thread(CliRunner().invoke, main, argv, input=answer)
        return result.exit_code, result.output

    async def pins(self) -> dict[str, dict[str, Any]]:
        code, output = await self.run("mcp-tools", "list", "charts", "--json")
        assert code == 0, output
        return {p["tool"]: p for p in json.loads(output)}

    async def review_all(self) -> dict[str, dict[str, Any]]:
        """An operator pins every held tool after reviewing it; the pins afterwards."""
        for tool, pin in (await self.pins()).items():
            if not pin["reviewed"]:
                code, output = await self.run(
                    "mcp-tools", "repin", "charts", tool, "--digest", pin["upstream_digest"],
                    "--reason", "reviewed before first use", "--yes",
                )  # fmt: skip
                assert code == 0, output
        return await self.pins()

    def events(self, name: str) -> list[dict[str, Any]]:
        records = AuditLog(Database(self.state_url)).records(since=0, limit=10_000)
        return [r for r in records if r["event"] == name]


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    up = Upstream()
    async with serve_app(up.app()) as base:
        settings = demo_config(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
        s = settings.secrets
        data = settings.model_dump(mode="json") | {
            "secrets": {"token_hash_key": s.token_hash_key.ref, "masking_key": s.masking_key.ref},
            "connections": {"charts": charts_connection(f"{base}/mcp")},
        }
        path = tmp_path / "phigate.yaml"
        path.write_text(yaml.safe_dump(data))
        yield Setup(path, settings.state.url, up)


async def test_list_show_and_repin_a_changed_tool(setup: Setup) -> None:
    held = await setup.pins()  # first sight: every tool is held until it is reviewed
    assert {(p["status"], p["reviewed"]) for p in held.values()} == {("changed", False)}
    assert {p["pinned_digest"] for p in held.values()} == {""}
    assert len(setup.events("mcp.tool_held")) == len(held)
    first = await setup.review_all()
    assert {(p["status"], p["reviewed"]) for p in first.values()} == {("pinned", True)}
    reviews = len(first)
    code, table = await setup.run("mcp-tools", "list", "charts")
    assert code == 0 and "lookup_patient" in table and "first seen" in table

    setup.upstream.descriptions["lookup_patient"] = POISONED
    changed = (await setup.pins())["lookup_patient"]
    assert changed["status"] == "changed"
    new = changed["upstream_digest"]
    assert new != first["lookup_patient"]["pinned_digest"]

    code, shown = await setup.run("mcp-tools", "show", "charts", "lookup_patient")
    assert code == 0, shown
    assert f"+{POISONED_SEEN}" in shown and "-Look up a patient's chart summary by MRN." in shown
    assert f"--digest {new}" in shown

    code, output = await setup.run(
        "mcp-tools", "repin", "charts", "lookup_patient", "--digest", "0" * 64,
        "--reason", "x", "--yes",
    )  # fmt: skip
    assert code == 6 and "changed since review" in output and output.count("\n") == 1
    assert len(setup.events("mcp.tool_repinned")) == reviews

    code, output = await setup.run(
        "mcp-tools", "repin", "charts", "lookup_patient", "--digest", new,
        "--reason", "reviewed the wording", "--by", "carol", "--yes",
    )  # fmt: skip
    assert code == 0, output
    assert "re-pinned charts/lookup_patient" in output
    record = setup.events("mcp.tool_repinned")[reviews]
    assert record["who"]["subject"] == "carol" and record["who"]["via"] == "cli"
    assert record["what"]["new_digest"] == new
    assert (await setup.pins())["lookup_patient"]["status"] == "pinned"
    code, verified = await setup.run("audit", "verify")
    # No gateway ran to sign a checkpoint: with the key configured that is a failure...
    assert code == 1 and "no signed checkpoint" in verified, verified
    assert (await setup.run("audit", "export"))[0] == 0  # ...until one is signed
    code, verified = await setup.run("audit", "verify")
    assert code == 0 and "intact" in verified, verified


async def test_repin_asks_first_and_refuses_clearly(setup: Setup) -> None:
    await setup.review_all()
    setup.upstream.descriptions["lookup_patient"] = POISONED
    new = (await setup.pins())["lookup_patient"]["upstream_digest"]
    args = ("mcp-tools", "repin", "charts", "lookup_patient", "--digest", new, "--reason", "ok")

    code, output = await setup.run(*args, answer="n\n")
    assert code == 1 and "Aborted" in output
    assert (await setup.pins())["lookup_patient"]["status"] == "changed"

    code, output = await setup.run(*args, answer="y\n")
    assert code == 0, output
    code, output = await setup.run(*args, "--yes")
    assert code == 6 and "has not changed" in output

    code, output = await setup.run("mcp-tools", "list", "nowhere")
    assert code == 5 and "no MCP connection 'nowhere'" in output
    code, output = await setup.run("mcp-tools", "show", "charts", "nope")
    assert code == 5 and "no pinned tool 'nope'" in output
