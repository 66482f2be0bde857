"""`phigate approvals …` against a live gateway (REST over HTTP on 127.0.0.1)."""

from __future__ import annotations

import json

import httpx
from click.testing import CliRunner

from phigate.cli import main
from tests.console.conftest import LiveGateway
from tests.support import hostile

WRITE = "UPDATE claims SET status = 'paid' WHERE id = 5"


def run(live: LiveGateway, subject: str, *args: str, columns: int = 250) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(
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
    assert live.gateway.approval(approval_id).state == "approved"


def test_list_fits_80_columns(live: LiveGateway) -> None:
    """Issue 18, item 9: ids wrapped over three lines in an 80-column terminal."""
    approval_id = live.submit("claims-bot", WRITE).json()["approval"]["id"]
    code, output = run(live, "alice", "list", columns=80)
    assert code == 0, output
    lines = output.splitlines()
    assert max(len(line) for line in lines) <= 80
    row = next(line for line in lines if approval_id in line)  # the id, whole, on one line
    assert "claims-bot" in row and "UPDATE claims" in row
    code, output = run(live, "alice", "list", "--status", "all", columns=80)
    assert code == 0 and max(len(line) for line in output.splitlines()) <= 80
    assert "pending" in next(line for line in output.splitlines() if approval_id in line)


def test_show_names_the_masked_columns_a_request_filters_on(live: LiveGateway) -> None:
    held = live.submit("claims-bot", "SELECT id FROM patients WHERE ssn LIKE '1%'")
    code, output = run(live, "alice", "show", held.json()["approval"]["id"])
    assert code == 0, output
    assert "held: filters on masked public.patients.ssn" in " ".join(output.split())


def test_deny_needs_a_reason(live: LiveGateway) -> None:
    approval_id = live.submit("claims-bot", WRITE).json()["approval"]["id"]
    code, _ = run(live, "bob", "deny", approval_id)
    assert code == 2
    code, output = run(live, "bob", "deny", approval_id, "--reason", "wrong claim")
    assert code == 0 and "denied" in output


def test_show_and_list_escape_a_hostile_statement(live: LiveGateway) -> None:
    """Issue 15, item 1: the terminal shows escapes and warnings, never the raw characters
    (a U+202E would reverse the rest of the line in the reviewer's terminal)."""
    answer = httpx.post(
        f"{live.url}/v1/actions",
        headers={"Authorization": f"Bearer {live.tokens['claims-bot']}"},
        json={"connection": "ehr", "sql": hostile.STATEMENT, "reason": hostile.REASON},
        timeout=30,
    )
    approval_id = answer.json()["approval"]["id"]
    code, output = run(live, "alice", "show", approval_id)
    assert code == 0, output
    hostile.assert_escaped(" ".join(output.split()))  # rich wraps long lines
    assert "SET status = " + hostile.SHOWN in output.splitlines()
    code, output = run(live, "alice", "list")
    assert code == 0 and "⚠4 UPDATE claims" in output and "\u02bc" not in output
