"""Which function arguments can fail on a value, and what an aggregate compares.

A computation that can fail on a value is a condition on it (docs/security.md):
`functions.TOTAL` lists the only arguments that cannot, each with its reason, and
`format` is read specifier by specifier. An aggregate's DISTINCT, ORDER BY and
FILTER, and a window's PARTITION BY and ORDER BY, compare their arguments.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phigate.sql import StaticCatalog, classify
from phigate.sql.functions import SAFE_FUNCTIONS, TOTAL, format_total_arguments, total_argument

CATALOG = StaticCatalog({"public.patients": ["id", "name", "ssn", "dob"]})
P = "public.patients."


def predicates(sql: str) -> set[str]:
    analysis = classify(sql, catalog=CATALOG)
    assert analysis.error is None, analysis.error
    return set(analysis.predicate_columns)


def test_every_listed_total_argument_says_why() -> None:
    """The list is a claim about every value of a type: each entry carries its reason,
    and names a function the allow-list knows (a typo would list nothing)."""
    for name, totality in TOTAL.items():
        assert name in SAFE_FUNCTIONS, name
        assert len(totality.reason.split()) >= 4, (name, totality.reason)
        assert totality.positions is None or totality.positions, name


@pytest.mark.parametrize(
    ("key", "index", "arity"),
    [
        ("array_agg", 0, 1),  # arrays of unequal dimensions, a NULL array
        ("sum", 0, 1),  # an interval sum out of range
        ("avg", 0, 1),
        ("date_trunc", 1, 2),  # 'week' of 4713 BC is out of range
        ("jsonb_agg", 0, 1),  # a json value holding \u0000
        ("to_jsonb", 0, 1),
        ("jsonb_build_object", 1, 2),
        ("length", 0, 2),  # bytes invalid in the encoding
        ("length", 1, 2),  # a name that is no encoding
        ("split_part", 2, 3),
        ("json_build_object", 0, 2),  # a NULL key
        ("format", 0, 2),
        # A result over 1 GB fails: a length this argument multiplies.
        ("repeat", 0, 2),
        ("repeat", 1, 2),
        ("lpad", 0, 2),
        ("rpad", 0, 3),
        ("rpad", 2, 3),
        ("left", 1, 2),
        ("right", 1, 2),
        ("translate", 1, 3),
        ("translate", 2, 3),
        ("regexp_replace", 2, 3),
        ("overlay", 1, 3),
        ("array_fill", 0, 2),
        ("array_to_string", 1, 2),
        ("string_agg", 0, 2),
        ("string_agg", 1, 2),
        ("json_agg", 0, 1),
        ("json_object_agg", 1, 2),
        ("to_char", 0, 2),  # a format that is not a constant
    ],
)
def test_arguments_some_value_makes_fail_are_not_total(key: str, index: int, arity: int) -> None:
    assert not total_argument(key, index, [None] * arity)


@pytest.mark.parametrize(
    "fmt",
    ["%*s", "%-*s", "%2$*1$s", "%*2$s", "%1$*s", "%I", "%s %1$I", "%s %q", "%0$s", "%", "x%"],
)
def test_a_format_string_that_casts_refuses_or_is_unread_leaves_nothing_total(fmt: str) -> None:
    """`*` takes a width from an argument (cast to integer), `%I` refuses NULL, and a
    string phigate cannot read could do either: its first argument is not total."""
    assert 1 not in format_total_arguments([fmt, None, None])


@pytest.mark.parametrize(
    ("fmt", "total"),
    [
        ("%s", {1}),
        ("%s-%L", {1, 2}),
        ("%2$s %1$s", {1, 2}),
        ("%s|%L%%", {1, 2}),
        ("%10s|%-3L%%", set()),  # a width pads: its length is a constant, not the value's
        ("%10s %s", {2}),
        ("%I %s", {2}),
    ],
)
def test_arguments_only_printed_are_total(fmt: str, total: set[int]) -> None:
    assert format_total_arguments([fmt, None, None]) == total


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT length(format('%*s', translate(substr(ssn, 1, 1), '7', 'x'), '')) FROM patients",
        "SELECT format('%-*s', ssn, '') FROM patients",
        "SELECT format('%2$*1$s', ssn, '') FROM patients",
        "SELECT format('%I', ssn) FROM patients",
        "SELECT format(name, ssn) FROM patients",
        "SELECT format('%s', VARIADIC ARRAY[ssn]) FROM patients",
        "SELECT length('\\x41'::bytea, concat('UTF', substr(ssn, 1, 1))) FROM patients",
        "SELECT length(convert_to(ssn, 'UTF8'), 'UTF8') FROM patients",
    ],
)
def test_a_failing_format_or_encoding_is_a_condition_on_its_argument(sql: str) -> None:
    assert P + "ssn" in predicates(sql)


def test_a_printed_format_argument_and_a_plain_length_are_not_conditions() -> None:
    assert predicates("SELECT format('%s: %L', ssn, name), length(ssn) FROM patients") == set()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT array_agg(DISTINCT ssn) FROM patients",
        "SELECT count(DISTINCT ssn) FROM patients",
        "SELECT string_agg(DISTINCT ssn, ',') FROM patients",
        "SELECT string_agg(name, ',' ORDER BY ssn) FROM patients",
        "SELECT count(*) FILTER (WHERE ssn LIKE '7%') FROM patients",
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ssn) FROM patients",
        "SELECT json_agg(DISTINCT ssn) FROM patients",
        "SELECT row_number() OVER (PARTITION BY ssn) FROM patients",
        "SELECT row_number() OVER (ORDER BY ssn) FROM patients",
        "SELECT count(*) OVER w FROM patients WINDOW w AS (ORDER BY ssn)",
        "SELECT array_agg(ssn) FROM patients",
        "SELECT cardinality(array_agg(a)) FROM (SELECT (SELECT array_agg(DISTINCT v) FROM "
        "(VALUES (substr(p.ssn, 1, 1)), ('7')) t(v)) AS a FROM patients p) s",
    ],
)
def test_what_an_aggregate_or_window_compares_is_a_condition(sql: str) -> None:
    assert P + "ssn" in predicates(sql)


def test_an_aggregate_that_only_counts_is_not_a_condition() -> None:
    assert predicates("SELECT count(ssn), count(*), any_value(ssn) FROM patients") == set()


# Every value is capped at 1 GB: a function whose output length is a product of its
# inputs (or of a value and a row count) fails on a length a value decides.
GROWS = [
    "SELECT length(replace(repeat('x', 60000), 'x', replace(repeat('z', 20000), 'z',"
    " left('a', strpos(ssn, '7'))))) FROM patients",
    "SELECT repeat('x', length(ssn)) FROM patients",
    "SELECT repeat(ssn, 100000000) FROM patients",
    "SELECT lpad('', strpos(ssn, '7') * 1000) FROM patients",
    "SELECT rpad(ssn, 1000000000, 'x') FROM patients",
    "SELECT lpad('x', 1000000000, ssn) FROM patients",
    "SELECT replace(repeat('x', 60000), 'x', left('a', strpos(ssn, '7'))) FROM patients",
    "SELECT replace(ssn, '-', '--------') FROM patients",
    "SELECT replace(repeat('7', 1000), substr(ssn, 1, 1), 'xxxxxxxx') FROM patients",
    "SELECT replace(ssn, '-', name) FROM patients",
    "SELECT regexp_replace(ssn, '-', '') FROM patients",
    "SELECT regexp_replace(repeat('x', 1000), 'x', ssn, 'g') FROM patients",
    "SELECT translate(repeat('7', 1000), substr(ssn, 1, 1), 'é') FROM patients",
    "SELECT left(repeat('x', 1000000), strpos(ssn, '7') * 1000000) FROM patients",
    "SELECT right(repeat('x', 1000000), strpos(ssn, '7') * 1000000) FROM patients",
    "SELECT overlay(repeat('x', 10) PLACING ssn FROM 1) FROM patients",
    "SELECT array_fill(ssn, ARRAY[1000]) FROM patients",
    "SELECT format('%1000000000s', ssn) FROM patients",
    "SELECT to_char(dob, repeat('FMDay', 1000)) FROM patients",  # 'Monday', 'Wednesday'
    "SELECT to_char(dob, name) FROM patients",
    "SELECT array_to_string(ARRAY[1, 2], ssn) FROM patients",
    "SELECT string_agg(ssn, '') FROM patients, generate_series(1, 1000)",
    "SELECT string_agg('x', ssn) FROM patients, generate_series(1, 1000)",
    "SELECT json_agg(ssn) FROM patients, generate_series(1, 1000)",
    "SELECT json_object_agg('k', ssn) FROM patients, generate_series(1, 1000)",
    "SELECT JSON_ARRAYAGG(ssn) FROM patients, generate_series(1, 1000)",
    "SELECT ARRAY(SELECT ssn FROM patients, generate_series(1, 1000))",
    "SELECT JSON_OBJECTAGG('k' : ssn) FROM patients, generate_series(1, 1000)",
]
# Reads whose output is at most a constant times their input's: they run.
BOUNDED = [
    "SELECT upper(ssn), lower(name), left(ssn, 3), right(ssn, 4), substr(ssn, 1, 3) FROM patients",
    "SELECT replace(ssn, '-', ''), replace(ssn, '-', '/'), translate(ssn, '-', '') FROM patients",
    "SELECT to_char(dob, 'YYYY-MM'), format('%s: %L', ssn, name), concat(ssn, name) FROM patients",
    "SELECT array_to_string(ARRAY[ssn], ','), length(ssn), md5(ssn) FROM patients",
]


@pytest.mark.parametrize("sql", GROWS)
def test_a_length_a_value_multiplies_is_a_condition(sql: str) -> None:
    assert P + ("dob" if "dob" in sql else "ssn") in predicates(sql)


@pytest.mark.parametrize("sql", BOUNDED)
def test_a_length_bounded_by_the_value_is_not_a_condition(sql: str) -> None:
    assert P + "ssn" not in predicates(sql)


@pytest.mark.parametrize(
    ("search", "replacement", "total"),
    [
        ("-", "", True),
        ("-", "/", True),
        ("ab", "c", True),
        ("-", "--", False),
        ("e", "é", False),  # as long in characters, longer in bytes
        ("", "", True),
        (None, "", False),
        ("-", None, False),
    ],
)
def test_replace_is_total_in_its_text_only_when_it_cannot_grow(
    search: str | None, replacement: str | None, total: bool
) -> None:
    constants = [None, search, replacement]
    assert total_argument("replace", 0, constants) is total
    assert not total_argument("replace", 1, constants)
    assert not total_argument("replace", 2, constants)


# Reads where PostgreSQL compares records (or arrays of them) field by field: a
# field's comparison is looked up only when the fields before it are equal, so each
# fails exactly when patient 1's SSN equals `{g}` (the `json` field has none).
_ONE = "(SELECT ssn FROM patients UNION ALL SELECT '{g}') s"
_ARRAYS = (
    "(SELECT ARRAY[ROW(ssn, NULL::json)] AS a FROM patients"
    " UNION ALL SELECT ARRAY[ROW('{g}'::text, NULL::json)]) s"
)
FAILS_ON_EQUAL = [
    "SELECT min(ARRAY[ROW(ssn, NULL::json)]) FROM " + _ONE,
    "SELECT max(a) FROM " + _ARRAYS,
    "SELECT min(a) OVER () FROM " + _ARRAYS,
    "WITH c AS (SELECT * FROM " + _ARRAYS + ") SELECT max(a) FROM c",
    "SELECT max(x) FROM (SELECT a AS x FROM " + _ARRAYS + ") t",
    "SELECT max(ARRAY[s]) FROM (SELECT ssn, NULL::json AS j FROM patients"
    " UNION ALL SELECT '{g}', NULL) s",
    "SELECT max(COALESCE(a, a)) FROM " + _ARRAYS,
    "SELECT min(CASE WHEN true THEN a END) FROM " + _ARRAYS,
    "SELECT max(a || a) FROM " + _ARRAYS,
    "SELECT min(v) FROM (VALUES (ARRAY[ROW('{g}'::text, NULL::json)]),"
    " ((SELECT ARRAY[ROW(ssn, NULL::json)] FROM patients))) t(v)",
    "SELECT min(a) FROM (SELECT a FROM " + _ARRAYS + " UNION SELECT NULL) u",
    "SELECT greatest(ROW(ssn, NULL::json), ROW('{g}'::text, NULL::json)) IS NULL FROM patients",
    "SELECT count(*) FROM (SELECT ARRAY[ROW(ssn, NULL::json)] AS a FROM patients) s"
    " WHERE a = ARRAY[ROW('{g}'::text, NULL::json)]",
    "SELECT 1 FROM " + _ARRAYS + " ORDER BY a",
    "SELECT count(DISTINCT a) FROM " + _ARRAYS,
    "SELECT count(*) OVER (PARTITION BY a ORDER BY a) FROM " + _ARRAYS,
    "SELECT ARRAY[ROW(ssn, NULL::json)] IN (ARRAY[ROW('{g}'::text, NULL::json)]) FROM patients",
]
# min and max of what is proven a scalar with an order: they run for every value.
SCALAR_MIN_MAX = [
    "SELECT min(ssn), max(ssn) FROM " + _ONE,
    "SELECT max(x) FROM (SELECT substr(ssn, 1, 1) AS x FROM patients UNION ALL SELECT '{g}') s",
    "SELECT min(lower(ssn)), max(ssn || '-'), min(COALESCE(ssn, 'x')) FROM " + _ONE,
    "SELECT min(a::text) FROM " + _ARRAYS,
    'SELECT max(dob), min(length(ssn)), max(ssn COLLATE "C") FROM patients',
    "WITH c AS (SELECT ssn AS v FROM patients) SELECT min(v) FROM c",
]


@pytest.mark.parametrize("sql", FAILS_ON_EQUAL)
def test_a_comparison_of_what_is_not_proven_a_scalar_is_a_condition(sql: str) -> None:
    assert P + "ssn" in predicates(sql.replace("{g}", "#"))


@pytest.mark.parametrize("sql", SCALAR_MIN_MAX)
def test_min_and_max_of_a_proven_scalar_are_not_conditions(sql: str) -> None:
    assert P + "ssn" not in predicates(sql.replace("{g}", "#"))


# ---------------------------------------------------------------- against the server

_SPECS = st.sampled_from(["%s", "%L", "%I", "%%", "%-3s", "%5L", "%*s", "%2$s", "%1$L", "x", " "])


@pytest.fixture(scope="module")
def server(sql_pg_uri: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(sql_pg_uri, autocommit=True) as conn:
        yield conn


def _runs(conn: psycopg.Connection[tuple[object, ...]], fmt: str, args: list[str | None]) -> bool:
    try:
        conn.execute("SELECT format(%s::text, %s::text, %s::text)", [fmt, *args])
    except psycopg.Error:
        return False
    return True


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_SPECS, min_size=1, max_size=4).map("".join))
def test_a_format_argument_called_total_never_fails_on_any_value(
    server: psycopg.Connection[tuple[object, ...]], fmt: str
) -> None:
    """Replayable: for each argument `format_total_arguments` calls total, the call
    runs for a number, a word and NULL alike whenever it runs for one of them."""
    for index in format_total_arguments([fmt, None, None]):
        outcomes = set()
        for value in ("7", "x", None):
            args: list[str | None] = ["2", "2"]
            args[index - 1] = value
            outcomes.add(_runs(server, fmt, args))
        assert len(outcomes) == 1, (fmt, index)


SSN = "706-56-7705"


@pytest.fixture(scope="module")
def patients(server: psycopg.Connection[tuple[object, ...]]) -> psycopg.Connection[Any]:
    """A temporary `patients` (it shadows any other for this session) with one SSN."""
    server.execute("CREATE TEMP TABLE patients (id int, name text, ssn text, dob date)")
    server.execute("INSERT INTO patients VALUES (1, 'x', %s, '1980-03-14')", [SSN])
    return server


def _outcome(conn: psycopg.Connection[Any], sql: str) -> str:
    try:
        conn.execute(sql)
    except psycopg.Error as error:
        return type(error).__name__
    return "ran"


@pytest.mark.parametrize("sql", FAILS_ON_EQUAL + SCALAR_MIN_MAX)
def test_what_is_not_a_condition_runs_alike_on_equal_and_unequal_values(
    patients: psycopg.Connection[Any], sql: str
) -> None:
    """Against the server: a read whose SSN is no condition answers the same way
    whether the SSN equals the guess or not; the reads listed as failing on equal
    values do fail there (so the check has teeth), and are conditions."""
    equal = _outcome(patients, sql.replace("{g}", SSN))
    unequal = _outcome(patients, sql.replace("{g}", "#"))
    if sql in SCALAR_MIN_MAX:
        assert equal == unequal == "ran", (equal, unequal)
    else:
        assert (equal, unequal) == ("UndefinedFunction", "ran"), sql
    if P + "ssn" not in predicates(sql):
        assert equal == unequal, (sql, equal, unequal)


_SHORT = st.text(alphabet="-7aé𝄞", max_size=3)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet="-7aé𝄞x", max_size=12), _SHORT, _SHORT)
def test_a_replace_called_total_never_grows_its_text(
    server: psycopg.Connection[tuple[object, ...]], text: str, search: str, replacement: str
) -> None:
    """Replayable: when `replace` is total in its text, the result is no longer than
    the text in characters and in bytes, so no value brings it nearer the 1 GB cap."""
    if not total_argument("replace", 0, [None, search, replacement]):
        return
    row = server.execute(
        "SELECT length(r) <= length(t), octet_length(r) <= octet_length(t)"
        " FROM (SELECT %s::text AS t) s, LATERAL (SELECT replace(t, %s, %s) AS r) q",
        [text, search, replacement],
    ).fetchone()
    assert row == (True, True), (text, search, replacement)
