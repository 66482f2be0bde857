"""`POST /v1/actions` answered without FastAPI's layers (phigate.doors._plain_route):
the ordinary request takes the plain route, anything else FastAPI's, and both answer
every body alike."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from phigate.doors._plain_route import PlainJsonRoute
from tests.conftest import Harness


class Echo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str


def echo_app() -> FastAPI:
    """Each route says which answered, and what body it saw."""
    app = FastAPI()

    @app.post("/echo")
    async def through_fastapi(body: Echo, flag: bool = False) -> dict[str, Any]:
        return {"via": "fastapi", "text": body.text, "flag": flag}

    async def plain(_request: Request, body: Echo) -> Response:
        return JSONResponse({"via": "plain", "text": body.text})

    route = next(r for r in app.router.routes if isinstance(r, APIRoute))
    app.router.routes.insert(0, PlainJsonRoute(route, Echo, plain))
    return app


JSON = {"content-type": "application/json"}
HI = b'{"text": "hi"}'


@pytest.mark.parametrize(
    ("url", "headers", "content", "via", "status"),
    [
        ("/echo", JSON, HI, "plain", 200),
        ("/echo", {"content-type": "Application/JSON; charset=utf-8"}, HI, "plain", 200),
        ("/echo?flag=true", JSON, HI, "fastapi", 200),
        ("/echo", {"content-type": "application/x+json"}, HI, "fastapi", 200),
        ("/echo", {}, HI, None, 422),  # no content type: FastAPI's own (strict) rule
        ("/echo", JSON, b'{"text": 1}', None, 422),
        ("/echo", JSON, b'{"text": "hi"', None, 422),
        ("/echo", JSON, b'["hi"]', None, 422),
        ("/echo", JSON, b'{"text": "hi", "x": 1}', None, 422),
    ],
)
async def test_the_ordinary_request_takes_the_plain_route(
    url: str, headers: dict[str, str], content: bytes, via: str | None, status: int
) -> None:
    transport = httpx.ASGITransport(app=echo_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://echo") as client:
        response = await client.post(url, headers=headers, content=content)
    assert response.status_code == status, response.text
    if via is not None:  # FastAPI read the body the plain route had read already
        assert response.json()["via"] == via
        assert response.json()["text"] == "hi"


async def test_other_methods_still_reach_fastapi() -> None:
    transport = httpx.ASGITransport(app=echo_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://echo") as client:
        response = await client.get("/echo")
    assert response.status_code == 405


DEEP = b'{"connection": "ehr", "sql": "SELECT $1", "params": [' + b"[" * 5000 + b"]" * 5000 + b"]}"


@pytest.mark.parametrize(
    "content",
    [
        b'{"connection": "ehr", "sql": "SELECT id, ssn FROM patients WHERE id = $1", '
        b'"params": [1]}',
        b'{"connection": "ehr", "sql": "DELETE FROM patients"}',
        b'{"connection": "ehr"}',
        b'{"connection": "ehr", "sql": "SELECT 1", "bogus": 1}',
        b'{"connection": "ehr", "sql": "SELECT 1", "wait": "soon"}',
        b'{"connection": "ehr", "sql": "SELECT 1", "params": [{"a": 1}]}',
        b'{"connection": "ehr", "sql": ";"}',
        b'{"connection": "nowhere", "sql": "SELECT 1"}',
        b'["ehr", "SELECT 1"]',
        b'{"connection": "ehr", ',
        DEEP,
    ],
)
async def test_both_routes_answer_alike(harness: Harness, content: bytes) -> None:
    """The same body through the plain route and through FastAPI's (a query string
    sends it there): the same status and answer, but for the action's own id."""
    headers = {**harness.auth("claims-bot"), "content-type": "application/json"}
    answers = []
    for url in ("/v1/actions", "/v1/actions?stream=false"):
        response = await harness.client.post(url, headers=headers, content=content)
        body = response.json()
        body.pop("id", None)
        answers.append((response.status_code, json.dumps(body, sort_keys=True)))
    assert answers[0] == answers[1]
    assert answers[0][0] in (200, 202, 400, 403, 404)
