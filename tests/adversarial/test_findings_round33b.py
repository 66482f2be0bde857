"""Round 33b: a promises-only attack on the command (exec) connectors — kubectl, helm,
terraform — through the REST door, going around rounds 31b and 32b's fixes: what the
gateway itself reads from the working directory on the caller's behalf, and words
the tools read otherwise than the gateway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from phigate.doors.app import build_app
from tests.conftest import Harness
from tests.connectors.support import audit_text, harness_with
from tests.mcp.conftest import mcp_client, serve_app

ECHO = """#!/bin/sh
printf '%s\\n' "$@"
"""


def _program(tmp_path: Path, name: str, text: str = ECHO) -> str:
    program = tmp_path / "bin" / name
    program.parent.mkdir(exist_ok=True)
    program.write_text(text)
    program.chmod(0o755)
    return str(program)


def _tool(tmp_path: Path, *names: str, **extra: Any) -> dict[str, Any]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return {
        "type": "exec",
        "programs": [_program(tmp_path, name) for name in names],
        "working_dir": str(work),
        "env": {"HOME": str(tmp_path)},
        "timeout_seconds": 20,
        "rule_sets": list(names),
        **extra,
    }


async def _run(h: Harness, connection: str, *argv: str) -> Any:
    body = {"connection": connection, "argv": list(argv)}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


# ── 1. `-f NAME`: the gateway reads any working-directory file into the action ──
DB_PASSWORD = "Pr0d-DB-p4ssw0rd-9f3a1c"
SSN = "219-09-9999"
WORKING_FILES = {
    # terraform's state beside its configuration: every resource attribute, in clear.
    "terraform.tfstate": json.dumps(
        {
            "version": 4,
            "resources": [
                {
                    "type": "aws_db_instance",
                    "instances": [{"attributes": {"password": DB_PASSWORD}}],
                }
            ],
        }
    ),
    # a report a job left in the deploy directory.
    "export.csv": f"mrn,first_name,last_name,ssn\nMRN-0042117,Maria,Gonzalez,{SSN}\n",
}


@pytest.fixture
async def shared(tmp_path: Path) -> AsyncIterator[Harness]:
    """One exec connection with kubectl and terraform (docs/exec.md: one connection,
    several programs), whose working directory holds terraform's state and a report
    no caller may read; kubectl only echoes its argv."""
    tool = _tool(tmp_path, "kubectl", "terraform")
    for name, text in WORKING_FILES.items():
        (Path(tool["working_dir"]) / name).write_text(text)
    h = await harness_with(tmp_path, {"k8s": tool})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


@pytest.mark.parametrize("name", sorted(WORKING_FILES))
async def test_a_denied_manifest_is_read_back_by_its_requester(shared: Harness, name: str) -> None:
    """Promise 2: nothing reaches a caller unmasked, and a read of secrets is an
    approved export. To bind a `-f` manifest to its approval the gateway reads the
    file when the action is made (`ExecConnector.prepare` → `_exec_files.snapshot`)
    and stores its text in the action's body; it keeps out only a file holding the
    connection's own credentials. It does so before classifying, for any readable
    file of the working directory. `kubectl get -f terraform.tfstate` is then refused
    (not a manifest: `unknown`), but `GET /v1/actions/{id}` answers the requester
    with `action.files` — the whole file, unmasked: a database password from the
    state, an SSN from a report. Nothing ran and no one approved anything."""
    response = await _run(shared, "k8s", "kubectl", "get", "-f", name)
    assert response.status_code == 403, response.text  # refused: the command is not understood
    action_id = response.json()["id"]
    seen = await shared.client.get(f"/v1/actions/{action_id}", headers=shared.auth("claims-bot"))
    leaked = [s for s in (DB_PASSWORD, SSN) if s in seen.text]
    assert not leaked, f"the requester reads {leaked}: {seen.text[:400]}"


SECRET_VALUE = "s3cr3t-st4ging-v4lue-77c1"
SECRET_MANIFEST = (
    "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n"
    f"stringData:\n  password: {SECRET_VALUE}\n  ssn: {SSN}\n"
)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def _pending_secret(h: Harness, tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "work" / "secret.yaml").write_text(SECRET_MANIFEST)
    response = await _run(h, "k8s", "kubectl", "apply", "-f", "secret.yaml")
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_pending_manifest_is_bound_by_digest_for_its_requester(
    shared: Harness, tmp_path: Path
) -> None:
    """A pending `apply -f` of a Secret: every view its requester can ask for (the
    action, the approval, the approvals list) names the bound file by size and sha256,
    never its text; the file was the gateway's to read, not the agent's."""
    pending = await _pending_secret(shared, tmp_path)
    agent = shared.auth("claims-bot")
    views = [
        await shared.client.get(f"/v1/actions/{pending['id']}", headers=agent),
        await shared.client.get(f"/v1/approvals/{pending['approval']['id']}", headers=agent),
        await shared.client.get("/v1/approvals", headers=agent),
    ]
    for view in views:
        assert view.status_code == 200, view.text
        leaked = [s for s in (SECRET_VALUE, SSN, "stringData") if s in view.text]
        assert not leaked, f"the requester reads {leaked}: {view.text[:400]}"
        assert _digest(SECRET_MANIFEST) in view.text
    files = views[0].json()["action"]["files"]
    assert files == {
        "secret.yaml": {"bytes": len(SECRET_MANIFEST), "sha256": _digest(SECRET_MANIFEST)}
    }


async def test_a_reviewer_still_reads_what_runs_with_phi_masked(
    shared: Harness, tmp_path: Path
) -> None:
    """The reviewer must see what runs: the manifest's text, PHI masked as elsewhere
    (and a Secret's values masked whole, as the reviewer's view always did)."""
    manifest = f"kind: Deployment\nmetadata:\n  name: api\n  annotations: {{owner: {SSN}}}\n"
    (tmp_path / "work" / "deploy.yaml").write_text(manifest)
    response = await _run(shared, "k8s", "kubectl", "apply", "-f", "deploy.yaml")
    assert response.status_code == 202, response.text
    approval = response.json()["approval"]["id"]
    view = await shared.client.get(f"/v1/approvals/{approval}", headers=shared.auth("alice"))
    assert view.status_code == 200, view.text
    sent = view.json()["action"]["review"]["sent"]
    assert "kind: Deployment" in sent and "name: api" in sent, sent
    assert SSN not in view.text


async def test_the_audit_log_records_a_bound_file_by_digest(
    shared: Harness, tmp_path: Path
) -> None:
    await _pending_secret(shared, tmp_path)
    await _run(shared, "k8s", "kubectl", "get", "-f", "terraform.tfstate")
    text = audit_text(shared)
    leaked = [s for s in (SECRET_VALUE, SSN, DB_PASSWORD, "stringData") if s in text]
    assert not leaked, leaked
    assert _digest(SECRET_MANIFEST) in text
    assert _digest(WORKING_FILES["terraform.tfstate"]) in text


async def test_a_command_refused_before_its_files_matter_reads_none(shared: Harness) -> None:
    """`kubectl frobnicate -f terraform.tfstate` has no rule whatever the file holds:
    the gateway does not read the file for a command it already refuses."""
    response = await _run(shared, "k8s", "kubectl", "frobnicate", "-f", "terraform.tfstate")
    assert response.status_code == 403, response.text
    seen = await shared.client.get(
        f"/v1/actions/{response.json()['id']}", headers=shared.auth("claims-bot")
    )
    assert "files" not in seen.json()["action"], seen.text
    assert _digest(WORKING_FILES["terraform.tfstate"]) not in audit_text(shared)


async def test_the_mcp_door_answers_an_exec_action_without_its_files(shared: Harness) -> None:
    """MCP's `get_action` of the same denied action: its status and the gateway's
    reason, never the file."""
    response = await _run(shared, "k8s", "kubectl", "get", "-f", "terraform.tfstate")
    action_id = response.json()["id"]
    async with (
        serve_app(build_app(shared.gateway)) as base,
        mcp_client(f"{base}/mcp", shared.tokens["claims-bot"]) as client,
    ):
        fetched = await client.call_tool("get_action", {"action_id": action_id})
    shown = json.dumps(fetched.structured_content) + "".join(
        getattr(block, "text", "") for block in fetched.content
    )
    assert "denied" in shown, shown
    leaked = [s for s in (DB_PASSWORD, SSN) if s in shown]
    assert not leaked, shown
