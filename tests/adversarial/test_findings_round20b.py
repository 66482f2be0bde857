"""Round 20b: a promises-only attack on what changed this hour, data and connector side.

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

# ── helm: a status in debug mode prints the release's values and manifests ─────
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


async def _run_helm(h: Harness, *argv: str) -> httpx.Response:
    body = {"connection": "deploy", "argv": ["helm", *argv]}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


@finding(1, "helm's global --debug makes `status` print USER-SUPPLIED VALUES and MANIFEST")
@pytest.mark.parametrize("argv", [["status", "api", "--debug"], ["--debug", "status", "api"]])
async def test_helm_status_in_debug_mode_is_an_export(
    helm: Harness, tmp_path: Path, argv: list[str]
) -> None:
    """docs/exec.md: `helm get values/manifest/all` and `status -o json|yaml` are
    `export` ("the whole release: values and rendered manifests"). helm's own
    `status` printer (cmd/helm/status.go, `statusPrinter.WriteTable`) writes, when the
    global `--debug` is set, `USER-SUPPLIED VALUES:`, `COMPUTED VALUES:`, every hook
    and `MANIFEST:` — the rendered Secrets — in its table form. `--debug` is on helm's
    global flag list and the table output is not checked, so it runs at once as a
    read under the demo policy, with the gateway's cluster credentials."""
    response = await _run_helm(helm, *argv)
    ran = tmp_path / "ran"
    assert response.status_code != 200 and not ran.exists(), (
        f"ran as a read ({ran.read_text() if ran.exists() else ''!r}): {response.text[:300]}"
    )


async def test_held_helm_status_without_debug_is_a_read(helm: Harness, tmp_path: Path) -> None:
    table = await _run_helm(helm, "status", "api", "--show-resources")
    assert table.status_code == 200, table.text
    exported = await _run_helm(helm, "get", "all", "api")
    assert exported.status_code == 202, exported.text
