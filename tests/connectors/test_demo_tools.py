"""The demo's deploy tool and patient API through the demo policy, and the `phigate exec` /
`phigate http` commands against a gateway served over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from phigate.cli import main
from phigate.doors.app import build_app
from phigate.ops.demo import patient_api
from phigate.ops.demo.deploy_tool import write_launcher
from tests.conftest import Harness, demo_config, make_harness
from tests.connectors.support import UNUSED_DSN, Served, approve_and_run, serve_in_thread

DEPLOY_TOKEN = "dpl_demo-token-4242424242"
API_TOKEN = "patients-api-token-1234567890"


@pytest.fixture
def demo_api(tmp_path: Path) -> Iterator[patient_api.RunningApi]:
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    (secrets_dir / "deploy_token").write_text(DEPLOY_TOKEN)
    (secrets_dir / "patients_api_token").write_text(API_TOKEN)
    write_launcher(tmp_path / "bin" / "deploy-tool")
    (tmp_path / "deploy").mkdir()
    running = patient_api.start_for_demo(secrets_dir)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
async def h(tmp_path: Path, demo_api: patient_api.RunningApi) -> AsyncIterator[Harness]:
    harness = await make_harness(demo_config(tmp_path, UNUSED_DSN))
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def deploy(h: Harness, *argv: str) -> httpx.Response:
    return await h.client.post(
        "/v1/actions",
        headers=h.auth("claims-bot"),
        json={"connection": "deploy", "argv": ["deploy-tool", *argv]},
    )


async def test_an_agent_deploys_only_after_approval(h: Harness, tmp_path: Path) -> None:
    status = await deploy(h, "status")
    assert status.status_code == 200, status.text
    assert "api" in status.json()["result"]["stdout"]
    pending = await deploy(h, "deploy", "api", "1.1.0")
    assert pending.status_code == 202, pending.text
    assert not (tmp_path / "deploy" / "deployments.json").exists()
    ran = await approve_and_run(h, pending.json())
    stdout = ran["result"]["stdout"]
    assert "deployed api 1.1.0" in stdout
    assert "Maria Garcia" not in stdout and "415-555-0142" not in stdout
    state = json.loads((tmp_path / "deploy" / "deployments.json").read_text())
    assert state["services"]["api"][-1] == "1.1.0"
    record = h.gateway.action(pending.json()["id"])
    assert record.rule == "deploys-need-a-data-owner"


async def test_the_deploy_token_never_leaves(h: Harness) -> None:
    response = await deploy(h, "whoami")
    assert response.status_code == 200, response.text
    assert DEPLOY_TOKEN not in response.text
    assert response.json()["result"]["masked"]["GATEWAY_SECRET"] == 1


async def test_grants_are_denied(h: Harness) -> None:
    response = await deploy(h, "grant", "mallory", "admin")
    assert response.status_code == 403
    assert response.json()["rule"] == "schema-privilege-admin-denied"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/patients/1", 200),
        ("GET", "/patients/export", 202),
        ("GET", "/admin/stats", 403),
        ("POST", "/users/7/roles", 403),
        ("POST", "/patients/1/notes", 202),
    ],
)
async def test_patient_api_through_the_demo_policy(
    h: Harness, method: str, path: str, status: int
) -> None:
    response = await h.client.post(
        "/v1/actions",
        headers=h.auth("claims-bot"),
        json={
            "connection": "patients-api",
            "request": {"method": method, "path": path, "body": {}},
        },
    )
    assert response.status_code == status, response.text


async def test_patient_json_is_masked(h: Harness) -> None:
    response = await h.client.post(
        "/v1/actions",
        headers=h.auth("dana"),
        json={"connection": "patients-api", "request": {"method": "GET", "path": "/patients/2"}},
    )
    body = response.json()["result"]["body"]
    raw = patient_api.create_api("t", 2)  # same seed: the same synthetic people
    assert raw is not None
    assert body["id"] == 2
    assert "@" not in json.dumps(body["contact"])
    assert body["ssn"] != "" and "-" not in body["ssn"][:3]


@pytest.fixture
def served(h: Harness) -> Iterator[Served]:
    running = serve_in_thread(build_app(h.gateway))
    try:
        yield running
    finally:
        running.stop()


def test_cli_exec_waits_for_approval_then_runs(h: Harness, served: Served) -> None:
    runner = CliRunner()
    args = [
        "exec",
        "--url",
        served.url,
        "--token",
        h.tokens["claims-bot"],
        "deploy",
        "--",
        "deploy-tool",
        "deploy",
        "web",
        "2.4.0",
    ]
    first = runner.invoke(main, args)
    assert first.exit_code == 3, first.output
    assert "waiting for approval" in first.stderr
    pending = httpx.get(
        f"{served.url}/v1/approvals?status=pending", headers=h.auth("alice")
    ).json()["approvals"]
    assert len(pending) == 1
    voted = httpx.post(
        f"{served.url}/v1/approvals/{pending[0]['id']}/approve", headers=h.auth("alice"), json={}
    )
    assert voted.status_code == 200
    second = runner.invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "deployed web 2.4.0" in second.stdout


def test_cli_exec_passes_exit_codes_and_denials(h: Harness, served: Served) -> None:
    runner = CliRunner()
    base = ["exec", "--url", served.url, "--token", h.tokens["claims-bot"], "deploy", "--"]
    assert runner.invoke(main, [*base, "deploy-tool", "rollback", "nothing"]).exit_code == 3
    assert runner.invoke(main, [*base, "deploy-tool", "grant", "x", "admin"]).exit_code == 4
    assert runner.invoke(main, [*base, "deploy-tool", "bogus"]).exit_code == 4
    bad = runner.invoke(
        main,
        [
            "exec",
            "--url",
            served.url,
            "--token",
            "phg_nope",
            "deploy",
            "--",
            "deploy-tool",
            "status",
        ],
    )
    assert bad.exit_code == 2


def test_cli_http_prints_the_masked_body(h: Harness, served: Served) -> None:
    result = CliRunner().invoke(
        main,
        [
            "http",
            "--url",
            served.url,
            "--token",
            h.tokens["dana"],
            "patients-api",
            "GET",
            "/patients/3",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["id"] == 3
    assert "@" not in result.stdout
