"""One decision function: the gateway and `phigate policy check` describe and decide
alike, aliases and the describer-failure guard included."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from phigate.config import parse_settings
from phigate.core.actions import Action, Description
from phigate.identity.principal import Principal, PrincipalKind
from phigate.masking.engine import Masker
from phigate.pipeline.deciding import Decider
from tests.test_cli import config_file, run  # noqa: F401  (the fixture)


class _FailingDescriber:
    """A connector whose describer breaks: what policy sees must be `unknown`."""

    kind = "sql"

    def describe(self, action: Action) -> Description:
        raise RuntimeError("the describer broke")

    async def run(self, action: Action, description: Description, masker: Masker) -> object:
        raise AssertionError("never runs: policy check does not run anything")

    async def close(self) -> None:
        return None


def test_a_describer_failure_is_unknown_and_denied() -> None:
    settings = parse_settings(
        yaml.safe_dump(
            {
                "policy": {
                    "rules": [
                        {"name": "reads", "match": {"risk": ["read"]}, "decision": "allow"},
                        {"name": "rest", "match": {"risk": ["unknown"]}, "decision": "deny"},
                    ]
                }
            }
        )
    )
    decider = Decider(settings, {"db": _FailingDescriber()}, scrub=lambda text: text)  # type: ignore[dict-item]
    principal = Principal("dana", PrincipalKind.HUMAN)
    description, decision = decider.decide(
        Action("db", "sql", {"sql": "SELECT 1"}, principal, "cli")
    )
    assert description.reasons == ("describe failed: RuntimeError",)
    assert (decision.outcome, decision.rule) == ("deny", "rest")


def test_policy_check_answers_for_the_person_an_alias_names(config_file: Path) -> None:  # noqa: F811
    data = yaml.safe_load(config_file.read_text())
    data["identity"]["aliases"] = {"dana": ["dana@example.org"]}
    data["policy"]["rules"].insert(
        0,
        {
            "name": "dana-never-deletes-on-ehr",
            "match": {"subjects": ["dana"], "connections": ["ehr"]},
            "decision": "deny",
        },
    )
    config_file.write_text(yaml.safe_dump(data))
    answers = {}
    for subject in ("dana", "dana@example.org", "erin"):
        code, output = run(
            "policy", "check", "--config", str(config_file), "--as", subject,
            "--kind", "human", "--connection", "ehr", "--sql", "DELETE FROM patients",
        )  # fmt: skip
        assert code == 0, output
        answers[subject] = json.loads(output)["rule"]
    assert answers["dana@example.org"] == answers["dana"] == "dana-never-deletes-on-ehr"
    assert answers["erin"] != "dana-never-deletes-on-ehr"
