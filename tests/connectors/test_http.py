"""http connections end to end against a real local HTTP service started by the tests."""

from __future__ import annotations

import base64
import codecs
import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from phigate.connectors._http_answer import as_utf8
from phigate.connectors._secrets import GatewaySecrets
from phigate.connectors.http import (
    _request_line,
    auth_secrets,
    http_body,
    url_secrets,
)
from phigate.core.actions import Action
from phigate.reviewing._sent import http_sent
from tests.conftest import Harness
from tests.connectors.support import approve_and_run, audit_text, harness_with

API_TOKEN = "api-token-7e57c0ffee123456"
SSN, EMAIL, PHONE = "123-45-6789", "maria.garcia@example.org", "(415) 555-0199"
PATIENT = {
    "id": 1,
    "name": "Maria Garcia",
    "ssn": SSN,
    "mrn": "40123456",
    "contact": {"email": EMAIL, "phones": [PHONE]},
    "notes": [{"text": f"Patient called from {PHONE} about labs."}],
    "condition": "hypertension",
}


@dataclass
class Upstream:
    url: str
    seen: list[dict[str, Any]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def _record(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers.items()),
                "body": body.decode(),
            }
        )
        return body

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def do_GET(self) -> None:
        self._record()
        path = self.path.split("?", 1)[0]
        if self.headers.get("authorization") != f"Bearer {API_TOKEN}":
            self._json(401, {"error": "no token"})
        elif path == "/patients/1":
            self._json(200, PATIENT)
        elif self.path == "/patients/1/summary":
            text = f"Maria Garcia, SSN {SSN}, reach at {EMAIL}\n"
            self._send(200, text.encode(), "text/plain; charset=utf-8")
        elif self.path == "/debug":
            self._json(200, {"you_sent": self.headers.get("authorization")})
        elif self.path == "/debug/encoded":  # the credential base64-encoded inside other text
            basic = base64.b64encode(f"svc:{API_TOKEN}".encode()).decode()
            self._send(200, f"Authorization: Basic {basic}\n".encode(), "text/plain")
        elif self.path == "/broken":
            self._json(500, {"error": "boom"})
        elif path.startswith("/dump/"):  # the credential at a chosen offset, then more
            pad, kind = int(path.split("/")[2]), path.split("/")[3]
            filler = b"\x00" if kind == "binary" else b"x"
            body = filler * pad + API_TOKEN.encode() + filler * 64
            self._send(200, body, "application/octet-stream" if kind == "binary" else "text/plain")
        elif path.startswith("/cut/"):  # one line: a padding, then a patient's values
            pad, kind = int(path.split("/")[2]), path.split("/")[3]
            row = {"pad": "x" * pad, "family": CUT_SURNAME, "password": CUT_PASSWORD}
            if kind == "json":
                self._send(200, json.dumps([row, row]).encode(), "application/json")
            else:
                text = f"{'x' * pad} family {CUT_SURNAME} password={CUT_PASSWORD} end"
                self._send(200, text.encode(), "text/plain")
        elif self.path == "/encoded-status":  # a note in the status line and a header
            note = f"Maria Garcia SSN {SSN} lives at 12 Elm Street".encode()
            self.send_response(200, f"OK {base64.b32encode(note).decode()}")
            self.send_header("location", f"/next/{note.hex()}")
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        elif self.path == "/scan.png":
            self._send(200, b"\x89PNG\r\n\x1a\n\x00\x00binary", "image/png")
        else:
            self._json(404, {"error": f"no patient with email {EMAIL}"})

    def do_POST(self) -> None:
        body = self._record()
        if self.path.startswith("/patients/1/notes"):
            self._json(201, {"stored": json.loads(body), "patient": PATIENT["name"]})
        else:
            self._json(500, {"error": "boom"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[dict[str, Any]]


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, name="test-upstream", daemon=True)
    thread.start()
    try:
        yield Upstream(f"http://127.0.0.1:{server.server_address[1]}", server.seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def http_connection(upstream: Upstream, **extra: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "base_url": upstream.url,
        "auth": {"scheme": "bearer", "value": API_TOKEN},
        "headers_allowed": ["accept", "x-request-id"],
        "rules": [
            {
                "name": "role changes",
                "methods": ["POST", "PUT", "DELETE"],
                "path": "/users/*/roles",
                "risk": "privilege",
            },
            {"name": "admin area", "path": "/admin/**", "risk": "admin"},
        ],
        **extra,
    }


@pytest.fixture
async def h(tmp_path: Path, upstream: Upstream) -> AsyncIterator[Harness]:
    harness = await harness_with(tmp_path, {"api": http_connection(upstream)})
    upstream.seen.clear()
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def call(
    h: Harness, method: str, path: str, subject: str = "claims-bot", **request: Any
) -> Any:
    return await h.client.post(
        "/v1/actions",
        headers=h.auth(subject),
        json={"connection": "api", "request": {"method": method, "path": path, **request}},
    )


async def test_json_is_masked_including_nested_values(h: Harness, upstream: Upstream) -> None:
    response = await call(h, "GET", "/patients/1", headers={"x-request-id": "r-1"})
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["status"] == 200
    assert result["content"] == "json"
    body = result["body"]
    assert body["id"] == 1
    assert body["condition"] == "hypertension"
    text = json.dumps(body)
    for value in (SSN, EMAIL, PHONE, "Maria Garcia", "40123456"):
        assert value not in text
    assert sum(result["masked"].values()) >= 5
    sent = upstream.seen[-1]["headers"]
    assert sent["authorization"] == f"Bearer {API_TOKEN}"
    assert sent["x-request-id"] == "r-1"


async def test_text_is_masked(h: Harness) -> None:
    response = await call(h, "GET", "/patients/1/summary")
    assert response.status_code == 200, response.text
    body = response.json()["result"]["body"]
    assert body.endswith("\n")
    assert SSN not in body and EMAIL not in body


async def test_the_gateway_credential_never_comes_back_base64_encoded(h: Harness) -> None:
    response = await call(h, "GET", "/debug/encoded")
    assert response.status_code == 200, response.text
    basic = base64.b64encode(f"svc:{API_TOKEN}".encode()).decode()
    assert basic[4:-4] not in response.text
    assert response.json()["result"]["masked"]["GATEWAY_SECRET"] == 1


async def test_the_gateway_credential_never_comes_back(h: Harness) -> None:
    response = await call(h, "GET", "/debug")
    assert response.status_code == 200, response.text
    assert API_TOKEN not in response.text
    assert response.json()["result"]["masked"]["GATEWAY_SECRET"] == 1
    assert API_TOKEN not in audit_text(h)


@pytest.mark.parametrize(
    "query",
    [{"id\x00x": "1"}, {"id": "1\x00"}, {"id": ["1", "2\x00"]}],
    ids=["key", "value", "list"],
)
async def test_a_query_holding_a_nul_is_refused(
    h: Harness, upstream: Upstream, query: dict[str, object]
) -> None:
    """Round 10: a NUL in a query key reached the upstream; refused like NUL elsewhere."""
    response = await call(h, "GET", "/patients/1", query=query)
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["error"]["message"], response.text
    assert upstream.seen == []


async def test_post_waits_for_approval_then_runs(h: Harness, upstream: Upstream) -> None:
    note = {"text": "Follow-up in 3 months", "priority": "routine"}
    response = await call(h, "POST", "/patients/1/notes", body=note)
    assert response.status_code == 202, response.text
    assert upstream.seen == []
    pending = response.json()
    view = (
        await h.client.get(f"/v1/approvals/{pending['approval']['id']}", headers=h.auth("alice"))
    ).json()
    assert view["action"]["kind"] == "http"
    assert view["action"]["risk"] == "write"
    assert "/patients/1/notes" in view["action"]["text"]
    ran = await approve_and_run(h, pending)
    assert ran["result"]["status"] == 201
    assert ran["result"]["body"]["stored"] == note
    assert "Maria Garcia" not in json.dumps(ran["result"])
    assert json.loads(upstream.seen[-1]["body"]) == note


async def test_the_upstream_receives_the_url_the_reviewer_saw(
    tmp_path: Path, upstream: Upstream
) -> None:
    """Round 21c: with a query in base_url, the path landed inside it and httpx then
    replaced it: the reviewer saw `POST /patients/1/notes`, the upstream got `POST /`.
    The URL is base_url's path then the line's path, base_url's query then the line's."""
    connection = http_connection(upstream)
    connection["base_url"] = f"{upstream.url}/?api-version=2024-01-01"
    harness = await harness_with(tmp_path, {"api": connection})
    upstream.seen.clear()
    try:
        query = {"q": "a&b=c", "n": [1, 2], "é": "ü"}
        pending = await call(harness, "POST", "/patients/1/notes", body={"t": 1}, query=query)
        assert pending.status_code == 202, pending.text
        view = await harness.client.get(
            f"/v1/approvals/{pending.json()['approval']['id']}", headers=harness.auth("alice")
        )
        line = view.json()["action"]["text"].splitlines()[0]
        assert line == "POST /patients/1/notes?q=a%26b%3Dc&n=1&n=2&%C3%A9=%C3%BC", line
        await approve_and_run(harness, pending.json())
        refused = await call(harness, "GET", "/patients/1", query={"API-Version": "1999"})
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
    path, _, shown_query = line.split(" ", 1)[1].partition("?")
    assert [r["path"] for r in upstream.seen] == [f"{path}?api-version=2024-01-01&{shown_query}"]
    assert refused.status_code == 403, refused.text  # base_url's own name: not the caller's


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("GET", "/admin/users", "schema-privilege-admin-denied"),
        ("GET", "/%61dmin/users", "schema-privilege-admin-denied"),
        ("POST", "/users/7/roles", "schema-privilege-admin-denied"),
        ("GET", "/x/../admin/users", "schema-privilege-admin-denied"),
        ("GET", "/admin", "schema-privilege-admin-denied"),  # issue 15 item 9
        ("GET", "/admin;x/stats", "schema-privilege-admin-denied"),
        ("GET", "/x/..;/admin/stats", "schema-privilege-admin-denied"),
        ("GET", "/x/../../admin", "unknown-denied"),
        ("GET", "/x%2Fadmin", "unknown-denied"),
        ("GET", "/patients?id=1", "unknown-denied"),
        ("TRACE", "/patients/1", "unknown-denied"),
    ],
)
async def test_admin_privilege_and_odd_requests_are_denied_before_the_upstream(
    h: Harness, upstream: Upstream, method: str, path: str, rule: str
) -> None:
    response = await call(h, method, path)
    assert response.status_code == 403, response.text
    assert response.json()["rule"] == rule
    assert upstream.seen == []


@pytest.mark.parametrize("header", ["authorization", "cookie", "host", "x-forwarded-for"])
async def test_headers_outside_the_allow_list_are_refused(
    h: Harness, upstream: Upstream, header: str
) -> None:
    response = await call(h, "GET", "/patients/1", headers={header: "x"})
    assert response.status_code == 403
    assert upstream.seen == []


async def test_upstream_errors_come_back_with_status_and_masked_body(h: Harness) -> None:
    response = await call(h, "GET", "/patients/999")
    assert response.status_code == 502, response.text
    message = response.json()["error"]["message"]
    assert "404" in message and "no patient with email" in message
    assert EMAIL not in message
    record = h.gateway.action(response.json()["id"])
    assert record.status == "failed"
    assert EMAIL not in audit_text(h)


async def test_a_standard_reason_phrase_is_shown_as_it_is(h: Harness) -> None:
    """The standard phrase of 500, "Internal Server Error", is no PHI: masked, it read
    "Internal [PERSON]". Other phrases are still masked (test_findings_round3.py)."""
    response = await call(h, "GET", "/broken")
    assert response.status_code == 502, response.text
    assert "answered 500 Internal Server Error" in response.json()["error"]["message"]


async def test_encoded_text_in_the_status_line_and_headers_is_withheld(h: Harness) -> None:
    """The reason phrase and the shown headers are upstream text like the body: a note
    written in them as base64 or hex passes the same byte guard (issue 15, promise 2)."""
    response = await call(h, "GET", "/encoded-status")
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert "withheld" in result["reason"] and "withheld" in result["headers"]["location"]
    shown = json.dumps(result)
    note = f"Maria Garcia SSN {SSN}".encode()
    assert base64.b32encode(note).decode()[:16] not in shown
    assert note.hex()[:16] not in shown


async def test_binary_is_refused_unless_allowed(
    h: Harness, tmp_path: Path, upstream: Upstream
) -> None:
    response = await call(h, "GET", "/scan.png")
    assert response.status_code == 403, response.text
    assert "binary" in response.json()["error"]["message"]
    (tmp_path / "b").mkdir()
    allowed = await harness_with(
        tmp_path / "b", {"api": http_connection(upstream, allow_binary=True)}
    )
    try:
        ok = await call(allowed, "GET", "/scan.png")
        assert ok.status_code == 200, ok.text
        assert ok.json()["result"]["content"] == "binary"
    finally:
        await allowed.client.aclose()
        await allowed.gateway.close()


CAP = 64


@pytest.mark.parametrize("kind", ["binary", "text"])
async def test_a_cap_cutting_through_the_credential_shows_none_of_it(
    tmp_path: Path, upstream: Upstream, kind: str
) -> None:
    """Wherever `max_response_bytes` falls in the echoed credential, in a binary body
    (shown as base64) or a text one without line ends, none of it is shown."""
    connection = http_connection(upstream, allow_binary=True, max_response_bytes=CAP)
    harness = await harness_with(tmp_path, {"api": connection})
    pieces = [API_TOKEN[i : i + 8].encode() for i in range(len(API_TOKEN) - 7)]
    try:
        for pad in range(CAP - len(API_TOKEN) + 1, CAP, 3):
            result = (await call(harness, "GET", f"/dump/{pad}/{kind}")).json()["result"]
            assert result["truncated"] and result["content"] == kind, result
            shown, _, _ = result["body"].partition("[REDACTED:gateway credential]")
            if kind == "binary":
                shown = base64.b64decode(shown[: len(shown) // 4 * 4]).decode("latin-1")
            assert not [p for p in pieces if p in shown.encode("latin-1")], (pad, result)
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


CUT_SURNAME, CUT_PASSWORD = "Wojciechowska-Adeyemi", "Hq7Lm2Zx9Kp4Rt"


@pytest.mark.parametrize("kind", ["json", "text"])
async def test_a_cap_cutting_through_a_value_shows_none_of_it(
    tmp_path: Path, upstream: Upstream, kind: str
) -> None:
    """Wherever `max_response_bytes` falls in a surname or a password of a one-line
    answer, no head of it is shown: the cut keeps whole members (JSON, masked as
    JSON) or whole words (text, marked as cut)."""
    connection = http_connection(upstream, max_response_bytes=CAP)
    harness = await harness_with(tmp_path, {"api": connection})
    heads = [v[:n] for v in (CUT_SURNAME, CUT_PASSWORD) for n in range(4, len(v))]
    try:
        for pad in range(8, CAP - 6):
            result = (await call(harness, "GET", f"/cut/{pad}/{kind}")).json()["result"]
            assert result["truncated"] and result["content"] == kind, result
            shown = json.dumps(result["body"])
            assert not [h for h in heads if h in shown], (pad, shown)
            if kind == "text":
                assert result["body"].endswith(f" [cut at {CAP} bytes]"), result["body"]
            else:
                assert isinstance(result["body"], list), result["body"]
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def test_an_unreachable_upstream_is_a_clear_error(tmp_path: Path) -> None:
    dead = Upstream("http://127.0.0.1:9")
    harness = await harness_with(tmp_path, {"api": http_connection(dead, timeout_seconds=2)})
    try:
        response = await call(harness, "GET", "/patients/1")
        assert response.status_code == 502
        assert "cannot reach upstream 'api'" in response.json()["error"]["message"]
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def test_gateway_submit_takes_the_http_body_shape(h: Harness, upstream: Upstream) -> None:
    principal = await h.gateway.authenticate(h.tokens["dana"])
    body = http_body("GET", "/patients/1", query={"fields": ["id", "name"]})
    assert set(body) == {"method", "path", "query", "headers", "body"}
    action = Action(connection="api", kind="http", body=body, principal=principal, front_door="mcp")
    outcome = await h.gateway.submit(action)
    assert outcome.status == "executed"
    assert outcome.result is not None
    assert outcome.result["status"] == 200
    assert upstream.seen[-1]["path"] == "/patients/1?fields=id&fields=name"


@pytest.mark.parametrize(
    ("held", "echoed"),
    [
        (url_secrets("http://svc:p%40ss-w0rd-9@h/api"), "p@ss-w0rd-9"),
        (url_secrets("http://svc:p%40ss-w0rd-9@h/api"), "p%40ss-w0rd-9"),
        (
            url_secrets("http://svc:p%40ss-w0rd-9@h/api"),
            "Basic " + base64.b64encode(b"svc:p@ss-w0rd-9").decode(),
        ),
        (url_secrets("http://h/api?api_key=k3y-0f-the-gw"), "key=k3y-0f-the-gw"),
        (
            auth_secrets("Basic " + base64.b64encode(b"svc:basic-pass-1").decode()),
            "pw basic-pass-1",
        ),
    ],
    ids=["decoded", "as-written", "basic-header", "query", "basic-auth-password"],
)
def test_every_form_of_a_held_credential_is_scrubbed(held: list[str], echoed: str) -> None:
    counts: dict[str, int] = {}
    shown = GatewaySecrets([("gateway credential", v) for v in held]).scrub(echoed, counts)
    assert "[REDACTED:gateway credential]" in shown, shown
    assert counts["GATEWAY_SECRET"] >= 1


@pytest.mark.parametrize(
    ("content_type", "raw", "kind", "text"),
    [
        (
            "text/plain; charset=utf-16le",
            codecs.BOM_UTF16_LE + "SSN 536-22-8471".encode("utf-16le"),
            "text",
            None,
        ),
        ("text/plain", codecs.BOM_UTF16_BE + "SSN".encode("utf-16be"), "text", "SSN"),
        ("text/plain; charset=utf-8", codecs.BOM_UTF32_LE + "é".encode("utf-32le"), "text", "é"),
        ("application/json; charset=utf-16", '{"a": 1}'.encode("utf-16"), "json", '{"a": 1}'),
        ("text/plain; charset=windows-1252", "Renée".encode("cp1252"), "text", "Renée"),
        ("text/plain; charset=ISO-8859-1", "Renée".encode("latin-1"), "text", "Renée"),
        # Round 25b finding 8: a label that reads ASCII as other letters is no charset
        # the gateway reads in (the caller would re-encode the text and read it).
        ("text/plain; charset=ibm037", "SSN 1".encode("cp037"), "binary", None),
        ("text/plain; charset=cp037", b"SSN 536-22-8471", "binary", None),
        ("text/plain; charset=utf-16le", "SSN 536-22-8471".encode("utf-16le"), "text", None),
        ("text/plain; charset=utf-16", "SSN 536-22-8471".encode("utf-16le"), "binary", None),
        ("text/plain; charset=utf-16le", b"SSN 536-22-8471 ", "binary", None),
        ("text/plain; charset=utf-32", "SSN".encode("utf-32-le"), "binary", None),
        ("text/plain; charset=shift_jis", "SSN".encode("shift_jis"), "binary", None),
        # ASCII behind a UTF-16 byte order mark: the mark is the disguise.
        ("text/plain", codecs.BOM_UTF16_LE + b"SSN 536-22-8471 ", "binary", None),
        ("text/plain; charset=utf-16", "患者の記録".encode("utf-16"), "text", "患者の記録"),
        ("text/plain; charset=x-unheard-of", b"SSN", "binary", None),
        ("text/plain; charset=base64", b"U1NO", "binary", None),  # no text encoding
        ("text/plain; charset=utf-16le", b"S\x00\x00\xd8", "binary", None),  # lone surrogate
        ("text/plain; charset=us-ascii", "é".encode(), "binary", None),
        ("text/plain", b"S\x00S\x00N\x00", "binary", None),  # NULs: UTF-16 unsaid
    ],
)
def test_a_text_answer_is_read_in_its_charset_or_as_binary(
    content_type: str, raw: bytes, kind: str, text: str | None
) -> None:
    """Round 21c: a UTF-16 answer was decoded as UTF-8, and masking saw `S\\0S\\0N\\0`."""
    seen_kind, utf8, cap = as_utf8(kind if kind != "binary" else "text", content_type, raw, 99)
    assert seen_kind == kind
    if kind != "binary":
        assert utf8.decode("utf-8") == (text or "SSN 536-22-8471") and cap == len(utf8)


def test_a_cut_utf16_answer_is_cut_where_its_cap_falls() -> None:
    raw = codecs.BOM_UTF16_LE + "line one\nline two\n".encode("utf-16le")
    kind, utf8, cap = as_utf8("text", "text/plain; charset=utf-16le", raw[:23], 14)
    assert (kind, utf8, cap) == ("text", b"line one\nl", 6)


@pytest.mark.parametrize(
    ("url", "held"),
    [
        ("https://hooks.example/services/T0A1B2C3D4/q8Jf3LmN2pR7", ["T0A1B2C3D4", "q8Jf3LmN2pR7"]),
        ("https://d.example/api/webhooks/123456789012345678/tok", ["123456789012345678"]),
        ("https://h.example/k/abc%2Bdefghijklmnop", ["abc%2Bdefghijklmnop", "abc+defghijklmnop"]),
        ("https://fhir.example/fhir/R4/v1/api/patients/2024-01-01", []),
    ],
)
def test_base_url_path_segments_that_look_like_credentials_are_held(
    url: str, held: list[str]
) -> None:
    """Round 21c: a webhook URL's secret came back in a redirect's location and a 404."""
    assert url_secrets(url) == held


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("/x/../patients/é", "GET /patients/%C3%A9?q=a%26b"),  # as the bytes that travel
        ("/patients#frag", "GET /patients#frag (a path the gateway does not send)"),
        ("patients", "GET patients (a path the gateway does not send)"),
    ],
)
def test_the_request_line_is_what_is_sent_or_says_it_is_not_sent(path: str, line: str) -> None:
    assert _request_line({"method": "GET", "path": path, "query": {"q": "a&b"}}) == line
    shown = http_sent(http_body("GET", path, query={"q": "a&b"})).text
    assert shown.startswith(line + "\n"), shown
    odd = _request_line({"method": "GET", "path": "/p", "query": ["q"]})
    assert odd == "GET /p (a URL the gateway cannot encode)"
