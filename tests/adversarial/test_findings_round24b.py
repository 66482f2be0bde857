"""Round 24b: a promises-only attack on the connectors (exec, http, MCP) through the
REST door, as a hostile agent.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

import pytest

from tests.adversarial.harness import finding
from tests.adversarial.test_findings_round3 import cluster, kube, needs_kubectl, run_kubectl
from tests.conftest import Harness
from tests.connectors import kube_standin

__all__ = ["cluster", "kube"]  # fixtures shared with round 3

# ── kubectl: a pod's own spec prints the passwords written into it ──────────────
DB_PASSWORD = "Xy7pQ2mZ9wLk"
STRIPE_KEY = "rk_prod_51Habc9Kd83hfQ0z"
ARG_PASSWORD = "Pw3Lk9Mx2Qz8"
MYSQL_PASSWORD = "My5Lk9Qx2Wz7"
_POD = {
    "kind": "Pod",
    "apiVersion": "v1",
    "metadata": {"name": "api-1", "namespace": "default"},
    "spec": {
        "containers": [
            {
                "name": "api",
                "image": "ehr/api:4.2",
                "args": ["--db-password", ARG_PASSWORD],
                "command": ["sh", "-c", f"mysql -uroot -p{MYSQL_PASSWORD} ehr < /init.sql"],
                "env": [
                    {"name": "DB_PASSWORD", "value": DB_PASSWORD},
                    {"name": "STRIPE_API_KEY", "value": STRIPE_KEY},
                ],
            }
        ]
    },
    "status": {"phase": "Running"},
}
POD_SECRETS = {"env": DB_PASSWORD, "env-key": STRIPE_KEY, "arg": ARG_PASSWORD}
POD_SECRETS["mysql -p"] = MYSQL_PASSWORD


@pytest.fixture
def pod_with_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in API server holds a pod whose spec carries credentials inline, as
    many manifests do (`env[].value`, a password flag, a `mysql -p…` start command)."""
    path = "/api/v1/namespaces/default/pods/api-1"
    monkeypatch.setitem(kube_standin._ANSWERS, path, _POD)


@needs_kubectl
@finding(1, "a pod's env values and password arguments come back unmasked from get -o yaml")
@pytest.mark.parametrize("secret", list(POD_SECRETS))
async def test_a_pods_inline_credentials_are_masked(
    kube: Harness, cluster: kube_standin.KubeStandIn, pod_with_passwords: None, secret: str
) -> None:
    """Promise 2: credentials and secrets are masked in command output. `kubectl get
    pod NAME -o yaml` is a read and runs at once. kubectl prints `env` as `- name:
    DB_PASSWORD` with its `value:` on the next line, and a container's arguments one
    item a line; the masker reads a label and its value on one line only, so
    `value: Xy7pQ2mZ9wLk` (and the key, the `--db-password` flag's value, the
    `mysql -p…` password) come back as written. The same value in `DB_PASSWORD=…` or in
    `-o json` is masked."""
    response = await run_kubectl(kube, "get", "pod", "api-1", "-o", "yaml")
    assert response.status_code == 200, response.text[:300]
    stdout = response.json()["result"]["stdout"]
    assert "api-1" in stdout, stdout[:300]
    assert POD_SECRETS[secret] not in stdout, stdout
