"""`phigate approvals …` against a live gateway (REST over HTTP on 127.0.0.1)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from phigate.cli import main
from tests.console.conftest import LiveGateway

WRITE = "UPDATE claims SET status = 'paid' WHERE id = 5"


def run(live: LiveGateway, subject: str, *args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(
        main, ["approvals", "--url", live.url, "--token", live.tokens[subject], *args]
    )
    return result.exit_code, result.output


def test_list_show_approve(live: LiveGateway) -> None:
    approval_id = live.submit("claims-bot", WRITE).json()["approval"]["id"]
    code, output = run(live, "alice", "list", "--json")
    assert code == 0 and json.loads(output)[0]["id"] == approval_id
    code, output = run(live, "alice", "list")
    assert code == 0 and approval_id in output and "claims-bot" in output
    code, output = run(live, "alice", "show", approval_id)
    assert code == 0 and "UPDATE claims" in output and "dana" in output
    code, output = run(live, "dana", "approve", approval_id)
    assert code == 4 and "cannot approve" in output
    code, output = run(live, "alice", "approve", approval_id, "--comment", "ok")
    assert code == 0 and "approved" in output
    assert live.gateway.approvals.get(approval_id).state == "approved"


def test_deny_needs_a_reason(live: LiveGateway) -> None:
    approval_id = live.submit("claims-bot", WRITE).json()["approval"]["id"]
    code, _ = run(live, "bob", "deny", approval_id)
    assert code == 2
    code, output = run(live, "bob", "deny", approval_id, "--reason", "wrong claim")
    assert code == 0 and "denied" in output
