"""Column lineage through every construct masking relies on, and the oracle channels."""

from __future__ import annotations

from collections.abc import Iterable

import pglast.ast
import pytest
from pglast.ast import Node

from phigate.sql import SessionClassifier, StaticCatalog, classify
from phigate.sql import lineage as walk
from phigate.sql._tree import UNDERSTOOD

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
        ("SELECT JSON_ARRAYAGG(id) OVER (ORDER BY dob) FROM patients", {P + "id", P + "dob"}),
        ("SELECT JSON_ARRAYAGG(id) OVER (PARTITION BY ssn) FROM patients", {P + "id", P + "ssn"}),
        (
            "SELECT JSON_OBJECTAGG('k' : id) OVER (PARTITION BY name) FROM patients",
            {P + "id", P + "name"},
        ),
        # SQL/JSON and XML: a key (NULL fails, UNIQUE compares), parsing, a path, a
        # RETURNING type that may not take the value, a typed table column
        ("SELECT JSON_OBJECTAGG(ssn : id) FROM patients", {P + "ssn", P + "id"}),
        ("SELECT JSON_OBJECT(ssn : id WITH UNIQUE KEYS) FROM patients", {P + "ssn"}),
        ("SELECT JSON_OBJECT('k' : name, 'v' : ssn FORMAT JSON) FROM patients", {P + "ssn"}),
        ("SELECT JSON_OBJECT('k' : ssn RETURNING varchar(3)) FROM patients", {P + "ssn"}),
        ("SELECT JSON_ARRAY(name, ssn RETURNING jsonb) FROM patients", set()),
        ("SELECT JSON_ARRAY(SELECT ssn FROM patients FORMAT JSON)", {P + "ssn"}),
        ("SELECT JSON(ssn) FROM patients", {P + "ssn"}),
        ("SELECT JSON_VALUE(to_jsonb(ssn), '$' RETURNING int) FROM patients", {P + "ssn"}),
        ("SELECT JSON_EXISTS(to_jsonb(ssn), '$ ? (@ == \"1\")') FROM patients", {P + "ssn"}),
        ("SELECT ssn IS JSON FROM patients", {P + "ssn"}),
        (
            "SELECT t.a FROM patients, JSON_TABLE(to_jsonb(ssn), '$' COLUMNS (a text PATH '$')) t",
            {P + "ssn"},
        ),
        ("SELECT xmlparse(content ssn) FROM patients", {P + "ssn"}),
        ("SELECT xmlelement(name a, dob) FROM patients", {P + "dob"}),
        (
            "SELECT t.v FROM patients, XMLTABLE('/a' PASSING xmlelement(name a, ssn)"
            " COLUMNS v text PATH '.') t",
            {P + "ssn"},
        ),
        ("SELECT greatest(ssn, '5') FROM patients", {P + "ssn"}),
        # the pattern form of substring is NULL unless the value matches
        ("SELECT substring(ssn from '^5') FROM patients", {P + "ssn"}),
        ("SELECT substring(ssn similar '5%' escape '#') FROM patients", {P + "ssn"}),
        ("SELECT substring(ssn from 1 for 3), substring(ssn, 2) FROM patients", set()),
        # a cast to an array of text parses an array literal
        ("SELECT ('{' || ssn || '}')::text[] FROM patients", {P + "ssn"}),
        # named arguments are not where `total_argument` looks
        (
            "SELECT json_object_agg(value => id, key => ssn) OVER () FROM patients",
            {P + "ssn", P + "id"},
        ),
        # a key or an index read from a column is looked up by equality
        ("SELECT ('{\"5\": 1}'::jsonb) -> substr(ssn, 1, 1) FROM patients", {P + "ssn"}),
        ("SELECT ('{\"5\": 1}'::jsonb)[substr(ssn, 1, 1)] FROM patients", {P + "ssn"}),
        ("SELECT (ARRAY[name])[length(ssn)], to_json(name) -> 'a' FROM patients", {P + "ssn"}),
        # a json value holding \u0000 cannot become jsonb
        ("SELECT (to_jsonb(name))[1] FROM patients", {P + "name"}),
        ("SELECT ARRAY[ssn, name] FROM patients", {P + "ssn", P + "name"}),
        ("SELECT ARRAY[ssn], ROW(ssn, name), coalesce(ssn, name) FROM patients", set()),
        # positions and output names through ROLLUP, CUBE, GROUPING SETS, DISTINCT ON,
        # and the ORDER BY of a set operation or a VALUES list
        ("SELECT ssn, count(*) FROM patients GROUP BY ROLLUP(1)", {P + "ssn"}),
        ("SELECT ssn AS d, count(*) FROM patients GROUP BY CUBE((d, 1))", {P + "ssn"}),
        ("SELECT ssn, 1 FROM patients GROUP BY GROUPING SETS ((1), ROLLUP(2), ())", {P + "ssn"}),
        ("SELECT DISTINCT ON (d) ssn AS d FROM patients", {P + "ssn"}),
        ("SELECT DISTINCT ON (1) ssn FROM patients", {P + "ssn"}),
        ("SELECT ssn AS name FROM patients GROUP BY name", {P + "ssn", P + "name"}),
        ("VALUES (1, (SELECT ssn FROM patients LIMIT 1)) ORDER BY 2", {P + "ssn"}),
        (
            "SELECT name FROM patients UNION ALL SELECT ssn FROM patients ORDER BY 1",
            {P + "ssn", P + "name"},
        ),
        # a recursive CTE's CYCLE compares, its SEARCH orders
        (
            "WITH RECURSIVE t(k) AS (SELECT ssn FROM patients UNION ALL SELECT k FROM t)"
            " CYCLE k SET c USING p SELECT 1 FROM t",
            {P + "ssn"},
        ),
        (
            "WITH RECURSIVE t(k) AS (SELECT ssn FROM patients UNION ALL SELECT k FROM t)"
            " SEARCH DEPTH FIRST BY k SET o SELECT 1 FROM t",
            {P + "ssn"},
        ),
        ("SELECT JSON_ARRAYAGG(id ORDER BY ssn) FROM patients", {P + "id", P + "ssn"}),
        (
            "SELECT JSON_ARRAYAGG(id) FILTER (WHERE ssn > '5') FROM patients",
            {P + "id", P + "ssn"},
        ),
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
        "SELECT date_part('year', dob), age(dob) FROM patients",
        "SELECT count(ssn), max(ssn), any_value(ssn) FROM patients",
    ],
)
def test_a_computation_that_cannot_fail_is_not_a_condition(sql: str) -> None:
    assert classify(sql, catalog=CATALOG).predicate_columns == ()


def test_execute_and_fetch_carry_the_lineage_of_what_they_run() -> None:
    session = SessionClassifier(catalog=CATALOG)
    text = "SELECT ssn FROM patients WHERE name = $1"
    session.acknowledge_parse("q", session.prepare("q", text), text)
    session.acknowledge(session.classify("DECLARE c CURSOR FOR SELECT dob FROM patients"))
    executed = session.classify("EXECUTE q('x')")
    assert [(c.output, c.sources) for c in executed.lineage] == [("ssn", (P + "ssn",))]
    assert executed.predicate_columns == (P + "name",)
    fetched = session.classify("FETCH 1 FROM c")
    assert [(c.output, c.sources) for c in fetched.lineage] == [("dob", (P + "dob",))]


def test_json_output_of_lineage() -> None:
    data = classify("SELECT ssn FROM patients", catalog=CATALOG).to_json()
    assert data["lineage"] == [{"output": "ssn", "sources": [P + "ssn"]}]


def test_the_columns_search_and_cycle_add_carry_what_they_read() -> None:
    """The path CYCLE adds is an array of the k values seen, the order SEARCH DEPTH
    FIRST adds an array of them: output, they are k and are masked as k."""
    sql = (
        "WITH RECURSIVE t(k) AS (SELECT ssn FROM patients UNION ALL SELECT k FROM t)"
        " SEARCH DEPTH FIRST BY k SET o CYCLE k SET c USING p SELECT o, c, p FROM t"
    )
    outputs = classify(sql, catalog=CATALOG).lineage
    assert [(o.output, o.sources) for o in outputs] == [
        (name, (P + "ssn",)) for name in ("o", "c", "p")
    ]
    assert all(o.transformed for o in outputs)


def _names(nodes: Iterable[type[Node]]) -> set[str]:
    return {n.__name__ for n in nodes}


def test_every_node_the_classifier_accepts_is_a_decision_of_the_lineage_walk() -> None:
    """Fail closed, in lineage: a node the classifier accepts (`UNDERSTOOD`) either has
    a handler, is listed as passing values through (it cannot fail on a value, compare
    or filter), or is listed as a condition. A node added to `UNDERSTOOD`, or one a new
    pglast brings, fails here until somebody decides which it is; one nobody listed
    stays `unknown` to the classifier and a condition to lineage."""
    handled, passing = _names(walk._EXPRESSIONS), _names(walk._PASSING)
    decided = [handled, passing, set(walk.CONDITIONS)]
    for i, group in enumerate(decided):
        for other in decided[i + 1 :]:
            assert not group & other, group & other
    nodes = {
        name
        for name, cls in vars(pglast.ast).items()
        if isinstance(cls, type) and issubclass(cls, Node) and cls is not Node
    }
    decided_names = handled | passing | set(walk.CONDITIONS)
    assert decided_names <= nodes, decided_names - nodes  # no stale names
    # `List` is libpg_query's, a tuple in pglast: no node class to decide for.
    assert not (UNDERSTOOD & nodes) - decided_names, (UNDERSTOOD & nodes) - decided_names


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT JSON_SCALAR(ssn) FROM patients",
        "SELECT JSON_SERIALIZE(to_json(ssn) RETURNING bytea) FROM patients",
        "SELECT xmlserialize(content xmlelement(name a, ssn) AS text) FROM patients",
        "SELECT xmlpi(name php, ssn) FROM patients",
        "SELECT least(ssn, name) FROM patients",
    ],
)
def test_a_node_without_a_passing_verdict_makes_what_it_reads_a_condition(sql: str) -> None:
    assert P + "ssn" in classify(sql, catalog=CATALOG).predicate_columns


# ── relations that are not plain tables ───────────────────────────────────────────
_VIEWS = StaticCatalog(
    {
        "public.patients": ["id", "last_name", "first_name", "city", "ssn"],
        "public.screen": ["id", "status", "payer"],
        "public.screen_of_screen": ["status"],
        "public.remote": ["status", "payer"],
        "public.broken": ["status"],
        "billing.invoices": ["payer"],
        "billing.twice": ["payer"],
        "audit.twice": ["payer"],
    },
    {
        "public.screen": "SELECT patients.id, patients.last_name AS status,"
        " patients.first_name AS payer FROM patients WHERE patients.ssn IS NOT NULL;",
        "public.screen_of_screen": "SELECT screen.payer AS status FROM screen;",
        "public.remote": "",  # a foreign table: no query to follow
        "public.broken": "SELECT 1 AS a, 2 AS b",  # does not line up with its columns
        "billing.invoices": "SELECT patients.first_name AS payer FROM patients;",
        "billing.twice": "SELECT patients.first_name AS payer FROM patients;",
        "audit.twice": "SELECT patients.city AS payer FROM patients;",
    },
)


def _view_lineage(sql: str) -> tuple[dict[str, set[str]], set[str], list[bool]]:
    analysis = classify(sql, catalog=_VIEWS)
    outputs = {c.output: set(c.sources) for c in analysis.lineage}
    return outputs, set(analysis.predicate_columns), [c.unresolved for c in analysis.lineage]


def test_a_views_columns_are_the_columns_its_query_reads() -> None:
    outputs, predicates, unresolved = _view_lineage("SELECT * FROM screen WHERE payer = 'J'")
    assert outputs == {
        "id": {"public.patients.id"},
        "status": {"public.patients.last_name"},
        "payer": {"public.patients.first_name"},
    }
    # The condition through the view, and the view's own, are on the columns they read.
    assert predicates == {"public.patients.first_name", "public.patients.ssn"}
    assert not any(unresolved)


def test_views_over_views_are_followed() -> None:
    outputs, _, _ = _view_lineage("SELECT reverse(status) AS s FROM screen_of_screen")
    assert outputs == {"s": {"public.patients.first_name"}}
    assert (
        classify("SELECT reverse(status) FROM screen_of_screen", catalog=_VIEWS)
        .lineage[0]
        .transformed
    )


@pytest.mark.parametrize("relation", ["remote", "broken"])
def test_a_relation_that_cannot_be_followed_has_columns_of_unknown_origin(relation: str) -> None:
    outputs, predicates, unresolved = _view_lineage(f"SELECT status FROM {relation}")
    assert f"public.{relation}.?stored" in outputs["status"]
    assert all(unresolved) and predicates == set()
    _, conditions, _ = _view_lineage(f"SELECT 1 FROM {relation} WHERE status = 'x'")
    assert f"public.{relation}.?stored" in conditions


def test_a_function_that_reads_storage_is_a_source_of_its_own() -> None:
    read = classify("SELECT obj_description('claims'::regclass) AS c").lineage[0]
    assert read.sources == ("pg_catalog.pg_description.description",)
    assert not read.transformed
    computed = classify("SELECT encode(lo_get(42), 'hex') AS c").lineage[0]
    assert computed.sources == ("pg_catalog.pg_largeobject.data",) and computed.transformed
    unknown = classify("SELECT public.lookup(1) AS c").lineage[0]
    assert unknown.sources == ("public.lookup.?stored",)


def test_a_view_in_another_schema_of_the_search_path_is_not_read_by_its_name() -> None:
    """`invoices` is not in `public`: the only relation of that name is followed; with
    two of them, which one the session's search_path finds is not known."""
    outputs, _, unresolved = _view_lineage("SELECT payer FROM invoices")
    assert outputs == {"payer": {"public.patients.first_name"}} and not any(unresolved)
    outputs, _, unresolved = _view_lineage("SELECT payer FROM twice")
    assert "public.twice.?stored" in outputs["payer"] and all(unresolved)
