"""Round 3, finding 10: the files a command reads are bound to the approval.

`kubectl apply -f NAME` runs the manifest the gateway read when the request was
made (and the reviewer saw), fed through a descriptor in the flag's place; the
name in the working directory is never opened at run time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from phigate.connectors._argv_rules import BUILTIN_RULE_SETS, files_read
from phigate.connectors._exec_files import fed
from phigate.core.errors import NotAllowedError
from tests.conftest import Harness
from tests.connectors.support import approve_and_run, harness_with
from tests.connectors.test_exec_credentials import connection

# A kubectl stand-in that prints every file its `-f` flags name, as it reads them.
SHOW_FILES = """#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -f) shift; cat "$1" ;;
    --filename=*) cat "${1#--filename=}" ;;
  esac
  shift
done
"""
DEPLOYMENT = "kind: Deployment\nmetadata: {name: api}\n"
BINDING = "kind: ClusterRoleBinding\nmetadata: {name: own-the-cluster}\n"


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    program = tmp_path / "bin" / "kubectl"
    program.parent.mkdir()
    program.write_text(SHOW_FILES)
    program.chmod(0o755)
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    harness = await harness_with(tmp_path, {"k8s": connection(tmp_path, str(program), config)})
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def submit(h: Harness, *argv: str) -> dict[str, object]:
    body = {"connection": "k8s", "argv": ["kubectl", *argv]}
    answer = await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)
    assert answer.status_code == 202, answer.text
    result: dict[str, object] = answer.json()
    return result


async def test_the_approved_content_runs_whatever_the_file_holds_later(
    h: Harness, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    (work / "deploy.yaml").write_text(DEPLOYMENT)
    (work / "svc.yaml").write_text("kind: Service\n")
    pending = await submit(h, "apply", "-f", "deploy.yaml", "--filename=svc.yaml")
    view = await h.client.get(
        f"/v1/approvals/{pending['approval']['id']}",  # type: ignore[index]
        headers=h.auth("alice"),
    )
    assert "kind: Deployment" in view.json()["action"]["review"]["sent"]
    (work / "deploy.yaml").write_text(BINDING)
    ran = await approve_and_run(h, pending)
    assert ran["result"]["stdout"] == DEPLOYMENT + "kind: Service\n", ran


async def test_the_same_argv_over_other_content_is_a_new_request(
    h: Harness, tmp_path: Path
) -> None:
    manifest = tmp_path / "work" / "deploy.yaml"
    manifest.write_text(DEPLOYMENT)
    first = await submit(h, "apply", "-f", "deploy.yaml")
    voted = await h.client.post(
        f"/v1/approvals/{first['approval']['id']}/approve",  # type: ignore[index]
        headers=h.auth("alice"),
        json={},
    )
    assert voted.status_code == 200, voted.text
    manifest.write_text(DEPLOYMENT.replace("api", "api-2"))
    second = await submit(h, "apply", "-f", "deploy.yaml")  # not the approved twin
    assert second["id"] != first["id"]
    manifest.write_text(DEPLOYMENT)
    body = {"connection": "k8s", "argv": ["kubectl", "apply", "-f", "deploy.yaml"]}
    twin = await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)
    assert twin.status_code == 200 and twin.json()["id"] == first["id"], twin.text


@pytest.mark.parametrize(
    "args",
    [["-f", "a.yaml"], ["-fa.yaml"], ["-f=a.yaml"], ["--filename=a.yaml"], ["--filename", "a"]],
)
def test_every_spelling_of_the_flag_reads_the_snapshot(args: list[str]) -> None:
    argv = ["kubectl", "apply", *args, "-n", "prod"]
    flags = files_read(argv, [BUILTIN_RULE_SETS["kubectl"]])
    (name,) = [f.value for f in flags]
    with fed(argv, flags, {name: DEPLOYMENT}) as (command, descriptors):
        assert not any(a.endswith(name) for a in command[2:]), command
        assert command[-2:] == ["-n", "prod"]
        (path,) = [a[a.index("/dev/fd/") :] for a in command if "/dev/fd/" in a]
        assert path == f"/dev/fd/{descriptors[0]}"
        with open(path) as snapshot:
            assert snapshot.read() == DEPLOYMENT


def test_a_file_without_a_snapshot_is_refused() -> None:
    argv = ["kubectl", "apply", "-f", "a.yaml"]
    flags = files_read(argv, [BUILTIN_RULE_SETS["kubectl"]])
    with pytest.raises(NotAllowedError), fed(argv, flags, {}):
        pass
