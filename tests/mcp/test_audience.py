"""OIDC access tokens at /mcp must name the MCP resource when `mcp.audience` is set
(RFC 8707): a token issued for the gateway's REST API alone is refused there, with
the same 401 and metadata pointer as any bad token, and audited."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from phigate.doors.app import build_app
from tests.conftest import demo_config, make_harness
from tests.mcp.conftest import mcp_client, serve_app
from tests.support.oidc_provider import oidc_provider

MCP_RESOURCE = "https://gateway.example.org/mcp"


async def test_only_tokens_for_the_mcp_resource_open_an_mcp_session(
    tmp_path: Path, ehr_dsn: str
) -> None:
    with oidc_provider() as idp:
        settings = demo_config(
            tmp_path,
            ehr_dsn,
            overrides={
                "identity": {"oidc": {"issuer": idp.issuer, "audience": "phigate"}},
                "mcp": {"audience": MCP_RESOURCE},
            },
        )
        harness = await make_harness(settings)
        rest_only = idp.issue(sub="carol", groups=["clinicians"], aud="phigate")
        for_mcp = idp.issue(sub="carol", groups=["clinicians"], aud=["phigate", MCP_RESOURCE])
        mcp_only = idp.issue(sub="carol", groups=["clinicians"], aud=MCP_RESOURCE)
        try:
            async with serve_app(build_app(harness.gateway)) as base:
                async with httpx2.AsyncClient() as http:
                    refused = await http.post(
                        f"{base}/mcp",
                        headers={"Authorization": f"Bearer {rest_only}"},
                        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                    )
                    rest = await http.get(
                        f"{base}/v1/approvals", headers={"Authorization": f"Bearer {rest_only}"}
                    )
                    wrong_gateway = await http.post(
                        f"{base}/mcp",
                        headers={"Authorization": f"Bearer {mcp_only}"},
                        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                    )
                assert rest.status_code == 200  # the same token is good for REST
                assert refused.status_code == 401
                challenge = refused.headers["www-authenticate"]
                assert 'error="invalid_token"' in challenge and MCP_RESOURCE in challenge
                assert "resource_metadata=" in challenge
                # Without the gateway's own audience the token fails the OIDC check first.
                assert wrong_gateway.status_code == 401

                async with mcp_client(f"{base}/mcp", for_mcp) as client:
                    tools = await client.list_tools()
                assert {t.name for t in tools.tools} >= {"query"}
                with pytest.raises(Exception):  # noqa: B017 - the SDK raises its own error for 401
                    async with mcp_client(f"{base}/mcp", rest_only) as client:
                        await client.list_tools()
        finally:
            await harness.gateway.close()
        refusals = [r for r in harness.gateway.audit_records() if r["event"] == "auth.refused"]
        assert any(MCP_RESOURCE in str(r) for r in refusals)
