"""`phigate mask`: text, JSON lines, CSV, spans and reports."""

from __future__ import annotations

import json
import pathlib

from click.testing import CliRunner

from phigate.cli.masking import mask_command

ENV = {"PHIGATE_MASKING_KEY": "cli-test-key-0123456789"}


def _run(args: list[str], stdin: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(mask_command, args, input=stdin, env=ENV)
    return result.exit_code, result.stdout, result.stderr


def test_text_with_report() -> None:
    code, out, err = _run(["--report"], "Patient John Smith, SSN 123-45-6789.\n")
    assert code == 0
    assert out == "Patient [PERSON], SSN [SSN].\n"
    assert "PERSON\t1" in err and "SSN\t1" in err


def test_jsonl_field() -> None:
    lines = '{"id": 1, "note": "call 617-555-0134", "ssn": "123-45-6789"}\n'
    code, out, _ = _run(["--jsonl", "--field", "note"], lines)
    assert code == 0
    assert json.loads(out) == {"id": 1, "note": "call [PHONE]", "ssn": "123-45-6789"}


def test_csv_uses_headers_and_values() -> None:
    data = "id,name,note,state\n1,John Smith,Email jane@x.org,TX\n"
    code, out, _ = _run(["--csv"], data)
    assert code == 0
    assert out.splitlines() == ["id,name,note,state", "1,[PERSON],Email [EMAIL],TX"]


def test_emit_spans() -> None:
    code, out, _ = _run(["--emit", "spans"], "SSN 123-45-6789")
    assert code == 0 and json.loads(out) == {"spans": [[4, 15, "SSN"]]}


def test_profile_and_config(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "phigate.yaml"
    config.write_text("masking:\n  profiles:\n    mine:\n      operators: {SSN: partial}\n")
    code, out, _ = _run(["--config", str(config), "--profile", "mine"], "SSN 123-45-6789")
    assert code == 0 and out == "SSN ***-**-6789"
    code, _, err = _run(["--profile", "nope"], "x")
    assert code != 0 and "unknown masking profile" in err


def test_missing_key_warns() -> None:
    result = CliRunner().invoke(mask_command, [], input="hi", env={"PHIGATE_MASKING_KEY": ""})
    assert result.exit_code == 0 and "development key" in result.stderr
