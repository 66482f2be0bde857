"""Round 18b: a promises-only attack on the data side (rows, conditions, side effects
in reads) and on the connectors' reads that print what an export would.

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.harness import finding
from tests.adversarial.test_findings_round3 import (
    SECRETS,
    cluster,
    kube,
    needs_kubectl,
    run_kubectl,
)
from tests.conftest import Harness
from tests.connectors import kube_standin

__all__ = ["cluster", "kube"]  # fixtures shared with round 3


# ── kubectl: a read that prints a Secret ───────────────────────────────────────
SECRET_MANIFEST = "apiVersion: v1\nkind: Secret\nmetadata: {name: db-pass, namespace: default}\n"


@needs_kubectl
@finding(1, "kubectl wait -o prints the Secrets it waits for, classed as a read")
@pytest.mark.parametrize(
    "argv",
    [
        ["wait", "--for=create", "secret/db-pass", "-o", "yaml", "--timeout=2s"],
        ["wait", "--for=jsonpath={.type}=Opaque", "secrets", "--all", "-o", "json"],
        ["wait", "--for=create", "-f", "secret.yaml", "-o", "yaml", "--timeout=2s"],
    ],
    ids=["type-name", "all-secrets", "manifest"],
)
async def test_waiting_on_a_secret_with_output_is_an_export(
    kube: Harness, cluster: kube_standin.KubeStandIn, tmp_path: Path, argv: list[str]
) -> None:
    """docs/exec.md: commands that print credentials are `export` (`get secrets` in any
    spelling, `--raw` too; a Secret in a `-f` manifest of `get`/`describe`/`edit`).
    `kubectl wait … -o yaml` prints every object it waited for, whole, as `get -o yaml`
    does: for a Secret, its base64 `data`. `wait` is a read with `-o` on its flag
    list, its resource slot is normalised (`secret/db-pass` → `secrets`), but no rule
    names `wait secrets`, and a Secret in its manifest raises nothing: it runs at once
    under the demo policy, and kubectl fetches the Secret with the gateway's
    credentials."""
    (tmp_path / "work" / "secret.yaml").write_text(SECRET_MANIFEST)
    response = await run_kubectl(kube, *argv)
    fetched = [p for p, _ in cluster.requests if p.startswith(SECRETS)]
    assert response.status_code != 200 and not fetched, (
        f"ran as a read; kubectl fetched {fetched}: {response.text[:300]}"
    )
