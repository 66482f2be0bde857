"""The public API of phigate.sql: shapes, fail-closed behaviour, sessions, JSON lines."""

from __future__ import annotations

import json

import pytest

from phigate.core.risk import RiskClass
from phigate.sql import SessionClassifier, SqlAnalysis, classify, classify_lines, refers_to_names


def test_unparsable_text_is_unknown_with_the_parser_message() -> None:
    result = classify("SELEC 1 FROM")
    assert result.risk is RiskClass.UNKNOWN
    assert result.error is not None and "syntax error" in result.error
    assert result.statements == ()


def test_json_shape() -> None:
    data = classify("SELECT upper(name) FROM patients").to_json()
    assert data["risk"] == "read"
    statements = data["statements"]
    assert isinstance(statements, list)
    assert statements[0] == {
        "kind": "SELECT",
        "risk": "read",
        "tables": ["public.patients"],
        "functions": ["upper"],
        "reasons": ["SELECT reads data"],
    }
    json.dumps(data)


def test_most_severe_statement_wins() -> None:
    result = classify("SELECT 1; DELETE FROM t; GRANT SELECT ON t TO bob")
    assert [s.risk for s in result.statements] == [
        RiskClass.READ,
        RiskClass.WRITE,
        RiskClass.PRIVILEGE,
    ]
    assert result.risk is RiskClass.PRIVILEGE


def test_extra_functions_from_configuration() -> None:
    assert classify("SELECT app.mask(x) FROM t").risk is RiskClass.UNKNOWN
    listed = classify("SELECT app.mask(x) FROM t", extra_functions={"App.Mask": RiskClass.READ})
    assert listed.risk is RiskClass.READ


def test_session_remembers_prepared_statements_and_cursors() -> None:
    session = SessionClassifier()

    def run(sql: str) -> None:  # as the wire does once the upstream completes it
        session.acknowledge(session.classify(sql))

    assert session.classify("EXECUTE p").risk is RiskClass.UNKNOWN
    run("PREPARE p AS DELETE FROM visits")
    assert session.classify("EXECUTE p").risk is RiskClass.WRITE
    run("DEALLOCATE p")
    assert session.classify("EXECUTE p").risk is RiskClass.UNKNOWN
    run("DECLARE c CURSOR FOR SELECT pg_read_file('/etc/passwd')")
    assert session.classify("FETCH 10 FROM c").risk is RiskClass.ADMIN
    run("CLOSE c")
    assert session.classify("FETCH 10 FROM c").risk is RiskClass.UNKNOWN


def test_session_state_follows_the_upstream_not_the_classifier() -> None:
    """Classifying changes nothing: a PREPARE the upstream refused keeps the old meaning."""
    session = SessionClassifier()
    write = session.classify("PREPARE w AS UPDATE claims SET status = 'x'")
    session.acknowledge(write)
    refused = session.classify("PREPARE w AS SELECT 1")  # the server answers 42P05
    assert refused.risk is RiskClass.UNKNOWN
    assert "already exists" in " ".join(refused.reasons)
    assert session.classify("EXECUTE w").risk is RiskClass.WRITE
    # Within one text, an earlier statement's effect is seen by the later ones.
    both = session.classify("PREPARE r AS SELECT 1; EXECUTE r")
    assert both.risk is RiskClass.READ
    assert session.classify("EXECUTE r").risk is RiskClass.UNKNOWN  # not acknowledged
    session.acknowledge(both, 0)
    assert session.classify("EXECUTE r").risk is RiskClass.READ


def test_wire_parse_prepares_under_a_name() -> None:
    session = SessionClassifier()
    prepared = session.prepare("s1", "UPDATE t SET a = $1")
    assert prepared.risk is RiskClass.WRITE
    assert session.analysis_of_prepared("s1") is None  # until ParseComplete
    session.acknowledge_parse("s1", prepared, "UPDATE t SET a = $1", (23,))
    stored = session.analysis_of_prepared("s1")
    assert stored is not None and stored.risk is RiskClass.WRITE
    assert stored.runs == ("UPDATE t SET a = $1 -- parameter types [23]",)
    session.forget("s1")
    assert session.analysis_of_prepared("s1") is None


def test_cursors_end_with_their_transaction_unless_held() -> None:
    """COMMIT ends cursors not declared WITH HOLD; a rollback, when unsure, all of them;
    BEGIN, SAVEPOINT and RELEASE none. An ended cursor's FETCH is unknown again."""
    session = SessionClassifier()

    def run(sql: str) -> None:
        session.acknowledge(session.classify(sql))

    run("DECLARE c CURSOR FOR SELECT 1")
    run("DECLARE h CURSOR WITH HOLD FOR SELECT 1")
    run("SAVEPOINT a")
    run("RELEASE a")
    assert session.cursor("c") is not None and session.cursor("h") is not None
    run("COMMIT")
    assert session.cursor("c") is None and session.cursor("h") is not None
    assert session.classify("COMMIT; FETCH 1 FROM h").risk is RiskClass.READ
    assert session.classify("ROLLBACK TO a; FETCH 1 FROM h").risk is RiskClass.UNKNOWN
    run("ROLLBACK")
    assert session.cursor("h") is None


def test_a_prepared_statement_that_names_another_is_unknown_to_sql_execute() -> None:
    """A protocol Parse of `FETCH 2 FROM c` means what `c` means when it runs, which its
    analysis (made at Parse) may not say: SQL `EXECUTE` of it is unknown, not stale."""
    session = SessionClassifier()
    session.acknowledge(session.classify("DECLARE c CURSOR FOR SELECT 1"))
    fetch = session.prepare("w", "FETCH 2 FROM c")
    assert fetch.risk is RiskClass.READ
    session.acknowledge_parse("w", fetch, "FETCH 2 FROM c")
    assert session.has_prepared("w")
    assert session.classify("EXECUTE w").risk is RiskClass.UNKNOWN
    assert refers_to_names(session.classify("EXPLAIN ANALYZE EXECUTE w"))
    assert not refers_to_names(session.classify("SELECT 1"))


def test_classify_lines_one_object_per_input_and_never_crashes() -> None:
    lines = ['{"sql": "SELECT 1"}', "", "not json", '{"sql": "COPY t TO STDOUT"}', '{"x": 1}']
    out = list(classify_lines(lines))
    assert [o["risk"] for o in out] == ["read", "unknown", "export", "unknown"]


def test_results_are_frozen() -> None:
    result = classify("SELECT 1")
    assert isinstance(result, SqlAnalysis)
    assert hash(result.statements) == hash(classify("SELECT 1").statements)


def test_cli_command_with_sql_option_and_stdin() -> None:
    from click.testing import CliRunner

    from phigate.cli.sql import classify_command

    runner = CliRunner()
    one = runner.invoke(classify_command, ["--sql", "DELETE FROM t"])
    assert one.exit_code == 0
    assert json.loads(one.output)["risk"] == "write"
    many = runner.invoke(classify_command, input='{"sql": "SELECT 1"}\n{"sql": "SELEC"}\n')
    assert many.exit_code == 0
    outputs = [json.loads(line) for line in many.output.splitlines()]
    assert [o["risk"] for o in outputs] == ["read", "unknown"]
    assert "syntax error" in outputs[1]["error"]


def test_effects_name_what_a_statement_does_to_the_session() -> None:
    """The wire session reads `Effect.fields` to forget protocol statements by name."""
    text = (
        "PREPARE p AS SELECT 1; DEALLOCATE p; DEALLOCATE ALL; DISCARD ALL; DISCARD PLANS; CLOSE c"
    )
    fields = [(e.kind, dict(e.fields)) for e in classify(text).effects]
    assert [kind for kind, _ in fields] == [
        "PrepareStmt",
        "DeallocateStmt",
        "DeallocateStmt",
        "DiscardStmt",
        "DiscardStmt",
        "ClosePortalStmt",
    ]
    assert fields[0][1]["name"] == "p"
    assert fields[1][1]["name"] == "p" and "isall" not in fields[1][1]
    assert "name" not in fields[2][1] and fields[2][1]["isall"] is True
    assert fields[3][1]["target"] == "DISCARD_ALL"
    assert fields[4][1]["target"] == "DISCARD_PLANS"
    assert fields[5][1]["portalname"] == "c"


@pytest.mark.parametrize(
    ("define", "run"),
    [
        ("PREPARE p AS SELECT status FROM claims WHERE member_id {}", "EXECUTE p"),
        ("DECLARE c CURSOR FOR SELECT status FROM claims WHERE member_id {}", "FETCH 1 FROM c"),
    ],
)
def test_what_a_name_runs_carries_its_definition_filters_included(define: str, run: str) -> None:
    """An approval of `EXECUTE p` binds what p was defined as (`SqlAnalysis.runs`): the
    same columns under another filter are another definition; the same definition
    spelt otherwise is the same."""
    session = SessionClassifier()
    drop = "DEALLOCATE p" if run.startswith("EXECUTE") else "CLOSE c"

    def runs_after(definition: str) -> tuple[str, ...]:
        session.acknowledge(session.classify(definition))
        runs = session.classify(run).runs
        session.acknowledge(session.classify(drop))
        return runs

    one = runs_after(define.format("= 'M1'"))
    assert len(one) == 1 and "'M1'" in one[0]
    assert runs_after(define.format("<> 'M1'")) != one
    assert runs_after(define.format("=   'M1'").lower().replace("'m1'", "'M1'")) == one
