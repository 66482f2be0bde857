"""exec connections end to end: real programs (a stand-in kubectl, env, cat, sleep) through
the REST front door and the gateway pipeline."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from phigate.connectors.exec import exec_body
from phigate.core.actions import Action
from tests.conftest import Harness
from tests.connectors.support import approve_and_run, audit_text, harness_with

KUBE_TOKEN = "kt-secret-9f8e7d6c5b4a3210"
REF_SECRET = "ref-secret-0a1b2c3d4e5f6789"
SSN, EMAIL, PHONE = "123-45-6789", "john.smith@example.com", "(415) 555-0134"

KUBECTL = f"""#!/bin/sh
# Stand-in kubectl: prints its arguments one per line, answers like the real one would.
echo "argc=$#"
for a in "$@"; do printf 'arg=%s\\n' "$a"; done
case "$1" in
  get) printf 'NAME READY NOTE\\napi-1 1/1 patient John Smith SSN {SSN} mail {EMAIL}\\n' ;;
  apply) cat ;;
esac
echo "authenticating with $KUBE_TOKEN and $REF_TOKEN" >&2
"""

SPAWNER = """#!/bin/sh
# Starts a grandchild in the background, records its pid, then waits forever.
sleep 300 &
echo $! > "$1"
sleep 300
"""


def _script(path: Path, text: str) -> str:
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


def exec_connection(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    bin_dir, work = tmp_path / "bin", tmp_path / "work"
    bin_dir.mkdir(exist_ok=True)
    work.mkdir(exist_ok=True)
    programs = [
        _script(bin_dir / "kubectl", KUBECTL),
        _script(bin_dir / "spawner", SPAWNER),
        "/usr/bin/env",
        "/bin/cat",
        "/bin/sleep",
    ]
    return {
        "type": "exec",
        "programs": programs,
        "working_dir": str(work),
        "env": {"KUBE_TOKEN": KUBE_TOKEN, "REF_TOKEN": "${PHIGATE_TEST_EXEC_SECRET}"},
        "timeout_seconds": 1.5,
        "max_output_bytes": 10_000,
        "rule_sets": ["kubectl"],
        "rules": [
            {"name": f"{p} is a read", "program": p, "risk": "read"}
            for p in ("env", "cat", "sleep", "spawner")
        ],
        **extra,
    }


@pytest.fixture
async def h(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    monkeypatch.setenv("PHIGATE_TEST_EXEC_SECRET", REF_SECRET)
    monkeypatch.setenv("PHIGATE_LEAK_CANARY", "canary-value-5150")
    # kubectl >= 1.33 reads its preferences (aliases) from the file `KUBERC` names.
    monkeypatch.setenv("KUBERC", "/tmp/kuberc-canary")
    harness = await harness_with(tmp_path, {"k8s": exec_connection(tmp_path)})
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def run(
    h: Harness, argv: list[str], stdin: str | None = None, subject: str = "claims-bot"
) -> Any:
    body: dict[str, Any] = {"connection": "k8s", "argv": argv}
    if stdin is not None:
        body["stdin"] = stdin
    return await h.client.post("/v1/actions", headers=h.auth(subject), json=body)


async def test_read_runs_with_phi_masked_and_credentials_scrubbed(h: Harness) -> None:
    response = await run(h, ["kubectl", "get", "pods"])
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["exit_code"] == 0
    assert "api-1" in result["stdout"]
    for secret in (SSN, EMAIL, KUBE_TOKEN, REF_SECRET):
        assert secret not in result["stdout"] + result["stderr"]
    assert result["masked"]["GATEWAY_SECRET"] == 2
    assert sum(result["masked"].values()) >= 4


async def test_arguments_never_pass_through_a_shell(h: Harness, tmp_path: Path) -> None:
    tricks = ["pods; touch marker1", "$(touch marker2)", "`touch marker3`", "&& rm -rf ~", "*"]
    response = await run(h, ["kubectl", "get", *tricks])
    assert response.status_code == 200, response.text
    stdout = response.json()["result"]["stdout"]
    assert "argc=6" in stdout
    for trick in tricks:
        assert f"arg={trick}\n" in stdout
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == []


async def test_write_waits_for_approval_bound_to_argv_and_stdin(h: Harness) -> None:
    manifest = f"kind: Deployment\nmetadata: {{name: api}}\n# owner {EMAIL}\n"
    argv = ["kubectl", "apply", "-f", "-"]
    response = await run(h, argv, stdin=manifest)
    assert response.status_code == 202, response.text
    body = response.json()
    view = (
        await h.client.get(f"/v1/approvals/{body['approval']['id']}", headers=h.auth("alice"))
    ).json()
    assert view["action"]["kind"] == "exec"
    assert view["action"]["risk"] == "write"
    assert view["action"]["text"].startswith("kubectl apply -f -\n--- stdin ---\nkind: Deployment")
    assert any("kubectl apply" in r for r in view["action"]["reasons"])
    # The same command with other input is another action: it waits for its own approval.
    other = await run(h, argv, stdin="kind: Deployment\nmetadata: {name: db}\n")
    assert other.status_code == 202
    assert other.json()["id"] != body["id"]
    ran = await approve_and_run(h, body)
    assert ran["status"] == "executed"
    assert "kind: Deployment" in ran["result"]["stdout"]
    assert EMAIL not in ran["result"]["stdout"]
    again = await h.client.post(f"/v1/actions/{body['id']}/run", headers=h.auth("claims-bot"))
    assert again.status_code == 409


async def test_resubmitting_an_approved_command_runs_it_once(h: Harness) -> None:
    argv = ["kubectl", "scale", "deploy/api", "--replicas=3"]
    first = (await run(h, argv)).json()
    approval = first["approval"]["id"]
    voted = await h.client.post(f"/v1/approvals/{approval}/approve", headers=h.auth("bob"), json={})
    assert voted.status_code == 200
    second = await run(h, argv)
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first["id"]
    assert "arg=--replicas=3" in second.json()["result"]["stdout"]
    third = await run(h, argv)
    assert third.status_code == 202


@pytest.mark.parametrize(
    ("argv", "rule"),
    [
        (
            ["kubectl", "create", "clusterrolebinding", "x", "--clusterrole=cluster-admin"],
            "schema-privilege-admin-denied",
        ),
        (["kubectl", "--as=system:admin", "get", "pods"], "schema-privilege-admin-denied"),
        (["kubectl", "exec", "-it", "api-1", "--", "sh"], "schema-privilege-admin-denied"),
        (["kubectl", "frobnicate"], "unknown-denied"),
        (["/bin/sh", "-c", "id"], "unknown-denied"),
        (["sh", "-c", "id"], "unknown-denied"),
        (["/tmp/../bin/cat", "/etc/hostname"], "unknown-denied"),
    ],
)
async def test_privilege_admin_and_unknown_commands_are_denied(
    h: Harness, argv: list[str], rule: str, tmp_path: Path
) -> None:
    response = await run(h, argv)
    assert response.status_code == 403, response.text
    assert response.json()["rule"] == rule


async def test_env_holds_only_the_declared_variables(h: Harness) -> None:
    response = await run(h, ["env"])
    assert response.status_code == 200, response.text
    stdout = response.json()["result"]["stdout"]
    names = sorted(line.split("=", 1)[0] for line in stdout.splitlines())
    assert names == ["KUBE_TOKEN", "LC_ALL", "PATH", "REF_TOKEN"]
    for value in (KUBE_TOKEN, REF_SECRET, "canary-value-5150"):
        assert value not in stdout
    assert "PHIGATE_" not in stdout


async def test_cat_masks_phi_in_its_output(h: Harness) -> None:
    note = f"Patient John Smith, SSN {SSN}, phone {PHONE}, email {EMAIL}.\n"
    response = await run(h, ["cat"], stdin=note)
    assert response.status_code == 200, response.text
    stdout = response.json()["result"]["stdout"]
    assert stdout.startswith("Patient")
    for value in (SSN, PHONE, EMAIL):
        assert value not in stdout


async def test_a_failing_command_reports_its_exit_code(h: Harness) -> None:
    response = await run(h, ["cat", "no-such-file"])
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["exit_code"] == 1
    assert "no-such-file" in result["stderr"]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in {"Z", "X"}


async def test_timeout_kills_the_whole_process_group(h: Harness, tmp_path: Path) -> None:
    pid_file = tmp_path / "work" / "grandchild.pid"
    started = time.monotonic()
    response = await run(h, ["spawner", str(pid_file)])
    elapsed = time.monotonic() - started
    assert response.status_code == 502, response.text
    assert "timeout" in response.json()["error"]["message"]
    assert elapsed < 6
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 3
    while _alive(grandchild) and time.monotonic() < deadline:  # noqa: ASYNC110 - a foreign pid
        await asyncio.sleep(0.05)
    assert not _alive(grandchild)
    record = h.gateway.action(response.json()["id"])
    assert record.status == "failed"
    assert record.result_summary is not None
    assert record.result_summary["error_class"] == "upstream_error"


async def test_output_is_capped(h: Harness) -> None:
    lines = "".join(f"line {i:06d}\n" for i in range(20_000))  # 240 000 bytes
    response = await run(h, ["cat"], stdin=lines)
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["truncated"] == {"stdout": True, "stderr": False}
    assert len(result["stdout"]) <= 10_000
    assert result["stdout"].endswith("\n")
    summary = h.gateway.action(response.json()["id"]).result_summary
    assert summary is not None
    assert summary["stdout_bytes"] == len(lines)


async def test_credentials_and_output_never_reach_the_audit_log(h: Harness) -> None:
    for argv in (["kubectl", "get", "pods"], ["env"]):
        assert (await run(h, argv)).status_code == 200
    text = audit_text(h)
    for value in (KUBE_TOKEN, REF_SECRET, SSN, EMAIL):
        assert value not in text
    assert '"exit_code": 0' in text
    assert '"argv": ["kubectl", "get", "pods"]' in text


async def test_gateway_submit_takes_the_exec_body_shape(h: Harness) -> None:
    principal = await h.gateway.authenticate(h.tokens["dana"])
    action = Action(
        connection="k8s",
        kind="exec",
        body=exec_body(["kubectl", "get", "pods"]),
        principal=principal,
        front_door="mcp",
    )
    outcome = await h.gateway.submit(action)
    assert outcome.status == "executed"
    assert outcome.result is not None
    assert outcome.result["exit_code"] == 0
    assert outcome.record.description.detail["command"] == "kubectl get pods"


async def test_a_missing_working_directory_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHIGATE_TEST_EXEC_SECRET", REF_SECRET)
    conn = exec_connection(tmp_path, working_dir=str(tmp_path / "absent"))
    harness = await harness_with(tmp_path, {"k8s": conn})
    try:
        response = await run(harness, ["cat"], stdin="x")
        assert response.status_code == 502
        assert "cannot start cat" in response.json()["error"]["message"]
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


def test_programs_must_be_absolute(tmp_path: Path) -> None:
    from phigate.config import ExecConnection
    from phigate.core.errors import ConfigError
    from tests.connectors.support import settings_with

    with pytest.raises(ConfigError, match="absolute"):
        settings_with(tmp_path, {"k": {**exec_connection(tmp_path), "programs": ["kubectl"]}})
    ok = ExecConnection.model_validate(exec_connection(tmp_path))
    assert all(os.path.isabs(p) for p in ok.programs)
