"""Round 33b: a promises-only attack on the command (exec) connectors — kubectl, helm,
terraform — through the REST door, going around rounds 31b and 32b's fixes: what the
gateway itself reads from the working directory on the caller's behalf, and words
the tools read otherwise than the gateway.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial.harness import finding
from tests.conftest import Harness
from tests.connectors.support import harness_with

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


@finding(1, "kubectl -f NAME: any working-dir file comes back unmasked in the action")
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
