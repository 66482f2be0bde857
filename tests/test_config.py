"""Configuration errors name the file, the line and the key, and say what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from phigate.cli import main
from phigate.config import SecretRef, load_settings, parse_settings
from phigate.core.errors import ConfigError

GOOD = """\
state:
  url: sqlite:///state.db
connections:
  ehr:
    type: postgres
    dsn: ${EHR_DSN}
policy:
  rules:
    - name: reads
      match: {risk: [read]}
      decision: allow
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("server:\n  http_port: eighty\n", ["test.yaml:2:", "server.http_port", "integer"]),
        ("server:\n  http_prot: 80\n", ["test.yaml:2:", "server.http_prot", "Extra inputs"]),
        (
            GOOD.replace("decision: allow", "decision: maybe"),
            ["test.yaml:11:", "policy.rules.0.decision", "'allow', 'deny' or 'approve'"],
        ),
        (GOOD.replace("type: postgres", "type: oracle"), ["test.yaml:5:", "connections.ehr"]),
        (
            GOOD.replace("decision: allow", "decision: approve"),
            ["policy.rules.0 (reads).approvals: required"],
        ),
        (
            GOOD.replace("decision: allow", "decision: allow\n      masking: nope"),
            ["test.yaml:9:", "unknown profile 'nope'"],
        ),
        (
            GOOD.replace("match: {risk: [read]}", "match: {risk: [read], connections: [crm]}"),
            ["unknown connection 'crm'"],
        ),
        (
            GOOD + "identity:\n  aliases: {dana: [d1], bob: [d1]}\n",
            ["identity.aliases", "'d1' is an alias of both 'dana' and 'bob'"],
        ),
        (
            GOOD + "identity:\n  aliases: {dana: [bob], bob: [b1]}\n",
            ["identity.aliases", "'bob' is a person of its own and an alias of 'dana'"],
        ),
        ("policy: [1, 2\n", ["test.yaml:2:", "not valid YAML"]),
        ("- just\n- a list\n", ["expected a mapping"]),
    ],
)
def test_errors_cite_line_and_key(text: str, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(text, source="test.yaml")
    for fragment in expected:
        assert fragment in info.value.message


def test_good_config_is_frozen_and_secrets_are_references(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = parse_settings(GOOD, source="test.yaml")
    dsn = settings.connections["ehr"].dsn
    assert dsn.is_reference and "EHR_DSN" in repr(dsn)
    with pytest.raises(ConfigError, match="EHR_DSN is not set"):
        dsn.reveal()
    monkeypatch.setenv("EHR_DSN", "postgresql://x")
    assert dsn.reveal() == "postgresql://x"
    with pytest.raises(Exception, match="frozen"):
        settings.state.url = "other"  # type: ignore[misc]


def test_file_secrets(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret-value\n")
    assert SecretRef(ref=f"file:{secret}").reveal() == "s3cret-value"
    with pytest.raises(ConfigError, match="cannot read"):
        SecretRef(ref=f"file:{tmp_path / 'missing'}").reveal()
    assert "s3cret" not in repr(SecretRef(ref="s3cret-inline"))


def test_config_check_command(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text("server:\n  http_port: -1\n")
    runner = CliRunner()
    ok = runner.invoke(main, ["config", "check", str(good)])
    assert ok.exit_code == 0 and "ok" in ok.output
    failed = runner.invoke(main, ["config", "check", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}:2: server.http_port" in failed.output
    missing = runner.invoke(main, ["config", "check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "cannot read" in missing.output
    assert load_settings(good).policy.rules[0].name == "reads"


BOT_RULE = """\
    - name: bots-read
      match: {kinds: [agent], subjects: [claims-bot], risk: [read]}
      decision: allow
"""


@pytest.mark.parametrize(
    ("channels", "where"),
    [
        (
            "  slack:\n    bot_token: x\n    signing_secret: s\n"
            "    users: {U_BOT: {subject: Claims-Bot}}\n",
            "channels.slack.users.U_BOT.subject",
        ),
        (
            "  slack:\n    bot_token: x\n    signing_secret: s\n"
            "    people_by_email: {'bot@example.org': {subject: ' claims-bot'}}\n",
            "channels.slack.people_by_email.bot@example.org.subject",
        ),
        ("  teams:\n    users: {aad-1: {subject: CLAIMS-BOT}}\n", "channels.teams.users.aad-1"),
    ],
)
def test_a_chat_mapping_to_an_agent_subject_is_refused(channels: str, where: str) -> None:
    text = GOOD + BOT_RULE + "channels:\n" + channels
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source="test.yaml")
    assert where in str(caught.value) and "chat users review as humans" in str(caught.value)


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        ("  aliases: {dana: [Dana@Example.org]}\n", None),
        ("  aliases: {dana: [x], Dana: [y]}\n", "listed twice"),
        ("  aliases: {dana: [DANA]}\n", "a person of its own"),
        ('  aliases: {dana: ["da\\u200bna"]}\n', "control, format or invisible"),
    ],
)
def test_aliases_are_people_in_their_normal_form(identity: str, expected: str | None) -> None:
    text = GOOD + "identity:\n" + identity
    if expected is None:
        settings = parse_settings(text, source="test.yaml")
        assert settings.identity.aliases == {"dana": ("dana@example.org",)}
        return
    with pytest.raises(ConfigError, match=expected):
        parse_settings(text, source="test.yaml")


def test_rule_subjects_are_matched_in_their_normal_form() -> None:
    """A deny rule naming `Dana` must still apply to dana (it fails open otherwise)."""
    text = GOOD.replace("match: {risk: [read]}", "match: {risk: [read], subjects: [' Dana']}")
    settings = parse_settings(text, source="test.yaml")
    assert settings.policy.rules[0].match.subjects == ("dana",)


def test_rule_subjects_naming_an_alias_stand_for_the_person() -> None:
    """Principals reach policy as their person (identity.people); a rule naming the
    person by an alias must apply to them, or a deny rule fails open."""
    text = GOOD.replace(
        "match: {risk: [read]}", "match: {risk: [read], subjects: [Alice@Example.org, bob, alice]}"
    )
    text += "identity:\n  aliases: {alice: [alice@example.org]}\n"
    settings = parse_settings(text, source="test.yaml")
    assert settings.policy.rules[0].match.subjects == ("alice", "bob")


def test_a_chat_mapping_to_an_alias_of_an_agent_subject_is_refused() -> None:
    text = GOOD + BOT_RULE + "identity:\n  aliases: {claims-bot: [bot@example.org]}\n"
    text += "channels:\n  teams:\n    users: {aad-1: {subject: bot@example.org}}\n"
    with pytest.raises(ConfigError, match="chat users review as humans"):
        parse_settings(text, source="test.yaml")


def test_a_key_given_twice_anywhere_names_both_lines() -> None:
    """YAML keys are unique; PyYAML would keep the last silently."""
    text = (
        "server:\n  http_port: 8080\npolicy:\n  rules:\n"
        "    - name: a\n      decision: approve\n      decision: allow\n"
    )
    with pytest.raises(ConfigError, match=r"<config>:7: key 'decision' is given twice .*line 6"):
        parse_settings(text)
