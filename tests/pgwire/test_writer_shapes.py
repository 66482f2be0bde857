"""Which write shapes the writer path runs as approved, read from the parse tree alone
(no server): the table is the contract docs/pgwire.md states."""

from __future__ import annotations

from typing import Any

import pytest

from phigate.core.risk import RiskClass
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire import _writer


def sqlstate(error: bytes | None) -> str | None:
    return None if error is None else dict(codec.parse_fields(error[5:]))["C"]


EXTENDED: list[tuple[str, list[Any], str | None]] = [
    ("UPDATE claims SET status = $1 WHERE id = $2", ["paid", 1], None),
    ("INSERT INTO claims (id) VALUES ($1)", [5], None),
    ("DELETE FROM claims WHERE id = $1", [5], None),
    ("UPDATE claims SET status = $1 RETURNING id", ["x"], "0A000"),
    ("INSERT INTO claims (id) VALUES ($1) RETURNING *", [5], "0A000"),
    ("WITH d AS (DELETE FROM claims WHERE id = $1 RETURNING id) SELECT * FROM d", [5], "0A000"),
    ("SELECT id FROM claims WHERE id = $1 FOR UPDATE", [5], "0A000"),
    ("COPY claims FROM STDIN", [], "0A000"),
    ("UPDATE claims SET status = $1", [{"format": "binary", "type": 0, "hex": "00"}], "0A000"),
    ("TRUNCATE claims", [], "0A000"),
]


@pytest.mark.parametrize(("text", "params", "expected"), EXTENDED)
def test_what_an_execute_may_run_on_the_writer(
    text: str, params: list[Any], expected: str | None
) -> None:
    assert sqlstate(_writer.extended_refusal(text, params)) == expected


SIMPLE: list[tuple[str, RiskClass, str | None]] = [
    ("UPDATE claims SET status = 'x' WHERE id = 1", RiskClass.WRITE, None),
    ("COPY claims FROM STDIN", RiskClass.WRITE, None),
    ("COPY claims FROM STDIN; SELECT 1", RiskClass.WRITE, "0A000"),
    ("PREPARE w AS UPDATE claims SET status = 'x'", RiskClass.WRITE, "0A000"),
    ("EXECUTE w", RiskClass.WRITE, "0A000"),
    ("EXECUTE never_defined", RiskClass.UNKNOWN, None),  # policy's to deny
]


@pytest.mark.parametrize(("text", "risk", "expected"), SIMPLE)
def test_what_a_query_may_run_on_the_writer(
    text: str, risk: RiskClass, expected: str | None
) -> None:
    assert sqlstate(_writer.refusal(text, risk)) == expected


@pytest.mark.parametrize(
    ("text", "copies"),
    [
        ("COPY claims FROM STDIN", True),
        ("COPY claims (id) FROM STDIN WITH (FORMAT csv)", True),
        ("COPY claims FROM '/tmp/x'", False),
        ("COPY claims FROM PROGRAM 'cat'", False),
        ("COPY claims TO STDOUT", False),
        ("COPY claims FROM STDIN; SELECT 1", False),
    ],
)
def test_copy_from_stdin_is_told_apart(text: str, copies: bool) -> None:
    assert _writer.copies_in(text) is copies
