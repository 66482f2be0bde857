"""Console sign-in with OIDC authorization code + PKCE against the local provider."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import demo_config, make_harness
from tests.support.oidc_provider import oidc_provider


async def test_code_flow_with_pkce_signs_in_and_checks_state(tmp_path: Path, ehr_dsn: str) -> None:
    with oidc_provider(login_subject="carol", login_groups=("data-owners",)) as idp:
        settings = demo_config(
            tmp_path,
            ehr_dsn,
            overrides={
                "identity": {"oidc": {"issuer": idp.issuer, "audience": "phigate"}},
                "console": {"oidc_client_id": "phigate-console"},
            },
        )
        h = await make_harness(settings)
        browser = httpx.AsyncClient(transport=h.client._transport, base_url="http://127.0.0.1")
        try:
            start = await browser.get("/ui/login/oidc")
            assert start.status_code == 303
            authorize = start.headers["location"]
            assert authorize.startswith(f"{idp.issuer}/authorize?")
            assert "code_challenge_method=S256" in authorize
            async with httpx.AsyncClient() as provider:
                back = (await provider.get(authorize)).headers["location"]
            path = back.removeprefix("http://127.0.0.1")
            tampered = await browser.get(path.replace("state=", "state=x"))
            assert tampered.status_code == 400  # state mismatch
            done = await browser.get(path)
            assert done.status_code == 303 and done.headers["location"] == "/ui/approvals"
            inbox = await browser.get("/ui/approvals")
            assert inbox.status_code == 200 and "carol" in inbox.text
            again = await browser.get(path)  # a code is redeemed once
            assert again.status_code == 400
        finally:
            await browser.aclose()
            await h.client.aclose()
            await h.gateway.close()


async def test_a_pasted_oidc_access_token_keeps_its_session(tmp_path: Path, ehr_dsn: str) -> None:
    """Sessions end with their API token; a pasted OIDC access token is no API token and
    its session lives on (phigate cannot revoke it; the IdP's lifetime applies)."""
    from tests.console.conftest import csrf_of

    with oidc_provider() as idp:
        settings = demo_config(
            tmp_path,
            ehr_dsn,
            overrides={"identity": {"oidc": {"issuer": idp.issuer, "audience": "phigate"}}},
        )
        h = await make_harness(settings)
        browser = httpx.AsyncClient(transport=h.client._transport, base_url="http://127.0.0.1")
        try:
            page = await browser.get("/ui/login")
            token = idp.issue(sub="Carol", groups=["data-owners"])
            form = {"token": token, "csrf": csrf_of(page.text), "next": "/ui/approvals"}
            assert (await browser.post("/ui/login/token", data=form)).status_code == 303
            for _ in range(2):
                inbox = await browser.get("/ui/approvals")
                assert inbox.status_code == 200 and "carol" in inbox.text
        finally:
            await browser.aclose()
            await h.client.aclose()
            await h.gateway.close()
