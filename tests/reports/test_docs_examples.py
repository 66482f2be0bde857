"""The `phigate report` examples in README.md and docs/reports.md, run as written.

Each command is taken from the docs, split as a shell would, and run in a folder laid
out as the demo leaves it (`.phigate/demo/phigate.yaml`, `state.db`) holding the
scenario's audit log. Only the README's `html|pdf|json` choice and its `FILE` are
filled in, once per format.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from phigate.cli import main
from tests.conftest import DEMO_POLICY, demo_config
from tests.reports.conftest import Scenario

ROOT = Path(__file__).parents[2]
_EXAMPLE = re.compile(r"(?:\.venv/bin/)?phigate report --[^`\n]*\d{4}-\d\d-\d\d[^`\n]*")


def report_examples() -> list[str]:
    found = []
    for doc in (ROOT / "README.md", ROOT / "docs" / "reports.md"):
        for command in _EXAMPLE.findall(doc.read_text()):
            choice = re.search(r"--format (\w+(?:\|\w+)+)", command)
            formats = choice[1].split("|") if choice else [""]
            for fmt in formats:
                filled = command.replace(choice[1], fmt) if choice else command
                found.append(filled.replace("--out FILE", f"--out report.{fmt}"))
    return found


def test_the_docs_have_report_examples() -> None:
    examples = report_examples()
    assert len(examples) >= 5, examples
    assert all("--config" in e or "--state" in e for e in examples)  # issue 18, item 8


@pytest.mark.parametrize("command", report_examples())
def test_report_example_runs_as_written(
    command: str, scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(scenario.state_file, tmp_path / "state.db")
    demo_config(tmp_path, "postgresql://unused")  # writes tmp_path/secrets
    config = tmp_path / ".phigate" / "demo" / "phigate.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(
        DEMO_POLICY.read_text().format(
            state_db=tmp_path / "state.db", http_port=0, secrets_dir=tmp_path / "secrets"
        )
    )
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(command)
    result = CliRunner().invoke(main, argv[argv.index("report") :])
    assert result.exit_code == 0, f"{command}\n{result.output}"
    out = argv[argv.index("--out") + 1] if "--out" in argv else None
    if out == "-":
        assert '"actions_total"' in result.output
    else:
        written = [Path(out)] if out else list(tmp_path.glob("phigate-report-*"))
        assert len(written) == 1 and written[0].stat().st_size > 0, written
