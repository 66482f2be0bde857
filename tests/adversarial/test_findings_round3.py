"""Round 3: phigate's non-SQL surfaces, attacked as a hostile agent and a dishonest insider.

Each test goes through a real front door (REST with a real kubectl against the local
TLS stand-in API server, the CLI, ...) and asserts what the product promises. Open
findings are `xfail(strict=True)`: the mark comes off when the finding is fixed.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import mcp_types as types
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError

from phigate.audit.keys import KEPT_KEY_NAME, signing_key_for
from phigate.cli import main
from phigate.config import AuditSettings
from phigate.core.errors import InvalidRequestError
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import click as slack_click
from tests.channels.test_slack import close as slack_close
from tests.channels.test_slack import signed as slack_signed
from tests.channels.test_slack import slack_settings
from tests.channels.test_teams import bot_api as teams_bot_api
from tests.channels.test_teams import invoke as teams_invoke
from tests.channels.test_teams import teams_settings
from tests.channels.test_teams import token as teams_token
from tests.conftest import Harness, demo_config, make_harness
from tests.connectors import kube_standin
from tests.connectors.support import (
    UNUSED_DSN,
    Served,
    harness_with,
    review_all_tools,
    serve_in_thread,
    settings_with,
)
from tests.connectors.test_exec_credentials import connection, kubeconfig
from tests.mcp.conftest import mcp_client, serve_app
from tests.mcp.upstream_server import PATIENT_TEXT, UPSTREAM_TOKEN
from tests.support.state import token_store

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="no kubectl on PATH")


# ── exec connector: kubectl as kubectl reads it ─────────────────────────────
@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[kube_standin.KubeStandIn]:
    (tmp_path / "prod").mkdir()
    prod = kube_standin.start(tmp_path / "prod")
    yield prod
    prod.close()


@pytest.fixture
async def kube(tmp_path: Path, cluster: kube_standin.KubeStandIn) -> AsyncIterator[Harness]:
    """The REST door over an exec connection running the real kubectl (demo policy:
    reads run, everything else waits for approval or is denied)."""
    key = tmp_path / "prod" / "standin.key"
    config = kubeconfig(tmp_path / "kubeconfig", cluster.url, cluster.ca_pem, key.read_bytes())
    h = await harness_with(tmp_path, {"k8s": connection(tmp_path, KUBECTL or "kubectl", config)})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def run_kubectl(h: Harness, *argv: str) -> Any:
    body = {"connection": "k8s", "argv": ["kubectl", *argv]}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


SECRETS = "/api/v1/namespaces/default/secrets"


@needs_kubectl
async def test_every_type_name_argument_counts(
    kube: Harness, cluster: kube_standin.KubeStandIn
) -> None:
    response = await run_kubectl(kube, "get", "pod/api-1", "secret/db-pass", "-o", "yaml")
    read_secret = [p for p, _ in cluster.requests if p.startswith(SECRETS)]
    assert response.status_code != 200 and not read_secret, (
        f"ran as a read; kubectl fetched {read_secret}: {response.text[:300]}"
    )


# ── one identity per person ─────────────────────────────────────────────────
RECORDER = """#!/bin/sh
printf '%s\\n' "$@" >> "$RECORD"
"""


@pytest.fixture
async def recorded(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection whose `kubectl` only records its argv."""
    program = tmp_path / "bin" / "kubectl"
    program.parent.mkdir()
    program.write_text(RECORDER)
    program.chmod(0o755)
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    settings = connection(tmp_path, str(program), config, RECORD=str(tmp_path / "ran"))
    h = await harness_with(tmp_path, {"k8s": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_a_look_alike_subject_is_not_a_second_person(recorded: Harness) -> None:
    """claims-bot acts for dana; a data-owner token made out to `dаna` (Cyrillic а,
    U+0430) must be refused at creation or count as dana, who may not approve."""
    pending = await run_kubectl(recorded, "scale", "deploy/api", "--replicas=0")
    assert pending.status_code == 202, pending.text
    approval_id = pending.json()["approval"]["id"]
    try:
        token, _ = token_store(recorded.gateway).create(
            subject="d\u0430na", kind=PrincipalKind.HUMAN, groups=("data-owners",)
        )
    except (ValueError, InvalidRequestError):
        return  # refused as not one person's name: the promise holds
    voted = await recorded.client.post(
        f"/v1/approvals/{approval_id}/approve",
        headers={"Authorization": f"Bearer {token}"},
        json={"comment": "ok"},
    )
    state = recorded.gateway.approval(approval_id).state
    assert voted.status_code == 403 and state == "pending", (
        f"{voted.status_code} {voted.text[:200]}; approval now {state}"
    )


# ── what a reviewer sees is what runs ───────────────────────────────────────
HIDDEN = ("\u202e", "\u2028", "\u2066")


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an http connection (its upstream never needs to answer:
    these tests stop at the approval a write waits for)."""
    settings = {"type": "http", "base_url": "http://127.0.0.1:9", "headers_allowed": ["accept"]}
    h = await harness_with(tmp_path, {"api": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_decoded_path_in_reasons_is_escaped_for_reviewers(api: Harness) -> None:
    """POST /claims/%E2%80%AE...: the reason `the upstream reads the path as …` carries
    the decoded U+202E / U+2028, and every reviewer surface (console `<li>`, Slack and
    Teams `Risk`, `phigate approvals show`) prints `reasons` as they are."""
    path = "/claims/7/%E2%80%AEetadpu/%E2%80%A8rule%20'read'/%E2%81%A6notes"
    request = {"method": "POST", "path": path, "body": {"status": "paid"}}
    answer = await api.client.post(
        "/v1/actions",
        headers=api.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await api.client.get(f"/v1/approvals/{approval_id}", headers=api.auth("alice"))
    assert view.status_code == 200, view.text
    action = view.json()["action"]
    raw = [r for r in action["reasons"] if any(c in r for c in HIDDEN)]
    assert not raw, f"reviewers are shown {raw!r}; warnings: {action['review']['warnings']}"


async def test_terraform_providers_subcommands_are_not_reads(tmp_path: Path) -> None:
    """`providers` is a read, and its flag table is used for every word after it:
    `providers mirror DIR` downloads plugins into DIR on the gateway host and
    `providers lock` rewrites the lock file; neither is a read."""
    program = tmp_path / "bin" / "terraform"
    program.parent.mkdir()
    program.write_text(RECORDER)
    program.chmod(0o755)
    settings = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(tmp_path),
        "env": {"RECORD": str(tmp_path / "ran")},
        "rule_sets": ["terraform"],
    }
    h = await harness_with(tmp_path, {"tf": settings})
    try:
        body = {"connection": "tf", "argv": ["terraform", "providers", "mirror", "/tmp/x"]}
        answer = await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)
    finally:
        await h.client.aclose()
        await h.gateway.close()
    ran = (tmp_path / "ran").read_text() if (tmp_path / "ran").exists() else ""
    assert answer.status_code != 200 and not ran, f"ran with {ran!r}: {answer.text[:200]}"


# ── fail closed, in the caller's protocol ───────────────────────────────────
@pytest.mark.parametrize(
    "request_body",
    [
        {"method": "GET", "path": "/claims", "query": {"q": "\ud800"}},
        {"method": "POST", "path": "/claims", "body": "\ud800"},
    ],
    ids=["query", "body"],
)
async def test_a_lone_surrogate_is_a_clear_audited_refusal(
    api: Harness, request_body: dict[str, Any]
) -> None:
    """Valid JSON (`"\\ud800"` is a legal escape) that no UTF-8 store can hold: the
    audit write fails, the served app answers 500 and nothing records the refusal."""
    served = httpx.ASGITransport(app=build_app(api.gateway), raise_app_exceptions=False)
    before = len(api.gateway.audit_records(since=0, limit=10_000))
    async with httpx.AsyncClient(transport=served, base_url="http://phigate.test") as client:
        body = json.dumps({"connection": "api", "request": request_body})  # ASCII escapes
        headers = {**api.auth("claims-bot"), "content-type": "application/json"}
        answer = await client.post("/v1/actions", headers=headers, content=body)
    audited = api.gateway.audit_records(since=0, limit=10_000)[before:]
    assert answer.status_code == 400 and audited, (
        f"{answer.status_code} {answer.text[:200]}; new audit records: {len(audited)}"
    )


# ── state files ─────────────────────────────────────────────────────────────
def test_the_kept_audit_key_is_in_a_private_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PostgreSQL state and no `audit.signing_key`, the gateway generates its key
    in `.phigate/` of its working directory; the key is 0600 but its directory
    takes the umask (0755), unlike the SQLite state directory (0700)."""
    settings = settings_with(tmp_path, {})
    settings = settings.model_copy(update={"audit": AuditSettings()})
    monkeypatch.chdir(tmp_path)
    previous = os.umask(0o022)  # the usual umask
    try:
        signing_key_for(settings, state_url="postgresql://phigate@127.0.0.1:1/state")
    finally:
        os.umask(previous)
    key = tmp_path / ".phigate" / KEPT_KEY_NAME
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (key, key.parent)}
    assert modes == {key.name: 0o600, ".phigate": 0o700}, {k: oct(v) for k, v in modes.items()}


# ── chat callbacks ──────────────────────────────────────────────────────────
@pytest.fixture
def slack_api_standin() -> Iterator[Recorder]:
    with slack_api() as recorder:
        yield recorder


@pytest.fixture
async def slack(tmp_path: Path, slack_api_standin: Recorder) -> AsyncIterator[Harness]:
    """The served app with the Slack channel (Web API stand-in) over an exec connection."""
    program = tmp_path / "bin" / "kubectl"
    program.parent.mkdir()
    program.write_text(RECORDER)
    program.chmod(0o755)
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    exec_settings = connection(tmp_path, str(program), config, RECORD=str(tmp_path / "ran"))
    channels = slack_settings(slack_api_standin)
    overrides = {"connections": {"k8s": exec_settings}, "channels": channels}
    h = await make_harness(demo_config(tmp_path, UNUSED_DSN, overrides=overrides))
    try:
        yield h
    finally:
        await slack_close(h)


def audit_count(h: Harness) -> int:
    return len(h.gateway.audit_records(since=0, limit=10_000))


async def test_a_forged_slack_callback_is_audited(slack: Harness) -> None:
    pending = await run_kubectl(slack, "scale", "deploy/api", "--replicas=0")
    approval_id = pending.json()["approval"]["id"]
    before = audit_count(slack)
    body = slack_click(approval_id, "U_ALICE")
    forged = slack_signed(body, secret="not-the-signing-secret")
    answer = await slack.client.post("/slack/interactions", content=body, headers=forged)
    assert answer.status_code == 401, answer.text
    assert slack.gateway.approval(approval_id).state == "pending"
    assert audit_count(slack) > before, "the forged callback left no audit record"


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "user": "U_ALICE", "actions": [{"action_id": "phigate_approve"}]},
        {"type": "block_actions", "user": {"id": "U_ALICE"}, "actions": ["phigate_approve"]},
        {"type": "view_submission", "user": {"id": "U_ALICE"}, "view": "phigate_deny_reason"},
    ],
    ids=["user-not-object", "action-not-object", "view-not-object"],
)
async def test_a_malformed_signed_slack_payload_is_a_clear_error(
    slack: Harness, payload: dict[str, Any]
) -> None:
    served = httpx.ASGITransport(app=slack.client._transport.app, raise_app_exceptions=False)  # type: ignore[attr-defined]
    body = urlencode({"payload": json.dumps(payload)})
    async with httpx.AsyncClient(transport=served, base_url="http://phigate.test") as client:
        answer = await client.post("/slack/interactions", content=body, headers=slack_signed(body))
    assert 400 <= answer.status_code < 500, f"{answer.status_code} {answer.text[:200]}"


@pytest.fixture
def bot() -> Iterator[Recorder]:
    with teams_bot_api() as recorder:
        yield recorder


async def test_a_forged_teams_activity_is_audited(tmp_path: Path, bot: Recorder) -> None:
    h = await make_harness(
        demo_config(tmp_path, UNUSED_DSN, overrides={"channels": teams_settings(bot)})
    )
    try:
        before = audit_count(h)
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = teams_token(bot, _key=other_key)
        activity = teams_invoke(bot, "apr_x", "approve", "aad-alice", "act-forged-1")
        answer = await h.client.post(
            "/teams/messages", json=activity, headers={"Authorization": f"Bearer {forged}"}
        )
        assert answer.status_code == 401, answer.text
        assert audit_count(h) > before, "the forged activity left no audit record"
    finally:
        h.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
        await h.client.aclose()
        await h.gateway.close()


@pytest.fixture
def served_api(api: Harness) -> Iterator[Served]:
    running = serve_in_thread(build_app(api.gateway))
    try:
        yield running
    finally:
        running.stop()


def test_approvals_show_prints_reasons_as_text(api: Harness, served_api: Served) -> None:
    """The `risk` line joins `reasons` into a str that rich parses as console markup:
    `[conceal]…` hides text from the reviewer, a stray `[/notes]` makes the command
    fail, so the reviewer cannot read the request from the terminal at all."""
    request = {"method": "POST", "path": "/claims/7/./[/notes]", "body": {"status": "paid"}}
    answer = httpx.post(
        f"{served_api.url}/v1/actions",
        headers=api.auth("claims-bot"),
        json={"connection": "api", "request": request},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    args = ["approvals", "--url", served_api.url, "--token", api.tokens["alice"]]
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, [*args, "show", approval_id])
    assert result.exit_code == 0, f"{result.exit_code}: {result.exception!r} {result.output}"
    assert "/claims/7/[/notes]" in result.output, result.output


# ── an approval is bound to the exact action ────────────────────────────────
SHOW_MANIFEST = """#!/bin/sh
cat "$3" >> "$RECORD"
"""


async def test_an_approved_manifest_file_cannot_change_before_it_runs(tmp_path: Path) -> None:
    """The approval binds argv, not the manifest the gateway read (and classified) from
    the working directory: the reviewer approved a Deployment, a ClusterRoleBinding
    (privilege: denied outright when asked for directly) is what kubectl applies."""
    program = tmp_path / "bin" / "kubectl"
    program.parent.mkdir()
    program.write_text(SHOW_MANIFEST)
    program.chmod(0o755)
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    settings = connection(tmp_path, str(program), config, RECORD=str(tmp_path / "ran"))
    manifest = tmp_path / "work" / "deploy.yaml"
    h = await harness_with(tmp_path, {"k8s": settings})
    try:
        manifest.write_text("kind: Deployment\nmetadata: {name: api}\n")
        pending = await run_kubectl(h, "apply", "-f", "deploy.yaml")
        assert pending.status_code == 202, pending.text
        voted = await h.client.post(
            f"/v1/approvals/{pending.json()['approval']['id']}/approve",
            headers=h.auth("alice"),
            json={"comment": "a deployment, fine"},
        )
        assert voted.status_code == 200, voted.text
        binding = "kind: ClusterRoleBinding\nmetadata: {name: own-the-cluster}\n"
        (tmp_path / "work" / "crb.yaml").write_text(binding)
        direct = await run_kubectl(h, "apply", "-f", "crb.yaml")
        assert direct.status_code == 403, direct.text  # asked for directly: denied
        manifest.write_text(binding)
        ran = await h.client.post(
            f"/v1/actions/{pending.json()['id']}/run", headers=h.auth("claims-bot")
        )
    finally:
        await h.client.aclose()
        await h.gateway.close()
    applied = (tmp_path / "ran").read_text() if (tmp_path / "ran").exists() else ""
    assert "ClusterRoleBinding" not in applied, f"{ran.status_code}: kubectl applied {applied!r}"


# ── no connector returns the gateway's own secrets ──────────────────────────
VAULT_TOKEN = "hvs.CAESIJ7x9kQ2mZpLwR4tYvB8nU1s"
SECRET_ID = "s3cr3t-id-9f8e7d6c5b4a"
EXEC_PLUGIN_KUBECONFIG = f"""apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {{server: "https://127.0.0.1:1"}}
users:
- name: gw
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/local/bin/vault-kube-login
      args: ["--role=gateway", "--secret-id={SECRET_ID}"]
      env:
      - {{name: VAULT_TOKEN, value: {VAULT_TOKEN}}}
      interactiveMode: Never
contexts:
- name: prod
  context: {{cluster: prod, user: gw}}
current-context: prod
"""


@needs_kubectl
async def test_config_view_hides_exec_plugin_credentials(tmp_path: Path) -> None:
    """The scrubber knows token, password, client-key-data …, not `exec.env[].value`
    or `exec.args`, where a credential plugin's own secret lives (Vault, cloud CLIs);
    kubectl itself redacts neither."""
    config = tmp_path / "kubeconfig"
    config.write_text(EXEC_PLUGIN_KUBECONFIG)
    h = await harness_with(tmp_path, {"k8s": connection(tmp_path, KUBECTL or "kubectl", config)})
    try:
        answer = await run_kubectl(h, "config", "view")
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert answer.status_code == 200, answer.text
    leaked = [s for s in (VAULT_TOKEN, SECRET_ID) if s in answer.text]
    assert not leaked, f"leaked {leaked}: {answer.json()['result']['stdout'][-400:]}"


API_TOKEN = "upstream-api-token-5c1e9a7f3b2d8460"
LEAKY_SSN = "219-09-9999"


class _ReasonPhrase(BaseHTTPRequestHandler):
    """An upstream whose status line carries what its body never would: the caller's
    credential and a patient's SSN in the reason phrase."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        token = self.headers.get("authorization", "")
        status = 200 if self.path.startswith("/ok") else 404
        self.send_response(status, f"for {token} patient SSN {LEAKY_SSN}")
        self.send_header("content-length", "0")
        self.end_headers()


@pytest.fixture
def reason_upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ReasonPhrase)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="reason-upstream", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize("path", ["/ok", "/missing"], ids=["result", "error"])
async def test_the_upstream_reason_phrase_is_scrubbed_and_masked(
    tmp_path: Path, reason_upstream: str, path: str
) -> None:
    """`result.reason` (200) and the UpstreamError text (`answered 404 <reason>`)
    carry the status line as the upstream wrote it: the gateway's own bearer token
    and an SSN reach the agent."""
    settings = {
        "type": "http",
        "base_url": reason_upstream,
        "auth": {"scheme": "bearer", "value": API_TOKEN},
    }
    h = await harness_with(tmp_path, {"api": settings})
    try:
        body = {"connection": "api", "request": {"method": "GET", "path": path}}
        answer = await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)
    finally:
        await h.client.aclose()
        await h.gateway.close()
    leaked = [s for s in (API_TOKEN, LEAKY_SSN) if s in answer.text]
    assert not leaked, f"{answer.status_code}: {answer.text[:300]}"


# ── MCP: upstream errors are masked ─────────────────────────────────────────
def refusing_upstream() -> Server[Any]:
    """An upstream MCP server whose one tool refuses with a JSON-RPC error quoting
    the patient it was asked about (as many servers' validation errors do)."""

    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        schema = {"type": "object", "properties": {"mrn": {"type": "string"}}}
        return types.ListToolsResult(
            tools=[types.Tool(name="lookup_patient", description="Chart.", input_schema=schema)]
        )

    async def call_tool(
        _ctx: ServerRequestContext[Any], _params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        raise MCPError(-32602, f"no such chart for {PATIENT_TEXT}")

    return Server("refusing-upstream", on_list_tools=list_tools, on_call_tool=call_tool)


async def test_an_upstream_mcp_error_is_masked(tmp_path: Path) -> None:
    """Results are masked, the upstream's error message only scrubbed of credentials:
    `refused tool 'lookup_patient': <the upstream's text>` carries the SSN and e-mail."""
    app = refusing_upstream().streamable_http_app(stateless_http=True)
    async with serve_app(app) as upstream_base:
        charts = {
            "type": "mcp",
            "url": f"{upstream_base}/mcp",
            "headers": {"Authorization": f"Bearer {UPSTREAM_TOKEN}"},
            "tools": {"lookup_*": "read"},
        }
        h = await harness_with(tmp_path, {"charts": charts})
        try:
            await review_all_tools(h.gateway, "charts")
            async with (
                serve_app(build_app(h.gateway)) as base,
                mcp_client(f"{base}/mcp", h.tokens["claims-bot"]) as client,
            ):
                result = await client.call_tool("charts__lookup_patient", {"mrn": "MRN-1"})
        finally:
            await h.client.aclose()
            await h.gateway.close()
    text = " ".join(getattr(block, "text", "") for block in result.content)
    text += json.dumps(result.structured_content)
    assert result.is_error, text
    leaked = [s for s in ("536-22-8412", "margaret.okafor@example.com") if s in text]
    assert not leaked, text[:400]


# ── attacks that held (cheap guards) ────────────────────────────────────────
async def test_an_approved_command_is_claimed_only_by_its_requester(recorded: Harness) -> None:
    """Held: the person the agent acts for, sending the same argv, gets a request of
    her own, not the agent's approved run; the agent's approval still runs once."""
    pending = await run_kubectl(recorded, "scale", "deploy/api", "--replicas=0")
    approval_id = pending.json()["approval"]["id"]
    voted = await recorded.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=recorded.auth("alice"), json={}
    )
    assert voted.status_code == 200, voted.text
    body = {"connection": "k8s", "argv": ["kubectl", "scale", "deploy/api", "--replicas=0"]}
    dana = await recorded.client.post("/v1/actions", headers=recorded.auth("dana"), json=body)
    assert dana.status_code in (202, 403), dana.text
    assert dana.json().get("id") != pending.json()["id"]
    run = f"/v1/actions/{pending.json()['id']}/run"
    first = await recorded.client.post(run, headers=recorded.auth("claims-bot"))
    again = await recorded.client.post(run, headers=recorded.auth("claims-bot"))
    assert first.status_code == 200 and again.status_code == 409, (first.text, again.text)


async def test_action_text_shows_the_query_as_sent(api: Harness) -> None:
    """docs/rest.md: `action.text` stays the exact text, for programs. For http it
    is `k=v` pairs joined raw, so `{"q": "1&role=admin"}` reads as two parameters
    (the same text as `{"q": "1", "role": "admin"}`), while `review.sent` and the
    wire carry `q=1%26role%3Dadmin`."""
    request = {"method": "POST", "path": "/claims/7/notes", "query": {"q": "1&role=admin"}}
    body = {"connection": "api", "request": {**request, "body": {"note": "x"}}}
    answer = await api.client.post("/v1/actions", headers=api.auth("claims-bot"), json=body)
    assert answer.status_code == 202, answer.text
    view = await api.client.get(
        f"/v1/approvals/{answer.json()['approval']['id']}", headers=api.auth("alice")
    )
    action = view.json()["action"]
    assert "q=1%26role%3Dadmin" in action["review"]["sent"]  # the reviewer's view: as sent
    assert "role=admin" not in action["text"], action["text"]


async def test_a_header_the_wire_cannot_carry_is_a_clear_400(api: Harness) -> None:
    """`{"accept": "é"}` passes describe and policy (the action is recorded as run),
    then httpx cannot encode it: the caller reads `upstream_error` / `the upstream
    action failed: UnicodeEncodeError` (and the log a traceback) for its own bad input."""
    request = {"method": "GET", "path": "/claims", "headers": {"accept": "\u00e9"}}
    body = {"connection": "api", "request": request}
    answer = await api.client.post("/v1/actions", headers=api.auth("claims-bot"), json=body)
    error = answer.json().get("error", {})
    assert answer.status_code == 400 and error.get("code") == "invalid_request", answer.text
