"""Column lineage through every construct masking relies on, and the oracle channels."""

from __future__ import annotations

import pytest

from phigate.sql import SessionClassifier, StaticCatalog, classify

CATALOG = StaticCatalog(
    {
        "public.patients": ["id", "name", "ssn", "dob"],
        "public.visits": ["id", "patient_id", "note"],
        "billing.invoices": ["id", "patient_id", "amount"],
    }
)
P = "public.patients."
V = "public.visits."
ALL_P = {P + c for c in ("id", "name", "ssn", "dob")}


def lineage(sql: str) -> dict[str, set[str]]:
    result = classify(sql, catalog=CATALOG)
    assert result.error is None
    return {c.output: set(c.sources) for c in result.lineage}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT name FROM patients", {"name": {P + "name"}}),
        ("SELECT p.ssn AS s FROM patients p", {"s": {P + "ssn"}}),
        ("SELECT upper(ssn)::text FROM patients", {"upper": {P + "ssn"}}),
        ("SELECT name || ' ' || ssn AS label FROM patients", {"label": {P + "name", P + "ssn"}}),
        ("SELECT string_agg(ssn, ',') FROM patients", {"string_agg": {P + "ssn"}}),
        ("SELECT array_agg(dob) AS a FROM patients", {"a": {P + "dob"}}),
        ("SELECT json_agg(p) FROM patients p", {"json_agg": ALL_P}),
        ("SELECT row_to_json(p) AS j FROM patients p", {"j": ALL_P}),
        ("SELECT p FROM patients p", {"p": ALL_P}),
        ("SELECT ROW(name, ssn) AS r FROM patients", {"r": {P + "name", P + "ssn"}}),
        ("SELECT to_jsonb(p.*) AS j FROM patients p", {"j": ALL_P}),
        ("SELECT (SELECT max(ssn) FROM patients) AS m", {"m": {P + "ssn"}}),
        ("SELECT x.s FROM (SELECT ssn AS s FROM patients) x", {"s": {P + "ssn"}}),
        ("SELECT x.a FROM (SELECT ssn FROM patients) x(a)", {"a": {P + "ssn"}}),
        ("WITH c AS (SELECT ssn AS s FROM patients) SELECT s FROM c", {"s": {P + "ssn"}}),
        ("WITH c(k) AS (SELECT ssn FROM patients) SELECT k FROM c", {"k": {P + "ssn"}}),
        (
            "WITH RECURSIVE r(n, s) AS (SELECT 1, ssn FROM patients "
            "UNION ALL SELECT n + 1, s FROM r WHERE n < 3) SELECT s FROM r",
            {"s": {P + "ssn"}},
        ),
        (
            "SELECT name FROM patients UNION SELECT note FROM visits",
            {"name": {P + "name", V + "note"}},
        ),
        (
            "SELECT ssn FROM patients EXCEPT SELECT note FROM visits",
            {"ssn": {P + "ssn", V + "note"}},
        ),
        (
            "SELECT v.note, p.name FROM visits v JOIN patients p ON p.id = v.patient_id",
            {"note": {V + "note"}, "name": {P + "name"}},
        ),
        (
            "SELECT * FROM visits",
            {"id": {V + "id"}, "patient_id": {V + "patient_id"}, "note": {V + "note"}},
        ),
        (
            "SELECT v.*, p.ssn FROM visits v, patients p",
            {
                "id": {V + "id"},
                "patient_id": {V + "patient_id"},
                "note": {V + "note"},
                "ssn": {P + "ssn"},
            },
        ),
        ("SELECT amount FROM billing.invoices", {"amount": {"billing.invoices.amount"}}),
        ("SELECT 1 AS one", {"one": set()}),
        (
            "SELECT CASE WHEN ssn LIKE '1%' THEN 'a' ELSE name END AS c FROM patients",
            {"c": {P + "ssn", P + "name"}},
        ),
        (
            "SELECT z.note FROM patients p, LATERAL (SELECT note FROM visits v "
            "WHERE v.patient_id = p.id) z",
            {"note": {V + "note"}},
        ),
        (
            "SELECT (SELECT note FROM visits v WHERE v.patient_id = p.id LIMIT 1) AS n "
            "FROM patients p",
            {"n": {V + "note"}},
        ),
        ("UPDATE patients SET name = 'x' RETURNING ssn", {"ssn": {P + "ssn"}}),
        (
            "DELETE FROM visits v USING patients p WHERE p.id = v.patient_id RETURNING p.name",
            {"name": {P + "name"}},
        ),
        ("WITH d AS (DELETE FROM patients RETURNING ssn) SELECT ssn FROM d", {"ssn": {P + "ssn"}}),
        ("COPY (SELECT ssn FROM patients) TO STDOUT", {"ssn": {P + "ssn"}}),
        ("COPY patients (name) TO STDOUT", {"name": {P + "name"}}),
        ("VALUES (1, 'x')", {"column1": set(), "column2": set()}),
        ("SELECT s FROM unnest(ARRAY(SELECT ssn FROM patients)) AS u(s)", {"s": {P + "ssn"}}),
        ("SELECT t.ssn FROM (SELECT * FROM patients) t", {"ssn": {P + "ssn"}}),
    ],
)
def test_lineage(sql: str, expected: dict[str, set[str]]) -> None:
    assert lineage(sql) == expected


def test_star_over_an_unknown_table_is_reported_as_every_column() -> None:
    result = classify("SELECT * FROM audit.secrets")
    assert [(c.output, c.sources) for c in result.lineage] == [("*", ("audit.secrets.*",))]


def test_ambiguous_column_without_catalog_is_attributed_to_every_candidate() -> None:
    result = classify("SELECT ssn FROM a, b")
    assert set(result.lineage[0].sources) == {"public.a.ssn", "public.b.ssn"}


def test_cte_name_shadows_the_table_only_where_it_is_visible() -> None:
    assert lineage("WITH patients AS (SELECT 1 AS ssn) SELECT ssn FROM patients") == {"ssn": set()}
    inner = lineage("WITH x AS (SELECT ssn FROM patients) SELECT ssn FROM x")
    assert inner == {"ssn": {P + "ssn"}}


@pytest.mark.parametrize(
    ("sql", "predicates"),
    [
        ("SELECT id FROM patients WHERE ssn LIKE '1%'", {P + "ssn"}),
        ("SELECT v.id FROM visits v JOIN patients p ON p.ssn = v.note", {P + "ssn", V + "note"}),
        ("SELECT id FROM patients ORDER BY ssn", {P + "ssn"}),
        ("SELECT ssn AS s, id FROM patients ORDER BY 1", {P + "ssn"}),
        ("SELECT count(*) FROM patients GROUP BY dob", {P + "dob"}),
        (
            "SELECT count(*) FROM patients GROUP BY name HAVING max(ssn) > '5'",
            {P + "name", P + "ssn"},
        ),
        ("SELECT CASE WHEN ssn > '5' THEN 1 END FROM patients", {P + "ssn"}),
        (
            "SELECT id FROM patients p WHERE EXISTS (SELECT 1 FROM visits v WHERE v.note = p.name)",
            {V + "note", P + "name"},
        ),
        (
            "SELECT id FROM patients WHERE id IN (SELECT patient_id FROM visits)",
            {P + "id", V + "patient_id"},
        ),
        ("SELECT rank() OVER (ORDER BY dob) FROM patients", {P + "dob"}),
        ("SELECT JSON_ARRAYAGG(id) OVER (ORDER BY dob) FROM patients", {P + "dob"}),
        ("SELECT JSON_ARRAYAGG(id) OVER (PARTITION BY ssn) FROM patients", {P + "ssn"}),
        ("SELECT JSON_OBJECTAGG(id : 1) OVER (PARTITION BY name) FROM patients", {P + "name"}),
        ("SELECT JSON_ARRAYAGG(id ORDER BY ssn) FROM patients", {P + "ssn"}),
        ("SELECT JSON_ARRAYAGG(id) FILTER (WHERE ssn > '5') FROM patients", {P + "ssn"}),
        ("SELECT count(*) FILTER (WHERE ssn LIKE '1%') FROM patients", {P + "ssn"}),
        ("UPDATE patients SET name = 'x' WHERE ssn = '1'", {P + "ssn"}),
        ("SELECT id FROM patients JOIN visits USING (id)", {P + "id", V + "id"}),
    ],
)
def test_oracle_channels_are_reported(sql: str, predicates: set[str]) -> None:
    assert set(classify(sql, catalog=CATALOG).predicate_columns) == predicates


def test_plain_projection_has_no_predicates() -> None:
    assert classify("SELECT ssn FROM patients", catalog=CATALOG).predicate_columns == ()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT ln(substr(ssn, 1, 1)::int - 7) FROM patients",
        "SELECT int4range(length(ssn), 6) FROM patients",
        "SELECT sqrt(length(ssn)) FROM patients",
        "SELECT 2147483647 + length(ssn) FROM patients",
        "SELECT substr(ssn, 1, 1)::int FROM patients",
        "SELECT CAST(ssn AS date) FROM patients",
        "SELECT make_date(2000, 1, length(ssn)) FROM patients",
        "SELECT some_function_nobody_listed(ssn) FROM patients",
    ],
)
def test_a_computation_that_can_fail_on_a_value_is_a_condition_on_it(sql: str) -> None:
    """Whether it fails answers a question about the value, one bit per statement."""
    assert P + "ssn" in classify(sql, catalog=CATALOG).predicate_columns


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT upper(ssn) || ' ' || lower(name) FROM patients",
        "SELECT concat(ssn, name), length(ssn), md5(ssn) FROM patients",
        "SELECT ssn::text, CAST(ssn AS varchar) FROM patients",
        "SELECT date_trunc('year', dob), age(dob) FROM patients",
        "SELECT count(ssn), max(ssn), string_agg(ssn, ',') FROM patients",
    ],
)
def test_a_computation_that_cannot_fail_is_not_a_condition(sql: str) -> None:
    assert classify(sql, catalog=CATALOG).predicate_columns == ()


def test_execute_and_fetch_carry_the_lineage_of_what_they_run() -> None:
    session = SessionClassifier(catalog=CATALOG)
    session.acknowledge_parse("q", session.prepare("q", "SELECT ssn FROM patients WHERE name = $1"))
    session.acknowledge(session.classify("DECLARE c CURSOR FOR SELECT dob FROM patients"))
    executed = session.classify("EXECUTE q('x')")
    assert [(c.output, c.sources) for c in executed.lineage] == [("ssn", (P + "ssn",))]
    assert executed.predicate_columns == (P + "name",)
    fetched = session.classify("FETCH 1 FROM c")
    assert [(c.output, c.sources) for c in fetched.lineage] == [("dob", (P + "dob",))]


def test_json_output_of_lineage() -> None:
    data = classify("SELECT ssn FROM patients", catalog=CATALOG).to_json()
    assert data["lineage"] == [{"output": "ssn", "sources": [P + "ssn"]}]
