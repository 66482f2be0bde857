"""Round 5: a last attack on what phigate promises, before its fail-closed issue closes.

Error oracles: a function or operator phigate counts as total (`TOTAL` in
`sql/functions.py`, `_TOTAL_OPERATORS` in `sql/_lineage_expressions.py`) that fails on some values
of its PHI argument. Whether the statement fails then answers a question about the
value, so it must wait for the same approval as a WHERE on it (the demo policy asks
a data owner for conditions on patients' PHI columns). Each case first shows, on a
direct copy of the database, that the statement does fail on one value and not on
another, so the oracle is real; then that phigate lets it run without approval.
Open findings are `xfail(strict=True)`: the mark comes off when a finding is fixed.
"""

from __future__ import annotations

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.doors import ALL_DOORS, assert_needs_approval
from tests.adversarial.harness import Bench
from tests.adversarial.test_findings_round4 import (
    ask_then_approve,
    client,
    run,
    set_status,
    status_of,
    tags,
    wire,
)
from tests.conftest import Harness
from tests.console.conftest import sign_in
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.approvals import approve_all

__all__ = ["client", "wire"]  # fixtures shared with round 4


def fails(dsn: str, sql: str) -> bool:
    """Whether `sql` fails when run directly (the oracle's one bit)."""
    with psycopg.connect(dsn) as direct:
        try:
            direct.execute(sql).fetchall()
        except (psycopg.DataError, psycopg.errors.ProgramLimitExceeded, psycopg.errors.SyntaxError):
            return True
    return False


def oracle_cases(*pairs: tuple[str, str, str]) -> list[object]:
    """(template, a value that fails, a value that does not): one case per door."""
    return [
        pytest.param(door, *pair, id=f"{door}:{pair[0][:50]}")
        for pair in pairs
        for door in ALL_DOORS
    ]


def probe(template: str, value: str) -> str:
    """The template with `value` where the PHI column would stand."""
    return template.format(col=value)


def check_oracle(
    bench: Bench, door: str, template: str, failing: str, passing: str, column: str = "ssn"
) -> None:
    """The oracle is real (direct: fails on one value, not on the other), and phigate
    makes it wait for approval when the value is a patient's `column`."""
    assert fails(bench.copy_dsn, "SELECT " + probe(template, failing))
    assert not fails(bench.copy_dsn, "SELECT " + probe(template, passing))
    statement = "SELECT " + probe(template, column) + " FROM patients WHERE id = 1"
    assert_needs_approval(bench, door, [statement])


# ── total functions that are not total ──────────────────────────────────────
@pytest.mark.parametrize(
    ("door", "template", "failing", "passing"),
    oracle_cases(("split_part('a', ',', strpos({col}, '12'))", "'999'", "'123'")),
)
def test_split_part_of_a_position_is_a_condition(
    bench: Bench, door: str, template: str, failing: str, passing: str
) -> None:
    """split_part fails when its field number is zero; strpos is zero exactly when
    the PHI value lacks the probe: one substring test per statement."""
    check_oracle(bench, door, template, failing, passing)


@pytest.mark.parametrize(
    ("door", "template", "failing", "passing"),
    oracle_cases(("format('%' || substr({col}, 1, 1) || '$s', 1, 2, 3, 4)", "'7'", "'3'")),
)
def test_a_format_string_built_from_phi_is_a_condition(
    bench: Bench, door: str, template: str, failing: str, passing: str
) -> None:
    """format fails when its format string names an argument that is not there; a
    format built with `||` (counted total) from one SSN digit asks whether the digit is
    above 4: an SSN in a few dozen statements."""
    check_oracle(bench, door, template, failing, passing)


@pytest.mark.parametrize(
    ("door", "template", "failing", "passing"),
    oracle_cases(("substring('x' from {col})", "'a('", "'a'")),
)
def test_a_pattern_taken_from_phi_is_a_condition(
    bench: Bench, door: str, template: str, failing: str, passing: str
) -> None:
    """The two-argument substring is a regular-expression match: its pattern fails to
    compile on some values (an open parenthesis), so the value is a condition."""
    check_oracle(bench, door, template, failing, passing, column="address")


@pytest.mark.parametrize(
    ("door", "template", "failing", "passing"),
    oracle_cases(
        ("json_build_object({col}, 1)", "NULL::text", "'a'"),
        ("jsonb_build_object({col}, 1)", "NULL::text", "'a'"),
        ("json_object_agg({col}, 1)", "NULL::text", "'a'"),
    ),
)
def test_an_object_key_taken_from_phi_is_a_condition(
    bench: Bench, door: str, template: str, failing: str, passing: str
) -> None:
    """json(b)_build_object refuses a null key: whether a patient's email or phone is
    recorded is answered by whether the statement fails."""
    check_oracle(bench, door, template, failing, passing, column="email")


@pytest.mark.parametrize(
    ("door", "template", "failing", "passing"),
    oracle_cases(("jsonb_build_array(1) #- ARRAY[substr({col}, 1, 1)]", "'a'", "'1'")),
)
def test_a_json_path_taken_from_phi_is_a_condition(
    bench: Bench, door: str, template: str, failing: str, passing: str
) -> None:
    """`#-` is counted total, but on an array it fails when a path element is not an
    integer: whether a character of the value is a digit."""
    check_oracle(bench, door, template, failing, passing, column="address")


@pytest.mark.parametrize(
    ("door", "template", "failing", "passing"),
    oracle_cases(
        ("date_trunc(lower(substr({col}, 1, 4)), now())", "'Mary'", "'Year'"),
        ("date_part(lower(substr({col}, 1, 3)), now())", "'Mary'", "'Day'"),
        ("date_trunc('day', now(), replace(substr({col}, 1, 1), 'M', 'UTC'))", "'J'", "'M'"),
        ("to_char(1, replace(substr({col}, 1, 1), 'M', '..'))", "'M'", "'J'"),
        ("encode('x'::bytea, replace(substr({col}, 1, 1), 'M', 'hex'))", "'J'", "'M'"),
    ),
)
def test_a_unit_taken_from_phi_is_a_condition(
    bench: Bench, door: str, template: str, failing: str, passing: str
) -> None:
    """date_trunc and date_part fail on a unit name they do not know, date_trunc on a
    time zone, to_char on a format with two decimal points, encode on an encoding it
    does not know: with `replace` (total), whether a name starts with a given letter.
    """
    check_oracle(bench, door, template, failing, passing, column="first_name")


@pytest.mark.parametrize(
    ("door", "template", "failing", "passing"),
    oracle_cases(
        ("repeat(replace(substr({col}, 1, 1), '7', repeat('x', 2000)), 1000000)", "'7'", "'3'")
    ),
)
def test_a_length_that_depends_on_phi_is_a_condition(
    bench: Bench, door: str, template: str, failing: str, passing: str
) -> None:
    """repeat refuses a result past 1 GB before building it; `replace` (total) makes
    the length depend on whether the first SSN digit is a 7. No large allocation either
    way: 2 GB overflows at once, 1 MB does not."""
    check_oracle(bench, door, template, failing, passing)


@pytest.mark.parametrize(
    ("door", "sql"),
    [
        pytest.param(door, sql, id=f"{door}:{sql[:50]}")
        for door in ALL_DOORS
        for sql in (
            "SELECT (SELECT 1 FROM patients WHERE id IN (1, 2) GROUP BY substr(ssn, 1, 1))",
            "SELECT (SELECT DISTINCT substr(ssn, 1, 1) FROM patients WHERE id IN (1, 2)) IS NULL",
            "SELECT (SELECT 1 FROM patients p, unnest(ARRAY[p.ssn]) u WHERE p.id = 1)",
        )
    ],
)
def test_a_scalar_subquery_that_may_return_two_rows_is_a_condition(
    bench: Bench, door: str, sql: str
) -> None:
    """Held: a scalar subquery fails on more than one row; grouping or DISTINCT on PHI
    decides how many, and phigate counts them as conditions."""
    assert_needs_approval(bench, door, [sql])


@pytest.mark.parametrize(
    ("door", "sql"),
    [
        pytest.param(door, sql, id=f"{door}:{sql[:50]}")
        for door in ALL_DOORS
        for sql in (
            "SELECT 1 FROM generate_series(1, 9) OFFSET "
            "(SELECT strpos(ssn, '7') FROM patients WHERE id = 1)",
            "SELECT 1 FROM generate_series(1, 9) LIMIT "
            "(SELECT strpos(ssn, '7') FROM patients WHERE id = 1)",
            "SELECT x FROM patients p, LATERAL (SELECT 1 AS x LIMIT strpos(p.ssn, '7')) l "
            "WHERE p.id = 1",
            "SELECT count(*) FROM claims TABLESAMPLE BERNOULLI "
            "((SELECT strpos(ssn, '7') FROM patients WHERE id = 1))",
        )
    ],
)
def test_a_row_limit_taken_from_phi_is_a_condition(bench: Bench, door: str, sql: str) -> None:
    """How many rows come back (or whether LIMIT fails on a bad count) is a question
    about the value that set the limit."""
    assert_needs_approval(bench, door, [sql])


@pytest.mark.parametrize(
    ("door", "sql"),
    [
        pytest.param(door, sql, id=f"{door}:{sql[:40]}")
        for door in ALL_DOORS
        for sql in (
            "DO $$BEGIN RAISE NOTICE '%', (SELECT ssn FROM patients WHERE id = 1); END$$",
            "DO $$BEGIN PERFORM 1/0 FROM patients WHERE id = 1 AND ssn LIKE '7%'; END$$",
            "CALL pg_catalog.pg_sleep(0)",
        )
    ],
)
def test_procedural_code_is_not_a_read(bench: Bench, door: str, sql: str) -> None:
    """Held: DO and CALL run code phigate cannot see into; they wait or are denied."""
    assert_needs_approval(bench, door, [sql])


# ── writes on a read-only wire session: whose transaction they commit in ────
@pytest.mark.parametrize(
    "text",
    [
        "BEGIN; UPDATE claims SET status = 'paid' WHERE id = {claim}",
        "UPDATE claims SET status = 'paid' WHERE id = {claim}; BEGIN",
    ],
    ids=["begin-first", "begin-last"],
)
async def test_an_approved_batch_that_opens_a_transaction_rolls_back_with_it(
    wire: Wire, client: RawClient, ehr_dsn: str, text: str
) -> None:
    """A simple Query with a BEGIN in it leaves the client in a transaction block (a
    BEGIN later in the Query takes in what ran before it) that it rolls back; on the
    server itself the UPDATE is undone (checked directly first). Fixed: the writer runs
    a write in a transaction of its own, so a write must come alone; this one is
    refused before approval, and nothing commits."""
    direct = text.format(claim=44)
    set_status(ehr_dsn, 44, "new")
    with psycopg.connect(ehr_dsn, autocommit=True) as conn:
        conn.execute(direct.encode())
        conn.execute("ROLLBACK")
    assert status_of(ehr_dsn, 44) == "new"
    claim = 41 if text.startswith("BEGIN") else 45
    text = text.format(claim=claim)
    set_status(ehr_dsn, claim, "new")
    answers = await refused_alone(wire, client, text)
    client.send(codec.query("ROLLBACK"))
    answers += await client.until(b"Z")
    assert status_of(ehr_dsn, claim) == "new", (tags(answers), error_fields(answers))


async def test_an_approved_write_rolls_back_with_its_failing_batch(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """A simple Query `UPDATE …; SELECT 1/0` (one implicit transaction) would fail on
    its second statement and undo the UPDATE: a write must come alone, so it is
    refused before approval and nothing commits."""
    set_status(ehr_dsn, 42, "new")
    text = "UPDATE claims SET status = 'paid' WHERE id = 42; SELECT 1/0"
    answers = await refused_alone(wire, client, text)
    assert status_of(ehr_dsn, 42) == "new", tags(answers)


async def test_an_approved_execute_rolls_back_with_its_failing_pipeline(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """Fixed (finding 7): Parse/Bind/Execute of the approved write, then Execute of
    `SELECT 1/0`, then Sync: without BEGIN this is one implicit transaction, which the
    server rolls back as a whole when the division fails (psycopg's pipeline mode relies
    on it). The writer cannot share it, so the write is held at its Execute and refused
    (0A000) when anything but Sync follows: the batch skips to Sync, nothing commits.
    Every other ordering is in `test_write_hold.py`."""
    set_status(ehr_dsn, 43, "new")
    await ask_then_approve(wire, client, 43)
    failing = codec.build_parse("z", "SELECT 1/0") + run("z")
    client.send(run("w", "paid", "43") + failing + codec.SYNC)
    answers = await client.until(b"Z")
    assert error_fields(answers).get("C") == "0A000", answers
    assert status_of(ehr_dsn, 43) == "new", tags(answers)


# ── what an approved write's failure tells ──────────────────────────────────
def mrn_of(dsn: str, patient: int) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT mrn FROM patients WHERE id = %s", (patient,)).fetchone()
    assert row is not None
    return str(row[0])


async def test_an_approved_write_that_fails_is_masked(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """An approved write that breaks a unique key fails with the key's value in the
    error's detail ("Key (mrn)=(…) already exists"): the caller gets it masked."""
    secret = mrn_of(ehr_dsn, 2)
    text = "UPDATE patients SET mrn = (SELECT mrn FROM patients WHERE id = 2) WHERE id = 1"
    client.send(codec.query(text))
    first = await client.until(b"Z")
    assert error_fields(first).get("C") == "55000", first
    assert await approve_all(wire) == [{"sql": text, "params": []}]
    client.send(codec.query(text))
    answers = await client.until(b"Z")
    assert error_fields(answers).get("C") == "23505", answers
    assert mrn_of(ehr_dsn, 1) != secret
    assert all(secret.encode() not in m.body for m in answers), error_fields(answers)


# ── what a reviewer sees ────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "invisible",
    ["\ufe0f", "\u034f", "\u17b4", "\U000e0100"],
    ids=["variation-selector-16", "grapheme-joiner", "khmer-inherent-aq", "variation-selector-17"],
)
async def test_an_invisible_mark_in_a_literal_is_escaped_on_the_page(
    harness: Harness, invisible: str
) -> None:
    """`SET status = 'paid<U+FE0F>'` reads as 'paid' and writes another value: these
    marks (category Mn) draw nothing on a letter, unlike an accent, so the reviewer
    must see them escaped and warned about, as any hidden character."""
    sql = f"UPDATE claims SET status = 'paid{invisible}' WHERE id = 7"
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    alice = await sign_in(harness, "alice")
    try:
        page = (await alice.get(f"/ui/approvals/{answer.json()['approval']['id']}")).text
    finally:
        await alice.aclose()
    at = page.find(invisible)
    assert at < 0, repr(page[max(at - 60, 0) : at + 20])
    assert "hidden or look-alike" in page


# ── what an approved write leaves behind on the shared writer ──────────────
async def refused_alone(wire: Wire, client: RawClient, text: str) -> list[codec.Message]:
    """Send `text` as a simple Query: refused (0A000, a write must come alone) before
    any approval is asked, so none is pending."""
    client.send(codec.query(text))
    answers = await client.until(b"Z")
    assert error_fields(answers).get("C") == "0A000", answers
    assert "sent alone" in error_fields(answers).get("M", ""), answers
    assert await approve_all(wire) == []
    return answers


async def ask_approve_run(wire: Wire, client: RawClient, text: str) -> list[codec.Message]:
    """Send `text` as a simple Query, approve it as alice, send it again: its answers."""
    client.send(codec.query(text))
    first = await client.until(b"Z")
    assert error_fields(first).get("C") == "55000", first
    assert await approve_all(wire) == [{"sql": text, "params": []}]
    client.send(codec.query(text))
    return await client.until(b"Z")


async def test_an_approved_write_leaves_no_session_setting_for_the_next(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """An approved write that sets a session setting (`set_config(…, false)`) runs on a
    pooled writer connection; the next approved write (another reviewer's decision)
    must not run under its setting."""
    set_status(ehr_dsn, 46, "new")
    set_status(ehr_dsn, 47, "new")
    tainting = await ask_approve_run(
        wire,
        client,
        "UPDATE claims SET status = set_config('application_name', 'tainted', false) WHERE id = 46",
    )
    answers = await ask_approve_run(
        wire,
        client,
        "UPDATE claims SET status = current_setting('application_name') WHERE id = 47",
    )
    assert status_of(ehr_dsn, 46) == "tainted", (tags(tainting), error_fields(tainting))
    assert tags(answers) == ["UPDATE 1"], error_fields(answers)
    assert status_of(ehr_dsn, 47) not in ("new", "tainted")


async def test_an_approved_batch_is_answered_statement_by_statement(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """The server answers each statement of a Query with its own CommandComplete; the
    writer's answer stood in for all of them (`SET` only, for a write that committed).
    Fixed: a write must come alone, so the batch is refused before approval and
    nothing commits."""
    set_status(ehr_dsn, 48, "new")
    text = "SET application_name = 'a'; UPDATE claims SET status = 'y' WHERE id = 48"
    answers = await refused_alone(wire, client, text)
    assert status_of(ehr_dsn, 48) == "new", tags(answers)
