"""Round 31b: a promises-only attack on the command (exec) connectors — kubectl, helm,
terraform — through the REST door, with fresh eyes: manifests kubectl reads otherwise
than the gateway, and flags and words the tools accept that the gateway reads as reads.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.adversarial.harness import finding
from tests.adversarial.test_findings_round3 import cluster, kube, needs_kubectl
from tests.conftest import Harness
from tests.connectors import kube_standin

__all__ = ["cluster", "kube"]  # fixtures shared with round 3

SECRETS = "/api/v1/namespaces/default/secrets"


async def _kubectl(h: Harness, stdin: str | None, *argv: str) -> Any:
    body = {"connection": "k8s", "argv": ["kubectl", *argv], "stdin": stdin}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# ── 1. a manifest's kind as a YAML !!binary scalar ─────────────────────────────
@needs_kubectl
@finding(1, "kubectl get -f - of a Secret whose kind is a YAML !!binary scalar runs as a read")
async def test_a_binary_tagged_kind_is_read_as_kubectl_reads_it(
    kube: Harness, cluster: kube_standin.KubeStandIn
) -> None:
    """Promise 1/2: `kubectl get -f - -o yaml` of a manifest naming a Secret is an export
    (docs/exec.md: every `kind` counts, in any YAML style). kubectl's YAML decoder
    (go-yaml) resolves `kind: !!binary U2VjcmV0` to `Secret`; the gateway's PyYAML
    loads it as bytes, whose `str()` is `b'Secret'`, a kind it does not know: the
    command is a plain `get` read and runs at once, fetching the Secret."""
    manifest = (
        f"apiVersion: v1\nkind: !!binary {_b64('Secret')}\n"
        "metadata:\n  name: db-pass\n  namespace: default\n"
    )
    response = await _kubectl(kube, manifest, "get", "-f", "-", "-o", "yaml")
    fetched = [p for p, _ in cluster.requests if p.startswith(SECRETS)]
    assert response.status_code != 200 and not fetched, (
        f"ran as a read; kubectl fetched {fetched}: {response.text[:300]}"
    )
