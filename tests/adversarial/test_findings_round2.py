# ruff: noqa: E501  (statements read best on one line each)
"""Second round of attacks on phigate, as a hostile agent and a dishonest insider
would make them, through the real front doors. Each finding is one minimal
regression test marked `xfail(strict=True)`: the suite stays green while it is
open and turns red the moment it is fixed, so whoever fixes one removes its mark.
Unmarked tests are attacks that held and must keep holding, or findings fixed.
Of its 19 findings, 18 are fixed; open: errors other than division as one-bit
oracles (documented as a known limit in docs/security.md).

Leak tests use the same oracle as test_findings.py (harness.Oracle): the
gateway's answer (rows, row count, command tag, errors, notices) must not hold a
PHI value in any form the oracle knows. Channel tests require that a statement
whose outcome depends on a masked column waits for approval (or is denied).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import psycopg
import pytest

from tests.adversarial.doors import (
    ALL_DOORS,
    WIRE,
    assert_needs_approval,
    assert_no_leak,
    cases,
    through,
)
from tests.adversarial.harness import Bench, Oracle, Outcome, run_direct
from tests.conftest import reader_dsn_for
from tests.mcp.conftest import mcp_client, serve_app, start

# --------------------------------------------------------------- error messages


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT chr(replace(ssn, '-', '')::int) FROM patients WHERE id = 1",
        "SELECT make_date(2000, 13, zip::int) FROM patients WHERE id = 1",
        "SELECT make_time(replace(ssn, '-', '')::int, 0, 0) FROM patients WHERE id = 1",
    ),
)
def test_numbers_from_phi_in_error_text(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


def test_numbers_from_phi_in_the_audit_log(bench: Bench, oracle: Oracle) -> None:
    sql = "SELECT chr(replace(ssn, '-', '')::int) FROM patients WHERE id = 2"
    bench.rest(sql)
    code, verify = rest_call(bench, "GET", "/v1/audit/verify", "admin")
    assert code == 200, verify
    since = max(0, int(verify["records"]) - 20)
    code, audit = rest_call(bench, "GET", f"/v1/audit?since={since}&limit=100", "admin")
    assert code == 200, audit
    text = json.dumps(audit, ensure_ascii=False)
    leaked = oracle.leaks(text, sql, run_direct(bench.copy_dsn, [sql]))
    assert not leaked, f"{[(n.column, n.text) for n in leaked]}"


# ---------------------------------------------------------------------- results


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT mrn || '' AS a, lower(last_name) AS d FROM (SELECT * FROM patients ORDER BY id LIMIT 3) p",
        "SELECT coalesce(mrn, '') AS a FROM (TABLE patients) p WHERE id < 3",
        "SELECT json_agg(mrn) FROM (SELECT * FROM patients ORDER BY id LIMIT 3) p",
        "SELECT max(last_name), array_agg(mrn) FROM (SELECT * FROM patients ORDER BY id LIMIT 3) p",
        "WITH p AS (SELECT * FROM patients) SELECT jsonb_object_agg(ssn, 1) FROM p WHERE id < 3",
        "SELECT jsonb_object_agg(last_name, id) FROM (SELECT * FROM patients ORDER BY id LIMIT 3) p",
    ),
)
def test_expressions_of_star_subquery_columns(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


# --------------------------------------------------------------------- channels


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT count(*) FROM patients WHERE id = 1 AND ascii(substr(city, 1, 1)) = 74",
        "SELECT id FROM patients ORDER BY city LIMIT 3",
    ),
)
def test_filtering_on_city_needs_approval(bench: Bench, door: str, statements: list[str]) -> None:
    assert_needs_approval(bench, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT count(*) FROM (SELECT substr(ssn, 1, 3) FROM patients WHERE id = 1 INTERSECT SELECT '706') s",
        "SELECT count(*) FROM (SELECT substr(ssn, 1, 1) FROM patients WHERE id = 1 UNION SELECT '7') s",
        "SELECT substr(ssn, 1, 1) FROM patients WHERE id = 1 EXCEPT SELECT '7'",
        "SELECT count(*) FROM (SELECT DISTINCT v FROM (SELECT substr(ssn, 1, 1) AS v FROM patients WHERE id = 1 UNION ALL SELECT '7') u) s",
    ),
)
def test_set_operations_compare_masked_values(
    bench: Bench, door: str, statements: list[str]
) -> None:
    assert_needs_approval(bench, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT count(*) FROM (SELECT * FROM patients) p WHERE last_name LIKE 'A%'",
        "SELECT count(*) FROM patients AS p(a, f, l, d, s, b) WHERE b LIKE '7%'",
        "SELECT f, x FROM (SELECT * FROM patients) AS p(i, f, l, d, s, x) WHERE x LIKE '7%' LIMIT 3",
        "SELECT id FROM (SELECT * FROM patients) p ORDER BY ssn LIMIT 3",
        "SELECT id, row_number() OVER (ORDER BY ssn) FROM (SELECT * FROM patients) p LIMIT 3",
        "WITH p AS (SELECT * FROM patients) SELECT string_agg(id::text, ',' ORDER BY ssn) FROM p",
        "SELECT string_agg(id::text, ',' ORDER BY last_name) FROM (SELECT * FROM patients) p",
        "SELECT json_agg(id ORDER BY dob) FROM (SELECT p.* FROM patients p) p",
        "SELECT count(*) FROM (TABLE patients) p WHERE ssn LIKE '7%'",
    ),
)
def test_predicates_on_star_subquery_and_alias_list_columns(
    bench: Bench, door: str, statements: list[str]
) -> None:
    assert_needs_approval(bench, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT DISTINCT ON (2) id, ssn FROM patients LIMIT 3",
        "SELECT count(*) FROM (SELECT DISTINCT ON (2) id, substr(ssn, 1, 3) FROM patients) s",
    ),
)
def test_distinct_on_an_ordinal(bench: Bench, door: str, statements: list[str]) -> None:
    assert_needs_approval(bench, door, statements)


def answer_rows(outcome: Outcome) -> str:
    """What an answer says about the data: its rows (REST) or its text (wire),
    without the action id that differs on every request."""
    return re.sub(r"act_[A-Za-z0-9_-]+", "act", outcome.text)


@pytest.mark.parametrize("door", ALL_DOORS)
@pytest.mark.parametrize(
    "template",
    [
        "SELECT nullif(substr(ssn, 1, 1), '{guess}') AS x FROM patients WHERE id = 1",
        "SELECT id, nullif(ssn LIKE '{guess}%', true) AS x FROM patients WHERE id = 1",
        "SELECT id, json_typeof(to_json(nullif(substr(ssn, 1, 1), '{guess}'))) AS x FROM patients WHERE id = 1",
    ],
)
def test_null_is_an_unmasked_bit(bench: Bench, door: str, template: str) -> None:
    with psycopg.connect(bench.ehr_dsn) as conn:
        row = conn.execute("SELECT substr(ssn, 1, 1) FROM patients WHERE id = 1").fetchone()
    assert row is not None
    right, wrong = row[0], "0" if row[0] != "0" else "1"
    answers = [through(bench, door, [template.format(guess=g)]) for g in (right, wrong)]
    if all(a.status in ("approval", "denied") for a in answers):
        return
    assert answer_rows(answers[0]) == answer_rows(answers[1]), [a.text[:200] for a in answers]


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT ln(substr(ssn, 1, 1)::int - 7) AS x FROM patients WHERE id = 1",
        "SELECT int4range(substr(ssn, 1, 1)::int, 6) AS x FROM patients WHERE id = 1",
        "SELECT sqrt(substr(ssn, 1, 1)::int - 8) AS x FROM patients WHERE id = 1",
        "SELECT 2147483647 + (substr(ssn, 1, 1)::int - 7) AS x FROM patients WHERE id = 1",
    ),
)
def test_errors_other_than_division_are_oracles(
    bench: Bench, door: str, statements: list[str]
) -> None:
    assert_needs_approval(bench, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "EXPLAIN (ANALYZE, SERIALIZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT repeat('x', ascii(substr(ssn, 1, 1)) * 1024) FROM patients WHERE id = 1",
        "EXPLAIN (ANALYZE, SERIALIZE TEXT, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) SELECT repeat(last_name, 1000) FROM patients WHERE id = 1",
    ),
)
def test_explain_serialize_measures_the_output(
    bench: Bench, door: str, statements: list[str]
) -> None:
    assert_needs_approval(bench, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT count(*) FROM encounters TABLESAMPLE BERNOULLI ((SELECT ascii(substr(ssn, 1, 1)) FROM patients WHERE id = 1)) REPEATABLE (1)",
        "SELECT count(*) FROM encounters TABLESAMPLE SYSTEM ((SELECT ascii(substr(ssn, 1, 1)) - 48 FROM patients WHERE id = 1) * 10)",
        "SELECT count(*) FROM encounters TABLESAMPLE BERNOULLI (50) REPEATABLE ((SELECT ascii(substr(ssn, 1, 1)) FROM patients WHERE id = 1))",
    ),
)
def test_tablesample_arguments_are_cardinality(
    bench: Bench, door: str, statements: list[str]
) -> None:
    assert_needs_approval(bench, door, statements)


@pytest.mark.parametrize("door", ALL_DOORS)
@pytest.mark.parametrize("unit", ["ROWS", "RANGE", "GROUPS"])
def test_window_frame_offsets(bench: Bench, door: str, unit: str) -> None:
    sql = (
        f"SELECT count(*) OVER (ORDER BY id {unit} BETWEEN (SELECT ascii(substr(ssn, 1, 1)) "
        "FROM patients WHERE id = 1) PRECEDING AND CURRENT ROW) AS c FROM encounters "
        "ORDER BY id DESC LIMIT 1"
    )
    with psycopg.connect(bench.ehr_dsn) as conn:
        row = conn.execute(
            "SELECT ascii(substr(ssn, 1, 1)) + 1 FROM patients WHERE id = 1"
        ).fetchone()
    assert row is not None
    outcome = through(bench, door, [sql])
    if outcome.status in ("approval", "denied"):
        return
    assert not re.search(rf"\[\[\s*\"?{row[0]}\"?\s*\]\]", outcome.text), outcome.text[:300]


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT count(*) FROM patients JOIN (SELECT '706-56-7705' AS ssn) t USING (ssn)",
        "SELECT count(*) FROM patients NATURAL JOIN (SELECT 1 AS id, '706-56-7705' AS ssn) t",
    ),
)
def test_implicit_join_conditions_on_masked_columns(
    bench: Bench, door: str, statements: list[str]
) -> None:
    assert_needs_approval(bench, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT array_agg(id ORDER BY ssn) FROM patients",
        "SELECT array_agg(id ORDER BY ssn) FROM (SELECT id, ssn FROM patients LIMIT 5) p",
        "SELECT id, row_number() OVER (ORDER BY ssn) AS rn FROM patients LIMIT 5",
        "SELECT first_value(id) OVER (ORDER BY dob) FROM patients LIMIT 1",
        "SELECT count(*) FILTER (WHERE ssn LIKE '7%') AS n FROM patients",
        "SELECT g, count(*) FROM (SELECT id, last_name AS g FROM patients) s GROUP BY GROUPING SETS ((g), ())",
        "WITH p(a, b) AS (SELECT id, ssn FROM patients) SELECT count(*) FROM p WHERE b LIKE '7%'",
        "SELECT count(*) FROM patients p, LATERAL (SELECT p.ssn AS s) x WHERE x.s LIKE '7%'",
        "SELECT count(*) FROM (VALUES ((SELECT ssn FROM patients WHERE id = 1))) v(s) WHERE s LIKE '7%'",
        "SELECT count(*) FROM patients WHERE (ssn, id) > ('5', 0)",
        "SELECT count(*) FROM patients p JOIN claims c ON c.member_id = p.mrn",
        "SELECT id, ssn FROM patients ORDER BY 2 LIMIT 3",
        "SELECT id, ssn AS k FROM patients ORDER BY k LIMIT 3",
        "SELECT count(*), substr(ssn, 1, 1) FROM patients GROUP BY 2",
        "SELECT DISTINCT ON (ssn) id FROM patients LIMIT 3",
        "SELECT (array_agg(id))[1] FROM (SELECT id FROM patients ORDER BY ssn) s",
        "SELECT 1 / (substr(ssn, 1, 1)::int - 7) AS x FROM patients WHERE id = 1",
        "SELECT 1 % (substr(ssn, 1, 1)::int - 7) AS x FROM patients WHERE id = 1",
        "SELECT count(*) FROM encounters WHERE id <= (SELECT ascii(substr(ssn, 1, 1)) FROM patients WHERE id = 1)",
        "SELECT count(*) FROM unnest(array_fill(1, ARRAY[(SELECT ascii(substr(ssn, 1, 1)) FROM patients WHERE id = 1)]))",
        "SELECT count(*) FROM patients p WHERE concat(p) LIKE '%,7%'",
        "SELECT count(*) FROM patients p WHERE format('%s', p) LIKE '%,7%'",
        "SELECT count(*) FROM patients p WHERE row_to_json(p)->>'ssn' LIKE '7%'",
        "SELECT count(*) FROM patients p WHERE md5(p::text) < '8'",
        "SELECT count(*) FROM patients p, LATERAL (SELECT p.*) q WHERE q.ssn LIKE '7%'",
        "SELECT count(*) FROM patients p WHERE EXISTS (SELECT 1 FROM (SELECT p.*) q WHERE q.ssn LIKE '7%')",
        "SELECT DISTINCT ON (substr(ssn, 1, 1)) id FROM patients",
        "SELECT count(*) FROM patients, unnest(ARRAY[1]) WHERE id = 1 GROUP BY ROLLUP (substr(ssn, 1, 1))",
    ),
)
def test_held_sorting_and_filtering_in_aggregates_and_windows(
    bench: Bench, door: str, statements: list[str]
) -> None:
    assert_needs_approval(bench, door, statements)


# ------------------------------------------------------------- approval binding


def rest_call(bench: Bench, method: str, path: str, subject: str, body: object = None) -> tuple:
    async def go() -> tuple:
        r = await bench.client.request(
            method,
            path,
            headers={"Authorization": f"Bearer {bench.tokens[subject]}"},
            json=body,
        )
        return r.status_code, r.json()

    return bench.call(go())


def review_of(bench: Bench, sql: str, params: list | None = None) -> dict:
    """Submit `sql` as the agent over REST; the approval as the reviewer alice sees it."""
    body: dict = {"connection": "ehr", "sql": sql}
    if params is not None:
        body["params"] = params
    code, submitted = rest_call(bench, "POST", "/v1/actions", "claims-bot", body)
    assert code == 202, submitted
    code, approval = rest_call(
        bench, "GET", f"/v1/approvals/{submitted['approval']['id']}", "alice"
    )
    assert code == 200, approval
    return approval


# Was a finding: operands that look like dates or SSNs were scrubbed across the code
# around them (`12/04/2026`, integer division, shown as `2026`) or generalised
# (`'2025-12-31'` shown as `'2025'`): the reviewer approved another statement. Now
# each constant is masked on its own and, when it holds PHI, replaced whole by what
# it held (`'[DATE]'`), never by another valid value; reviewers still never see PHI.
@pytest.mark.parametrize(
    ("sql", "params", "shown", "shown_params"),
    [
        ("UPDATE claims SET status = 'denied' WHERE id > 12/04/2026", None, None, None),
        ("DELETE FROM claims WHERE id = 2026-12-04", None, None, None),
        ("UPDATE claims SET status = 'denied' WHERE id > 706-56-7705", None, None, None),
        (
            "DELETE FROM claims WHERE service_date < '2025-12-31'",
            None,
            "DELETE FROM claims WHERE service_date < '[DATE]'",
            None,
        ),
        (
            "DELETE FROM claims WHERE service_date < $1",
            ["2025-12-31"],
            "DELETE FROM claims WHERE service_date < $1",
            ["[DATE]"],
        ),
    ],
)
def test_reviewer_sees_the_operands_that_run(
    bench: Bench, sql: str, params: list | None, shown: str | None, shown_params: list | None
) -> None:
    review = review_of(bench, sql, params)["action"]["review"]
    assert review["sent"] == (shown or sql), review
    if params is not None:
        assert json.loads(review["params"]) == shown_params, review


# ------------------------------------------------------------------------- COPY


def approve_as(bench: Bench, reviewer: str, text: str) -> None:
    """Approve (as `reviewer`, over REST) the approval whose id `text` names."""
    match = re.search(r"apr_[A-Za-z0-9_-]+", text)
    assert match, text
    code, body = rest_call(
        bench, "POST", f"/v1/approvals/{match.group(0)}/approve", reviewer, {"comment": "ok"}
    )
    assert code == 200, body


def copy_out(dsn: str, sql: str) -> str:
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor().copy(sql) as copy:
        return "".join(bytes(row).decode() for row in copy)


def approved_copy(bench: Bench, sql: str) -> str:
    """`COPY … TO STDOUT` over the wire: asked once, approved by a data owner, then
    re-issued as the docs say (the identical statement runs once)."""
    try:
        return copy_out(bench.wire_dsn(), sql)
    except psycopg.Error as e:
        assert e.sqlstate == "55000", e
        approve_as(bench, "alice", f"{e} {e.diag.message_detail}")
    return copy_out(bench.wire_dsn(), sql)


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT id, ssn, last_name FROM patients ORDER BY id LIMIT 3) TO STDOUT WITH (DELIMITER '-')",
        "COPY (SELECT id, ssn, last_name FROM patients ORDER BY id LIMIT 3) TO STDOUT WITH (FORMAT csv, DELIMITER '-', QUOTE '7')",
        "COPY (SELECT id, first_name || '|' || last_name, zip FROM patients ORDER BY id LIMIT 3) TO STDOUT WITH (DELIMITER '|')",
        "COPY (SELECT id, first_name, last_name FROM patients ORDER BY id LIMIT 3) TO STDOUT WITH (FORMAT csv, DELIMITER 'a')",
    ],
)
def test_copy_with_other_delimiters_is_refused(bench: Bench, sql: str) -> None:
    """Was a finding: an approved COPY with another delimiter, quote or escape was split
    where the server did not split it, and values arrived raw. The gateway now refuses
    COPY options whose output it cannot parse (unknown: denied), before any approval,
    on the wire door; REST refuses every COPY to the client before policy (400: the
    COPY sub-protocol is the wire door's, round 18b finding 7)."""
    assert bench.rest(sql).status == "http400"
    with pytest.raises(psycopg.Error) as refused:
        copy_out(bench.wire_dsn(), sql)
    assert refused.value.sqlstate == "42501", refused.value  # denied, not 55000 (approval)


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT id, ssn, last_name, address FROM patients ORDER BY id LIMIT 3) TO STDOUT",
        "COPY (SELECT id, ssn, last_name, address FROM patients ORDER BY id LIMIT 3) TO STDOUT WITH (FORMAT csv, HEADER)",
        "COPY (SELECT id, ssn FROM patients ORDER BY id LIMIT 3) TO STDOUT WITH (NULL '7')",
    ],
)
def test_held_approved_copy_is_masked(bench: Bench, oracle: Oracle, sql: str) -> None:
    text = approved_copy(bench, sql)
    leaked = oracle.leaks(text, sql, copy_out(bench.copy_dsn, sql))
    assert not leaked, f"{[(n.column, n.text) for n in leaked[:5]]}\n{text[:300]}"


# -------------------------------------------------------------------------- MCP


async def mcp_query(tmp_path: Path, dsn: str, sql: str) -> str:
    """The text an agent's official MCP client gets back from the `query` tool."""
    harness, app = await start(tmp_path, dsn, mcp={"query_wait_seconds": 0})
    try:
        async with (
            serve_app(app) as base,
            mcp_client(f"{base}/mcp", harness.tokens["claims-bot"]) as client,
        ):
            result = await client.call_tool("query", {"connection": "ehr", "sql": sql})
            return json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def test_mcp_numbers_from_phi_in_error_text(
    tmp_path: Path, ehr_dsn: str, oracle: Oracle
) -> None:
    sql = "SELECT make_time(replace(ssn, '-', '')::int, 0, 0) FROM patients WHERE id = 1"
    text = await mcp_query(tmp_path, ehr_dsn, sql)
    direct = run_direct(reader_dsn_for(ehr_dsn), [sql])
    leaked = oracle.leaks(text, sql, direct)
    assert not leaked, f"{[(n.column, n.text) for n in leaked]}\n{text[:400]}"


async def test_mcp_set_operation_oracle(tmp_path: Path, ehr_dsn: str) -> None:
    sql = "SELECT count(*) FROM (SELECT substr(ssn, 1, 3) FROM patients WHERE id = 1 INTERSECT SELECT '706') s"
    text = await mcp_query(tmp_path, ehr_dsn, sql)
    assert "approval" in text.lower() or "denied" in text.lower(), text[:400]


# ------------------------------------------------- approval binding: what held


def claim_status(bench: Bench, claim: int) -> str:
    with psycopg.connect(bench.ehr_dsn) as conn:
        row = conn.execute("SELECT status FROM claims WHERE id = %s", (claim,)).fetchone()
    assert row is not None
    return str(row[0])


def test_held_an_approved_write_runs_once_across_doors(bench: Bench) -> None:
    sql = "UPDATE claims SET status = 'r2-once' WHERE id = 150"
    code, body = rest_call(
        bench, "POST", "/v1/actions", "claims-bot", {"connection": "ehr", "sql": sql}
    )
    assert code == 202, body
    approve_as(bench, "alice", body["approval"]["id"])
    assert bench.wire([sql]).status == "executed"  # the identical statement, once
    assert claim_status(bench, 150) == "r2-once"
    code, again = rest_call(bench, "POST", f"/v1/actions/{body['id']}/run", "claims-bot")
    assert code == 409, again
    assert bench.wire([sql]).status == "approval"
    assert bench.wire([sql + "; " + sql]).status == "approval"


VARIANTS = {
    "space": lambda s: s.replace(" WHERE", "  WHERE"),
    "comment": lambda s: s + " -- same",
    "case": lambda s: s.replace("UPDATE", "update"),
    "semicolon": lambda s: s + ";",
    "other-row": lambda s: s.replace("= 151", "= 152"),
    "piggyback": lambda s: s + "; DELETE FROM claims WHERE id = 153",
}


@pytest.mark.parametrize("variant", VARIANTS.keys())
def test_held_an_approval_binds_the_exact_text(bench: Bench, variant: str) -> None:
    sql = f"UPDATE claims SET status = 'r2-{variant}' WHERE id = 151"
    code, body = rest_call(
        bench, "POST", "/v1/actions", "claims-bot", {"connection": "ehr", "sql": sql}
    )
    assert code == 202, body
    approve_as(bench, "alice", body["approval"]["id"])
    other = VARIANTS[variant](sql)
    assert bench.wire([other]).status == "approval"
    assert bench.wire([other], simple=False).status == "approval"
    assert claim_status(bench, 151) != f"r2-{variant}"
    assert claim_status(bench, 152) != f"r2-{variant}"
    # the approved text itself still runs, once
    assert bench.wire([sql]).status == "executed"
    assert claim_status(bench, 151) == f"r2-{variant}"


def test_held_requester_principal_and_agents_cannot_approve(bench: Bench) -> None:
    code, body = rest_call(
        bench,
        "POST",
        "/v1/actions",
        "claims-bot",
        {"connection": "ehr", "sql": "UPDATE claims SET status = 'r2-self' WHERE id = 154"},
    )
    assert code == 202, body
    path = f"/v1/approvals/{body['approval']['id']}/approve"
    for subject in ("claims-bot", "dana"):
        code, refused = rest_call(bench, "POST", path, subject, {"comment": "mine"})
        assert code == 403, refused
    code, run = rest_call(bench, "POST", f"/v1/actions/{body['id']}/run", "claims-bot")
    assert code != 200, run
    assert claim_status(bench, 154) != "r2-self"


# ----------------------------------------------------------------------- reveal


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT ssn || ' ' || last_name || ' ' || dob || ' ' || city AS ssn FROM patients WHERE id = 3",
        "SELECT concat(ssn, (SELECT string_agg(first_name || ' ' || last_name, ',') FROM patients WHERE id < 4)) AS ssn FROM patients WHERE id = 3",
    ],
)
def test_a_reveal_of_one_type_keeps_the_others_masked(
    bench: Bench, oracle: Oracle, sql: str
) -> None:
    code, body = rest_call(
        bench,
        "POST",
        "/v1/actions",
        "claims-bot",
        {"connection": "ehr", "sql": sql, "reveal": ["SSN"]},
    )
    assert code == 202, body
    approve_as(bench, "alice", body["approval"]["id"])
    code, ran = rest_call(bench, "POST", f"/v1/actions/{body['id']}/run", "claims-bot")
    assert code == 200, ran
    text = json.dumps(ran, ensure_ascii=False)
    leaked = [
        n
        for n in oracle.leaks(text, sql, run_direct(bench.copy_dsn, [sql]))
        if n.column != "patients.ssn"
    ]
    assert not leaked, f"{[(n.column, n.text) for n in leaked[:5]]}\n{text[:300]}"


# ------------------------------------------------------------ session settings


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        WIRE,
        (
            "SET standard_conforming_strings = off",
            "SELECT 'a\\' AS x, ' AS x, mrn AS y FROM patients -- ' AS y",
        ),
        (
            "SELECT set_config('standard_conforming_strings', 'off', false)",
            "SELECT 'a\\' AS x, ' AS x, last_name AS y FROM patients -- ' AS y",
        ),
        (
            "SET standard_conforming_strings = off",
            "SELECT 'a\\' AS x, ' AS x, most_common_vals::text AS y FROM pg_stats WHERE attname = $$city$$ -- ' AS y",
        ),
    ),
)
def test_standard_conforming_strings_off(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize("door", WIRE)
def test_standard_conforming_strings_off_hides_predicates(bench: Bench, door: str) -> None:
    """Was a finding: `SET standard_conforming_strings = off`, then a predicate hidden
    in what the gateway read as a string literal ran without approval. The setting is
    now refused, so gateway and server read every literal the same way."""
    assert through(bench, door, ["SET standard_conforming_strings = off"]).status == "denied"
    assert (
        through(
            bench, door, ["SELECT set_config('standard_conforming_strings', 'off', false)"]
        ).status
        == "denied"
    )


# -------------------------------------------------------------------- free text


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT substr(n.note_text, 1, 60) AS a, substr(n.note_text, 61, 60) AS b FROM clinical_notes n ORDER BY n.id LIMIT 3",
    ),
)
def test_notes_cut_with_substr(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    outcome = through(bench, door, statements)
    direct = run_direct(bench.copy_dsn, statements)
    leaked = [
        n
        for n in oracle.leaks(outcome.text, "; ".join(statements), direct)
        if n.column != "patients.city"  # bare cities: round 1's open finding
    ]
    assert not leaked, f"{[(n.column, n.text) for n in leaked[:5]]}\n{outcome.text[:400]}"


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT substring(n.note_text from 'MRN ([0-9]+)') AS m FROM clinical_notes n ORDER BY n.id LIMIT 5",
        "SELECT substring(n.note_text similar '%MRN #\"[0-9]+#\"%' escape '#') AS m FROM clinical_notes n ORDER BY n.id LIMIT 5",
    ),
)
def test_regex_substring_of_notes(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


# --------------------------------------------------------------- what else held


def test_held_concurrent_runs_of_one_approval_run_once(bench: Bench) -> None:
    sql = "UPDATE claims SET amount = amount + 1 WHERE id = 160"
    with psycopg.connect(bench.ehr_dsn) as conn:
        before = conn.execute("SELECT amount FROM claims WHERE id = 160").fetchone()
    code, body = rest_call(
        bench, "POST", "/v1/actions", "claims-bot", {"connection": "ehr", "sql": sql}
    )
    assert code == 202, body
    approve_as(bench, "alice", body["approval"]["id"])

    async def race() -> list[int]:
        headers = {"Authorization": f"Bearer {bench.tokens['claims-bot']}"}
        runs = [
            bench.client.post(f"/v1/actions/{body['id']}/run", headers=headers) for _ in range(6)
        ]
        twins = [
            bench.client.post(
                "/v1/actions", headers=headers, json={"connection": "ehr", "sql": sql}
            )
            for _ in range(4)
        ]
        return [r.status_code for r in await asyncio.gather(*runs, *twins)]

    codes = bench.call(race())
    assert codes.count(200) == 1, codes
    with psycopg.connect(bench.ehr_dsn) as conn:
        after = conn.execute("SELECT amount FROM claims WHERE id = 160").fetchone()
    assert before is not None and after is not None
    assert after[0] == before[0] + 1


@pytest.mark.parametrize("encoding", ["SJIS", "LATIN1"])
def test_held_client_encoding_through_set_config_ends_the_session(
    bench: Bench, encoding: str
) -> None:
    out = bench.wire(
        [
            f"SELECT set_config('client_encoding', '{encoding}', false)",
            "SELECT last_name FROM patients LIMIT 2",
        ]
    )
    assert "must stay UTF8" in out.text, out.text[:300]


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        WIRE,
        (
            "PREPARE r2p AS SELECT id FROM patients LIMIT 3",
            "DEALLOCATE r2p",
            "PREPARE r2p AS SELECT ssn AS id FROM patients LIMIT 3",
            "EXECUTE r2p",
        ),
        (
            'DECLARE "R2c" CURSOR WITH HOLD FOR SELECT ssn FROM patients',
            "DECLARE r2c CURSOR WITH HOLD FOR SELECT id FROM patients",
            'FETCH 3 FROM "R2c"',
        ),
        (
            "BEGIN",
            "SAVEPOINT s",
            "DECLARE r2s CURSOR FOR SELECT id AS v FROM patients",
            "ROLLBACK TO s",
            "DECLARE r2s CURSOR FOR SELECT ssn AS v FROM patients",
            "FETCH 3 FROM r2s",
            "COMMIT",
        ),
        (
            "DECLARE r2f CURSOR WITH HOLD FOR SELECT id FROM patients; SELECT 1/0",
            "DECLARE r2f CURSOR WITH HOLD FOR SELECT ssn AS id FROM patients",
            "FETCH 3 FROM r2f",
        ),
        (
            "SET DateStyle = 'SQL, DMY'",
            "SELECT to_char(dob, 'DD Mon YYYY'), dob FROM patients LIMIT 2",
        ),
        "SELECT id, last_name FROM patients UNION ALL SELECT id, ssn FROM patients LIMIT 3",
        "SELECT * FROM (VALUES ((SELECT mrn FROM patients WHERE id = 1))) v(x)",
    ),
)
def test_held_session_state_and_renamed_columns(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


def test_standard_conforming_strings_off_changes_an_approved_write(bench: Bench) -> None:
    sql = "UPDATE claims SET status = 'a\\', payer = ' WHERE id = 173; --' WHERE id = 172"
    before = claim_status(bench, 173)
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        conn.add_notice_handler(lambda d: None)
        cur = psycopg.ClientCursor(conn)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("SET standard_conforming_strings = off")  # refused: unknown
        try:
            cur.execute(sql)
        except psycopg.Error as e:
            assert e.sqlstate == "55000", e
            match = re.search(r"apr_[A-Za-z0-9_-]+", f"{e} {e.diag.message_detail}")
            assert match, e
            code, approval = rest_call(bench, "GET", f"/v1/approvals/{match.group(0)}", "alice")
            assert code == 200, approval
            assert "WHERE id = 172" in approval["action"]["review"]["statement"], approval
            approve_as(bench, "alice", match.group(0))
            cur.execute(sql)
    assert claim_status(bench, 173) == before, "the approved statement changed claim 173"


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT jt.* FROM patients p, JSON_TABLE(to_jsonb(p), '$' COLUMNS (s text PATH '$.ssn', n text PATH '$.last_name')) jt LIMIT 3",
        "SELECT JSON_VALUE(to_jsonb(p), '$.ssn') AS v FROM patients p LIMIT 3",
        "SELECT JSON_QUERY(to_jsonb(p), '$.last_name') AS v FROM patients p LIMIT 3",
        "SELECT JSON_OBJECTAGG(id: ssn) FROM (SELECT * FROM patients LIMIT 3) p",
        "SELECT JSON_SCALAR(dob) FROM patients LIMIT 2",
        "SELECT i, c FROM (WITH RECURSIVE r(i, c) AS (SELECT 1, substr((SELECT ssn FROM patients WHERE id = 1), 1, 1) UNION ALL SELECT i + 1, substr((SELECT ssn FROM patients WHERE id = 1), i + 1, 1) FROM r WHERE i < 11) SELECT * FROM r) s",
        "SELECT first_value(last_name) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM patients LIMIT 3",
        "SELECT ascii(substr(ssn, 1, 1)) AS a, length(last_name) AS l, md5(zip) AS z FROM patients LIMIT 3",
        "SELECT n.author, n.note_text, left(n.note_text, 30) AS a FROM clinical_notes n ORDER BY n.id LIMIT 3",
        "SELECT (regexp_match(n.note_text, 'MRN (\\d+)'))[1] AS m FROM clinical_notes n ORDER BY n.id LIMIT 3",
    ),
)
def test_held_json_recursive_and_window_outputs(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    assert_no_leak(bench, oracle, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        ALL_DOORS,
        "SELECT count(*) FROM patients p, JSON_TABLE(to_jsonb(p), '$' COLUMNS (s text PATH '$.ssn')) jt WHERE jt.s LIKE '7%'",
        "SELECT count(*) FROM patients p WHERE JSON_EXISTS(to_jsonb(p), '$.ssn ? (@ starts with \"7\")')",
        "SELECT t FROM patients p, LATERAL string_to_table(p.ssn, '-') t LIMIT 3",
        "SELECT table_to_xml('patients', true, false, '')",
        "SELECT name, statement FROM pg_prepared_statements",
        "SELECT set_config('my.v', p.mrn, false) AS s FROM patients p WHERE p.id = 1",
    ),
)
def test_held_json_predicates_catalogs_and_set_config(
    bench: Bench, door: str, statements: list[str]
) -> None:
    assert_needs_approval(bench, door, statements)
