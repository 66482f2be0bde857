"""Round 31b: a promises-only attack on the command (exec) connectors — kubectl, helm,
terraform — through the REST door, with fresh eyes: manifests kubectl reads otherwise
than the gateway, and flags and words the tools accept that the gateway reads as reads.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial.test_findings_round3 import cluster, kube, needs_kubectl
from tests.conftest import Harness
from tests.connectors import kube_standin
from tests.connectors.support import harness_with

__all__ = ["cluster", "kube"]  # fixtures shared with round 3

SECRETS = "/api/v1/namespaces/default/secrets"


async def _kubectl(h: Harness, stdin: str | None, *argv: str) -> Any:
    body = {"connection": "k8s", "argv": ["kubectl", *argv], "stdin": stdin}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# ── 1. a manifest's kind as a YAML !!binary scalar ─────────────────────────────
@needs_kubectl
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


# ── 2. helm values files: a comma-separated list ───────────────────────────────
ECHO = """#!/bin/sh
printf '%s\\n' "$@"
"""


def _program(tmp_path: Path, name: str, text: str = ECHO) -> str:
    program = tmp_path / "bin" / name
    program.parent.mkdir(exist_ok=True)
    program.write_text(text)
    program.chmod(0o755)
    return str(program)


def _tool(tmp_path: Path, name: str, **extra: Any) -> dict[str, Any]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return {
        "type": "exec",
        "programs": [_program(tmp_path, name)],
        "working_dir": str(work),
        "env": {"HOME": str(tmp_path)},
        "timeout_seconds": 20,
        "rule_sets": [name],
        **extra,
    }


@pytest.fixture
async def helm(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection whose `helm` only echoes its argv."""
    h = await harness_with(tmp_path, {"k8s": _tool(tmp_path, "helm")})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _helm(h: Harness, *argv: str) -> Any:
    body = {"connection": "k8s", "argv": ["helm", *argv]}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


@pytest.mark.parametrize("values", ["values.yaml,/etc/passwd", '"/etc/passwd"'])
async def test_helm_values_outside_the_working_dir_in_a_list(helm: Harness, values: str) -> None:
    """Promise 1 (and docs/exec.md): a helm values file outside the working directory
    is admin. helm's `-f/--values` is a pflag StringSlice: its value is read as a CSV
    line, so `-f values.yaml,/etc/passwd` names two files and `-f '"/etc/passwd"'`
    one, unquoted. The gateway checks the whole value as one relative path
    (`local_path`), finds neither a leading `/` nor `..`, and `helm template` runs at
    once as a read, helm merging the host's file into the values it renders."""
    control = await _helm(helm, "template", "rel", "chart", "-f", "/etc/passwd")
    assert control.status_code == 403, control.text  # the plain form is refused
    response = await _helm(helm, "template", "rel", "chart", "-f", values)
    assert response.status_code != 200, (
        f"ran at once: {response.json()['result']['stdout'][:200]!r}"
    )


# ── 3. a typed List whose items carry no kind ──────────────────────────────────
@needs_kubectl
async def test_a_typed_lists_items_take_their_kind_from_the_list(
    kube: Harness, cluster: kube_standin.KubeStandIn
) -> None:
    """Promise 1/2: every object a manifest names counts. kubectl's unstructured
    decoder gives a List's items that have neither `kind` nor `apiVersion` the kind
    of the list without its `List` suffix (`decodeToList`: "SecretList" → Secret).
    The gateway collects only the `kind` keys it sees — `SecretList`, a kind it does
    not know — so `get -f - -o yaml` is a plain read and kubectl fetches the Secret."""
    manifest = (
        '{"apiVersion": "v1", "kind": "SecretList", "items": '
        '[{"metadata": {"name": "db-pass", "namespace": "default"}}]}'
    )
    response = await _kubectl(kube, manifest, "get", "-f", "-", "-o", "yaml")
    fetched = [p for p, _ in cluster.requests if p.startswith(SECRETS)]
    assert response.status_code != 200 and not fetched, (
        f"ran as a read; kubectl fetched {fetched}: {response.text[:300]}"
    )


# ── 4. a YAML merge key after the explicit kind ────────────────────────────────
@needs_kubectl
@pytest.mark.parametrize("merge", ["{kind: Secret}", "[{kind: Secret}]"])
async def test_a_merge_key_overrides_kind_as_kubectl_reads_it(
    kube: Harness, cluster: kube_standin.KubeStandIn, merge: str
) -> None:
    """Promise 1/2: the kind kubectl acts on is the kind the gateway classifies.
    kubectl converts YAML with go-yaml v2, which applies a `<<` merge where it stands,
    over the keys written before it: `kind: ConfigMap` then `<<: {kind: Secret}` is a
    Secret. PyYAML lets explicit keys win over merged ones, and the merged mapping
    leaves no node of its own for the gateway's walk to find: it sees a ConfigMap,
    and `get -f - -o yaml` runs as a read, fetching the Secret."""
    manifest = (
        f"apiVersion: v1\nkind: ConfigMap\n<<: {merge}\n"
        "metadata: {name: db-pass, namespace: default}\n"
    )
    response = await _kubectl(kube, manifest, "get", "-f", "-", "-o", "yaml")
    fetched = [p for p, _ in cluster.requests if p.startswith(SECRETS)]
    assert response.status_code != 200 and not fetched, (
        f"ran as a read; kubectl fetched {fetched}: {response.text[:300]}"
    )


# ── 5. helm commands that read a chart the gateway does not look at ────────────
@pytest.mark.parametrize(
    "argv", [["dependency", "list", "/srv/other-team/chart"], ["verify", "/srv/x/chart.tgz"]]
)
async def test_helm_chart_paths_outside_the_working_dir(helm: Harness, argv: list[str]) -> None:
    """docs/exec.md: a helm chart given as a path outside the working directory is
    admin. `helm_chart_risks` looks at the words of install, upgrade, template, show,
    pull, lint and package only; `dependency list PATH` (it reads PATH/Chart.yaml and
    the archives in PATH/charts) and `verify PATH` (the archive and its .prov file)
    read a chart wherever the caller names it, as reads that run at once."""
    control = await _helm(helm, "show", "chart", argv[-1])
    assert control.status_code == 403, control.text  # the same path, where it is checked
    response = await _helm(helm, *argv)
    assert response.status_code != 200, f"ran at once: {response.text[:200]}"


# ── 6. `kubectl apply view-last-applied`: a subcommand of apply the gateway misses ──
@needs_kubectl
async def test_apply_view_last_applied_of_a_secret_is_an_export(
    kube: Harness, cluster: kube_standin.KubeStandIn
) -> None:
    """Promise 3 (and docs/exec.md: every level of a tool's command tree has its own
    rule; an unlisted child is `unknown`). `kubectl apply` has subcommands
    (`view-last-applied`, `edit-last-applied`, `set-last-applied`), but `apply` is not
    among the gateway's command groups, so `apply view-last-applied secret/db-pass`
    is `rule 'kubectl apply': write`. It changes nothing: it prints the Secret's
    last-applied-configuration annotation — its whole manifest, `data` included. The
    reviewer is asked to approve a write (the rule for deploys) and sees no export."""
    asked = await _kubectl(kube, None, "apply", "view-last-applied", "secret/db-pass")
    if asked.status_code == 403:
        return  # refused: the promise held
    assert asked.status_code == 202, asked.text
    approval_id = asked.json()["approval"]["id"]
    seen = await kube.client.get(f"/v1/approvals/{approval_id}", headers=kube.auth("alice"))
    action = seen.json()["action"]
    risk, reasons = action["risk"], action["reasons"]
    assert risk == "export", f"the reviewer sees {risk}: {reasons}"
