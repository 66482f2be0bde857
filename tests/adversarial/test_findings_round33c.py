"""Round 33c: a promises-only attack on SQL through every door (the PostgreSQL wire,
simple and extended, and REST), with fresh eyes: newer grammar (JSON_TABLE,
JSON_VALUE/JSON_EXISTS, `IS JSON`, `RETURNING old/new`, MERGE … RETURNING), hashes
and sizes of masked columns, window, hypothetical-set and grouping-set orderings,
errors that print a computed value unquoted, and COPY with unusual quoting.

Almost everything held: every column computed from a masked one came back masked
once a data owner approved the read (as masked), errors had their values withheld,
and every ordering or grouping by a masked column waited for a data owner. The one
finding was an ordering that the classifier did not see: `ORDER BY 6` in a subquery
whose select list is `*` (position 6 of `patients` is `ssn`), over a table the
gateway's catalogue does not list. (`ORDER BY 6, 1` waited only by chance: position 1
was the `*` itself, a condition on every column.) Fixed: a position at or behind a `*`
of unknown width, or out of range, is a condition on every output.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.adversarial.harness import Bench

# ids of the first three patients in SSN order, as the agent reads them back
_BY_SSN = "SELECT id FROM patients ORDER BY ssn, id LIMIT 3"


def _ids_by_ssn(bench: Bench) -> list[int]:
    with psycopg.connect(bench.copy_dsn) as conn:
        return [int(r[0]) for r in conn.execute(_BY_SSN).fetchall()]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT x.id FROM (SELECT * FROM patients ORDER BY 6) x LIMIT 3",
        "SELECT id FROM (TABLE patients ORDER BY 6 LIMIT 3) t",
    ],
)
@pytest.mark.parametrize("door", ["rest", "wire-simple", "wire-extended"])
def test_an_ordinal_behind_a_star_is_a_condition(bench: Bench, sql: str, door: str) -> None:
    """Promise 2 (and the demo's `filtering-on-identifiers-needs-a-data-owner`):
    ordering by a masked column is an answer about it, so `ORDER BY ssn` waits for a
    data owner. The same order by position, `ORDER BY 6`, over a select list that is
    `*`, runs at once and lists the patients in SSN order (with LIMIT/OFFSET, each
    patient's rank; with `UNION ALL` of a row the agent writes, a binary search on
    each SSN). Cause: `phigate.sql.lineage._Builder._output_reference` notes a
    position as a condition only when `0 < position <= len(outputs)`; a `*` over
    the table is not counted as the table's columns there, so position 6 is out of
    range and nothing was noted; now every output is a condition."""
    simple = door == "wire-simple"
    outcome = bench.rest(sql) if door == "rest" else bench.wire([sql], simple=simple)
    assert outcome.status in ("approval", "denied"), (
        f"ran unapproved; the patients in SSN order are {_ids_by_ssn(bench)}: {outcome.text[:200]}"
    )


def test_held_ordering_by_a_masked_column_waits(bench: Bench) -> None:
    for sql in (
        _BY_SSN,
        "SELECT id FROM patients WINDOW w AS (ORDER BY ssn) ORDER BY rank() OVER w LIMIT 3",
        "SELECT rank('500-00-0000') WITHIN GROUP (ORDER BY ssn) FROM patients",
        "SELECT count(*) FROM patients GROUP BY GROUPING SETS ((zip), ())",
        "SELECT * FROM (SELECT id, ssn FROM patients) s(id) ORDER BY 2 LIMIT 3",
        # found while fixing finding 1: an output name behind `*` in a set operation
        "SELECT id FROM (TABLE patients UNION ALL TABLE patients ORDER BY ssn LIMIT 3) u",
    ):
        assert bench.rest(sql).status == "approval", sql
