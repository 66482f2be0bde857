"""Which function arguments can fail on a value, and what an aggregate compares.

A computation that can fail on a value is a condition on it (docs/security.md):
`functions.TOTAL` lists the only arguments that cannot, each with its reason, and
`format` is read specifier by specifier. An aggregate's DISTINCT, ORDER BY and
FILTER, and a window's PARTITION BY and ORDER BY, compare their arguments.
"""

from __future__ import annotations

from collections.abc import Iterator

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
        ("%10s|%-3L%%", {1, 2}),
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


def test_an_aggregate_that_only_counts_or_prints_is_not_a_condition() -> None:
    assert (
        predicates("SELECT count(ssn), string_agg(ssn, ','), json_agg(ssn) FROM patients") == set()
    )


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
