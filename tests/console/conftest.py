"""Console fixtures: sign in through the real forms, as a browser would."""

from __future__ import annotations

import re

import httpx

from tests.conftest import Harness

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
