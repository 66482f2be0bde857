"""Issue 15 items 2 and 3 through the REST front door: the gateway's cluster token goes only
to the cluster its kubeconfig names, and its credentials never come back out.

A real kubectl (Debian's `kubernetes-client`, or any `kubectl` on PATH) talks to a local
TLS stand-in API server that records every request and its Authorization header; a
second stand-in plays the host an agent names. Without kubectl those tests skip, and a
recording stand-in program shows the same for argv and the scrubbing of what it prints.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from phigate.connectors.exec import ExecConnector, exec_body
from phigate.core.actions import Action, Description
from phigate.core.risk import RiskClass
from phigate.identity.principal import Principal, PrincipalKind
from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings
from tests.conftest import Harness
from tests.connectors import kube_standin
from tests.connectors.support import harness_with, settings_with

TOKEN = "kube-token-7f3a9c2e5b1d4860"
KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(
    KUBECTL is None,
    reason="no kubectl on PATH: install Debian's kubernetes-client to run the real-kubectl tests",
)

RECORDER = """#!/bin/sh
# Stand-in kubectl: records that it ran and its argv, then prints its credentials back.
printf '%s\\n' "$@" > "$RECORD"
case "$1" in
  version)
    cat "$KUBECONFIG"
    printf '%s' "$KUBE_TOKEN" | base64 -w0; echo
    printf 'x%s' "$KUBE_TOKEN" | base64 -w0; echo
    printf 'xy%s' "$KUBE_TOKEN" | base64 -w0; echo
    grep client-key-data "$KUBECONFIG" | sed 's/.*: //' | base64 -d
    ;;
esac
"""


def kubeconfig(path: Path, server: str, ca_pem: bytes, key_pem: bytes) -> Path:
    """A kubeconfig with a token and a client key pair (the stand-in's own, self-signed)."""
    ca, key = base64.b64encode(ca_pem).decode(), base64.b64encode(key_pem).decode()
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: prod\n  cluster:\n    server: {server}\n"
        f"    certificate-authority-data: {ca}\n"
        f"users:\n- name: gw\n  user:\n    token: {TOKEN}\n"
        f"    client-certificate-data: {ca}\n    client-key-data: {key}\n"
        "contexts:\n- name: prod\n  context: {cluster: prod, user: gw, namespace: default}\n"
        "- name: other\n  context: {cluster: prod, user: gw, namespace: kube-system}\n"
        "current-context: prod\n"
    )
    return path


@pytest.fixture
def clusters(tmp_path: Path) -> Iterator[tuple[kube_standin.KubeStandIn, ...]]:
    """(the gateway's cluster, a host the agent names)."""
    (tmp_path / "prod").mkdir()
    (tmp_path / "evil").mkdir()
    prod = kube_standin.start(tmp_path / "prod")
    evil = kube_standin.start(tmp_path / "evil")
    yield prod, evil
    prod.close()
    evil.close()


def connection(tmp_path: Path, program: str, config: Path, **env: str) -> dict[str, Any]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return {
        "type": "exec",
        "programs": [program],
        "working_dir": str(work),
        "env": {"KUBECONFIG": str(config), "HOME": str(tmp_path), **env},
        "timeout_seconds": 20,
        "rule_sets": ["kubectl"],
    }


@pytest.fixture
async def h(
    tmp_path: Path, clusters: tuple[kube_standin.KubeStandIn, ...]
) -> AsyncIterator[Harness]:
    prod, _ = clusters
    key = tmp_path / "prod" / "standin.key"
    config = kubeconfig(tmp_path / "kubeconfig", prod.url, prod.ca_pem, key.read_bytes())
    program = KUBECTL or "/usr/bin/kubectl"
    harness = await harness_with(tmp_path, {"k8s": connection(tmp_path, program, config)})
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def submit(h: Harness, argv: list[str], stdin: str | None = None) -> Any:
    body: dict[str, Any] = {"connection": "k8s", "argv": argv}
    if stdin is not None:
        body["stdin"] = stdin
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


@needs_kubectl
async def test_a_read_reaches_the_gateways_cluster_and_hides_its_token(
    h: Harness, clusters: tuple[kube_standin.KubeStandIn, ...]
) -> None:
    prod, _ = clusters
    response = await submit(h, ["kubectl", "get", "pods"])
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert "api-1" in result["stdout"], result
    assert ("/api/v1/namespaces/default/pods", f"Bearer {TOKEN}") in prod.requests
    assert TOKEN not in response.text


ELSEWHERE = [
    ["-s{evil}"],
    ["-s={evil}"],
    ["-s", "{evil}"],
    ["--server={evil}"],
    ["--server", "{evil}"],
    ["--certificate-authority={ca}"],
    ["--tls-server-name=evil.example"],
    ["--insecure-skip-tls-verify"],
    ["--context=other"],
    ["--cluster=prod"],
    ["--cache-dir={work}/cache"],
    ["-v=9"],
    ["--profile=cpu", "--profile-output={work}/profile"],
    ["--kubeconfig={work}/../kubeconfig"],
]


@needs_kubectl
@pytest.mark.parametrize("flags", ELSEWHERE)
async def test_no_caller_flag_redirects_the_token_or_writes_on_the_host(
    h: Harness, clusters: tuple[kube_standin.KubeStandIn, ...], tmp_path: Path, flags: list[str]
) -> None:
    prod, evil = clusters
    values = {"evil": evil.url, "ca": str(tmp_path / "evil" / "standin.crt")}
    argv = ["kubectl", *(f.format(work=tmp_path / "work", **values) for f in flags)]
    response = await submit(h, [*argv, "get", "pods"])
    assert response.status_code == 403, response.text
    assert response.json()["rule"] == "schema-privilege-admin-denied"
    assert evil.requests == [] and prod.requests == []
    assert list((tmp_path / "work").iterdir()) == []


@needs_kubectl
@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["config", "view", "--raw"], 403),
        (["config", "view", "--flatten"], 403),
        (["get", "Secrets"], 202),
        (["get", "pods,secrets"], 202),
        (["get", "secret/db-pass", "-o", "yaml"], 202),
        (["get", "--raw", "/api/v1/namespaces/default/secrets"], 202),
    ],
)
async def test_reads_that_print_credentials_do_not_run_as_reads(
    h: Harness, clusters: tuple[kube_standin.KubeStandIn, ...], argv: list[str], status: int
) -> None:
    prod, _ = clusters
    response = await submit(h, ["kubectl", *argv])
    assert response.status_code == status, response.text
    assert response.json().get("risk", response.json().get("action", {}).get("risk")) != "read"
    assert prod.requests == []


@needs_kubectl
async def test_config_view_shows_no_credential_of_the_gateway(h: Harness) -> None:
    response = await submit(h, ["kubectl", "config", "view"])
    assert response.status_code == 200, response.text
    assert TOKEN not in response.text
    assert "client-key-data" in response.json()["result"]["stdout"]


@pytest.mark.parametrize(
    ("manifest", "status"),
    [
        ('{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding"}', 403),
        ("{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding}", 403),
        ("kind: Deployment\n", 202),
    ],
)
async def test_rbac_manifests_in_any_form_are_privilege_at_the_front_door(
    tmp_path: Path, manifest: str, status: int
) -> None:
    recorder = tmp_path / "kubectl"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    settings = connection(tmp_path, str(recorder), config, RECORD=str(tmp_path / "ran"))
    h = await harness_with(tmp_path, {"k8s": settings})
    try:
        response = await submit(h, ["kubectl", "apply", "-f", "-"], stdin=manifest)
        assert response.status_code == status, response.text
        assert not (tmp_path / "ran").exists()
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_kubeconfig_credentials_and_base64_of_secrets_are_scrubbed(tmp_path: Path) -> None:
    """Even a command an operator lets run cannot print the gateway's credentials back."""
    recorder = tmp_path / "kubectl"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    (tmp_path / "prod").mkdir()
    _, key_file, ca = kube_standin.self_signed(tmp_path / "prod")
    key = key_file.read_bytes()
    config = kubeconfig(tmp_path / "kubeconfig", "https://127.0.0.1:1", ca, key)
    env = {"KUBE_TOKEN": TOKEN, "RECORD": str(tmp_path / "ran")}
    settings = settings_with(tmp_path, {"k8s": connection(tmp_path, str(recorder), config, **env)})
    connector = ExecConnector("k8s", settings.connections["k8s"])  # type: ignore[arg-type]
    action = Action(
        connection="k8s",
        kind="exec",
        body=exec_body(["kubectl", "version"]),
        principal=Principal("ops", PrincipalKind.HUMAN),
        front_door="test",
    )
    masker = MaskingEngine(MaskingSettings(), b"k" * 32).masker("hipaa-safe-harbor")
    result = await connector.run(action, Description(RiskClass.READ), masker)
    out = result.payload["stdout"]
    assert (tmp_path / "ran").exists()
    base64_key = base64.b64encode(key).decode()
    leaks = [TOKEN, base64_key, base64.b64encode(TOKEN.encode()).decode()[:-4]]
    leaks += [line for line in key.decode().splitlines() if not line.startswith("-----")]
    for leak in leaks:
        assert leak not in out, leak
    for shifted in (b"x", b"xy"):
        encoded = base64.b64encode(shifted + TOKEN.encode()).decode()
        assert encoded[4:-4] not in out
    assert "[REDACTED:KUBECONFIG]" in out
    assert result.masked["GATEWAY_SECRET"] >= 6
