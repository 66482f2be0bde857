"""Attacks on masking through the SQL itself: functions, casts, errors, aggregates,
whole-row references, set operations, and oracle channels in predicates."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import Harness


def identifiers(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT ssn, last_name, mrn FROM patients ORDER BY id LIMIT 3"
        ).fetchall()
    return [value for row in rows for value in row]


def variants(value: str) -> set[str]:
    digits = value.replace("-", "")
    return {value, digits, value[::-1], digits[::-1], value.upper(), value.lower()}


# Every way these statements could carry an identifier out (the wire front door runs
# the same list: tests/pgwire/test_exfiltration.py).
DERIVED = [
    "SELECT encode(convert_to(ssn, 'UTF8'), 'base64') AS x FROM patients ORDER BY id LIMIT 3",
    "SELECT reverse(ssn) AS x FROM patients ORDER BY id LIMIT 3",
    "SELECT translate(ssn, '0123456789', 'abcdefghij') FROM patients ORDER BY id LIMIT 3",
    "SELECT string_agg(ssn, ',') FROM (SELECT ssn FROM patients ORDER BY id LIMIT 3) s",
    "SELECT replace(ssn, '-', '') AS x FROM patients ORDER BY id LIMIT 3",
    "SELECT substr(ssn, 1, 6) || substr(ssn, 8) FROM patients ORDER BY id LIMIT 3",
    "SELECT overlay(ssn placing 'Z' from 4 for 1) FROM patients ORDER BY id LIMIT 3",
    "SELECT format('%s', ssn) FROM patients ORDER BY id LIMIT 3",
    "SELECT to_json(ssn) FROM patients ORDER BY id LIMIT 3",
    "SELECT row_to_json(p) FROM patients p ORDER BY id LIMIT 3",
    "SELECT p FROM patients p ORDER BY id LIMIT 3",
    "SELECT upper(last_name) AS x FROM patients ORDER BY id LIMIT 3",
    "SELECT last_name || ' ok' AS note FROM patients ORDER BY id LIMIT 3",
    "SELECT array_agg(last_name ORDER BY id) FROM patients",
    "SELECT (SELECT ssn FROM patients WHERE id = 1) AS x",
    "WITH t AS (SELECT ssn AS a FROM patients ORDER BY id) SELECT a FROM t LIMIT 3",
    "SELECT ssn FROM patients UNION ALL SELECT 'x' LIMIT 3",
    "SELECT 'MRN ' || mrn AS label FROM patients ORDER BY id LIMIT 3",
    "SELECT CAST(ssn AS int) FROM patients ORDER BY id LIMIT 3",  # the error carries it
    "SELECT ssn::date FROM patients ORDER BY id LIMIT 1",
    # Record-returning functions and `(composite).*`: every output column carries
    # every argument (issue 14, item 4).
    "SELECT x.* FROM patients p, jsonb_to_record(jsonb_build_object('sex', p.last_name, "
    "'status', p.ssn)) AS x(sex text, status text) ORDER BY p.id LIMIT 3",
    "SELECT (jsonb_populate_record(null::claims, jsonb_build_object('status', p.ssn))).* "
    "FROM patients p ORDER BY p.id LIMIT 3",
    "SELECT (SELECT x FROM encounters LIMIT 1) FROM "
    "(SELECT reverse(ssn) AS x FROM patients ORDER BY id LIMIT 3) s",
    # Error text quoting every row (issue 14, item 6).
    "SELECT CAST(string_agg(reverse(ssn) || ':' || lower(last_name), ' | ') AS int) "
    "FROM (SELECT * FROM patients ORDER BY id LIMIT 3) p",
]


@pytest.mark.parametrize("sql", DERIVED)
async def test_derived_values_never_leave_unmasked(
    harness: Harness, ehr_dsn: str, sql: str
) -> None:
    response = await harness.submit("claims-bot", sql)
    # 202: a computation that can fail on some values (a cast to int or date) is a
    # condition on them, and waits for a data owner like a WHERE would.
    assert response.status_code in (200, 202, 502), response.text
    leaked = [v for value in identifiers(ehr_dsn) for v in variants(value) if v in response.text]
    assert leaked == []


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM patients WHERE ssn LIKE '1%'",
        "SELECT count(*) FROM patients WHERE dob < '1950-01-01'",
        "SELECT id FROM patients ORDER BY last_name LIMIT 1",
        "SELECT CASE WHEN ssn > '5' THEN 1 ELSE 0 END FROM patients",
        "SELECT c.id FROM claims c JOIN patients p ON p.id = c.patient_id WHERE p.mrn = '1'",
        # Row counts that carry values (issue 14, item 5).
        "SELECT id FROM patients p LIMIT substr(p.ssn, 1, 3)::int",
        "SELECT id FROM claims LIMIT (SELECT substr(ssn, 1, 3)::int FROM patients WHERE id = 1)",
        "SELECT id FROM claims OFFSET (SELECT ascii(first_name) FROM patients WHERE id = 1) "
        "LIMIT 1",
        "SELECT (SELECT count(*) FROM generate_series(1, ascii(p.first_name))) FROM patients p",
        "SELECT count(*) FROM patients p, unnest(string_to_array(p.ssn, '-')) u",
        "EXPLAIN ANALYZE SELECT 1 FROM patients WHERE ssn LIKE '1%'",
        # A set-returning function yields as many rows as its arguments say.
        "SELECT (jsonb_each_text(jsonb_build_object('k', p.mrn))).* FROM patients p "
        "ORDER BY p.id LIMIT 3",
        "SELECT * FROM jsonb_each_text((SELECT jsonb_build_object('status', ssn) FROM patients "
        "ORDER BY id LIMIT 1))",
    ],
)
async def test_oracle_channels_need_a_data_owner(harness: Harness, sql: str) -> None:
    response = await harness.submit("claims-bot", sql)
    assert response.status_code == 202, response.text
    record = harness.gateway.action(response.json()["id"])
    assert record.rule == "filtering-on-identifiers-needs-a-data-owner"


@pytest.mark.parametrize(
    "expression",
    [
        "encode(convert_to(note_text, 'WIN1252'), 'hex')",
        "encode(convert_to(note_text, 'LATIN1'), 'base64')",
        "note_text::bytea::text",
    ],
)
async def test_encodings_that_can_fail_on_a_value_wait_for_a_data_owner(
    harness: Harness, expression: str
) -> None:
    """convert_to fails on a character the encoding lacks, text::bytea on a bad
    backslash escape: whether it fails answers a question about the note. (UTF-8
    lacks none: `convert_to(note_text, 'UTF8')` is total on a UTF8 server.)"""
    response = await harness.submit(
        "claims-bot", f"SELECT {expression} AS x FROM clinical_notes ORDER BY id LIMIT 3"
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending_approval"


async def test_filtering_on_ids_and_codes_is_an_ordinary_read(harness: Harness) -> None:
    response = await harness.submit(
        "claims-bot", "SELECT id, status FROM claims WHERE patient_id = 3 ORDER BY id"
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "expression",
    [
        "reverse(note_text)",
        "substr(note_text, 1, 80)",
        "btrim(note_text, '0123456789')",
        "translate(note_text, 'aeiou', 'AEIOU')",
        "replace(note_text, ' ', '')",
    ],
)
async def test_free_text_is_scanned_only_as_stored(harness: Harness, expression: str) -> None:
    """Detectors read text; reversed, encoded or cut text they cannot read whole is
    withheld (a value split at a cut is two pieces no detector reads), while text
    joined with more text is still scanned."""
    response = await harness.submit(
        "claims-bot", f"SELECT {expression} AS x FROM clinical_notes ORDER BY id LIMIT 3"
    )
    assert response.status_code == 200, response.text
    assert [row[0] for row in response.json()["result"]["rows"]] == ["[WITHHELD]"] * 3
    cut = await harness.submit(
        "claims-bot", "SELECT substr(note_text, 1, 80) AS x FROM clinical_notes LIMIT 3"
    )
    assert [row[0] for row in cut.json()["result"]["rows"]] == ["[WITHHELD]"] * 3
    joined = await harness.submit(
        "claims-bot", "SELECT 'note: ' || note_text AS x FROM clinical_notes LIMIT 3"
    )
    assert all(row[0] != "[WITHHELD]" for row in joined.json()["result"]["rows"])
