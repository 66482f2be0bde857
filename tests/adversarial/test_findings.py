# ruff: noqa: E501  (statements read best on one line each)
"""Findings of the adversarial generator (test_fuzz.py), one minimal regression
test each, in the product's own words: what was promised, which statement breaks
it, through which front door.

Each leak test runs its statements through the named door and directly against
the upstream, and fails when the gateway's answer (rows, row count, command tag,
error, notices) holds a PHI value in a form the oracle knows (raw, lower, upper,
reversed, digits only, base64, hex; see harness.Oracle). Each channel test fails
when a statement whose row count is the character code of a PHI value runs
without approval.

A finding still open is marked `xfail(strict=True)`: the suite stays green while
it is open and turns red the moment it is fixed (an unexpected pass), so whoever
fixes one removes its mark and keeps the test. Sixteen of the seventeen first
findings are fixed and unmarked; the one open is the notes' detector missing
bare city names (issue 16). The write-promise table at the end holds and must
keep holding.
"""

from __future__ import annotations

import pytest

from tests.adversarial.doors import (
    ALL_DOORS,
    NAMED,
    REST,
    SIMPLE,
    WIRE,
    assert_no_leak,
    cases,
    through,
)
from tests.adversarial.harness import Bench, Oracle, checksum, run_direct

# ------------------------------------------------------------------------ results


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT kv.* FROM patients p, jsonb_each_text(to_jsonb(p)) kv LIMIT 13",
    ),
)
def test_json_each_of_a_whole_row(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT kv.* FROM claims c, jsonb_each_text(jsonb_build_object('count', c.member_id)) kv LIMIT 3",
    ),
)
def test_json_each_of_a_built_object(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT (jsonb_populate_record(null::claims, jsonb_build_object('payer', p.last_name))).* FROM patients p LIMIT 3",
    ),
)
def test_populate_record_into_a_trusted_column(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        WIRE,
        "SELECT (jsonb_populate_record(null::claims, jsonb_build_object('status', p.dob))).status FROM patients p LIMIT 3",
        "SELECT r.* FROM patients p, jsonb_to_record(jsonb_build_object('department', lower(p.first_name))) AS r(department text) LIMIT 3",
        "SELECT r.* FROM (SELECT json_agg(json_build_object('status', p.dob::text)) j FROM (SELECT * FROM patients p LIMIT 3) p) s, json_to_recordset(s.j) AS r(status text)",
    ),
)
def test_wire_renamed_record_columns(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        WIRE,
        "SELECT * FROM patients p, ROWS FROM (unnest(array[replace(p.ssn, '-', '')::bigint])) AS r(v) LIMIT 3",
        "SELECT row(c.member_id::bytea, c.id) FROM claims c LIMIT 3",
        "SELECT * FROM patients p CROSS JOIN LATERAL regexp_split_to_table(p.mrn, ',') AS t LIMIT 3",
    ),
)
def test_wire_rows_from_and_records(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        WIRE,
        "SELECT (SELECT string_agg(ch, ',') FROM regexp_split_to_table(p.last_name, '') ch) FROM patients p LIMIT 3",
        "SELECT (SELECT array_agg(x) FROM unnest(string_to_array(p.ssn, '-')) x) FROM patients p LIMIT 3",
    ),
)
def test_wire_correlated_subqueries(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"), cases(ALL_DOORS, "SELECT n.note_text FROM clinical_notes n")
)
def test_cities_in_notes(bench: Bench, oracle: Oracle, door: str, statements: list[str]) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT lower(n.note_text) FROM clinical_notes n LIMIT 5",
        "SELECT reverse(n.note_text) FROM clinical_notes n LIMIT 5",
        "SELECT translate(n.note_text, '-', '') FROM clinical_notes n LIMIT 5",
        "SELECT regexp_replace(n.note_text, '[^0-9A-Za-z@.]', '', 'g') FROM clinical_notes n LIMIT 5",
        "SELECT to_tsvector('simple', n.note_text)::text FROM clinical_notes n LIMIT 5",
        "SELECT regexp_split_to_array(n.note_text, '') FROM clinical_notes n LIMIT 5",
    ),
)
def test_transformed_notes(bench: Bench, oracle: Oracle, door: str, statements: list[str]) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT encode(convert_to(n.note_text, 'UTF8'), 'hex') FROM clinical_notes n LIMIT 5",
        "SELECT encode(convert_to(n.note_text, 'UTF8'), 'base64') FROM clinical_notes n LIMIT 5",
    ),
)
def test_encoded_notes(bench: Bench, oracle: Oracle, door: str, statements: list[str]) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        WIRE,
        ("PREPARE fz_rowtext AS SELECT p::text FROM patients p LIMIT 3", "EXECUTE fz_rowtext"),
        (
            "BEGIN",
            "DECLARE fz_ids CURSOR FOR SELECT array_agg(c.member_id) FROM (SELECT * FROM claims c LIMIT 3) c",
            "FETCH 5 FROM fz_ids",
            "COMMIT",
        ),
        (
            "DECLARE fz_hold CURSOR WITH HOLD FOR SELECT p::text FROM patients p",
            "FETCH 3 FROM fz_hold",
            "CLOSE fz_hold",
        ),
    ),
)
def test_wire_sessions(bench: Bench, oracle: Oracle, door: str, statements: list[str]) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        (NAMED,),
        "SELECT p::text FROM patients p LIMIT 3",
        "SELECT array_agg(c.member_id) FROM (SELECT * FROM claims c LIMIT 3) c",
        "SELECT array_agg(p.mrn) FROM (SELECT * FROM patients p LIMIT 3) p",
        "SELECT string_agg(c.member_id, ',') FROM (SELECT * FROM claims c LIMIT 3) c",
        "SELECT json_agg(p.zip) FROM (SELECT * FROM patients p LIMIT 3) p",
    ),
)
def test_wire_server_side_cursors(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT * FROM pg_catalog.pg_stats WHERE tablename = 'patients'",
        "SELECT histogram_bounds FROM pg_stats WHERE tablename = 'patients' AND attname = 'mrn'",
        "SELECT most_common_vals::text FROM pg_stats WHERE tablename = 'patients' AND attname = 'city'",
    ),
)
def test_statistics_views(bench: Bench, oracle: Oracle, door: str, statements: list[str]) -> None:
    assert_no_leak(bench, oracle, door, statements)


# ------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT CAST(p.city AS int) FROM patients p LIMIT 1",
        "SELECT p.city::uuid FROM patients p LIMIT 1",
        "SELECT c.member_id::int FROM claims c LIMIT 1",
        "SELECT c.member_id::boolean FROM claims c LIMIT 1",
    ),
)
def test_cast_errors_quote_values(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT p.first_name::regtype FROM patients p LIMIT 1",
        "SELECT to_tsvector('simple', p.address)::text::tsquery FROM patients p LIMIT 3",
    ),
)
def test_lower_cased_errors(bench: Bench, oracle: Oracle, door: str, statements: list[str]) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(ALL_DOORS, "SELECT string_agg(p.last_name, '')::numeric FROM patients p"),
)
def test_glued_names_in_errors(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


# ----------------------------------------------------------------------- channels

CHANNELS = [
    "SELECT id FROM encounters LIMIT ascii(substr((SELECT ssn FROM patients WHERE id = 1), 1, 1))",
    "SELECT id FROM encounters FETCH FIRST (ascii(substr((SELECT zip FROM patients WHERE id = 1), 3, 1))) ROWS ONLY",
    "SELECT id FROM encounters OFFSET (SELECT count(*) FROM encounters) - ascii(substr((SELECT email FROM patients WHERE id = 1), 1, 1))",
    "SELECT g FROM generate_series(1, ascii(substr((SELECT ssn FROM patients WHERE id = 3), 1, 1))) g",
    "SELECT generate_series(1, ascii(substr((SELECT mrn FROM patients WHERE id = 1), 1, 1)))",
    "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT g FROM generate_series(1, ascii(substr((SELECT zip FROM patients WHERE id = 4), 4, 1))) g",
    # one bit per statement: division by zero or not
    "SELECT 1 / (ascii(substr((SELECT ssn FROM patients WHERE id = 1), 1, 1)) - 55) AS n",
]


@pytest.mark.parametrize(("door", "statements"), cases(ALL_DOORS, *CHANNELS))
def test_row_count_channels_need_approval(bench: Bench, door: str, statements: list[str]) -> None:
    outcome = through(bench, door, statements)
    assert outcome.status in ("approval", "denied"), f"{door}: {outcome.text[:300]}"


# --------------------------------------------------------------------- predicates

HIDDEN_PREDICATES = {
    "explain": "EXPLAIN SELECT id FROM patients WHERE last_name = 'Smith'",
    "field": "SELECT count(*) FROM patients p WHERE (p).ssn LIKE '1%'",
    "jsonb_arrow": "SELECT count(*) FROM patients p WHERE to_jsonb(p) ->> 'ssn' LIKE '1%'",
    "jsonpath": "SELECT id FROM patients p WHERE jsonb_path_exists(to_jsonb(p), '$.ssn ? (@ starts with \"1\")')",
    "each_text": "SELECT count(*) FROM patients p, jsonb_each_text(to_jsonb(p)) kv WHERE kv.key = 'ssn' AND kv.value LIKE '1%'",
    "row_text": "SELECT count(*) FROM patients p WHERE p::text LIKE '%,1%'",
}


@pytest.mark.parametrize("door", ALL_DOORS)
@pytest.mark.parametrize("sql", HIDDEN_PREDICATES.values(), ids=HIDDEN_PREDICATES.keys())
def test_hidden_predicates_need_approval(bench: Bench, door: str, sql: str) -> None:
    outcome = through(bench, door, [sql])
    assert outcome.status in ("approval", "denied"), f"{door}: {outcome.text[:300]}"


# -------------------------------------------------------------- what holds today

WRITES = [
    "WITH d AS (UPDATE claims SET status = 'fuzzed' WHERE id = 1 RETURNING id) SELECT count(*) FROM d",
    "WITH d AS (DELETE FROM claims WHERE id = 2 RETURNING *) SELECT 1",
    "EXPLAIN ANALYZE UPDATE claims SET status = 'fuzzed' WHERE id = 3",
    "EXPLAIN (ANALYZE) WITH d AS (DELETE FROM claims WHERE id = 4 RETURNING id) SELECT 1",
    "SELECT * INTO fuzz_copy FROM claims",
    "CREATE TABLE fuzz_ctas AS SELECT * FROM claims",
    "SELECT 1; UPDATE claims SET status = 'fuzzed' WHERE id = 5",
    "COMMIT; DELETE FROM claims WHERE id = 6",
    "SET default_transaction_read_only = off; UPDATE claims SET status = 'fuzzed' WHERE id = 7",
    "PREPARE fzw AS UPDATE claims SET status = 'fuzzed' WHERE id = 8; EXECUTE fzw",
    "MERGE INTO claims c USING (SELECT 9 AS id) s ON c.id = s.id WHEN MATCHED THEN UPDATE SET status = 'fuzzed'",
    "UPDATE U&\"\\0063laims\" SET status = 'fuzzed' WHERE id = 10",
    "SELECT lo_from_bytea(0, 'fuzz')",
    "SELECT \"lo_from_bytea\"(0, 'fuzz')",
    "WITH x AS (SELECT lo_creat(-1) AS o) SELECT 1 FROM x",
    "SELECT query_to_xml('DELETE FROM claims WHERE id = 11 RETURNING id', true, true, '')",
    "DO $$ BEGIN DELETE FROM claims WHERE id = 12; END $$",
]


@pytest.mark.parametrize("door", [REST, SIMPLE])
@pytest.mark.parametrize("sql", WRITES)
def test_writes_never_change_the_upstream_without_approval(
    bench: Bench, door: str, sql: str
) -> None:
    before = checksum(bench.ehr_dsn)
    outcome = through(bench, door, [sql])
    assert checksum(bench.ehr_dsn) == before, f"{door} {outcome.status}: {outcome.text[:300]}"
    # http400: REST refuses transaction control before policy (it would end the
    # transaction the gateway runs the action in).
    assert outcome.status in ("approval", "denied", "error", "http400"), outcome.text[:300]


@pytest.mark.parametrize("door", ALL_DOORS)
def test_the_oracle_sees_what_the_upstream_says_and_not_what_the_gateway_masks(
    bench: Bench, oracle: Oracle, door: str
) -> None:
    """The oracle finds the raw values in the upstream's answer, and none in the
    gateway's masked answer to the same statement: it is neither blind nor noisy."""
    sql = "SELECT first_name, last_name, ssn, mrn, dob, email, phone, address, city, zip FROM patients ORDER BY id LIMIT 5"
    direct = run_direct(bench.copy_dsn, [sql])
    assert len({n.column for n in oracle.found(direct)}) >= 9
    assert_no_leak(bench, oracle, door, [sql])
