"""The CLI over a real state store: tokens, policy check, audit verify and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from phigate.audit.chain import AuditLog
from phigate.cli import main
from phigate.store import Database
from tests.conftest import demo_config


@pytest.fixture
def config_file(tmp_path: Path, ehr_dsn: str) -> Path:
    settings = demo_config(tmp_path, ehr_dsn)
    path = tmp_path / "phigate.yaml"
    path.write_text(
        yaml.safe_dump(
            settings.model_dump(mode="json", exclude_defaults=False) | _secrets(settings)
        )
    )
    return path


def _secrets(settings: object) -> dict[str, object]:
    s = settings.secrets  # type: ignore[attr-defined]
    return {"secrets": {"token_hash_key": s.token_hash_key.ref, "masking_key": s.masking_key.ref}}


def policy_check(config_file: Path, connection: str, *action: str) -> tuple[int, str]:
    """`phigate policy check` as the demo agent claims-bot."""
    return run(
        "policy",
        "check",
        "--config",
        str(config_file),
        "--as",
        "claims-bot",
        "--kind",
        "agent",
        "--connection",
        connection,
        *action,
    )


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("expires", ["0s", "0d"])
def test_a_token_that_would_never_expire_by_mistake_is_refused(
    config_file: Path, expires: str
) -> None:
    code, output = run(
        "token",
        "create",
        "--config",
        str(config_file),
        "--subject",
        "dana",
        "--kind",
        "human",
        "--expires",
        expires,
    )
    assert code == 2, output
    assert "longer than zero" in output and "phg_" not in output
    code, listing = run("token", "list", "--config", str(config_file), "--json")
    assert json.loads(listing) == []


def test_token_lifecycle(config_file: Path) -> None:
    code, output = run(
        "token",
        "create",
        "--config",
        str(config_file),
        "--subject",
        "claims-bot",
        "--kind",
        "agent",
        "--groups",
        "agents",
        "--on-behalf-of",
        "dana",
        "--expires",
        "30d",
    )
    assert code == 0, output
    token = next(line for line in output.splitlines() if line.startswith("phg_"))
    code, listing = run("token", "list", "--config", str(config_file), "--json")
    items = json.loads(listing)
    assert [(i["subject"], i["status"], i["on_behalf_of"]) for i in items] == [
        ("claims-bot", "active", "dana")
    ]
    assert token not in listing
    code, output = run("token", "revoke", "--config", str(config_file), items[0]["id"])
    assert code == 0 and "revoked" in output
    code, listing = run("token", "list", "--config", str(config_file), "--json")
    assert json.loads(listing)[0]["status"] == "revoked"
    code, output = run(
        "token",
        "create",
        "--config",
        str(config_file),
        "--subject",
        "x",
        "--kind",
        "human",
        "--on-behalf-of",
        "y",
    )
    assert code == 2 and "only agent tokens" in output


@pytest.mark.parametrize(
    ("sql", "decision", "rule", "risk"),
    [
        ("SELECT * FROM patients", "allow", "reads-masked", "read"),
        (
            "UPDATE claims SET status = 'paid'",
            "approve",
            "writes-and-exports-need-a-data-owner",
            "write",
        ),
        ("COPY patients TO STDOUT", "approve", "writes-and-exports-need-a-data-owner", "export"),
        ("GRANT ALL ON patients TO public", "deny", "schema-privilege-admin-denied", "privilege"),
        ("SELECT pg_read_file('/etc/passwd')", "deny", "schema-privilege-admin-denied", "admin"),
        ("not sql at all", "deny", "unknown-denied", "unknown"),
    ],
)
def test_policy_check_prints_the_decision(
    config_file: Path, sql: str, decision: str, rule: str, risk: str
) -> None:
    code, output = policy_check(config_file, "ehr", "--sql", sql)
    assert code == 0, output
    result = json.loads(output)
    assert list(result) == ["decision", "rule", "reason", "risk", "approvals", "masking"]
    assert (result["decision"], result["rule"], result["risk"]) == (decision, rule, risk)
    if decision == "approve":
        assert result["approvals"] == {"count": 1, "groups": ["data-owners"], "expires_in": 3600}


def test_audit_verify_and_export(config_file: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    db = Database(url)
    db.migrate()
    log = AuditLog(db)
    for n in range(5):
        log.append("test.event", {"n": n})
    code, output = run("audit", "verify", "--state", url)
    assert code == 0 and "5 records" in output
    code, exported = run("audit", "export", "--state", url, "--format", "jsonl", "--since", "0")
    header, *lines = exported.splitlines()  # a signed checkpoint of the head first
    assert json.loads(header)["checkpoint"]["seq"] == 5
    assert len(lines) == 5 and all("hash" in json.loads(line) for line in lines)
    code, since = run("audit", "export", "--state", url, "--since", "3")
    assert [json.loads(line)["seq"] for line in since.splitlines()[1:]] == [4, 5]

    export = tmp_path / "audit.jsonl"
    export.write_text(exported)
    assert run("audit", "verify", "--file", str(export))[0] == 0
    tampered = [*lines[:2], lines[2].replace('"n":2', '"n":99'), *lines[3:]]
    assert tampered != lines
    export.write_text("\n".join([header, *tampered]))
    code, output = run("audit", "verify", "--file", str(export))
    assert code == 1 and "sequence 3" in output
    # the bytes verified are the bytes in the file: the same records written out again
    # by another JSON writer are not the export any more
    export.write_text("\n".join([header, *(json.dumps(json.loads(r)) for r in lines)]))
    code, output = run("audit", "verify", "--file", str(export))
    assert code == 1 and "sequence 1" in output and "canonical form" in output
    reordered = [header, lines[0], lines[2], lines[1], lines[3], lines[4]]
    export.write_text("\n".join(reordered))
    code, output = run("audit", "verify", "--file", str(export))
    assert code == 1 and "sequence 2" in output

    with db.write() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log WHERE seq = 4")
    code, output = run("audit", "verify", "--state", url)
    assert code == 1 and "sequence 4" in output
    db.dispose()


@pytest.mark.parametrize(
    ("connection", "option", "value", "decision", "risk"),
    [
        ("deploy", "--argv", "deploy-tool status", "allow", "read"),
        ("deploy", "--argv", "deploy-tool deploy api 1.1.0", "approve", "write"),
        ("deploy", "--argv", "deploy-tool grant alice admin", "deny", "privilege"),
        ("deploy", "--argv", "deploy-tool; rm -rf /", "deny", "unknown"),
        ("patients-api", "--request", "GET /patients/3", "allow", "read"),
        ("patients-api", "--request", "GET /patients/export", "approve", "export"),
        ("patients-api", "--request", "GET /admin/stats", "deny", "admin"),
    ],
)
def test_policy_check_commands_and_requests(
    config_file: Path, connection: str, option: str, value: str, decision: str, risk: str
) -> None:
    code, output = policy_check(config_file, connection, option, value)
    assert code == 0, output
    result = json.loads(output)
    assert (result["decision"], result["risk"]) == (decision, risk)


def test_policy_check_needs_exactly_one_action(config_file: Path) -> None:
    code, output = run(
        "policy", "check", "--config", str(config_file), "--as", "x", "--connection", "deploy"
    )
    assert code == 2 and "exactly one of --sql, --argv or --request" in output
    code, output = run(
        "policy",
        "check",
        "--config",
        str(config_file),
        "--as",
        "x",
        "--connection",
        "deploy",
        "--sql",
        "SELECT 1",
    )
    assert code == 2 and "runs exec actions, not sql" in output


def test_config_check_warns_of_approver_groups_without_members(config_file: Path) -> None:
    data = yaml.safe_load(config_file.read_text())
    data["policy"]["rules"][0] = {
        "name": "ghost-approvers",
        "match": {"risk": ["write"]},
        "decision": "approve",
        "approvals": {"count": 1, "groups": ["ghosts"]},
    }
    config_file.write_text(yaml.safe_dump(data))
    code, output = run("config", "check", str(config_file))
    assert code == 0 and "approver groups not checked" in output  # no state store yet
    for subject in ("alice", "bob"):  # data-owners: the reveal approvers
        assert run(*_token_args(config_file, subject, "data-owners"))[0] == 0
    code, output = run("config", "check", str(config_file))
    assert code == 0, output
    assert "warning: rule 'ghost-approvers'" in output and "ghosts" in output
    assert "reveal_approvals" not in output


def _token_args(config_file: Path, subject: str, groups: str) -> tuple[str, ...]:
    config = ("--config", str(config_file))
    return ("token", "create", *config, "--subject", subject, "--kind", "human", "--groups", groups)
