"""Attacks on masking through the wire front door: the REST list of derived values
(functions, casts, errors, aggregates, whole rows), in text and binary result
formats, plus what only the wire has: COPY in every format, cursors, session
settings, and several statements in one simple Query. Whatever comes back (rows,
CopyData, ErrorResponse and NoticeResponse fields) must carry no identifier."""

from __future__ import annotations

import psycopg
import pytest

from tests.pgwire.conftest import Wire
from tests.test_exfiltration import DERIVED, variants

SOURCE = "SELECT ssn, first_name, last_name, mrn FROM patients ORDER BY id LIMIT 3"


def identifiers(ehr_dsn: str) -> list[str]:
    with psycopg.connect(ehr_dsn) as conn:
        rows = conn.execute(SOURCE).fetchall()
    return [value for row in rows for value in row]


def leaks(ehr_dsn: str, seen: list[str]) -> list[str]:
    text = "\n".join(seen)
    return [v for value in identifiers(ehr_dsn) for v in variants(value) if v in text]


def _error_text(exc: psycopg.Error) -> list[str]:
    diag = exc.diag
    fields = [diag.message_primary, diag.message_detail, diag.message_hint, diag.context]
    return [str(exc), *(f for f in fields if f)]


async def run(wire: Wire, statements: list[str], *, binary: bool = False) -> list[str]:
    """Everything the agent sees running `statements` in one session, errors included."""
    seen: list[str] = []
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        conn.add_notice_handler(
            lambda d: seen.extend(filter(None, [d.message_primary, d.message_detail]))
        )
        for sql in statements:
            try:
                cur = conn.cursor(binary=binary)
                await cur.execute(sql)
                while True:
                    if cur.description is not None:
                        seen.extend(repr(row) for row in await cur.fetchall())
                    if not cur.nextset():
                        break
            except psycopg.Error as exc:
                seen.extend(_error_text(exc))
    return seen


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize("sql", DERIVED)
async def test_derived_values_never_leave_unmasked(
    wire: Wire, ehr_dsn: str, sql: str, binary: bool
) -> None:
    seen = await run(wire, [sql], binary=binary)
    assert seen, "nothing came back: the test would prove nothing"
    assert leaks(ehr_dsn, seen) == []


@pytest.mark.parametrize(
    "options",
    ["", "(FORMAT csv, HEADER)", "(FORMAT text, DELIMITER '|')", "(FORMAT binary)"],
)
async def test_copy_out_in_every_format_is_masked_or_refused(
    wire: Wire, ehr_dsn: str, options: str
) -> None:
    seen: list[str] = []
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        cur = conn.cursor()
        try:
            async with cur.copy(f"COPY ({SOURCE}) TO STDOUT {options}") as copy:
                async for chunk in copy:
                    seen.append(bytes(chunk).decode("utf-8", "replace"))
        except psycopg.Error as exc:
            seen.extend(_error_text(exc))
    assert seen
    assert leaks(ehr_dsn, seen) == []


@pytest.mark.parametrize(
    "statements",
    [
        # a cursor over the rows, fetched in steps
        ["BEGIN", f"DECLARE c CURSOR FOR {SOURCE}", "FETCH 2 FROM c", "FETCH ALL FROM c", "COMMIT"],
        # a session setting as a side channel
        [
            "SELECT set_config('phigate_test.v', ssn || last_name, false) FROM patients "
            "ORDER BY id LIMIT 1",
            "SHOW phigate_test.v",
            "SELECT current_setting('phigate_test.v')",
        ],
        # several statements in one simple Query, the identifier in the last
        [f"SELECT 1 AS one; {SOURCE}"],
        # statements that return no rows must not lend their lineage to the next one
        [
            "PREPARE p AS SELECT id AS ssn, id AS first_name, id AS last_name, id AS mrn "
            f"FROM patients; {SOURCE}"
        ],
        [
            "BEGIN; DECLARE c CURSOR FOR SELECT id AS ssn, id AS first_name, id AS last_name, "
            f"id AS mrn FROM patients; {SOURCE}; COMMIT"
        ],
        # a cast error naming the value, for names rather than numbers
        ["SELECT first_name::int FROM patients ORDER BY id LIMIT 1"],
        ["SELECT last_name::date FROM patients ORDER BY id LIMIT 1"],
        # a plan that prints the values it filters on
        [
            "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM patients "
            "WHERE last_name = (SELECT last_name FROM patients WHERE id = 1)"
        ],
    ],
    ids=[
        "cursor",
        "setting",
        "multi-statement",
        "prepare-then-select",
        "declare-then-select",
        "cast-name",
        "cast-date",
        "explain",
    ],
)
async def test_wire_only_channels_carry_no_identifier(
    wire: Wire, ehr_dsn: str, statements: list[str]
) -> None:
    seen = await run(wire, statements)
    assert seen
    assert leaks(ehr_dsn, seen) == []


async def test_a_query_plan_stays_readable(wire: Wire) -> None:
    """EXPLAIN output is scanned like any free text; its node names are no names."""
    seen = await run(
        wire,
        [
            "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF) SELECT p.id FROM patients p "
            "JOIN claims c ON c.patient_id = p.id WHERE p.id < 5 AND c.status <> 'x'"
        ],
    )
    plan = "\n".join(seen)
    assert "[PERSON]" not in plan, plan
    assert "Index Cond" in plan or "Seq Scan" in plan or "Hash Cond" in plan, plan
