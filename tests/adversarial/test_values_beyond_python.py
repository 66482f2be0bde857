"""Values PostgreSQL holds that Python's types cannot, in columns that hold PHI.

Round 12b finding 6 made such values come back as PostgreSQL's text; a date of
birth of `infinity` or in 44 BC is still a date of birth, so it must be masked as
one (here `[DATE]`: its text is no date the generaliser can shorten to a year).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest

from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import Bench


@pytest.fixture
def odd_dates(bench: Bench, pg_server: EmbeddedPostgres) -> Iterator[None]:
    """Patients 7 and 8 born at `infinity` and in 44 BC (restored afterwards)."""
    admin = pg_server.dsn(str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"]))
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute("SELECT id, dob FROM patients WHERE id IN (7, 8)").fetchall()
        conn.execute("UPDATE patients SET dob = 'infinity' WHERE id = 7")
        conn.execute("UPDATE patients SET dob = '0044-03-15 BC' WHERE id = 8")
    try:
        yield
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for patient, dob in rows:
                conn.execute("UPDATE patients SET dob = %s WHERE id = %s", (dob, patient))


@pytest.mark.usefixtures("odd_dates")
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, dob FROM patients WHERE id IN (6, 7, 8) ORDER BY id",
        "SELECT id, ARRAY[dob] FROM patients WHERE id IN (6, 7, 8) ORDER BY id",
    ],
    ids=["column", "array"],
)
def test_a_date_of_birth_python_cannot_hold_is_masked_as_a_date(bench: Bench, sql: str) -> None:
    outcome = bench.rest(sql)
    assert outcome.status == "executed", outcome.detail
    result = json.loads(outcome.text.partition("\n")[0])["result"]
    assert [row[0] for row in result["rows"]] == [6, 7, 8]
    assert [row[1] for row in result["rows"]][1:] == ["[DATE]", "[DATE]"], result
    assert result["masked"]["DATE"] == 3
    assert "infinity" not in outcome.text and " BC" not in outcome.text


def test_a_set_over_rest_answers_its_command_tag(bench: Bench) -> None:
    outcome = bench.rest("SET TimeZone = 'UTC'")
    assert outcome.status == "executed", outcome.detail
    result = json.loads(outcome.text.partition("\n")[0])["result"]
    assert (result["rows"], result["status"]) == ([], "SET"), result
