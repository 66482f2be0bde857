"""Round 32b item 4: an exec connection's output passes the byte guard HTTP and MCP
answers pass (`_byte_guard`): a held secret written out as bytes in a layout the
scrubber does not list (hex pairs joined by `-`, as sprig's regexReplaceAll writes
them) is withheld, and so is a dump the program prints in pieces a block apart.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from phigate.connectors.exec import ExecConnector, exec_body
from phigate.core.actions import Action, Description
from phigate.core.risk import RiskClass
from phigate.identity.principal import Principal, PrincipalKind
from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings
from tests.connectors.support import settings_with

TOKEN = "kube-token-7d1f0c9a4be2"
TOKEN_HEX = TOKEN.encode().hex()
DIGEST = hashlib.sha256(b"image").hexdigest()  # opaque: shown as it is
DASHED = "-".join(TOKEN_HEX[i : i + 2] for i in range(0, len(TOKEN_HEX), 2))

PROGRAMS = {
    # The release name helm would render from `--name-template`, in a manifest.
    "dashed": "printf 'metadata:\\n  name: %s-web\\n' " + DASHED,
    # `od` of the token, its second half printed after a pause: two blocks of output.
    "split": "printf '%s' \"$HELM_KUBETOKEN\" | od -An -tx1 | head -1; sleep 0.5; "
    "printf '%s' \"$HELM_KUBETOKEN\" | od -An -tx1 | tail -n +2",
    "plain": f"printf 'NAME READY\\napi-1 1/1\\nsha256:%s\\n' {DIGEST}",
}


async def _run(tmp_path: Path, script: str) -> dict[str, Any]:
    program = tmp_path / "tool"
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    connection = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "env": {"HELM_KUBETOKEN": TOKEN},
        "rules": [{"name": "tool", "program": "tool", "args": [], "risk": "read"}],
    }
    settings = settings_with(tmp_path, {"t": connection})
    connector = ExecConnector("t", settings.connections["t"])  # type: ignore[arg-type]
    action = Action(
        connection="t",
        kind="exec",
        body=exec_body(["tool"]),
        principal=Principal("ops", PrincipalKind.HUMAN),
        front_door="test",
    )
    masker = MaskingEngine(MaskingSettings(), b"k" * 32).masker("hipaa-safe-harbor")
    result = await connector.run(action, Description(RiskClass.READ), masker)
    return result.payload


@pytest.mark.parametrize("name", ["dashed", "split"])
async def test_a_held_secret_written_out_as_bytes_is_withheld(tmp_path: Path, name: str) -> None:
    payload = await _run(tmp_path, PROGRAMS[name])
    out = payload["stdout"]
    assert "[withheld:" in out, out
    pairs = [TOKEN_HEX[i : i + 2] for i in range(0, len(TOKEN_HEX), 2)]
    shown = "".join(p for p in pairs[-5:])
    assert shown not in out.replace(" ", "").replace("-", ""), out
    assert payload["masked"]["ENCODED_BYTES"] >= 1


async def test_output_without_encoded_text_is_left_as_it_is(tmp_path: Path) -> None:
    payload = await _run(tmp_path, PROGRAMS["plain"])
    assert payload["stdout"] == f"NAME READY\napi-1 1/1\nsha256:{DIGEST}\n"
    assert "ENCODED_BYTES" not in payload["masked"]
