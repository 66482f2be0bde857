"""ORDER BY, GROUP BY and DISTINCT ON by position (`ORDER BY 6`): a condition on the
output at that position, and on every output when the position cannot be told.

A `*` over a table the catalogue does not know, `(r).*` and a renamed unknown
table are outputs of unknown width: a position at or behind one may name any
column. Round 33c: `SELECT x.id FROM (SELECT * FROM patients ORDER BY 6) x` ran
at once without a catalogue and listed the patients in SSN order.
"""

from __future__ import annotations

import pytest

from phigate.sql import StaticCatalog, classify

CATALOG = StaticCatalog({"public.patients": ["id", "name", "dob", "mrn", "zip", "ssn", "email"]})
P = "public.patients."

# Each statement orders, groups or de-duplicates by position 6 (or one behind a `*`).
_BEHIND_A_STAR = [
    "SELECT x.id FROM (SELECT * FROM patients ORDER BY 6) x LIMIT 3",
    "SELECT id FROM (TABLE patients ORDER BY 6 LIMIT 3) t",
    "SELECT * FROM patients ORDER BY 6",
    "SELECT p.* FROM patients p ORDER BY 6",
    "SELECT id, * FROM patients ORDER BY 7",
    "SELECT *, id FROM patients ORDER BY 6",
    "SELECT * FROM patients GROUP BY 6",
    "SELECT * FROM patients GROUP BY ROLLUP (6)",
    "SELECT DISTINCT ON (6) * FROM patients",
    "SELECT * FROM patients UNION ALL SELECT * FROM patients ORDER BY 6",
    "SELECT id FROM (SELECT * FROM patients UNION SELECT * FROM patients ORDER BY 6) u",
    "WITH c AS (SELECT * FROM patients ORDER BY 6 LIMIT 1) SELECT id FROM c",
    "SELECT * FROM (SELECT * FROM patients) s ORDER BY 6",
    "SELECT * FROM patients p(a, b) ORDER BY 6",
    "SELECT (p).* FROM patients p ORDER BY 6",
]


def _predicates(sql: str, catalog: StaticCatalog | None) -> set[str]:
    result = classify(sql, catalog=catalog)
    assert result.error is None, result.error
    return set(result.predicate_columns)


@pytest.mark.parametrize("sql", _BEHIND_A_STAR)
def test_a_position_behind_a_star_of_unknown_width_is_a_condition_on_every_column(
    sql: str,
) -> None:
    assert P + "*" in _predicates(sql, None)


@pytest.mark.parametrize("sql", _BEHIND_A_STAR)
def test_a_position_behind_a_star_the_catalogue_expands_is_its_column(sql: str) -> None:
    assert P + "ssn" in _predicates(sql, CATALOG)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # positions before a `*` are known exactly
        ("SELECT ssn, * FROM patients ORDER BY 1", {P + "ssn"}),
        ("SELECT id, ssn FROM patients ORDER BY 2", {P + "ssn"}),
        ("SELECT id, ssn FROM patients GROUP BY 1, 2", {P + "id", P + "ssn"}),
        # a window's ORDER BY 6 sorts by the constant 6 (`findTargetlistEntrySQL99`)
        ("SELECT rank() OVER (ORDER BY 6) FROM patients", set()),
    ],
)
def test_a_known_position_is_the_output_there(sql: str, expected: set[str]) -> None:
    assert _predicates(sql, None) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, ssn FROM patients ORDER BY 3",
        "SELECT id, ssn FROM patients ORDER BY 0",
        "SELECT id, ssn FROM patients ORDER BY -1",
        "SELECT id, ssn FROM patients GROUP BY 9",
        "SELECT DISTINCT ON (3) id, ssn FROM patients",
        "SELECT id, ssn FROM patients UNION SELECT id, ssn FROM patients ORDER BY 5",
    ],
)
def test_a_position_out_of_range_is_a_condition_on_every_output(sql: str) -> None:
    """The server refuses these; whatever it does, no position reads as nothing."""
    assert _predicates(sql, CATALOG) >= {P + "id", P + "ssn"}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM patients UNION ALL SELECT 1, 2, 3, 4, 5, ssn FROM patients",
        "SELECT 1, 2, 3, 4, 5, ssn FROM patients UNION ALL SELECT * FROM patients",
    ],
)
def test_a_set_operation_over_a_star_of_unknown_width_keeps_every_source(sql: str) -> None:
    """Column by column is not known behind a `*`: each side's sources go to every
    output, never dropped with a column the other side does not line up with."""
    result = classify(sql)
    sources = {s for c in result.lineage for s in c.sources}
    assert {P + "ssn", P + "*"} <= sources
    assert all(P + "ssn" in c.sources or c.unresolved for c in result.lineage)


def test_a_set_operation_of_the_same_star_lines_up_column_by_column() -> None:
    same = classify("SELECT * FROM patients UNION SELECT * FROM patients ORDER BY 1")
    assert [(c.output, c.sources, c.unresolved) for c in same.lineage] == [("*", (P + "*",), False)]
    other = classify("SELECT * FROM patients UNION ALL SELECT * FROM visits")
    assert all(c.unresolved for c in other.lineage)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM patients UNION ALL SELECT * FROM patients ORDER BY ssn LIMIT 3",
        "SELECT id FROM (TABLE patients UNION ALL TABLE patients ORDER BY ssn LIMIT 3) u",
        "SELECT * FROM (SELECT * FROM patients) s UNION ALL SELECT * FROM patients ORDER BY ssn",
    ],
)
def test_a_name_behind_a_star_in_the_order_of_a_set_operation_is_a_condition(sql: str) -> None:
    """The ORDER BY of a set operation names outputs only; behind a `*` of unknown
    width, the one called `ssn` is the table's ssn."""
    assert P + "ssn" in _predicates(sql, None)
