"""Console fixtures: sign in through the real forms, as a browser would."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from phigate.doors.app import build_app
from phigate.ops.bootstrap import build_gateway
from phigate.ops.demo.identities import IDENTITIES
from phigate.pipeline.gateway import Gateway
from tests.conftest import Harness, demo_config
from tests.support.state import token_store

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match is not None, "no CSRF field on the page"
    return match.group(1)


async def sign_in(h: Harness, subject: str, *, how: str = "demo") -> httpx.AsyncClient:
    """A fresh cookie jar signed in as `subject` (demo buttons or a pasted token)."""
    client = httpx.AsyncClient(transport=h.client._transport, base_url="http://127.0.0.1")
    page = await client.get("/ui/login")
    assert page.status_code == 200
    if how == "demo":
        form = {"subject": subject, "csrf": csrf_of(page.text), "next": "/ui/approvals"}
        answer = await client.post("/ui/login/demo", data=form)
    else:
        form = {"token": h.tokens[subject], "csrf": csrf_of(page.text), "next": "/ui/approvals"}
        answer = await client.post("/ui/login/token", data=form)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/ui/approvals"
    return client


@dataclass
class LiveGateway:
    gateway: Gateway
    url: str
    tokens: dict[str, str]

    def submit(self, subject: str, sql: str, wait: float = 0) -> httpx.Response:
        return httpx.post(
            f"{self.url}/v1/actions",
            timeout=wait + 30,
            headers={"Authorization": f"Bearer {self.tokens[subject]}"},
            json={
                "connection": "ehr",
                "sql": sql,
                "wait": wait,
                "reason": "claim 2 was paid by phone",
            },
        )


@pytest.fixture
def live(tmp_path: Path, ehr_dsn: str) -> Iterator[LiveGateway]:
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"console": {"demo_sign_in": True, "poll_seconds": 0.5}}
    )
    gateway = build_gateway(settings, migrate=True)
    tokens = {
        i.subject: token_store(gateway).create(
            subject=i.subject, kind=i.kind, groups=i.groups, on_behalf_of=i.on_behalf_of
        )[0]
        for i in IDENTITIES
    }
    server = uvicorn.Server(
        uvicorn.Config(
            build_app(gateway), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, name="console-test-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "gateway did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveGateway(gateway, f"http://127.0.0.1:{port}", tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        # Playwright's sync API keeps an event loop running in this thread.
        closer = threading.Thread(target=asyncio.run, args=(gateway.close(),))
        closer.start()
        closer.join(timeout=10)
