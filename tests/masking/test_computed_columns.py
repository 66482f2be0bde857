"""A generalising operator shows part of one source's own value, never a computation's.

The ZIP operator keeps the first three digits of what it is given and the DATE
operator the year it finds: given `concat(substr(dob::text, 6, 2), zip)` they would
show a month of birth (round 15b, finding 2). A column computed from several
sources, or from one through anything but a reference or a cast to text, is
redacted whole with its strongest type's marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.masking.columns import ColumnInfo
from phigate.masking.engine import Masker
from phigate.masking.result_columns import result_columns
from phigate.sql import classify
from phigate.sql.describe import description_of
from tests.sql.golden_corpus import demo_catalog

_CATALOG = demo_catalog()
_ZIP, _DOB = "public.patients.zip", "public.patients.dob"


def _lineage(sql: str) -> list[dict[str, object]]:
    lineage: list[dict[str, object]] = description_of(classify(sql, catalog=_CATALOG)).detail[
        "lineage"
    ]
    return lineage


@pytest.mark.parametrize(
    "expr",
    [
        "zip",
        "p.zip",
        "zip::text",
        "CAST(zip AS varchar)",
        "max(zip)",
        "(SELECT zip FROM patients LIMIT 1)",
    ],
)
def test_a_source_as_stored_is_not_computed(expr: str) -> None:
    [entry] = _lineage(f"SELECT {expr} FROM patients p")
    assert not entry.get("computed"), entry


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT concat(substr(dob::text, 6, 2), zip) FROM patients",
        "SELECT substr(zip, 4) || '123' FROM patients",
        "SELECT zip::char FROM patients",  # char(1): a cut
        "SELECT zip::varchar(2) FROM patients",
        "SELECT zip::int FROM patients",  # 02139 becomes 2139: the fourth digit moves up
        "SELECT coalesce(zip, city) FROM patients",
        "SELECT CASE WHEN id > 1 THEN zip ELSE '99999' END FROM patients",
        "SELECT x FROM patients, LATERAL substr(zip, 4, 2) x",
        "SELECT x FROM patients, LATERAL unnest(ARRAY[zip]) x",
        "SELECT s.z FROM (SELECT right(zip, 2) || zip AS z FROM patients) s",
        "WITH c AS (SELECT lower(city) || zip AS z FROM patients) SELECT z FROM c",
        "SELECT max(substr(zip, 3)) FROM patients",
    ],
)
def test_a_computation_of_a_source_is_computed(sql: str) -> None:
    [entry] = _lineage(sql)
    assert entry.get("computed") is True, entry


def test_a_computed_column_is_redacted_with_its_strongest_type(safe_harbor: Masker) -> None:
    columns = [
        ColumnInfo("zip", "text", (_ZIP,)),
        ColumnInfo("concat", "text", (_DOB, _ZIP), computed=True),
        ColumnInfo("substr", "text", (_ZIP,), computed=True),
        ColumnInfo("substr", "text", (_DOB,), computed=True),
        ColumnInfo("dob", "date", (_DOB,)),
    ]
    row = ["02139", "0402139", "39123", "1954-01-01", "2001-04-22"]
    rows = safe_harbor.for_columns(columns)
    assert rows.mask_row(row) == ["021**", "[ZIP]", "[ZIP]", "[DATE]", "2001"]
    assert rows.mask_rows([row, [None] * 5]) == [
        ("021**", "[ZIP]", "[ZIP]", "[DATE]", "2001"),
        (None,) * 5,
    ]
    assert rows.counts == {"ZIP": 6, "DATE": 4}


def test_a_column_of_several_types_is_redacted_even_uncomputed(safe_harbor: Masker) -> None:
    """`SELECT dob::text UNION ALL SELECT zip`: each value is one source's own, but the
    ZIP operator would read a date's digits; two sources of one type still generalise."""
    mixed = ColumnInfo("dob", "text", (_DOB, _ZIP))
    dates = ColumnInfo("d", "date", (_DOB, "public.encounters.encounter_date"))
    rows = safe_harbor.for_columns([mixed, dates])
    assert rows.mask_row(["1934-04-22", "2024-11-23"]) == ["[ZIP]", "2024"]


def test_a_sampled_column_that_is_computed_is_redacted(safe_harbor: Masker) -> None:
    """A column whose sources say nothing is classified from its values; computed, the
    type its values read as is shown as a marker, never generalised."""
    computed = ColumnInfo("v", "text", ("public.t.v",), computed=True)
    plain = ColumnInfo("v", "text", ("public.t.v",))
    rows = safe_harbor.for_columns([computed, plain])
    assert rows.mask_row(["02139", "02139"]) == ["[ZIP]", "021**"]


# ---------------------------------------------------------------- property, real PostgreSQL

_COLUMNS = ("zip", "dob::text", "first_name", "last_name", "city", "ssn", "email")
_LETTERS = "'abcdefghijklmnopqrstuvwxyz', '01234567890123456789012345'"


def _wrap(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    n = st.integers(1, 6)
    return st.one_of(
        st.tuples(inner, inner).map(lambda ab: f"concat({ab[0]}, {ab[1]})"),
        st.tuples(inner, inner).map(lambda ab: f"({ab[0]} || {ab[1]})"),
        st.tuples(inner, n, n).map(lambda a: f"substr({a[0]}, {a[1]}, {a[2]})"),
        st.tuples(inner, n).map(lambda a: f"left({a[0]}, {a[1]})"),
        st.tuples(inner, n).map(lambda a: f"right({a[0]}, {a[1]})"),
        inner.map(lambda a: f"lower({a})"),
        inner.map(lambda a: f"reverse({a})"),
        inner.map(lambda a: f"translate(lower({a}), {_LETTERS})"),
        st.tuples(inner, inner).map(lambda ab: f"coalesce({ab[0]}, {ab[1]})"),
    )


_EXPRESSIONS = st.recursive(st.sampled_from([*_COLUMNS, "'19'", "'-01-01'"]), _wrap, max_leaves=4)
_MARKER = re.compile(r"\[[A-Z_]+\]")


@pytest.fixture(scope="module")
def ehr(ehr_dsn: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(ehr_dsn, autocommit=True) as conn:
        yield conn


def _masked(conn: psycopg.Connection[tuple[object, ...]], masker: Masker, sql: str) -> object:
    cursor = conn.execute(sql)
    assert cursor.description is not None
    [column] = cursor.description
    type_info = conn.adapters.types.get(column.type_code)
    infos = result_columns([(column.name, type_info.name if type_info else None)], _lineage(sql))
    row = cursor.fetchone()
    assert row is not None
    return masker.for_columns(infos).mask_row(row)[0]


@settings(max_examples=60, deadline=None)
@given(expr=_EXPRESSIONS, patient=st.integers(1, 40))
def test_no_composition_shows_more_than_a_source_alone(
    ehr: psycopg.Connection[tuple[object, ...]], safe_harbor: Masker, expr: str, patient: int
) -> None:
    """Whatever string functions compose PHI columns, the masked value is a marker or
    what one of those columns shows on its own (its ZIP prefix, its year)."""
    used = [c for c in _COLUMNS if c in expr]
    where = f"FROM patients WHERE id = {patient}"
    masked = _masked(ehr, safe_harbor, f"SELECT {expr} {where}")
    if not used or masked is None:
        return  # constants alone are the caller's own; NULL shows nothing
    alone = {_masked(ehr, safe_harbor, f"SELECT {c} {where}") for c in used}
    assert masked in alone or _MARKER.fullmatch(str(masked)), (expr, masked, alone)
