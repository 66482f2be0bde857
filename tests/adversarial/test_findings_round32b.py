"""Round 32b: a promises-only attack on the command (exec) connectors — kubectl, helm,
terraform, psql — through the REST door, going around round 31b's manifest fixes:
what kubectl's JSON decoding reads that the gateway's YAML walk does not.
"""

from __future__ import annotations

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


def _fetched(cluster: kube_standin.KubeStandIn) -> list[str]:
    return [p for p, _ in cluster.requests if p.startswith(SECRETS)]


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
async def terraform(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection whose `terraform` only echoes its argv
    (the real one would write the gateway user's ~/.bashrc: see finding 1)."""
    h = await harness_with(tmp_path, {"tf": _tool(tmp_path, "terraform")})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _run(h: Harness, connection: str, *argv: str) -> Any:
    body = {"connection": connection, "argv": list(argv)}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


# ── 1. terraform's CLI framework reads its own flags in every word ─────────────
@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "-var", "-install-autocomplete"],
        ["state", "list", "-id", "--uninstall-autocomplete"],
        ["plan", "-lock-timeout", "-install-autocomplete"],
    ],
)
async def test_terraform_autocomplete_flags_inside_a_flag_value(
    terraform: Harness, argv: list[str]
) -> None:
    """Promise 1/5: terraform's main hands its whole argv to mitchellh/cli, which looks
    at every word up to `--` for `-install-autocomplete`/`-uninstall-autocomplete`
    (with one or two dashes) before any subcommand parses its flags, then edits the
    gateway user's shell rc files (~/.bashrc, ~/.zshrc, found through /etc/passwd,
    not $HOME) and exits 0 without running the subcommand. The gateway parses the
    line as Go's `flag` does, where `-var -install-autocomplete` is the flag `-var`
    with a value: `terraform plan`, a read, runs at once. Checked by hand with
    terraform v1.11.4: it appended `complete -C /usr/local/bin/terraform terraform`
    to /root/.bashrc (since removed)."""
    control = await _run(terraform, "tf", "terraform", "plan", "-install-autocomplete")
    assert control.status_code != 200, control.text  # the flag alone is unknown
    response = await _run(terraform, "tf", "terraform", *argv)
    assert response.status_code != 200, f"ran at once: {response.text[:300]}"


# ── 2. a line kubectl splits documents on, inside one YAML document ────────────
@needs_kubectl
async def test_a_separator_with_a_comment_splits_only_for_kubectl(
    kube: Harness, cluster: kube_standin.KubeStandIn
) -> None:
    """Promise 1/2: every document a manifest holds counts. kubectl does not let its
    YAML parser find documents: apimachinery's YAMLReader cuts the text at every line
    that starts with `---` followed by nothing but spaces or a `#` comment. YAML (and
    PyYAML) starts a document only at `---` followed by a space or a line end:
    `---#: |` is a key `---#` whose value is a literal block. So the gateway reads one
    Pod with a string field, and kubectl two objects, the second a Secret that
    `get -f - -o yaml` fetches and prints at once, as a read."""
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: api-1, namespace: default}\n"
        "---#: |\n"
        "  apiVersion: v1\n  kind: Secret\n"
        "  metadata: {name: db-pass, namespace: default}\n"
    )
    response = await _kubectl(kube, manifest, "get", "-f", "-", "-o", "yaml")
    fetched = _fetched(cluster)
    assert response.status_code != 200 and not fetched, (
        f"ran as a read; kubectl fetched {fetched}: {response.text[:300]}"
    )


@pytest.fixture
async def helm(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection whose `helm` only echoes its argv and
    holds a credential in its environment, as a helm connection does."""
    tool = _tool(tmp_path, "helm")
    tool["env"]["HELM_KUBETOKEN"] = "kube-token-7d1f0c9a4be2"
    h = await harness_with(tmp_path, {"k8s": tool})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


# ── 3. helm's --name-template: a caller's template run with the gateway's env ───
@pytest.mark.parametrize(
    "template",
    [
        '{{ regexReplaceAll "(..)" (env "HELM_KUBETOKEN" | printf "%x") "${1}-" }}',
        '{{ expandenv "$HELM_KUBETOKEN" | substr 0 12 }}',
    ],
)
async def test_helm_name_template_reads_the_gateway_environment(
    helm: Harness, template: str
) -> None:
    """Promise 6: connectors never hand out the gateway's credentials, in any
    encoding. helm renders `--name-template` with Go's text/template and sprig's
    whole TxtFuncMap (`action.TemplateName`), `env` and `expandenv` included — the
    two helm deletes from the functions charts get, for this reason. The rendered
    name is the release name every manifest of `helm template` carries
    (`{{ .Release.Name }}-…`). So the caller reads the connection's `env` (a kube
    token, cloud keys) in any encoding sprig can write: hex pairs joined by `-` (a
    valid DNS-1123 release name of up to 53 characters), a substring, and the
    scrubber knows the value, its base64/base32 and plain or `:`/space hex, not
    `-`-joined hex: fed such text, the gateway masked its first pairs only by
    chance (as a MAC-like DEVICE_ID) and returned the last five bytes as they were.
    The gateway lists `--name-template=` as a plain flag of a read: the command runs
    at once. (Read from helm's source; helm is not installed on
    this host, so the run is shown with a helm that echoes its argv.)"""
    response = await _run(helm, "k8s", "helm", "template", "chart", "--name-template", template)
    assert response.status_code != 200, f"ran at once: {response.text[:300]}"
